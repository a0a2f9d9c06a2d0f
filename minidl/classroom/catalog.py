"""The four assignments and their tasks.

Each task's solution lives in the framework's own source, in regions
tagged with its id (see :mod:`minidl.classroom.regions`), and its tests
carry the pytest marker ``task<a>_<b>`` (``pytest -m task2_2``), in the
assignment's test file.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from minidl.errors import AssignmentError


@dataclass(frozen=True)
class Task:
    id: str         # "2.2"
    title: str
    points: int = 1

    @property
    def marker(self) -> str:
        """The pytest marker of this task's tests: "2.2" -> "task2_2"."""
        return "task" + self.id.replace(".", "_")


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    tests: str      # the test file, relative to the project root
    tasks: tuple

    def readme(self) -> str:
        """The student README (markdown)."""
        return resources.files("minidl.classroom").joinpath("readmes").joinpath(f"{self.name}.md").read_text(encoding="utf-8")

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise AssignmentError(f"assignment {self.name!r} has no task {task_id!r}; "
                              f"its tasks are {', '.join(t.id for t in self.tasks)}")


ASSIGNMENTS = {
    a.name: a
    for a in (
        Assignment("autograd", "Assignment 1: the backward of autograd ops, and a gradient checker",
                   "tests/classroom/test_assignment_autograd.py", (
                       Task("1.1", "backward of * and / (with broadcasting)"),
                       Task("1.2", "backward of matrix multiplication"),
                       Task("1.3", "backward of exp, log, tanh and sigmoid"),
                       Task("1.4", "backward of sum and mean"),
                       Task("1.5", "numerical gradients by central differences"),
                   )),
        Assignment("recurrent", "Assignment 2: backpropagation through time for RNN, LSTM and GRU",
                   "tests/classroom/test_assignment_recurrent.py", (
                       Task("2.1", "RNN step backward"),
                       Task("2.2", "LSTM step backward"),
                       Task("2.3", "GRU step backward"),
                       Task("2.4", "the BPTT loop over time"),
                   )),
        Assignment("audio", "Assignment 3: the FFT, the mel filterbank and MFCC",
                   "tests/classroom/test_assignment_audio.py", (
                       Task("3.1", "radix-2 FFT"),
                       Task("3.2", "mel filterbank"),
                       Task("3.3", "MFCC: the DCT matrix and liftering"),
                   )),
        Assignment("ctc", "Assignment 4: CTC, the alpha recursion, its gradient and the prefix beam search",
                   "tests/classroom/test_assignment_ctc.py", (
                       Task("4.1", "the CTC alpha recursion"),
                       Task("4.2", "the CTC gradient from alpha and beta"),
                       Task("4.3", "the CTC prefix beam search"),
                   )),
    )
}


def get_assignment(name: str) -> Assignment:
    """The assignment called ``name``, or an error listing the names there are."""
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        raise AssignmentError(f"no assignment named {name!r}; choose one of {', '.join(ASSIGNMENTS)}") from None


def all_markers() -> list:
    """Every task marker, in order (they are registered in pyproject.toml)."""
    return [t.marker for a in ASSIGNMENTS.values() for t in a.tasks]

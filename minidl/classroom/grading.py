"""``grade``: run each task's tests in a student copy, one subprocess per task.

Every task runs as ``python -m pytest <assignment tests> -m task<a>_<b>``
with its own time limit, so an infinite loop costs that task only. A syntax
error is isolated too: for task T, every *other* task's regions in a file
that does not compile are replaced by their stubs in a scratch copy (the
tasks' tests are independent of each other by design), so only the task
whose own code is broken fails.

The tests report measurements with pytest's ``record_property``:
``worst_rel_error`` (the largest relative gradient or value error they
saw), and for recurrent and CTC tasks ``first_wrong_step`` and ``parameter``. The
grader reads them back from pytest's JUnit XML.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from minidl.classroom import regions
from minidl.classroom.catalog import get_assignment
from minidl.classroom.make import copy_ignore, read_info

DEFAULT_TIME_LIMIT = 300.0  # seconds per task; the tasks' tests take a few seconds
REPORT_FORMAT = "minidl-grade-report/1"  # marks a JSON report, so a later grade may replace it


@dataclass
class TaskResult:
    id: str
    title: str
    points: int
    status: str                      # "pass", "fail", "timeout", "skipped"
    tests_passed: int = 0
    tests_total: int = 0
    worst_rel_error: float | None = None
    first_wrong_step: int | None = None
    parameter: str | None = None
    message: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def score(self) -> int:
        return self.points if self.passed else 0


@dataclass
class GradeReport:
    assignment: str
    title: str
    folder: str
    tasks: list = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(t.score for t in self.tasks)

    @property
    def max_score(self) -> int:
        return sum(t.points for t in self.tasks)

    def task(self, task_id: str) -> TaskResult:
        return next(t for t in self.tasks if t.id == task_id)

    def to_dict(self) -> dict:
        tasks = [{**asdict(t), "passed": t.passed, "score": t.score} for t in self.tasks]
        return {"format": REPORT_FORMAT, "assignment": self.assignment, "title": self.title, "folder": self.folder,
                "score": self.score, "max_score": self.max_score, "tasks": tasks}

    def table(self) -> str:
        """The score table: one row per task, with the failure message under a failed row."""
        lines = [f"{self.title}", f"graded: {self.folder}", "",
                 f"{'task':<5} {'title':<40} {'result':<8} {'tests':>5}  {'worst rel err':>13}  "
                 f"{'first wrong step':<36} points"]
        for t in self.tasks:
            err = "-" if t.worst_rel_error is None else f"{t.worst_rel_error:.2e}"
            step = "-" if t.first_wrong_step is None else f"t={t.first_wrong_step}"
            if t.parameter:
                step += f" ({t.parameter})" if t.first_wrong_step is not None else t.parameter
            lines.append(f"{t.id:<5} {t.title[:40]:<40} {t.status.upper() if not t.passed else 'pass':<8} "
                         f"{t.tests_passed:>2}/{t.tests_total:<2}  {err:>13}  {step[:36]:<36} "
                         f"{t.score}/{t.points}")
            if not t.passed and t.message:
                lines.append(f"{'':<6}{t.message}")
        lines += ["", f"score: {self.score}/{self.max_score}"]
        return "\n".join(lines)


# ---------------------------------------------------------------- isolating syntax errors
def _compiles(text: str, path: str):
    """None if the text compiles, else a one-line description of the SyntaxError."""
    try:
        compile(text, path, "exec")
        return None
    except SyntaxError as exc:
        return f"SyntaxError in {path}, line {exc.lineno}: {exc.msg}"


def broken_files(folder: Path, task_ids) -> dict:
    """{path: text} of the files holding the assignment's regions that do not compile (read once per grade)."""
    broken = {}
    for path in sorted({r.path for r in regions.scan(folder) if r.task in task_ids}):
        text = (folder / path).read_text(encoding="utf-8")
        if _compiles(text, path) is not None:
            broken[path] = text
    return broken


def isolate(broken: dict, task_id: str, task_ids) -> tuple:
    """(rewritten files {path: text}, syntax error of this task or None).

    In each file that does not compile, the other tasks' regions are
    stubbed; if the file still does not compile, the error is this task's.
    """
    rewritten = {}
    others = {t: "stubbed by the grader while grading another task" for t in task_ids if t != task_id}
    for path, text in broken.items():
        text = regions.stub_regions(text, path, others)
        error = _compiles(text, path)
        if error:
            return rewritten, error
        rewritten[path] = text
    return rewritten, None


# ---------------------------------------------------------------- running one task
def _message(element) -> str:
    """A one-line reason from a JUnit failure/error element."""
    text = element.text or ""
    # pytest prefixes the exception lines of a traceback with "E   "
    errors = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ") and "Error" in ln]
    message = element.get("message") or ""
    if errors and (not message or message.startswith("collection failure")):
        message = errors[-1]
    return message.strip().splitlines()[0][:300] if message.strip() else element.tag


def read_junit(xml_path: Path, result: TaskResult) -> None:
    """Fill a TaskResult from pytest's JUnit XML."""
    root = ET.parse(xml_path).getroot()
    cases = list(root.iter("testcase"))
    result.tests_total = len(cases)
    skipped, failures = 0, []
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        if props.get("worst_rel_error") not in (None, "None"):
            err = float(props["worst_rel_error"])
            if result.worst_rel_error is None or not (err <= result.worst_rel_error):
                result.worst_rel_error = err
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            failures.append((case, bad, props))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            result.tests_passed += 1
    # a collection error is a <testcase> with an <error>, so a broken file counts as a failure
    for case, bad, props in failures:
        step = props.get("first_wrong_step")
        if step not in (None, "None") and (result.first_wrong_step is None or int(step) < result.first_wrong_step):
            result.first_wrong_step, result.parameter = int(step), props.get("parameter")
    if failures:
        result.status, result.message = "fail", _message(failures[0][1])
    elif result.tests_total == 0:
        result.status, result.message = "fail", "no test of this task ran (were its tests deleted?)"
    elif skipped:
        result.status = "skipped"
        result.message = f"{skipped} test(s) skipped: a reference package (torch, librosa) is missing"
    else:
        result.status = "pass"


def run_task(folder: Path, test_file: str, task, *, time_limit: float, scratch: Path) -> TaskResult:
    """Run one task's tests in ``folder`` as a subprocess and collect its result."""
    result = TaskResult(task.id, task.title, task.points, "fail")
    xml_path = scratch / f"{task.marker}.xml"
    command = [sys.executable, "-m", "pytest", test_file, "-m", task.marker, "-q", "-p", "no:cacheprovider",
               "-o", "junit_family=xunit1", f"--junitxml={xml_path}"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NUMBA_CACHE_DIR=str(scratch / "numba-cache"),
               PYTHONPATH=os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own process group, so a timeout kills it all
    try:
        output, _ = process.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        result.seconds = time.perf_counter() - start
        result.status = "timeout"
        result.message = f"stopped after the time limit of {time_limit:g} s (an infinite loop?)"
        return result
    result.seconds = time.perf_counter() - start
    if xml_path.is_file():
        read_junit(xml_path, result)
    else:
        tail = output.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        result.message = f"pytest exited with status {process.returncode}: {tail[0][:300]}"
    return result


def grade(folder, *, assignment=None, tasks=None, time_limit: float = DEFAULT_TIME_LIMIT) -> GradeReport:
    """Grade a student copy.

    Parameters
    ----------
    folder : the student copy (or any project tree holding the assignment's tests)
    assignment : name; default read from the copy's ``.assignment.json``
    tasks : task ids to grade; default all of the assignment's
    time_limit : seconds per task

    Returns
    -------
    GradeReport (``.table()`` for people, ``.to_dict()`` for JSON)
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"student copy {str(folder)!r} is not a folder")
    if not math.isfinite(time_limit) or time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    a = get_assignment(assignment if assignment is not None else read_info(folder)["assignment"])
    chosen = [a.task(t) for t in tasks] if tasks else list(a.tasks)
    all_ids = [t.id for t in a.tasks]
    report = GradeReport(a.name, a.title, str(folder))
    broken = broken_files(folder, all_ids)
    with tempfile.TemporaryDirectory(prefix="minidl-grade-") as tmp:
        tmp = Path(tmp)
        for task in chosen:
            rewritten, error = isolate(broken, task.id, all_ids)
            if error:
                report.tasks.append(TaskResult(task.id, task.title, task.points, "fail", message=error))
                continue
            where = folder
            if rewritten:  # grade in a scratch copy with the other tasks' broken regions stubbed
                where = tmp / f"copy-{task.marker}"
                shutil.copytree(folder, where, ignore=copy_ignore(folder))
                for path, text in rewritten.items():
                    (where / path).write_text(text, encoding="utf-8")
            report.tasks.append(run_task(where, a.tests, task, time_limit=time_limit, scratch=tmp))
    return report

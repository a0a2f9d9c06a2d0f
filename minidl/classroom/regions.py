"""Solution regions: the parts of the framework's own source a student writes.

A region is a run of whole statements between two marker comments, tagged
with the task it belongs to, with an optional hint comment just above::

    #  HINT: the total gradient of c_t adds the path through h_t = o tanh(c_t)
    #  BEGIN SOLUTION 2.2
    ...the solution...
    #  END SOLUTION

(written here with two spaces after ``#`` so that this docstring is not
itself a region: real markers have one.) A student copy keeps the three
comment lines and replaces what lies between them with

    raise NotImplementedError("Task 2.2: <the hint, or the task's title>")

at the indentation of the ``BEGIN`` line, so everything that does not call
the stub still imports and runs. Because the markers stay, the grader can
find a student's code again (to isolate a syntax error) and a teacher can
put the solutions back (:func:`fill_regions`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from minidl.errors import AssignmentError

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION (?P<task>\S+)\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
HINT = re.compile(r"^\s*# HINT: (?P<text>.*\S)\s*$")
TASK_ID = re.compile(r"^\d+\.\d+$")
SOURCE_PACKAGES = ("minidl", "audio", "kernels")  # where regions may live


@dataclass(frozen=True)
class Region:
    """One solution region: file, task id, line span and content."""

    path: str      # relative to the project root, with "/"
    task: str      # "2.2"
    begin: int     # index of the BEGIN line (0-based)
    end: int       # index of the END line
    indent: str
    hint: str | None
    body: tuple    # the lines strictly between BEGIN and END, without newlines

    def where(self) -> str:
        return f"{self.path}:{self.begin + 1}"


def find_regions(text: str, path: str) -> list:
    """All regions of one file's text, in order.

    Raises
    ------
    AssignmentError
        On a BEGIN inside a region, an END outside one, a region never
        closed, an empty region, or a task id that is not ``<int>.<int>``.
    """
    lines = text.splitlines()
    regions, open_at = [], None
    for i, line in enumerate(lines):
        begin = BEGIN.match(line)
        if begin:
            if open_at is not None:
                raise AssignmentError(f"{path}:{i + 1}: BEGIN SOLUTION inside the region opened at line {open_at + 1}")
            if not TASK_ID.match(begin["task"]):
                raise AssignmentError(f"{path}:{i + 1}: task id {begin['task']!r} is not of the form <int>.<int>, "
                                      "e.g. 2.3")
            open_at, indent, task = i, begin["indent"], begin["task"]
        elif END.match(line):
            if open_at is None:
                raise AssignmentError(f"{path}:{i + 1}: END SOLUTION without a BEGIN SOLUTION before it")
            body = tuple(lines[open_at + 1:i])
            if not any(b.strip() for b in body):
                raise AssignmentError(f"{path}:{open_at + 1}: the region of task {task} is empty")
            hint = HINT.match(lines[open_at - 1]) if open_at > 0 else None
            regions.append(Region(path, task, open_at, i, indent, hint["text"] if hint else None, body))
            open_at = None
    if open_at is not None:
        raise AssignmentError(f"{path}:{open_at + 1}: BEGIN SOLUTION is never closed by END SOLUTION")
    return regions


def source_files(root: Path):
    """The Python files of the three packages under ``root``, sorted."""
    for package in SOURCE_PACKAGES:
        yield from sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)


def scan(root) -> list:
    """Every region in the project at ``root``."""
    root = Path(root)
    regions = []
    for file in source_files(root):
        text = file.read_text(encoding="utf-8")
        if "SOLUTION" in text:
            regions.extend(find_regions(text, file.relative_to(root).as_posix()))
    return regions


def stub_line(region: Region, title: str) -> str:
    """The statement that replaces a region in the student copy."""
    message = f"Task {region.task}: {region.hint or title}".replace("\\", "\\\\").replace('"', '\\"')
    return f'{region.indent}raise NotImplementedError("{message}")'


def replace_bodies(text: str, path: str, new_body) -> str:
    """Rewrite the regions of one file: ``new_body(region)`` gives each region's
    replacement lines, or None to keep it. The markers and all other lines stay."""
    lines = text.splitlines()
    out, last = [], 0
    for region in find_regions(text, path):
        body = new_body(region)
        if body is None:
            continue
        out.extend(lines[last:region.begin + 1])
        out.extend(body)
        last = region.end
    out.extend(lines[last:])
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def stub_regions(text: str, path: str, titles: dict) -> str:
    """Replace the regions whose task is in ``titles`` (task id -> title) by stubs."""
    return replace_bodies(text, path, lambda r: [stub_line(r, titles[r.task])] if r.task in titles else None)


def fill_regions(text: str, path: str, solutions: list, tasks) -> str:
    """Put solution bodies back: the k-th region of each task in ``tasks`` gets
    the body of the k-th region of that task in ``solutions`` (same file)."""
    by_task: dict = {}
    for region in solutions:
        by_task.setdefault(region.task, []).append(region.body)
    seen: dict = {}

    def body(region):
        if region.task not in tasks:
            return None
        k = seen[region.task] = seen.get(region.task, -1) + 1
        bodies = by_task.get(region.task, [])
        if k >= len(bodies):
            raise AssignmentError(f"{path}: the student copy has more regions of task {region.task} "
                                  f"than the solution ({len(bodies)})")
        return list(bodies[k])

    return replace_bodies(text, path, body)


def _without_subscripts(code: str) -> str:
    """``code`` with the insides of subscripts (``x[...]``) removed; list literals stay."""
    out, depth = [], 0
    for i, ch in enumerate(code):
        if depth:
            depth += {"[": 1, "]": -1}.get(ch, 0)
            continue
        if ch == "[" and i and (code[i - 1].isalnum() or code[i - 1] in "_)]"):
            depth = 1
            continue
        out.append(ch)
    return "".join(out)


def code_of(line: str) -> str:
    """A line's code without its comment, spaces collapsed: what the leak check compares."""
    return " ".join(line.split("#", 1)[0].split())


def is_distinctive(line: str) -> bool:
    """Whether a solution line computes something, so that finding it in a student copy would give it away.

    A line counts when it has an arithmetic operator (+ - * / @) outside
    subscripts. Loop headers, shape unpacking, allocations, slicing and
    comments are scaffolding that the visible code shares, so they do not.
    """
    code = code_of(line)
    return bool(re.search(r"[-+*/@]", _without_subscripts(code)))

"""``make_assignment``: write a student copy of the project with one assignment's solutions removed.

The copy is complete (packages, tests, tutorials, README, pyproject), so a
student installs and tests it exactly like the original. It is built in a
temporary folder beside ``out`` and renamed into place only after two
checks pass: every stubbed file still compiles, and no distinctive line of
any removed solution occurs anywhere in the copy (not in another file, a
tutorial, a test or a comment). A failed make leaves nothing behind.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import minidl
from minidl.classroom import regions
from minidl.classroom.catalog import ASSIGNMENTS, get_assignment
from minidl.errors import AssignmentError

# never copied: version control (its history holds the solutions), caches
# (compiled bytecode and Numba's cache hold them too) and build output
SKIP_NAMES = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache",
              ".ruff_cache", ".ipynb_checkpoints", "build", "dist"}
# the CUDA C kernels (.cu) hold the gate derivatives and the CTC recursions too, in another
# language the leak check does not read: a student copy is CPU-only
SKIP_SUFFIXES = (".pyc", ".nbi", ".nbc", ".egg-info", ".cu")
SKIP_AT_ROOT = {"runs"}
INFO_FILE = ".assignment.json"   # which assignment a student copy is, for the grader
README_FILE = "ASSIGNMENT.md"   # the student README


def project_root() -> Path:
    """The source tree this minidl was imported from (it must hold pyproject.toml)."""
    root = Path(minidl.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise AssignmentError(f"minidl was not imported from a source tree ({root} has no pyproject.toml); "
                              "run the command from an editable install (pip install -e .)")
    return root


def check_catalog(found: list) -> None:
    """Every region belongs to a known task, and every task has a region."""
    known = {t.id for a in ASSIGNMENTS.values() for t in a.tasks}
    for region in found:
        if region.task not in known:
            raise AssignmentError(f"{region.where()}: region of task {region.task}, which no assignment has "
                                  f"(known tasks: {', '.join(sorted(known))})")
    have = {r.task for r in found}
    for a in ASSIGNMENTS.values():
        for t in a.tasks:
            if t.id not in have:
                raise AssignmentError(f"task {t.id} ({t.title}) of assignment {a.name!r} has no solution region")


def copy_ignore(root: Path):
    """The ignore function for shutil.copytree: what a student copy leaves out."""
    def ignore(folder, names):
        at_root = Path(folder) == root
        return {n for n in names
                if n in SKIP_NAMES or n.endswith(SKIP_SUFFIXES) or (at_root and n in SKIP_AT_ROOT)}
    return ignore


def text_lines(root: Path):
    """(relative path, line number, line) of every text file under root."""
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (audio, images) cannot hold a line of code
        for number, line in enumerate(text.splitlines(), 1):
            yield file.relative_to(root).as_posix(), number, line


def find_leaks(copy_root: Path, removed: list) -> list:
    """Places in the copy where a distinctive line of a removed solution occurs."""
    secret = {}
    for region in removed:
        for line in region.body:
            if regions.is_distinctive(line):
                secret.setdefault(regions.code_of(line), region)
    leaks = []
    for path, number, line in text_lines(copy_root):
        # also a solution line commented out: "#   d_f = ..." hides nothing
        region = secret.get(regions.code_of(line)) or secret.get(regions.code_of(line.strip().lstrip("#")))
        if region is not None:
            leaks.append(f"{path}:{number} repeats a line of task {region.task}'s solution ({region.where()}): {line}")
    return leaks


def make_assignment(name: str, out, *, source=None) -> Path:
    """Write the student copy of assignment ``name`` to the new folder ``out``.

    Parameters
    ----------
    name : "autograd", "recurrent", "audio" or "ctc"
    out : path of a folder that does not exist yet (or is empty)
    source : project root to copy; default the one minidl was imported from

    Returns
    -------
    Path of the student copy.

    Raises
    ------
    AssignmentError
        For an unknown assignment, malformed regions, an ``out`` that is not
        empty, a stub that does not compile, or a solution line that would
        survive in the copy. Nothing is written then.
    """
    assignment = get_assignment(name)
    root = Path(source) if source is not None else project_root()
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AssignmentError(f"{out} already exists and is not an empty folder; choose a new path")
    found = regions.scan(root)
    check_catalog(found)
    titles = {t.id: t.title for t in assignment.tasks}
    removed = [r for r in found if r.task in titles]

    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(root, partial, ignore=copy_ignore(root), symlinks=True)
        for path in sorted({r.path for r in removed}):
            target = partial / path
            stubbed = regions.stub_regions(target.read_text(encoding="utf-8"), path, titles)
            try:
                compile(stubbed, path, "exec")
            except SyntaxError as exc:
                raise AssignmentError(f"{path}: the student version does not compile ({exc}); "
                                      "a region must hold whole statements") from None
            target.write_text(stubbed, encoding="utf-8")
        (partial / README_FILE).write_text(assignment.readme(), encoding="utf-8")
        info = {"assignment": assignment.name, "tasks": [t.id for t in assignment.tasks]}
        (partial / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        leaks = find_leaks(partial, removed)
        if leaks:
            shown = "\n  ".join(leaks[:10]) + (f"\n  ... and {len(leaks) - 10} more" if len(leaks) > 10 else "")
            raise AssignmentError(f"solution lines would survive in the student copy:\n  {shown}")
        if out.exists():
            out.rmdir()  # empty, checked above
        partial.rename(out)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    return out


def restore_solutions(student, *, source=None, tasks=None) -> list:
    """Put the solutions of ``tasks`` (default: all of the copy's assignment) back into a student copy.

    Returns the files rewritten. For teachers (and the kit's own tests): a
    copy with every solution restored must get full marks.
    """
    student = Path(student)
    root = Path(source) if source is not None else project_root()
    if tasks is None:
        tasks = read_info(student)["tasks"]
    solutions = regions.scan(root)
    rewritten = []
    for path in sorted({r.path for r in regions.scan(student) if r.task in tasks}):
        target = student / path
        mine = [r for r in solutions if r.path == path]
        target.write_text(regions.fill_regions(target.read_text(encoding="utf-8"), path, mine, set(tasks)),
                          encoding="utf-8")
        rewritten.append(path)
    return rewritten


def read_info(student) -> dict:
    """The ``.assignment.json`` that make wrote into a student copy."""
    path = Path(student) / INFO_FILE
    if not path.is_file():
        raise AssignmentError(f"{student} is not a student copy (no {INFO_FILE}); "
                              "pass the assignment name with --assignment")
    return json.loads(path.read_text(encoding="utf-8"))

"""``minidl assignment``: make a student copy of an assignment, and grade one.

    minidl assignment list
    minidl assignment make recurrent hw2/          # hw2/ must not exist yet (or be empty)
    minidl assignment grade hw2/                   # score table, and hw2/grade-report.json
"""
from __future__ import annotations

import json
from pathlib import Path

from kernels.files import atomic_path
from minidl.classroom import ASSIGNMENTS, grade, make_assignment
from minidl.classroom.grading import DEFAULT_TIME_LIMIT, REPORT_FORMAT
from minidl.errors import AssignmentError, UsageError

REPORT_NAME = "grade-report.json"


def add_parser(sub) -> None:
    p = sub.add_parser("assignment", help="classroom assignments: make a student copy, grade one")
    commands = p.add_subparsers(dest="action", required=True)
    commands.add_parser("list", help="the assignments and their tasks").set_defaults(func=cmd_list)
    make = commands.add_parser("make", help="write a student copy with one assignment's solutions removed")
    make.add_argument("name", help=f"one of {', '.join(ASSIGNMENTS)}")
    make.add_argument("out", help="folder to create (must not exist, or be empty)")
    make.set_defaults(func=cmd_make)
    g = commands.add_parser("grade", help="run every task's tests in a student copy and score them")
    g.add_argument("folder", help="the student copy")
    g.add_argument("--assignment", help="which assignment (default: read from the copy's .assignment.json)")
    g.add_argument("--task", action="append", metavar="ID", help="grade only this task (repeatable), e.g. 2.2")
    g.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help=f"seconds per task (default {DEFAULT_TIME_LIMIT:g})")
    g.add_argument("--json", metavar="PATH",
                   help=f"where to write the JSON report (default FOLDER/{REPORT_NAME}); a file that is not "
                        "an earlier report is replaced only with --force")
    g.add_argument("--force", action="store_true", help="replace an existing --json file whatever it holds")
    g.set_defaults(func=cmd_grade)


def cmd_list(args) -> int:
    for a in ASSIGNMENTS.values():
        print(f"{a.name}: {a.title}")
        for t in a.tasks:
            print(f"  {t.id}  {t.title}  (pytest -m {t.marker})")
    return 0


def cmd_make(args) -> int:
    try:
        out = make_assignment(args.name, args.out)
    except AssignmentError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote the student copy of {args.name!r} to {out} (read {out}/ASSIGNMENT.md)")
    return 0


def cmd_grade(args) -> int:
    if args.time_limit <= 0:
        raise UsageError(f"--time-limit must be a positive number of seconds, got {args.time_limit:g}")
    target = Path(args.json) if args.json else Path(args.folder) / REPORT_NAME
    if target.exists() and not args.force and not _is_report(target):
        raise UsageError(f"{target} exists and is not a grade report; pass --force to replace it")
    try:
        report = grade(args.folder, assignment=args.assignment, tasks=args.task, time_limit=args.time_limit)
    except AssignmentError as exc:
        raise UsageError(str(exc)) from None
    print(report.table())
    with atomic_path(target) as temp, open(temp, "w", encoding="utf-8") as f:
        json.dump(report.to_dict(), f, indent=2)
        f.write("\n")
    print(f"wrote {target}")
    return 0 if report.score == report.max_score else 1


def _is_report(path) -> bool:
    """Whether ``path`` holds a report this command wrote (which it may replace)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == REPORT_FORMAT
    except (ValueError, OSError, AttributeError):
        return False

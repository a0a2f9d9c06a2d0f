"""``minidl assignment``: make a student copy of an assignment, and grade one.

    minidl assignment list
    minidl assignment make recurrent hw2/          # hw2/ must not exist yet (or be empty)
    minidl assignment grade hw2/ --json hw2.json   # score table, and a JSON report
"""
from __future__ import annotations

import json

from audio.io import atomic_path
from minidl.classroom import ASSIGNMENTS, grade, make_assignment
from minidl.classroom.grading import DEFAULT_TIME_LIMIT
from minidl.errors import AssignmentError, UsageError


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
    g.add_argument("--json", metavar="PATH", help="write the report as JSON (an existing file needs --force)")
    g.add_argument("--force", action="store_true", help="replace an existing --json file")
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
    from pathlib import Path

    if args.time_limit <= 0:
        raise UsageError(f"--time-limit must be a positive number of seconds, got {args.time_limit:g}")
    if args.json and Path(args.json).exists() and not args.force:
        raise UsageError(f"{args.json} exists; pass --force to replace it")
    try:
        report = grade(args.folder, assignment=args.assignment, tasks=args.task, time_limit=args.time_limit)
    except AssignmentError as exc:
        raise UsageError(str(exc)) from None
    print(report.table())
    if args.json:
        with atomic_path(args.json) as temp, open(temp, "w", encoding="utf-8") as f:
            json.dump(report.to_dict(), f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")
    return 0 if report.score == report.max_score else 1

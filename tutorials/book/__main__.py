"""python -m tutorials.book OUT [--jobs N]: execute every chapter and write the book's HTML site to OUT."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import ChapterFailed, build


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutorials.book", description=__doc__)
    parser.add_argument("out", type=Path, help="folder for the site (an existing book there is replaced)")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: one per core)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        build(args.out, jobs=args.jobs)
    except (FileExistsError, ChapterFailed) as error:
        print(f"python -m tutorials.book: {error}", file=sys.stderr)
        return 1
    print(f"book written to {args.out / 'index.html'} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

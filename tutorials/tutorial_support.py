"""What every chapter shares: the QUICK switch, where figures go, and the key numbers.

- ``QUICK=1`` in the environment shrinks every experiment (the tests use it).
- Figures go to ``$TUTORIAL_OUT`` (default ``tutorials/figures``).
- ``record(chapter, **numbers)`` writes the chapter's key numbers to
  ``<out>/<chapter>.json`` so they can be checked and quoted.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:  # a script: draw to files, no window
    matplotlib.use("Agg")

QUICK = os.environ.get("QUICK", "0") == "1"
OUT = Path(os.environ.get("TUTORIAL_OUT", Path(__file__).resolve().parent / "figures"))
OUT.mkdir(parents=True, exist_ok=True)


def save(figure, name: str) -> Path:
    """Save a figure as <out>/<name>.png and return the path."""
    path = OUT / f"{name}.png"
    figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"figure: {path}")
    return path


def record(chapter: str, **numbers) -> None:
    """Print and store the chapter's key numbers."""
    for key, value in numbers.items():
        print(f"{key}: {value}")
    (OUT / f"{chapter}.json").write_text(json.dumps(numbers, indent=2, default=float) + "\n")


def best_time(fn, *args, repeat: int = 3) -> float:
    """The fastest of ``repeat`` calls of fn(*args), in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def fsdd_folder():
    """The Free Spoken Digit Dataset if it is beside the project (or at $FSDD), else None."""
    candidates = [os.environ.get("FSDD", ""), Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "recordings").is_dir():
            return Path(candidate)
    return None

"""What every chapter shares: the QUICK switch, where figures go, and the key numbers.

- ``QUICK=1`` in the environment shrinks every experiment (the tests use it).
- Figures go to ``$TUTORIAL_OUT`` (default ``tutorials/figures``).
- ``Chapter(name)`` keeps the chapter's key numbers in ``<out>/<name>.json``:
  ``record(**numbers)`` adds to it (the tests check it), and ``say(text)``
  quotes from it, so a number in the prose is always the one the code recorded.
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
    """Save a figure as <out>/<name>.png and return the path; in a notebook, also show it."""
    path = OUT / f"{name}.png"
    figure.savefig(path, dpi=100, bbox_inches="tight")
    if "ipykernel" in sys.modules and getattr(figure.canvas, "manager", None) is None:
        from IPython.display import Image, display

        # Built without pyplot (audio.plot, minidl.plot): the inline backend does not show it, and
        # before pyplot draws once, IPython has no PNG formatter for a Figure. Show the file we wrote.
        display(Image(filename=str(path)))
    print(f"figure: {path}")
    return path


class Chapter:
    """One chapter's key numbers, stored in <out>/<name>.json and quoted in the prose from there."""

    def __init__(self, name: str):
        self.path = OUT / f"{name}.json"
        self.path.write_text("{}\n")  # a fresh run starts empty: no number survives from an older run

    def record(self, **numbers) -> None:
        """Print the numbers and add them to the chapter's JSON."""
        for key, value in numbers.items():
            print(f"{key}: {value}")
        stored = {**self.numbers(), **numbers}
        self.path.write_text(json.dumps(stored, indent=2, default=float) + "\n")

    def numbers(self) -> dict:
        """The numbers recorded so far, as read back from the JSON."""
        return json.loads(self.path.read_text())

    def say(self, text: str) -> None:
        """Fill ``text`` (a str.format template) from the recorded numbers; show it as Markdown in a notebook."""
        filled = text.format(**self.numbers())
        if "ipykernel" in sys.modules:
            from IPython.display import Markdown, display

            display(Markdown(filled))
        else:
            print(filled)


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

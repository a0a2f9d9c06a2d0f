"""The benchmark harness behind ``minidl bench``.

A benchmark row pairs our implementation with a reference (NumPy, SciPy,
librosa, PyTorch) on the same inputs. Both are timed in the same run,
interleaved — ours, reference, ours, reference, ... — so that a machine
that slows down mid-run slows both, and the *minimum* of the repeats is
kept, the run least disturbed by everything else on the machine. The
figure that matters is the ratio ours / reference: below 1 we are faster.

Rows live next to the code they measure (``minidl/benchmarks.py``,
``audio/benchmarks.py`` ...); this module only times and prints them.
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from typing import Callable

from kernels import memory
from kernels.files import atomic_path


@dataclass
class Row:
    """One benchmark: ``ours()`` against ``reference()``.

    Attributes
    ----------
    name : str
        What is measured, with its sizes, e.g. "LSTM train step T=100 B=32".
    ours, reference : callable taking no arguments
        ``reference`` is None when the reference package is not installed;
        the row then reports our time alone.
    reference_name : str
        E.g. "torch 2.13.0".
    goal : float, optional
        The ratio ours/reference we aim to stay at or below.
    """

    name: str
    ours: Callable[[], object]
    reference: Callable[[], object] | None
    reference_name: str
    goal: float | None = None
    notes: dict = field(default_factory=dict)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# Pause before each timed call. Thread pools (OpenBLAS, Numba, PyTorch) keep
# their threads spinning for a while after a call; without the pause, whichever
# side runs second competes with the other's spinning threads for the cores.
QUIET_S = 0.2


def time_row(row: Row, *, repeat: int = 7, warmup: int = 1) -> dict:
    """Time one row; returns its result as a JSON-ready dict (seconds)."""
    for _ in range(warmup):  # JIT compilation, caches, allocator
        row.ours()
        if row.reference is not None:
            row.reference()
    ours, ref = [], []
    for _ in range(repeat):
        time.sleep(QUIET_S)
        ours.append(_seconds(row.ours))
        if row.reference is not None:
            time.sleep(QUIET_S)
            ref.append(_seconds(row.reference))
    best_ours = min(ours)
    best_ref = min(ref) if ref else None
    ratio = best_ours / best_ref if best_ref else None
    return {
        "name": row.name,
        "ours_s": best_ours,
        "reference_s": best_ref,
        "reference": row.reference_name,
        "ratio": ratio,
        "goal": row.goal,
        "meets_goal": None if (ratio is None or row.goal is None) else ratio <= row.goal,
        "repeat": repeat,
        **row.notes,
    }


def format_table(results: list[dict]) -> str:
    """A plain-text table: name, our time, reference time, ratio, goal."""
    header = f"{'benchmark':<64}{'ours ms':>10}{'ref ms':>10}{'ratio':>8}{'goal':>7}  reference"
    lines = [header, "-" * len(header)]
    for r in results:
        ref_ms = f"{r['reference_s'] * 1e3:10.2f}" if r["reference_s"] else f"{'-':>10}"
        ratio = f"{r['ratio']:8.3f}" if r["ratio"] is not None else f"{'-':>8}"
        goal = f"{r['goal']:7.2f}" if r["goal"] is not None else f"{'':>7}"
        flag = {True: "", False: "  (misses goal)", None: ""}[r["meets_goal"]]
        lines.append(f"{r['name']:<64}{r['ours_s'] * 1e3:10.2f}{ref_ms}{ratio}{goal}  {r['reference']}{flag}")
    return "\n".join(lines)


def environment() -> dict:
    """Facts that a timing means nothing without."""
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "blas": memory.blas_kernel(),  # OPENBLAS_CORETYPE may pin an older kernel (see the env's notes)
        "allocator": memory.settings.get("malloc", "glibc defaults"),
    }


def write_json(results: list[dict], path, extra: dict | None = None) -> None:
    """Write results to ``path`` atomically (temp file, then rename)."""
    payload = {"environment": {**environment(), **(extra or {})}, "results": results}
    with atomic_path(path) as temp, open(temp, "w") as f:
        json.dump(payload, f, indent=2)

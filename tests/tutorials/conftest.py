"""The book, built once per test session in quick mode: its pages, notebooks and every chapter's numbers."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK_SECONDS = 600  # about two minutes on two idle cores; room for a busy CI machine


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """OUT of `python -m tutorials.book OUT` with QUICK=1: index.html, NN_*.html, notebooks/, figures/."""
    for module in ("nbclient", "nbconvert", "jupytext", "ipykernel", "latex2mathml"):
        pytest.importorskip(module)
    out = tmp_path_factory.mktemp("book") / "site"
    env = dict(os.environ, QUICK="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    result = subprocess.run([sys.executable, "-m", "tutorials.book", str(out)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=BOOK_SECONDS)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    print(result.stdout)
    return out

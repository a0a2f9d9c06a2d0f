"""A student copy trains on the default (Numba) backend while its compiled kernels are still stubs.

``minidl assignment make recurrent`` stubs the Numba copies of the recurrent
backward kernels and of the BPTT loop (``kernels/recurrent/loop.py``) as
well as the NumPy reference the student writes. The stubs fall back to the
student's reference and readable loop, with one line each saying so.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kernels.backend import reference_while_stubbed
from minidl.classroom import make_assignment
from minidl.classroom.make import restore_solutions


def _stub(x):
    raise NotImplementedError("Task 9.9: write the compiled copy")


def _reference(x):
    return x * 2


def test_a_stub_runs_the_reference_and_says_so_once(capsys):
    kernel = reference_while_stubbed(_reference)(_stub)
    assert kernel(np.ones(2)).tolist() == [2.0, 2.0]
    assert kernel(np.ones(1)).tolist() == [2.0]
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["kernels: the compiled _stub is not written yet (Task 9.9); "
                     f"running {__name__}._reference instead"]


def test_a_written_kernel_runs_itself_silently(capsys):
    kernel = reference_while_stubbed(_stub)(_reference)  # _reference plays the written kernel here
    assert kernel(np.ones(2)).tolist() == [2.0, 2.0]
    assert capsys.readouterr().err == ""


def test_the_recurrent_backward_kernels_are_guarded():
    cpu = pytest.importorskip("kernels.recurrent.cpu", reason="numba is not installed")
    for name in ("rnn_backward", "lstm_backward", "gru_backward"):
        assert hasattr(getattr(cpu, name), "compiled"), name


@pytest.mark.slow
def test_minidl_train_runs_in_a_student_copy_with_stubbed_numba_kernels(tmp_path):
    pytest.importorskip("numba")
    out = make_assignment("recurrent", tmp_path / "hw")
    compiled_files = [out / "kernels" / "recurrent" / name for name in ("cpu.py", "loop.py")]
    stubbed = [file.read_text() for file in compiled_files]
    assert all("raise NotImplementedError" in text for text in stubbed)
    restore_solutions(out)  # the student has done the work they must do ...
    for file, text in zip(compiled_files, stubbed):
        file.write_text(text)  # ... and left the optional Numba copies alone
    env = {**os.environ, "PYTHONPATH": str(out)}
    env.pop("MINIDL_BACKEND", None)  # the default backend: numba
    run = subprocess.run([sys.executable, "-m", "minidl", "train", "--epochs", "1", "--clips", "60",
                          "--out", str(tmp_path / "run")], cwd=out, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    notices = [line for line in run.stderr.splitlines() if "is not written yet" in line]
    assert notices == ["kernels: the compiled LSTM time loop is not written yet (Task 2.4); "
                       "running the readable loop (minidl.nn.recurrent.bptt) instead",
                       "kernels: the compiled lstm_backward is not written yet (Task 2.2); "
                       "running kernels.recurrent.reference.lstm_backward instead"]
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["epochs"] == 1

"""The minidl command: info and bench."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from minidl.cli import main


def test_info_lists_versions_and_backends(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "minidl 0.1.0" in out and "numpy" in out and "backends available: numpy" in out


def test_python_dash_m_runs_the_command():
    out = subprocess.run([sys.executable, "-m", "minidl", "info"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "backends available" in out.stdout


@pytest.mark.torch
def test_bench_prints_ratios_and_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert main(["bench", "--repeat", "1", "--only", "cross_entropy", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "cross_entropy fwd+bwd" in out and "ratio" in out
    payload = json.loads(path.read_text())
    (row,) = payload["results"]
    assert row["ours_s"] > 0 and row["reference_s"] > 0
    assert row["ratio"] == pytest.approx(row["ours_s"] / row["reference_s"])
    assert payload["environment"]["threads"] >= 1
    assert payload["environment"]["blas"] and payload["environment"]["allocator"]


@pytest.mark.librosa
@pytest.mark.torch
def test_bench_fsdd_times_the_corpus_rows_on_a_folder_of_clips(tmp_path, capsys, monkeypatch):
    import numpy as np

    import audio

    monkeypatch.setenv("MINIDL_CACHE", str(tmp_path / "cache"))  # the epoch row extracts features like train
    recordings = tmp_path / "fsdd" / "recordings"
    recordings.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for digit in range(3):  # FSDD's names: takes 0-4 are the official test set, 5 and up training
        for take in range(9):
            clip = 0.1 * rng.standard_normal(2400 + 100 * take) + np.sin(np.arange(2400 + 100 * take) * (digit + 1) / 9)
            audio.save(recordings / f"{digit}_someone_{take}.wav", clip.astype(np.float32), 8000)
    expected = {"features of": "features of 27 files", "train epoch": "train epoch fsdd lstm H=64"}
    for row, name in expected.items():
        assert main(["bench", "--fsdd", str(tmp_path / "fsdd"), "--only", row, "--repeat", "1"]) == 0
        out = capsys.readouterr().out
        assert name in out and "ratio" in out


def test_bench_fsdd_without_clips_is_a_clear_error(tmp_path, capsys):
    assert main(["bench", "--fsdd", str(tmp_path), "--only", "features of"]) == 2
    err = capsys.readouterr().err
    assert "no .wav files" in err and str(tmp_path) in err


def test_bench_rejects_unknown_filter_and_backend(capsys):
    assert main(["bench", "--only", "no-such-row"]) == 2
    assert "no benchmark matches" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--backend", "tpu", "info"])

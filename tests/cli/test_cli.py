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


def test_bench_rejects_unknown_filter_and_backend(capsys):
    assert main(["bench", "--only", "no-such-row"]) == 2
    assert "no benchmark matches" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--backend", "tpu", "info"])

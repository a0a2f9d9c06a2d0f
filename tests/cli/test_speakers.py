"""minidl train --test-speakers and --cross-validate speakers, on a tiny folder dataset with speakers.tsv."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from minidl.cli import main
from tests.helpers import write_speaker_folder, write_tone_folder

TINY = ["--epochs", "1", "--hidden", "4", "--batch-size", "8"]


@pytest.fixture(scope="module")
def speaker_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("speakers") / "data"
    write_speaker_folder(root, per_speaker=2)
    return root


def test_cross_validate_writes_a_fold_per_speaker(speaker_folder, tmp_path, capsys):
    out = tmp_path / "cv"
    assert main(["train", "--data", str(speaker_folder), "--cross-validate", "speakers", *TINY, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["fold-ann", "fold-bob", "fold-cy", "folds.csv", "folds.png",
                                                     "metrics.json"]
    with open(out / "folds.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["speaker"] for r in rows] == ["ann", "bob", "cy"] and all(r["n_test"] == "4" for r in rows)
    metrics = json.loads((out / "metrics.json").read_text())
    accuracies = [float(r["accuracy"]) for r in rows]
    assert metrics["mean_accuracy"] == pytest.approx(np.mean(accuracies), abs=1e-6)
    assert metrics["min_accuracy"] == pytest.approx(min(accuracies), abs=1e-6)
    assert [f["speaker"] for f in metrics["folds"]] == ["ann", "bob", "cy"]
    for row in rows:
        fold = json.loads((out / f"fold-{row['speaker']}" / "metrics.json").read_text())
        assert fold["test_speakers"] == [row["speaker"]] and fold["n_test"] == 4
        assert fold["test_accuracy"] == pytest.approx(float(row["accuracy"]), abs=1e-6)
        assert (out / f"fold-{row['speaker']}" / "model.npz").is_file()
    assert (out / "folds.png").read_bytes()[:4] == b"\x89PNG"
    assert "mean" in capsys.readouterr().out


def test_folds_train_from_the_same_seed(speaker_folder, tmp_path):
    """A fold's run is the single run with --test-speakers of its speaker: same seed, same history."""
    cv, single = tmp_path / "cv", tmp_path / "single"
    assert main(["train", "--data", str(speaker_folder), "--cross-validate", "speakers", *TINY, "--out", str(cv)]) == 0
    assert main(["train", "--data", str(speaker_folder), "--test-speakers", "bob", *TINY, "--out", str(single)]) == 0
    first = [line.split(",")[:5] for line in (cv / "fold-bob" / "history.csv").read_text().splitlines()]
    again = [line.split(",")[:5] for line in (single / "history.csv").read_text().splitlines()]
    assert first == again


def test_test_speakers_holds_out_their_clips(speaker_folder, tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--data", str(speaker_folder), "--test-speakers", "ann, cy", *TINY, "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_speakers"] == ["ann", "cy"] and metrics["n_test"] == 8
    assert metrics["n_train"] + metrics["n_val"] == 4


@pytest.mark.parametrize("argv, message", [
    (["--test-speakers", "ann,zed"], "unknown speaker 'zed': dataset 'data' has speakers ann, bob, cy"),
    (["--test-speakers", "ann,,bob"], "--test-speakers must be speaker names separated by commas"),
    (["--test-speakers", "ann,bob,cy"], "every speaker"),
    (["--cross-validate", "digits"], "unknown --cross-validate 'digits'; expected one of speakers"),
    (["--cross-validate", "speakers", "--test-speakers", "ann"], "pass one of them"),
    (["--task", "transcribe", "--test-speakers", "ann"], "for --task classify"),
])
def test_bad_speaker_options_stop_before_training(speaker_folder, tmp_path, capsys, argv, message):
    assert main(["train", "--data", str(speaker_folder), *argv, *TINY, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert message in err and "epoch" not in err
    assert not (tmp_path / "x").exists()


def test_a_dataset_without_speakers_cannot_be_cross_validated(tmp_path, capsys):
    write_tone_folder(tmp_path / "data", ["a", "b"], per_class=3)
    assert main(["train", "--data", str(tmp_path / "data"), "--cross-validate", "speakers", *TINY,
                 "--out", str(tmp_path / "x")]) == 2
    assert "names no speakers" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()

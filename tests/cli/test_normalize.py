"""minidl train --normalize utterance | speaker: CMVN in training, saved in model.npz, applied again by predict."""
from __future__ import annotations

import json

import numpy as np
import pytest

import audio
from audio.datasets import cmvn
from audio.datasets.features import clip_features
from minidl.cli import main
from minidl.cli.model_file import file_features, load_model, raw_file_features
from minidl.cli.predict import classify
from minidl.serialization import load
from tests.helpers import tone, write_speaker_folder, write_tone_folder

TINY = ["--epochs", "1", "--hidden", "4", "--batch-size", "4"]
OFF = ["--noise", "none", "--speed", "none", "--vtlp", "none", "--spec-augment", "none", "--gain-db", "none"]


def test_utterance_normalization_is_saved_and_used_by_predict(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--clips", "60", "--epochs", "1", "--hidden", "4", "--normalize", "utterance",
                 "--out", str(out)]) == 0
    assert "utterance normalization" in capsys.readouterr().out
    assert json.loads((out / "metrics.json").read_text())["normalize"] == "utterance"
    assert not any(key.startswith("standardizer.") for key in load(out / "model.npz"))
    _, config, features, scaler = load_model(out / "model.npz")
    assert config["normalize"] == "utterance" and scaler.kind == "utterance"
    wav = tmp_path / "tone.wav"
    audio.save(wav, tone(0.5, config["sr"], 500.0), config["sr"])
    y, sr = audio.load(wav, sr=config["sr"])
    np.testing.assert_allclose(file_features(wav, config, features, scaler), cmvn(clip_features(y, sr, features)),
                               atol=1e-5)
    assert main(["predict", str(out / "model.npz"), str(wav)]) == 0


def test_unknown_normalization_is_refused(tmp_path, capsys):
    try:
        main(["train", "--normalize", "channel", "--out", str(tmp_path / "x")])
    except SystemExit as exc:  # argparse's choices
        assert exc.code == 2
    assert "invalid choice: 'channel'" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_speaker_normalization_is_saved_and_predict_normalizes_its_files_as_one_speaker(tmp_path):
    root = tmp_path / "data"
    write_speaker_folder(root, per_speaker=2)
    out = tmp_path / "run"
    assert main(["train", "--data", str(root), "--normalize", "speaker", *TINY, *OFF, "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["normalize"] == "speaker"
    assert not any(key.startswith("standardizer.") for key in load(out / "model.npz"))  # statistics are the speakers'
    model, config, features, scaler = load_model(out / "model.npz")
    assert scaler.kind == "speaker"
    with pytest.raises(ValueError, match="normalizes several clips of one speaker together"):
        file_features(root / "high" / "ann_0.wav", config, features, scaler)
    files = sorted((root / "high").glob("*.wav"))[:3] + sorted((root / "low").glob("*.wav"))[:1]
    csv = tmp_path / "p.csv"
    assert main(["predict", str(out / "model.npz"), *map(str, files), "--csv", str(csv)]) == 0
    got = np.loadtxt(csv, delimiter=",", skiprows=1, usecols=range(3, 3 + len(config["label_names"])))
    raw = [raw_file_features(f, config, features) for f in files]
    frames = np.concatenate(raw).astype(np.float64)  # the four files' statistics together
    mean, std = frames.mean(axis=0), frames.std(axis=0)
    expected = [classify(model, config, ((r - mean) / std).astype(np.float32))[2] for r in raw]
    np.testing.assert_allclose(got, expected, atol=2e-6)


def test_speaker_normalization_needs_named_speakers_and_is_for_classification(tmp_path, capsys):
    root = tmp_path / "tones"
    write_tone_folder(root, ["a", "b"], per_class=4)  # no speakers.tsv
    assert main(["train", "--data", str(root), "--normalize", "speaker", *TINY, *OFF,
                 "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "--normalize speaker needs the speaker of every clip, but 8 of 8 clips" in err
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
    assert main(["train", "--data", str(root), *TINY, *OFF, "--out", str(tmp_path / "default")]) == 0
    assert "utterance (CMVN per clip): 8 clips name no speaker, so the default" in capsys.readouterr().out
    assert json.loads((tmp_path / "default" / "metrics.json").read_text())["normalize"] == "utterance"
    assert main(["train", "--task", "transcribe", "--normalize", "speaker", "--out", str(tmp_path / "t")]) == 2
    assert "--normalize speaker is for --task classify" in capsys.readouterr().err

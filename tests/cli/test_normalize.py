"""minidl train --normalize utterance: CMVN in training, saved in model.npz, applied again by predict."""
from __future__ import annotations

import json

import numpy as np

import audio
from audio.datasets import cmvn
from audio.datasets.features import clip_features
from minidl.cli import main
from minidl.cli.model_file import file_features, load_model
from minidl.serialization import load
from tests.helpers import tone


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
        main(["train", "--normalize", "speaker", "--out", str(tmp_path / "x")])
    except SystemExit as exc:  # argparse's choices
        assert exc.code == 2
    assert "invalid choice: 'speaker'" in capsys.readouterr().err and not (tmp_path / "x").exists()

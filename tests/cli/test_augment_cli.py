"""minidl train's augmentation options: reproducible runs, a clean cache, and bad input refused before training."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

import audio
from audio.augment import Augmentation, Augmenter
from audio.datasets import FeatureConfig, Standardizer, load_folder
from audio.datasets.features import clip_features
from minidl.cli import main
from minidl.cli.augment_options import TrainingBatches
from minidl.data import BatchLoader
from tests.helpers import write_speaker_folder

TINY = ["--epochs", "2", "--hidden", "4", "--batch-size", "4"]
ALL = ["--noise", "white,pink", "--snr", "5,20", "--speed", "0.9,1.0,1.1", "--vtlp", "0.9,1.1",
       "--spec-augment", "5,2", "--gain-db", "6"]
OFF = ["--noise", "none", "--speed", "none", "--vtlp", "none", "--spec-augment", "none", "--gain-db", "none"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("augment") / "data"
    write_speaker_folder(root, per_speaker=2)
    noise = root.parent / "noise"
    noise.mkdir()
    audio.save(noise / "fan.wav", (0.1 * np.random.default_rng(0).standard_normal(4000)).astype(np.float32), 8000)
    return root


def test_augmented_runs_repeat_and_leave_the_clean_cache_alone(folder, tmp_path):
    cache = tmp_path / "cache"
    assert main(["train", "--data", str(folder), *TINY, *OFF, "--cache", str(cache), "--out", str(tmp_path / "clean")]) == 0
    [cached] = list(cache.glob("features-*.npz"))
    before = cached.read_bytes()
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["train", "--data", str(folder), *TINY, *ALL, "--noise-dir", str(folder.parent / "noise"),
                     "--cache", str(cache), "--out", str(out)]) == 0
        runs.append(out)
    assert list(cache.glob("features-*.npz")) == [cached] and cached.read_bytes() == before  # still the clean one
    first, again = ((out / "history.csv").read_text().splitlines() for out in runs)
    assert [line.split(",")[:5] for line in first] == [line.split(",")[:5] for line in again]  # same seed, same run
    clean = (tmp_path / "clean" / "history.csv").read_text().splitlines()
    assert [line.split(",")[:3] for line in clean] != [line.split(",")[:3] for line in first]
    settings = json.loads((runs[0] / "metrics.json").read_text())["augmentation"]
    assert settings == {"noise": ["white", "pink", "folder"], "snr_db": [5.0, 20.0],
                        "noise_dir": str(folder.parent / "noise"), "speed": [0.9, 1.0, 1.1], "vtlp": [0.9, 1.1],
                        "time_mask": 5, "freq_mask": 2, "gain_db": 6.0}
    assert json.loads((tmp_path / "clean" / "metrics.json").read_text())["augmentation"] is None


def test_the_same_seed_gives_the_same_training_batches(folder):
    data = load_folder(folder, sr=8000)
    config = FeatureConfig(n_mfcc=13, deltas=2)
    train = data.indices("train")
    scaler = Standardizer().fit([clip_features(data.clips[i], data.sr, config) for i in train])
    clean = scaler.transform([clip_features(data.clips[i], data.sr, config) for i in train])
    augmentation = Augmentation(noise=("white",), speed=(0.9, 1.1), time_mask=3, freq_mask=1)

    def epochs(seed):
        run = SimpleNamespace(train=train, dataset=data, scaler=scaler)
        transform = TrainingBatches(Augmenter(augmentation, sr=data.sr, config=config, seed=seed), run)
        loader = BatchLoader(clean, data.labels[train], batch_size=4, shuffle=True, seed=seed, transform=transform)
        return [[(b.inputs.copy(), b.lengths.copy(), b.targets.copy()) for b in loader] for _ in range(2)]

    first, again, other = epochs(0), epochs(0), epochs(1)
    for epoch_a, epoch_b in zip(first, again):
        for (x, n, y), (x2, n2, y2) in zip(epoch_a, epoch_b):
            np.testing.assert_array_equal(x, x2)
            np.testing.assert_array_equal(n, n2)
            np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(first[0][0][0], first[1][0][0])  # each epoch anew
    assert not np.array_equal(first[0][0][0], other[0][0][0])


@pytest.mark.parametrize("argv, message", [
    (["--snr", "20,5"], "--snr is upside down: low 20.0 > high 5.0"),
    (["--snr", "5"], "--snr must be 2 comma-separated numbers, got '5'"),
    (["--noise", "brown"], "unknown --noise kind 'brown'; expected some of white, pink, folder"),
    (["--noise", "folder"], "--noise folder needs --noise-dir DIR"),
    (["--noise-dir", "{tmp}/nowhere"], "is not a folder"),
    (["--noise-dir", "{tmp}/empty"], "is empty; expected recordings of noise"),
    (["--noise-dir", "{tmp}/unreadable"], "--noise-dir: noise folder"),
    (["--speed", "0.9,0,1.1"], "--speed must be a positive finite number, got 0.0"),
    (["--speed", "fast"], "--speed must be comma-separated numbers, got 'fast'"),
    (["--vtlp", "1.1,0.9"], "--vtlp is upside down"),
    (["--spec-augment", "10"], "--spec-augment must be 2 comma-separated numbers"),
    (["--spec-augment=-1,2"], "--spec-augment T must be a non-negative integer, got -1"),
    (["--gain-db", "-6"], "--gain-db must be a non-negative finite number, got -6.0"),
    (["--speed", "none", "--vtlp", "none", "--noise", "none", "--spec-augment", "none", "--gain-db", "x"],
     "--gain-db must be a number, got 'x'"),
    (["--task", "transcribe", "--speed", "0.9,1.1"], "are for --task classify"),
])
def test_bad_augmentation_options_stop_before_training(folder, tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "unreadable").mkdir()
    (tmp_path / "unreadable" / "notes.txt").write_text("no noise here")
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    assert main(["train", "--data", str(folder), *argv, *TINY, "--out", str(tmp_path / "x")]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "epoch" not in captured.out
    assert not (tmp_path / "x").exists()


def test_real_recordings_get_the_speaker_independent_recipe_and_the_embedded_data_does_not(folder, tmp_path):
    """docs/speaker-independence.md: on fsdd:DIR or DIR, crnn + speaker CMVN + the augmentations unless told otherwise."""
    assert main(["train", "--data", str(folder), *TINY, "--out", str(tmp_path / "real")]) == 0
    real = json.loads((tmp_path / "real" / "metrics.json").read_text())
    assert real["model"] == "crnn" and real["normalize"] == "speaker"
    assert real["augmentation"] == {"noise": ["white", "pink"], "snr_db": [10.0, 30.0],
                                    "speed": [0.9, 1.0, 1.1], "time_mask": 10, "freq_mask": 2,
                                    "gain_db": 6.0}
    assert main(["train", "--data", str(folder), *TINY, *OFF, "--model", "lstm", "--normalize", "global",
                 "--out", str(tmp_path / "plain")]) == 0
    plain = json.loads((tmp_path / "plain" / "metrics.json").read_text())
    assert (plain["model"], plain["normalize"], plain["augmentation"]) == ("lstm", "global", None)
    assert main(["train", "--clips", "40", *TINY, "--out", str(tmp_path / "embedded")]) == 0
    embedded = json.loads((tmp_path / "embedded" / "metrics.json").read_text())
    assert (embedded["model"], embedded["normalize"], embedded["augmentation"]) == ("lstm", "global", None)

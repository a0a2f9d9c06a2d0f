"""audio.datasets: the synthetic vowel sequences, FSDD and folder loaders, features and their cache."""
from __future__ import annotations

import json
import warnings

from pathlib import Path

import numpy as np
import pytest

import audio
from audio.datasets import (
    AudioDataset,
    FeatureConfig,
    Standardizer,
    extract_features,
    load_folder,
    load_fsdd,
    synthetic_vowels,
)
from audio.datasets import features as features_module
from audio.datasets.synthetic import word_classes
from audio.errors import AudioFileError, ParameterError
from tests.helpers import FSDD, tone, write_tone_folder

# ------------------------------------------------------------ synthetic


@pytest.fixture(scope="module")
def small_synthetic():
    return synthetic_vowels(n_clips=300, seed=3)


def test_synthetic_is_deterministic_per_seed(small_synthetic):
    again = synthetic_vowels(n_clips=300, seed=3)
    other = synthetic_vowels(n_clips=300, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(small_synthetic.clips, again.clips))
    assert not np.array_equal(small_synthetic.clips[0], other.clips[0])
    # clip k depends only on (seed, k): a bigger dataset starts with the same clips
    assert np.array_equal(synthetic_vowels(n_clips=5, seed=3).clips[4], small_synthetic.clips[4])


def test_synthetic_classes_are_orderings_of_the_same_vowels(small_synthetic):
    data = small_synthetic
    assert data.label_names == ["a-i-u", "a-u-i", "i-a-u", "i-u-a", "u-a-i", "u-i-a"]
    assert {frozenset(name.split("-")) for name in data.label_names} == {frozenset("aiu")}
    assert np.bincount(data.labels).tolist() == [50] * 6
    assert len(word_classes("aeiou", 2)) == 20
    for clip in data.clips:
        assert clip.dtype == np.float32 and np.isfinite(clip).all()
        assert 0.4 * data.sr <= len(clip) <= 1.3 * data.sr
        assert 0.08 <= np.abs(clip).max() <= 0.9  # the random gain: -20 to -1 dBFS peaks
    # held-out speakers: nobody in the test split is heard in training
    train_speakers = set(data.speakers[data.indices("train")])
    assert train_speakers.isdisjoint(data.speakers[data.indices("test")])
    assert 0.1 <= len(data.indices("test")) / len(data) <= 0.35


def _nearest_mean_accuracy(train_x, train_y, test_x, test_y) -> float:
    centroids = np.stack([train_x[train_y == c].mean(axis=0) for c in np.unique(train_y)])
    predicted = np.argmin(((test_x[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    return float((predicted == test_y).mean())


def test_order_is_the_only_cue(small_synthetic):
    """Time-averaged MFCCs cannot tell the classes apart; the same features split by time can."""
    data = small_synthetic
    feats = extract_features(data, FeatureConfig(n_mfcc=13), use_cache=False, progress=False)
    averaged = np.stack([f.mean(axis=0) for f in feats])
    thirds = np.stack([np.concatenate([part.mean(axis=0) for part in np.array_split(f, 3)]) for f in feats])
    train, test = data.indices("train"), data.indices("test")
    for x in (averaged, thirds):
        x -= x[train].mean(axis=0)
        x /= x[train].std(axis=0)
    blind = _nearest_mean_accuracy(averaged[train], data.labels[train], averaged[test], data.labels[test])
    ordered = _nearest_mean_accuracy(thirds[train], data.labels[train], thirds[test], data.labels[test])
    assert blind < 0.45, f"time-averaged features should be near chance (1/6), got {blind:.2f}"
    assert ordered > 0.8, f"features that keep order should separate the classes, got {ordered:.2f}"


def test_synthetic_rejects_bad_settings():
    with pytest.raises(ParameterError, match="vowels"):
        synthetic_vowels(n_clips=6, vowels="axz")
    with pytest.raises(ParameterError, match="word_length"):
        synthetic_vowels(n_clips=6, vowels="ai", word_length=3)
    with pytest.raises(ParameterError, match="n_speakers"):
        synthetic_vowels(n_clips=6, n_speakers=2)
    with pytest.raises(ParameterError, match="n_clips"):
        synthetic_vowels(n_clips=0)


# ------------------------------------------------------------ FSDD


def test_load_fsdd_official_split():
    if not FSDD.is_dir():
        pytest.skip(f"FSDD is not present at {FSDD}")
    data = load_fsdd(FSDD.parent)
    assert len(data) == 3000 and data.sr == 8000 and not data.skipped
    assert data.label_names == [str(d) for d in range(10)]
    assert len(data.indices("test")) == 300
    names = [p.rsplit("/", 1)[-1] for p in data.sources]
    for k in (0, 1234, 2999):
        digit, speaker, index = names[k][:-4].split("_")
        assert data.labels[k] == int(digit) and data.speakers[k] == speaker
        assert data.split[k] == ("test" if int(index) < 5 else "train")
    assert set(data.info["speakers"]) == set(np.unique(data.speakers))


def test_load_fsdd_lists_unreadable_and_misnamed_files(tmp_path):
    for name in ("0_ann_0.wav", "0_ann_7.wav", "1_bob_3.wav", "1_bob_9.wav"):
        audio.save(tmp_path / name, tone(), 8000)
    (tmp_path / "2_bob_8.wav").write_bytes(b"RIFF this is not a wav file")
    audio.save(tmp_path / "notes.wav", tone(), 8000)
    (tmp_path / "speakers.json").write_text(json.dumps({"ann": {"gender": "female"}}))
    with pytest.warns(UserWarning) as caught:
        data = load_fsdd(tmp_path)
    text = " ".join(str(w.message) for w in caught)
    assert "2_bob_8.wav" in text and "notes.wav" in text
    assert len(data) == 4 and len(data.skipped) == 2
    assert data.split.tolist() == ["test", "train", "test", "train"]
    assert data.info["speakers"]["ann"]["gender"] == "female"
    with pytest.raises(AudioFileError, match="2_bob_8.wav"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_fsdd(tmp_path, on_error="raise")


# ------------------------------------------------------------ folders


def test_load_folder_labels_and_split(tmp_path):
    write_tone_folder(tmp_path, ["yes", "no", "maybe"], per_class=5)
    (tmp_path / "empty").mkdir()
    data = load_folder(tmp_path, sr=None)
    assert data.label_names == ["maybe", "no", "yes"]  # sorted, empty folders ignored
    assert np.bincount(data.labels).tolist() == [5, 5, 5]
    assert np.bincount(data.labels[data.indices("test")]).tolist() == [1, 1, 1]
    data.check_trainable()
    resampled = load_folder(tmp_path, sr=16000)
    assert resampled.sr == 16000 and len(resampled.clips[0]) == 2 * len(data.clips[0])
    assert resampled.fingerprint != data.fingerprint


def test_load_folder_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_folder(tmp_path / "missing")
    (tmp_path / "a").mkdir()
    with pytest.raises(ParameterError, match="no files in sub-folders"):
        load_folder(tmp_path)
    (tmp_path / "a" / "notes.txt").write_text("not audio")
    with pytest.warns(UserWarning, match="notes.txt"), pytest.raises(ParameterError, match="none of the 1 files"):
        load_folder(tmp_path)
    (tmp_path / "a" / "notes.txt").unlink()
    write_tone_folder(tmp_path / "one", ["only"], per_class=3)
    with pytest.raises(ParameterError, match="single class"):
        load_folder(tmp_path / "one", sr=None).check_trainable()


# ------------------------------------------------------------ features and cache


def _dataset(clips, sr=8000):
    n = len(clips)
    return AudioDataset(name="tiny", clips=clips, labels=np.arange(n) % 2, label_names=["a", "b"], sr=sr,
                        split=["train"] * (n - 1) + ["test"], speakers=[""] * n, sources=[""] * n,
                        fingerprint=f"tiny {[len(c) for c in clips]}")


def test_features_match_mfcc_and_delta():
    rng = np.random.default_rng(0)
    clips = [rng.standard_normal(n).astype(np.float32) for n in (800, 3000, 4321)]
    config = FeatureConfig(n_mfcc=13, deltas=2)
    feats = extract_features(_dataset(clips), config, use_cache=False, progress=False)
    for y, f in zip(clips, feats):
        m = audio.mfcc(y=y, sr=8000, n_mfcc=13, n_fft=256, hop_length=80, n_mels=40)
        assert f.shape == (m.shape[1], 39) and f.dtype == np.float32
        np.testing.assert_allclose(f[:, :13], m.T, rtol=0, atol=1e-5 * np.abs(m).max())
        if m.shape[1] >= 9:
            np.testing.assert_allclose(f[:, 26:], audio.delta(m, order=2).T, rtol=0, atol=1e-5 * np.abs(m).max())


def test_feature_cache_is_keyed_by_every_parameter(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    data = _dataset([rng.standard_normal(2000).astype(np.float32) for _ in range(3)])
    first = extract_features(data, FeatureConfig(), cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("features-*.npz"))) == 1 and not list(tmp_path.glob(".*"))

    def must_not_run(*args):
        raise AssertionError("features were recomputed instead of read from the cache")

    monkeypatch.setattr(features_module, "clip_features", must_not_run)
    again = extract_features(data, FeatureConfig(), cache_dir=tmp_path, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    monkeypatch.undo()
    extract_features(data, FeatureConfig(n_mfcc=12), cache_dir=tmp_path, progress=False)
    extract_features(data, FeatureConfig(hop_length=40), cache_dir=tmp_path, progress=False)
    assert len(list(tmp_path.glob("features-*.npz"))) == 3
    # a damaged cache file is recomputed, not trusted
    for path in tmp_path.glob("features-*.npz"):
        path.write_bytes(b"garbage")
    repaired = extract_features(data, FeatureConfig(), cache_dir=tmp_path, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(first, repaired))


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(2)
    train = [rng.normal(3.0, 2.0, (n, 4)) for n in (10, 20, 30)]
    test = [rng.normal(-5.0, 9.0, (15, 4))]
    scaler = Standardizer().fit(train)
    frames = np.concatenate(train)
    np.testing.assert_allclose(scaler.mean, frames.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.std, frames.std(axis=0), rtol=1e-6)
    scaled = np.concatenate(scaler.transform(train))
    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(scaler.transform(test)[0], (test[0] - scaler.mean) / scaler.std, rtol=1e-5)
    with pytest.raises(ParameterError, match=r"\[frames, 4\]"):
        scaler.transform([np.zeros((3, 5))])


def test_load_folder_uses_every_format_the_decoder_reads(tmp_path):
    import soundfile

    sr = 8000
    tone = np.sin(2 * np.pi * 300 * np.arange(sr // 4) / sr).astype(np.float32) * 0.5
    (tmp_path / "hum").mkdir()
    (tmp_path / "other").mkdir()
    for name, fmt in [("a.wav", "WAV"), ("b.flac", "FLAC"), ("c.mp3", "MP3"), ("d.ogg", "OGG")]:
        soundfile.write(tmp_path / "hum" / name, tone, sr, format=fmt)
    soundfile.write(tmp_path / "other" / "e.wav", tone[::-1].copy(), sr)
    (tmp_path / "hum" / "readme.txt").write_text("recorded on tuesday")
    (tmp_path / "hum" / "empty.wav").write_bytes(b"")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("a folder with no audio is no class")
    with pytest.warns(UserWarning, match="skipped 3 unreadable"):
        data = load_folder(tmp_path, sr=None)
    assert data.label_names == ["hum", "other"]
    assert sorted(Path(s).name for s in data.sources) == ["a.wav", "b.flac", "c.mp3", "d.ogg", "e.wav"]
    assert np.bincount(data.labels).tolist() == [4, 1]
    assert sorted(Path(s.split(": ")[0]).name for s in data.skipped) == ["empty.wav", "readme.txt", "todo.md"]

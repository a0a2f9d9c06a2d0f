"""Mean and variance normalization (CMVN): per utterance over its valid frames only, and per speaker."""
from __future__ import annotations

import numpy as np
import pytest

from audio.datasets import SpeakerNormalizer, Standardizer, UtteranceNormalizer, cmvn, make_normalizer
from audio.errors import ParameterError


def test_each_utterance_gets_zero_mean_and_unit_variance_over_its_valid_frames():
    rng = np.random.default_rng(0)
    lengths = np.array([7, 1, 30, 12])
    batch = np.full((4, 30, 5), 1e6)  # padding holds something huge: it must not count, nor change
    for b, n in enumerate(lengths):
        batch[b, :n] = rng.normal(rng.uniform(-50, 50, 5), rng.uniform(0.1, 20, 5), (n, 5))
    out = cmvn(batch, lengths=lengths)
    for b, n in enumerate(lengths):
        valid = out[b, :n]
        np.testing.assert_allclose(valid.mean(axis=0), 0, atol=1e-10)
        if n > 1:
            np.testing.assert_allclose(valid.std(axis=0), 1, rtol=1e-10)
        else:
            np.testing.assert_array_equal(valid, 0)  # one frame: no variance to divide by, centred to 0
        np.testing.assert_array_equal(out[b, n:], 1e6)  # the padding is left alone
        np.testing.assert_allclose(cmvn(batch[b, :n]), valid, atol=1e-12)  # the same as the utterance alone
    np.testing.assert_array_equal(batch[0, 7:], 1e6)  # the input is not modified


def test_float32_and_constant_features():
    x = np.stack([np.linspace(-3, 5, 40), np.full(40, 2.5)], axis=1).astype(np.float32)  # [40, 2]
    out = cmvn(x)
    assert out.dtype == np.float32 and out.shape == (40, 2)
    assert abs(out[:, 0].mean()) < 1e-6 and abs(out[:, 0].std() - 1) < 1e-5
    np.testing.assert_array_equal(out[:, 1], 0)  # a constant feature becomes 0, not inf or nan


def test_the_normalizer_matches_cmvn_and_learns_nothing():
    rng = np.random.default_rng(1)
    clips = [rng.normal(3, 2, (n, 4)) for n in (5, 9)]
    normalizer = make_normalizer("utterance").fit([np.zeros((3, 4))])
    assert isinstance(normalizer, UtteranceNormalizer) and normalizer.kind == "utterance"
    for clip, out in zip(clips, normalizer.transform(clips)):
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, cmvn(clip), atol=1e-5)
    assert isinstance(make_normalizer("global"), Standardizer) and Standardizer.kind == "global"


@pytest.mark.parametrize("kwargs, message", [
    (dict(x=np.zeros(5)), "at least 2 axis"),
    (dict(x=np.zeros((2, 3, 4, 5))), r"\[T, F\] or a batch \[B, T, F\]"),
    (dict(x=np.zeros((2, 3, 4)), lengths=[3]), r"lengths must be 2 integers in \[0, 3\]"),
    (dict(x=np.zeros((2, 3, 4)), lengths=[1, 4]), r"lengths must be 2 integers in \[0, 3\], got \[1, 4\]"),
    (dict(x=np.zeros((2, 3)), eps=0.0), "eps must be a positive"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        cmvn(**kwargs)
    with pytest.raises(ParameterError, match="normalize must be one of"):
        make_normalizer("channel")


def test_each_speaker_gets_zero_mean_and_unit_variance_over_all_their_frames():
    rng = np.random.default_rng(2)
    speakers = ["ann", "bob", "ann", "cy", "bob", "ann"]
    offsets = {"ann": -20.0, "bob": 3.0, "cy": 40.0}  # a voice: the same offset in every clip
    clips = [rng.normal(offsets[s], rng.uniform(0.5, 5), (int(rng.integers(3, 30)), 4)) for s in speakers]
    normalizer = make_normalizer("speaker").fit(clips, speakers)
    assert isinstance(normalizer, SpeakerNormalizer) and normalizer.kind == "speaker"
    out = normalizer.transform(clips, speakers)
    for name in offsets:
        frames = np.concatenate([o for o, s in zip(out, speakers) if s == name])
        np.testing.assert_allclose(frames.mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(frames.std(axis=0), 1, rtol=1e-5)
        raw = np.concatenate([c for c, s in zip(clips, speakers) if s == name])
        mean, std = raw.mean(axis=0), raw.std(axis=0)
        for clip, o, s in zip(clips, out, speakers):
            if s == name:  # each clip with its own speaker's statistics, not its own
                assert o.dtype == np.float32
                np.testing.assert_allclose(o, (clip - mean) / std, rtol=1e-5, atol=1e-5)
                np.testing.assert_allclose(normalizer.for_group(name).transform([clip])[0], o, atol=1e-6)
    assert abs(out[0].mean()) > 1e-3  # unlike per-utterance CMVN, one clip keeps what sets it apart


def test_speaker_normalization_refuses_mismatched_or_unfitted_speakers():
    clips = [np.zeros((3, 2)), np.ones((4, 2))]
    with pytest.raises(ParameterError, match="one group per sequence: 2 sequences, 1 groups"):
        SpeakerNormalizer().fit(clips, ["ann"])
    with pytest.raises(ParameterError, match=r"no statistics for group\(s\) \['bob'\]"):
        SpeakerNormalizer().fit(clips, ["ann", "ann"]).transform(clips, ["ann", "bob"])
    with pytest.raises(ParameterError, match=r"no statistics for group 'bob'; fitted groups: \['ann'\]"):
        SpeakerNormalizer().fit(clips, ["ann", "ann"]).for_group("bob")

"""audio.augment on features: VTLP's warped filterbank, SpecAugment's masks, and the reproducible pipeline."""
from __future__ import annotations

import numpy as np
import pytest

import audio
from audio.augment import Augmentation, Augmenter, draw_masks, mask_features, spec_augment, vtlp_filterbank, vtlp_warp
from audio.datasets import FeatureConfig, Standardizer, UtteranceNormalizer
from audio.datasets.features import clip_features
from audio.errors import ParameterError

SR = 8000
CONFIG = FeatureConfig(n_mfcc=13, deltas=2)


def _clip(seconds=0.6, seed=0):
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    y = sum(rng.uniform(0.2, 1) / k * np.sin(2 * np.pi * 120 * k * t) for k in range(1, 25))
    return (0.2 * np.hanning(len(t)) * y + 0.001 * rng.standard_normal(len(t))).astype(np.float32)


# ------------------------------------------------------------ VTLP


def test_vtlp_warp_is_alpha_f_below_the_boundary_and_keeps_the_band():
    f = np.linspace(0, SR / 2, 2001)
    for alpha in (0.85, 0.9, 1.0, 1.1, 1.2):
        w = vtlp_warp(f, alpha=alpha, sr=SR)
        assert w[0] == 0 and w[-1] == pytest.approx(SR / 2, abs=1e-9)  # the whole band onto the whole band
        assert np.all(np.diff(w) > 0)  # monotonic, so no two bins swap places
        f_0 = 0.8 * (SR / 2) * min(alpha, 1.0) / alpha
        np.testing.assert_allclose(w[f <= f_0], alpha * f[f <= f_0], rtol=1e-12)
    with pytest.raises(ParameterError, match="boundary must lie in"):
        vtlp_warp(f, alpha=1.1, sr=SR, boundary=1.0)


def test_vtlp_with_alpha_one_is_the_mel_filterbank():
    W = vtlp_filterbank(sr=SR, n_fft=256, n_mels=40, alpha=1.0, dtype=np.float64)
    np.testing.assert_allclose(W, audio.mel_filterbank(sr=SR, n_fft=256, n_mels=40, dtype=np.float64),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.9, 1.1])
def test_vtlp_reads_a_formant_at_f_as_one_at_alpha_f(alpha):
    """A tone at f through the warped bank lights the band a tone at alpha f lights through the usual one."""
    W = vtlp_filterbank(sr=SR, n_fft=256, n_mels=40, alpha=alpha, dtype=np.float64)
    plain = audio.mel_filterbank(sr=SR, n_fft=256, n_mels=40, dtype=np.float64)
    t = np.arange(SR) / SR
    for f in (250.0, 600.0, 1300.0, 2200.0):
        power = np.abs(audio.stft(np.sin(2 * np.pi * f * t), n_fft=256, hop_length=80)) ** 2  # [129, frames]
        moved = np.abs(audio.stft(np.sin(2 * np.pi * alpha * f * t), n_fft=256, hop_length=80)) ** 2
        warped_bands, plain_bands = (W @ power).mean(axis=1), (plain @ moved).mean(axis=1)
        assert np.argmax(warped_bands) == np.argmax(plain_bands)
        np.testing.assert_allclose(warped_bands / warped_bands.max(), plain_bands / plain_bands.max(), atol=0.1)


def test_vtlp_features_keep_the_frames_and_change_only_the_spectral_envelope():
    y = _clip()
    clean = clip_features(y, SR, CONFIG)
    same = clip_features(y, SR, CONFIG, filterbank=vtlp_filterbank(sr=SR, n_fft=256, n_mels=40, alpha=1.0))
    np.testing.assert_allclose(same, clean, atol=1e-4 * np.abs(clean).max())
    warped = clip_features(y, SR, CONFIG, filterbank=vtlp_filterbank(sr=SR, n_fft=256, n_mels=40, alpha=1.1))
    assert warped.shape == clean.shape  # duration (frames) untouched, unlike speed perturbation
    assert np.abs(warped - clean)[:, 1:13].max() > 1.0  # the envelope (c1 ...) moved
    with pytest.raises(ParameterError, match=r"filterbank must have shape \(40, 129\)"):
        clip_features(y, SR, CONFIG, filterbank=np.ones((40, 128)))


# ------------------------------------------------------------ masks


def test_masks_cover_exactly_the_asked_widths():
    x = np.arange(1.0, 1 + 50 * 39).reshape(50, 39)  # no zeros anywhere
    out = mask_features(x, time_start=12, time_width=7, freq_start=3, freq_width=4, groups=3)
    masked_rows = np.flatnonzero((out == 0).all(axis=1))
    masked_columns = np.flatnonzero((out == 0).all(axis=0))
    assert masked_rows.tolist() == list(range(12, 19))
    assert masked_columns.tolist() == [3, 4, 5, 6, 16, 17, 18, 19, 29, 30, 31, 32]  # the same coefficients per group
    untouched = np.ones_like(x, dtype=bool)
    untouched[masked_rows] = False
    untouched[:, masked_columns] = False
    np.testing.assert_array_equal(out[untouched], x[untouched])  # nothing more
    assert (out == 0).sum() == 7 * 39 + 12 * (50 - 7)
    np.testing.assert_array_equal(x, np.arange(1.0, 1 + 50 * 39).reshape(50, 39))  # a copy: x is untouched
    cut = mask_features(x, time_start=45, time_width=10)  # cut at the last frame
    assert np.flatnonzero((cut == 0).all(axis=1)).tolist() == list(range(45, 50))


def test_random_masks_stay_within_their_maxima_and_inside_the_clip():
    widths = []
    for k in range(300):
        m = draw_masks(40, 13, rng=np.random.default_rng(k), max_time=10, max_freq=3)
        assert 0 <= m["time_width"] <= 10 and 0 <= m["freq_width"] <= 3
        assert m["time_start"] + m["time_width"] <= 40 and m["freq_start"] + m["freq_width"] <= 13
        widths.append((m["time_width"], m["freq_width"]))
    assert {w for w, _ in widths} == set(range(11)) and {f for _, f in widths} == set(range(4))
    short = draw_masks(4, 13, rng=np.random.default_rng(0), max_time=10, max_freq=30)
    assert short["time_width"] <= 4 and short["freq_width"] <= 13
    out = spec_augment(np.ones((40, 39)), rng=np.random.default_rng(3), max_time=10, max_freq=3, groups=3)
    assert (out == 0).all(axis=1).sum() <= 10 and (out == 0).all(axis=0).sum() <= 9
    with pytest.raises(ParameterError, match="cannot be split into 2 equal groups"):
        mask_features(np.ones((4, 39)), groups=2)


# ------------------------------------------------------------ the pipeline


EVERYTHING = Augmentation(noise=("white", "pink"), snr_db=(5, 20), speed=(0.9, 1.0, 1.1), vtlp=(0.9, 1.1),
                          time_mask=8, freq_mask=2, gain_db=6)


def test_the_same_seed_gives_the_same_batch_twice():
    clips = [_clip(0.4 + 0.1 * k, seed=k) for k in range(4)]
    scaler = Standardizer().fit([clip_features(y, SR, CONFIG) for y in clips])

    def batch(seed, epoch):
        augmenter = Augmenter(EVERYTHING, sr=SR, config=CONFIG, seed=seed)
        return [augmenter.features(y, item=k, epoch=epoch, normalizer=scaler) for k, y in enumerate(clips)]

    first, again = batch(0, 0), batch(0, 0)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, batch(0, 1)))  # a new epoch
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, batch(1, 0)))  # a new seed


def test_each_step_draws_from_its_own_stream():
    """Turning noise on does not change which speed a clip gets: an ablation changes one thing."""
    speed_only = Augmenter(Augmentation(speed=(0.9, 1.0, 1.1)), sr=SR, config=CONFIG, seed=4)
    with_noise = Augmenter(Augmentation(speed=(0.9, 1.0, 1.1), noise=("white",)), sr=SR, config=CONFIG, seed=4)
    for k in range(6):
        y = _clip(seed=k)
        assert len(speed_only.waveform(y, item=k, epoch=2)) == len(with_noise.waveform(y, item=k, epoch=2))


def test_masks_alone_reuse_the_clean_features_and_waveform_steps_recompute_them():
    y = _clip()
    normalizer = UtteranceNormalizer()
    clean = normalizer.transform([clip_features(y, SR, CONFIG)])[0]
    masks_only = Augmenter(Augmentation(time_mask=5, freq_mask=2), sr=SR, config=CONFIG, seed=0)
    out = masks_only.features(y, item=0, epoch=0, normalizer=normalizer, clean=clean)
    changed = out != clean
    assert np.all(out[changed] == 0) and out.shape == clean.shape
    nothing = Augmenter(Augmentation(), sr=SR, config=CONFIG, seed=0)
    assert not nothing.augmentation.active
    np.testing.assert_allclose(nothing.features(y, item=0, epoch=0, normalizer=normalizer), clean, atol=1e-6)


def test_speed_alone_keeps_each_clips_features_per_factor():
    y, normalizer = _clip(), UtteranceNormalizer()
    clean = normalizer.transform([clip_features(y, SR, CONFIG)])[0]
    kept = Augmenter(Augmentation(speed=(0.9, 1.0, 1.1)), sr=SR, config=CONFIG, seed=2)
    fresh = Augmenter(Augmentation(speed=(0.9, 1.0, 1.1)), sr=SR, config=CONFIG, seed=2)
    for epoch in range(6):
        once = kept.features(y, item=0, epoch=epoch, normalizer=normalizer, clean=clean)
        np.testing.assert_allclose(once, fresh.features(y, item=0, epoch=epoch, normalizer=normalizer), atol=1e-4)
        factor = kept.speed_factor(item=0, epoch=epoch)
        assert abs(len(once) - len(clean) / factor) <= 2
    assert set(kept._fast_features) <= {(0, 0.9), (0, 1.1)}


def test_the_clean_clip_is_trimmed_before_it_is_augmented():
    y = np.concatenate([np.zeros(2000, np.float32), _clip(), 1e-4 * np.ones(3000, np.float32)])
    config = FeatureConfig(n_mfcc=13, deltas=2, trim_db=30.0)
    clean = clip_features(y, SR, config)
    assert len(clean) < len(clip_features(y, SR, CONFIG)) - 40  # the trim did cut
    unwarped = Augmenter(Augmentation(vtlp=(1.0, 1.0)), sr=SR, config=config, seed=0)
    out = unwarped.features(y, item=0, epoch=0, normalizer=UtteranceNormalizer())
    np.testing.assert_allclose(out, UtteranceNormalizer().transform([clean])[0], atol=1e-3)
    noisy = Augmenter(Augmentation(noise=("white",), snr_db=(0, 0)), sr=SR, config=config, seed=0)
    assert noisy.features(y, item=0, epoch=0, normalizer=UtteranceNormalizer()).shape == clean.shape


@pytest.mark.parametrize("kwargs, message", [
    (dict(snr_db=(20, 5)), "snr_db is upside down: low 20 > high 5"),
    (dict(noise=("brown",)), "noise must be one of"),
    (dict(noise=("folder",)), "noise kind 'folder' and noise_dir go together"),
    (dict(speed=(0.9, 0.0)), "speed must be a positive"),
    (dict(vtlp=(1.1, 0.9)), "vtlp is upside down"),
    (dict(vtlp=(0.2, 1.1)), r"vtlp must lie within \[0.5, 2.0\]"),
    (dict(time_mask=-1), "time_mask must be a non-negative integer"),
    (dict(gain_db=-3.0), "gain_db must be a non-negative"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        Augmentation(**kwargs)
    with pytest.raises(TypeError):
        Augmentation((), (5, 20))  # keyword-only

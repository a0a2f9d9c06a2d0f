"""audio.augment: training clips changed on the fly, each change simulating one way real recordings differ.

- ``speed_perturb`` (:mod:`~audio.augment.speed`): faster or slower speech, pitch and
  formants moving with it (a different speaker's rate and size), by our own resampler.
- ``add_noise`` / ``NoiseBank`` (:mod:`~audio.augment.noise`): white, pink or recorded
  background noise at a random SNR (a different room, microphone or place).
- ``apply_gain`` (:mod:`~audio.augment.gain`): a louder or softer recording.
- ``vtlp_filterbank`` (:mod:`~audio.augment.vtlp`): vocal-tract-length perturbation, the
  mel filterbank's frequency axis warped (a longer or shorter vocal tract).
- ``spec_augment`` / ``mask_features`` (:mod:`~audio.augment.masks`): SpecAugment's time
  and feature masks (a dropped moment or band).
- ``Augmentation`` / ``Augmenter`` (:mod:`~audio.augment.pipeline`): all of them for one
  clip, reproducible from the seed, the epoch and the clip.

Augmented features are computed from the clean clips each epoch; they never
enter the feature cache. This package imports ``kernels`` and ``audio``, never ``minidl``.
"""
from audio.augment.gain import apply_gain, random_gain_db
from audio.augment.masks import draw_masks, mask_features, spec_augment
from audio.augment.noise import NOISE_KINDS, NoiseBank, add_noise, load_noise_folder
from audio.augment.pipeline import Augmentation, Augmenter
from audio.augment.speed import speed_perturb, speed_ratio
from audio.augment.vtlp import vtlp_filterbank, vtlp_warp

__all__ = ["NOISE_KINDS", "Augmentation", "Augmenter", "NoiseBank", "add_noise", "apply_gain", "draw_masks",
           "load_noise_folder", "mask_features", "random_gain_db", "spec_augment", "speed_perturb", "speed_ratio",
           "vtlp_filterbank", "vtlp_warp"]

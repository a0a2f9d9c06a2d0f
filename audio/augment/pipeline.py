"""On-the-fly augmentation of training clips, reproducible from the seed, epoch and clip.

:class:`Augmentation` says what is done (all off by default);
:class:`Augmenter` does it to one clip at a time. A clip goes through

0. trimming, when the features trim (``FeatureConfig.trim_db``): on the clean clip, so that
   noise added later cannot move the cut
1. speed perturbation (a factor drawn from ``speed``) — :mod:`audio.augment.speed`
2. additive noise (a kind from ``noise``, an SNR from ``snr_db``) — :mod:`audio.augment.noise`
3. random gain (uniform in +-``gain_db`` dB) — :mod:`audio.augment.gain`
4. features, through a VTLP-warped mel filterbank (alpha from ``vtlp``, to 0.001) — :mod:`audio.augment.vtlp`
5. normalization (the run's Standardizer or CMVN)
6. SpecAugment masks (up to ``time_mask`` frames and ``freq_mask`` coefficients) — :mod:`audio.augment.masks`

Each step draws from its own generator, ``np.random.default_rng([seed,
epoch, clip, step])``: the same seed gives the same batches, whatever
order the batches come in, and turning one step on or off leaves what the
others draw unchanged (an ablation changes one thing at a time). Steps 1-4
work on the waveform, so the features are computed anew for each clip
and epoch; they are never written to the feature cache, which holds clean
features only. With masks alone, the clean (cached) features are masked.
A speed-perturbed clip is the same every time it is drawn with the same
factor, so it is computed once and kept (and, when speed is the only
waveform step, so are its features).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from audio import validate
from audio.augment.gain import apply_gain, random_gain_db
from audio.augment.masks import spec_augment
from audio.augment.noise import NOISE_KINDS, NoiseBank, add_noise
from audio.augment.speed import speed_perturb
from audio.augment.vtlp import vtlp_filterbank
from audio.datasets.features import FeatureConfig, clip_features
from audio.errors import ParameterError
from audio.trim import trim

STEPS = {"speed": 0, "noise": 1, "gain": 2, "vtlp": 3, "masks": 4}  # each step's own random stream
ALPHA_DECIMALS = 3  # VTLP factors are drawn on a grid of 0.001, so their filterbanks can be kept


@dataclass(frozen=True, kw_only=True)
class Augmentation:
    """What happens to each training clip, every epoch anew. Everything is off by default.

    Attributes
    ----------
    noise : tuple of {"white", "pink", "folder"}
        Noise kinds to draw from (one per clip); empty: no noise.
    snr_db : (low, high)
        The mixture's SNR in dB, uniform in this range.
    noise_dir : str or None
        The folder of noise recordings for ``"folder"``.
    speed : tuple of float > 0
        Speed factors, one drawn per clip (e.g. (0.9, 1.0, 1.1)); empty: off.
    vtlp : (low, high) or None
        VTLP warp factor alpha, uniform in this range (e.g. (0.9, 1.1)); None: off.
    time_mask, freq_mask : int >= 0
        SpecAugment's largest time mask (frames) and feature mask (coefficients); 0: off.
    gain_db : float >= 0
        Random gain, uniform in [-gain_db, +gain_db] dB; 0: off.
    """

    noise: tuple = ()
    snr_db: tuple = (5.0, 20.0)
    noise_dir: str | None = None
    speed: tuple = ()
    vtlp: tuple | None = None
    time_mask: int = 0
    freq_mask: int = 0
    gain_db: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: store the cleaned values
        set_(self, "noise", validate.choices("noise", self.noise, NOISE_KINDS) if self.noise else ())
        set_(self, "snr_db", validate.number_range("snr_db", self.snr_db))
        if ("folder" in self.noise) != (self.noise_dir is not None):
            raise ParameterError("noise kind 'folder' and noise_dir go together: name both or neither, got "
                                 f"noise={self.noise!r}, noise_dir={self.noise_dir!r}")
        set_(self, "speed", validate.positive_numbers("speed", self.speed) if self.speed else ())
        if self.vtlp is not None:
            set_(self, "vtlp", validate.number_range("vtlp", self.vtlp, minimum=0.5, maximum=2.0))
            if self.vtlp[0] <= 0:
                raise ParameterError(f"vtlp factors must be positive, got {self.vtlp!r}")
        set_(self, "time_mask", validate.non_negative_int("time_mask", self.time_mask))
        set_(self, "freq_mask", validate.non_negative_int("freq_mask", self.freq_mask))
        set_(self, "gain_db", validate.positive_number("gain_db", self.gain_db, allow_zero=True))

    @property
    def on_waveform(self) -> bool:
        """Whether a step changes the waveform (or the filterbank), so features must be computed anew."""
        return bool(self.noise or self.speed or self.vtlp or self.gain_db)

    @property
    def active(self) -> bool:
        """Whether anything is done at all."""
        return self.on_waveform or bool(self.time_mask or self.freq_mask)

    def settings(self) -> dict:
        """The settings as plain JSON values (for metrics.json); the steps that are off are left out."""
        out = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
        if not self.noise:
            out.pop("snr_db")
        return {key: value for key, value in out.items() if value not in ((), [], None, 0, 0.0)}


class Augmenter:
    """Makes a training clip's features for one epoch, as an :class:`Augmentation` says.

    Parameters
    ----------
    augmentation : Augmentation
    sr : int, the clips' sample rate
    config : FeatureConfig, how features are computed
    seed : int >= 0, the run's seed
    noise_clips : list of [n_i] arrays or None
        The recordings of ``augmentation.noise_dir`` (``load_noise_folder``), for noise kind "folder".
    """

    def __init__(self, augmentation: Augmentation, *, sr: int, config: FeatureConfig, seed: int = 0,
                 noise_clips=None):
        if not isinstance(augmentation, Augmentation) or not isinstance(config, FeatureConfig):
            raise ParameterError(f"expected an Augmentation and a FeatureConfig, got "
                                 f"{type(augmentation).__name__} and {type(config).__name__}")
        self.augmentation, self.config = augmentation, config
        self.sr = validate.positive_int("sr", sr)
        self.seed = validate.non_negative_int("seed", seed)
        self.bank = (NoiseBank(augmentation.noise, sr=sr, seed=seed, folder_clips=noise_clips)
                     if augmentation.noise else None)
        self._fast = {}  # (clip, factor) -> the speed-perturbed clip: the same every time it is drawn
        self._fast_features = {}  # (clip, factor) -> its raw features, when speed is the only waveform step
        self._warped = {}  # alpha -> its VTLP filterbank (at most 1000 per 1.0 of range, 20 kB each)

    def rng(self, step: str, *, item: int, epoch: int) -> np.random.Generator:
        """The generator of one step for one clip in one epoch."""
        return np.random.default_rng([self.seed, epoch, item, STEPS[step]])

    def speed_factor(self, *, item: int, epoch: int) -> float:
        """Step 1's factor for this clip and epoch (1.0 when speed perturbation is off)."""
        speeds = self.augmentation.speed
        return speeds[int(self.rng("speed", item=item, epoch=epoch).integers(len(speeds)))] if speeds else 1.0

    def waveform(self, y, *, item: int, epoch: int):
        """Steps 1-3: the clip sped up or down, with noise, louder or softer. [n] -> [n'] float32"""
        a = self.augmentation
        y = np.asarray(y, dtype=np.float32)
        if a.speed:
            factor = self.speed_factor(item=item, epoch=epoch)
            if factor != 1.0:
                key = (item, factor)
                if key not in self._fast:
                    self._fast[key] = speed_perturb(y, factor=factor)
                y = self._fast[key]
        if a.noise:
            rng = self.rng("noise", item=item, epoch=epoch)
            snr = float(rng.uniform(*a.snr_db))
            _, noise = self.bank.draw(len(y), rng=rng)
            y = add_noise(y, noise, snr_db=snr)
        if a.gain_db:
            y = apply_gain(y, gain_db=random_gain_db(self.rng("gain", item=item, epoch=epoch), max_db=a.gain_db))
        return y

    def filterbank(self, *, item: int, epoch: int):
        """Step 4's mel filterbank: warped by a random alpha, or None (the usual one) when VTLP is off."""
        if self.augmentation.vtlp is None:
            return None
        alpha = float(self.rng("vtlp", item=item, epoch=epoch).uniform(*self.augmentation.vtlp))
        alpha = round(alpha, ALPHA_DECIMALS)
        if alpha not in self._warped:
            n_fft, _ = self.config.frame(self.sr)
            self._warped[alpha] = vtlp_filterbank(sr=self.sr, n_fft=n_fft, n_mels=self.config.n_mels, alpha=alpha,
                                                  fmin=self.config.fmin, fmax=self.config.fmax)
        return self._warped[alpha]

    def features(self, y, *, item: int, epoch: int, normalizer, clean=None) -> np.ndarray:
        """Clip ``item``'s features in ``epoch``: steps 1-6. [n] -> [frames, F] float32

        Parameters
        ----------
        y : np.ndarray [shape=(n,)], the clean clip
        item, epoch : int >= 0, which clip (its position in the dataset) and which epoch
        normalizer : Standardizer or UtteranceNormalizer, fitted (step 5)
        clean : np.ndarray [shape=(frames, F)] or None
            The clip's clean features, already normalized: used as they are when
            no step changes the waveform (masks only), computed from ``y`` when None.
        """
        a = self.augmentation
        if a.speed and not (a.noise or a.gain_db or a.vtlp) and clean is not None:
            # speed alone: a clip's features depend on its factor only, so each is made once
            factor = self.speed_factor(item=item, epoch=epoch)
            if factor == 1.0:
                x = np.asarray(clean, dtype=np.float32)
            else:
                if (item, factor) not in self._fast_features:
                    self._fast_features[item, factor] = self._raw_features(y, item=item, epoch=epoch)
                x = normalizer.transform([self._fast_features[item, factor]])[0]
        elif a.on_waveform or clean is None:
            x = normalizer.transform([self._raw_features(y, item=item, epoch=epoch)])[0]
        else:
            x = np.asarray(clean, dtype=np.float32)
        if a.time_mask or a.freq_mask:
            x = spec_augment(x, rng=self.rng("masks", item=item, epoch=epoch), max_time=a.time_mask,
                             max_freq=a.freq_mask, groups=1 + self.config.deltas)
        return x

    def _raw_features(self, y, *, item: int, epoch: int) -> np.ndarray:
        """Steps 0-4: the clip's unnormalized features in this epoch. [frames, F] float32"""
        config = self.config
        if config.trim_db is not None:  # trim the clean clip, as its clean features were: noise must not move the cut
            n_fft, hop = config.frame(self.sr)
            y, _ = trim(np.asarray(y, dtype=np.float32), top_db=config.trim_db, frame_length=n_fft, hop_length=hop)
            config = replace(config, trim_db=None)
        signal = self.waveform(y, item=item, epoch=epoch)
        return clip_features(signal, self.sr, config, filterbank=self.filterbank(item=item, epoch=epoch))

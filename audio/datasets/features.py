"""MFCC sequences for a whole dataset, standardization, and a feature cache.

``extract_features`` turns every clip into a [frames, features] matrix
(time first, the layout recurrent layers take with ``batch_first``):
MFCCs, optionally followed by their deltas. The result is cached on disk
under a key built from every parameter and the dataset's fingerprint, so a
second run with the same settings reads instead of recomputing; the cache
file is written atomically.

``Standardizer`` removes each feature's mean and divides by its standard
deviation, both measured on the training clips only, so nothing about the
test set leaks into training.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

import kernels
from audio import validate
from audio.cepstrum import mfcc
from audio.decibels import power_to_db
from audio.delta import delta
from audio.errors import ParameterError
from audio.mel import filterbank_spectrogram
from audio.trim import trim
from kernels import cuda
from kernels.files import atomic_path

FEATURE_VERSION = 1  # bump when the computation changes, so old caches are not reused
CACHE_ENV = "MINIDL_CACHE"


@dataclass(frozen=True)
class FeatureConfig:
    """How clips become feature sequences.

    n_fft and hop_length default to 32 ms (rounded to a power of two) and 10 ms
    at the dataset's rate: the usual speech analysis frame. ``deltas`` = 1 adds
    first differences, 2 adds second differences too (39 features from 13 MFCCs).
    ``trim_db`` (None: off) trims leading and trailing audio quieter than the
    loudest frame by that many dB before analysis.
    """

    n_mfcc: int = 20
    n_mels: int = 40
    n_fft: int | None = None
    hop_length: int | None = None
    fmin: float = 0.0
    fmax: float | None = None
    deltas: int = 0
    trim_db: float | None = None

    def __post_init__(self):
        validate.positive_int("n_mfcc", self.n_mfcc)
        validate.positive_int("n_mels", self.n_mels)
        validate.positive_int("n_fft", self.n_fft, allow_none=True)
        validate.positive_int("hop_length", self.hop_length, allow_none=True)
        validate.choice("deltas", self.deltas, (0, 1, 2))
        validate.positive_number("trim_db", self.trim_db, allow_none=True)

    def frame(self, sr: int) -> tuple:
        """(n_fft, hop_length) at sample rate sr."""
        n_fft = self.n_fft or 1 << int(round(np.log2(0.032 * sr)))
        return n_fft, self.hop_length or int(round(0.010 * sr))

    @property
    def n_features(self) -> int:
        return self.n_mfcc * (1 + self.deltas)


def clip_features(y, sr: int, config: FeatureConfig, *, device: str = "cpu", filterbank=None) -> np.ndarray:
    """One clip's feature sequence. [n] -> [frames, n_features] float32, on the host.

    With ``device="cuda"`` the MFCCs and deltas are computed on the GPU (our
    CUDA kernels) and the result is copied back; trimming runs on the host first.
    ``filterbank`` [config.n_mels, 1 + n_fft // 2] replaces the mel filterbank
    (vocal-tract-length perturbation passes a warped one); None is the usual one.
    """
    kernels.require_device(device)
    n_fft, hop = config.frame(sr)
    if config.trim_db is not None:
        y, _ = trim(y, top_db=config.trim_db, frame_length=n_fft, hop_length=hop)
    xp = cuda.cupy() if device == "cuda" else np
    y = xp.asarray(y, dtype=np.float32)
    if filterbank is None:
        coefficients = mfcc(y=y, sr=sr, n_mfcc=config.n_mfcc, n_fft=n_fft, hop_length=hop, n_mels=config.n_mels,
                            fmin=config.fmin, fmax=config.fmax)  # [n_mfcc, frames]
    else:  # the same MFCC, from the log power through the given filterbank
        if np.shape(filterbank) != (config.n_mels, 1 + n_fft // 2):
            raise ParameterError(f"filterbank must have shape ({config.n_mels}, {1 + n_fft // 2}), "
                                 f"got {np.shape(filterbank)}")
        bands = filterbank_spectrogram(y, filterbank, n_fft=n_fft, hop_length=hop)  # [n_mels, frames]
        coefficients = mfcc(S=power_to_db(bands), n_mfcc=config.n_mfcc)  # [n_mfcc, frames]
    rows = [coefficients]
    if config.deltas:
        frames = coefficients.shape[1]
        # delta's default 9-frame window needs 9 frames: repeat the last one in very short clips
        padded = coefficients  # np.pad would cost more than the MFCCs of a short clip: pad only when needed
        if frames < 9:
            padded = xp.pad(coefficients, ((0, 0), (0, 9 - frames)), mode="edge")
        for order in range(1, config.deltas + 1):
            rows.append(delta(padded, order=order)[:, :frames])
    features = kernels.to_host(xp.concatenate(rows).T)
    return np.ascontiguousarray(features, dtype=np.float32)  # [frames, n_features]


def default_cache_dir() -> Path:
    """``$MINIDL_CACHE``, else ``~/.cache/minidl``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "minidl")


def cache_key(dataset, config: FeatureConfig) -> str:
    """A hash of everything the features depend on."""
    recipe = {"dataset": dataset.fingerprint, "config": asdict(config), "version": FEATURE_VERSION}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def _read_cache(path: Path, key: str):
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != key:
                return None
            frames, offsets = stored["frames"], stored["offsets"]
    except (OSError, ValueError, KeyError):
        return None  # missing, truncated or foreign: recompute
    return [frames[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


def _write_cache(path: Path, key: str, features) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    offsets = np.cumsum([0] + [len(f) for f in features])
    with atomic_path(path) as temp, open(temp, "wb") as f:
        np.savez(f, key=np.array(key), frames=np.concatenate(features), offsets=offsets)


def extract_features(dataset, config: FeatureConfig = FeatureConfig(), *, cache_dir=None,
                     use_cache: bool = True, progress: bool = True, device: str = "cpu") -> list:
    """Feature sequences of every clip in ``dataset``.

    Parameters
    ----------
    dataset : AudioDataset
    config : FeatureConfig
    cache_dir : path or None
        Where cached features live (default: :func:`default_cache_dir`).
    use_cache : bool
        Read and write the cache; False always recomputes and writes nothing.
    progress : bool
        Show a progress bar (on stderr) while computing.
    device : {"cpu", "cuda"}
        Where features that are not cached are computed (see :func:`clip_features`).
        The cache does not record the device: GPU and CPU features agree to
        float32 rounding, so either serves the other.

    Returns
    -------
    list of np.ndarray [shape=(frames_i, config.n_features)], float32, one per clip
    """
    if not isinstance(config, FeatureConfig):
        raise ParameterError(f"config must be a FeatureConfig, got {type(config).__name__}")
    key = cache_key(dataset, config)
    path = Path(cache_dir or default_cache_dir()) / f"features-{key[:20]}.npz"
    if use_cache:
        cached = _read_cache(path, key)
        if cached is not None and len(cached) == len(dataset):
            return cached
    # disable=None: draw only on a terminal, so logs stay readable
    bar = tqdm(dataset.clips, desc=f"features {dataset.name}", unit="clip", disable=None if progress else True,
               leave=False)
    features = [clip_features(y, dataset.sr, config, device=device) for y in bar]
    if use_cache:
        _write_cache(path, key, features)
    return features


class Standardizer:
    """Per-feature z-scores with statistics from the training clips only.

    Examples
    --------
    >>> scaler = Standardizer().fit([np.array([[0.0, 1.0], [2.0, 3.0]])])
    >>> scaler.transform([np.array([[1.0, 2.0]])])[0]
    array([[0., 0.]], dtype=float32)
    """

    kind = "global"

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float32)
        self.std = None if std is None else np.asarray(std, dtype=np.float32)

    def fit(self, sequences) -> Standardizer:
        """Measure mean and std over every frame of ``sequences`` (list of [frames, F])."""
        if not sequences:
            raise ParameterError("Standardizer.fit needs at least one sequence")
        frames = np.concatenate([np.asarray(s, dtype=np.float64) for s in sequences])  # [total, F]
        self.mean = frames.mean(axis=0).astype(np.float32)
        self.std = np.maximum(frames.std(axis=0), 1e-8).astype(np.float32)  # constant feature: leave it at 0
        return self

    def transform(self, sequences) -> list:
        """(x - mean) / std for each sequence; list of [frames, F] float32."""
        if self.mean is None:
            raise ParameterError("Standardizer.transform called before fit")
        out = []
        for s in sequences:
            s = np.asarray(s, dtype=np.float32)
            if s.ndim != 2 or s.shape[1] != len(self.mean):
                raise ParameterError(f"expected sequences of shape [frames, {len(self.mean)}], got {s.shape}")
            out.append((s - self.mean) / self.std)
        return out

"""Additive noise at a random signal-to-noise ratio: the same words in a noisier place.

Real recordings carry the background of where they were made: hiss of the
electronics (white: equal power at every frequency), hum and rumble of
rooms and machines (roughly pink: power falling as 1/f, equal per octave),
or anything else (recordings of noise from a folder). Each training clip
gets a noise of one of the chosen kinds, scaled so that the mixture has an
SNR drawn uniformly in dB from a range, and added:

    mixed = clean + g * noise,   g^2 = P_clean / (P_noise 10^(SNR / 10))

with powers P measured over the whole clip (``audio.noise.mix_at_snr``),
so ``audio.noise.snr_db(clean, mixed)`` is the SNR asked for.

White noise is drawn afresh for every clip. Pink noise and folder noise
are excerpts, at a random start, of a :class:`NoiseBank`: one long pink
noise made once per run from the seed, and the folder's recordings
resampled to the clips' rate (looped when shorter than the clip).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from audio import validate
from audio.errors import AudioFileError, ParameterError, SkippedFilesWarning
from audio.io import load
from audio.noise import mix_at_snr, pink_noise

NOISE_KINDS = ("white", "pink", "folder")
PINK_SECONDS = 30.0  # length of the bank's pink noise: excerpts of short clips rarely repeat


def load_noise_folder(folder, *, sr: int) -> list:
    """Every readable audio file directly in ``folder``, mono, resampled to ``sr``. list of [n_i] float32

    Unreadable files are skipped with a SkippedFilesWarning naming them; a
    folder that is missing, empty, or holds nothing readable (or only silence)
    is an error that names it.
    """
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"noise folder {str(root)!r} is not a folder")
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise ParameterError(f"noise folder {str(root)!r} is empty; expected recordings of noise (wav, flac, ...)")
    clips, skipped = [], []
    for path in files:
        try:
            y, _ = load(path, sr=sr)
        except (AudioFileError, OSError) as exc:
            skipped.append(f"{path}: {exc}")
            continue
        if len(y) and np.any(y != 0):
            clips.append(y)
        else:
            skipped.append(f"{path}: silent or empty")
    if not clips:
        raise ParameterError(f"noise folder {str(root)!r} has no readable recording of noise among its "
                             f"{len(files)} file(s):\n  " + "\n  ".join(skipped[:10]))
    if skipped:
        warnings.warn(f"noise folder {str(root)!r}: skipped {len(skipped)} file(s):\n  " + "\n  ".join(skipped),
                      SkippedFilesWarning, stacklevel=2)
    return clips


def excerpt(noise, n: int, *, rng: np.random.Generator) -> np.ndarray:
    """n samples of ``noise`` from a random start, wrapping around to its beginning when needed. [n]"""
    noise = np.asarray(noise)
    start = int(rng.integers(len(noise)))
    reps = -(-(start + n) // len(noise))  # enough copies to reach start + n
    return np.tile(noise, reps)[start:start + n] if reps > 1 else noise[start:start + n]


class NoiseBank:
    """The noises to draw from: white (generated per clip), pink and folder recordings (excerpts).

    Parameters
    ----------
    kinds : sequence of {"white", "pink", "folder"}
    sr : int, the clips' sample rate
    seed : int >= 0, makes the pink noise
    folder_clips : list of [n_i] arrays, or None
        The recordings for ``"folder"`` (see :func:`load_noise_folder`).
    """

    def __init__(self, kinds, *, sr: int, seed: int = 0, folder_clips=None):
        self.kinds = validate.choices("noise kinds", kinds, NOISE_KINDS)
        seed = validate.non_negative_int("seed", seed)
        if "folder" in self.kinds and not folder_clips:
            raise ParameterError("noise kind 'folder' needs the recordings of a noise folder (folder_clips)")
        self.folder_clips = [np.asarray(c, dtype=np.float32) for c in (folder_clips or [])]
        self.pink = None
        if "pink" in self.kinds:
            n = 1 << int(np.ceil(np.log2(PINK_SECONDS * validate.positive_int("sr", sr))))  # a fast FFT size
            self.pink = pink_noise(n, rng=np.random.default_rng([seed, 7])).astype(np.float32)

    def draw(self, n: int, *, rng: np.random.Generator):
        """(kind, n samples of it): the kind drawn uniformly from ``kinds``. [n] float32"""
        kind = self.kinds[int(rng.integers(len(self.kinds)))]
        if kind == "white":
            return kind, rng.standard_normal(n, dtype=np.float32)
        if kind == "pink":
            return kind, excerpt(self.pink, n, rng=rng)
        return kind, excerpt(self.folder_clips[int(rng.integers(len(self.folder_clips)))], n, rng=rng)


def add_noise(y, noise, *, snr_db: float):
    """``y`` plus ``noise`` scaled to make the mixture's SNR ``snr_db`` dB (powers over the whole clip). [n]

    A silent clip has no SNR: it is returned unchanged. A silent noise excerpt
    cannot be scaled to any SNR: the clip is returned unchanged too.

    Examples
    --------
    >>> from audio.noise import snr_db
    >>> clean = np.sin(np.arange(800) / 3.0)
    >>> noisy = add_noise(clean, np.random.default_rng(0).standard_normal(800), snr_db=10.0)
    >>> round(snr_db(clean, noisy), 6)
    10.0
    """
    y = validate.audio_signal("y", y)
    noise = validate.audio_signal("noise", noise)
    if not np.any(y) or not np.any(noise):
        return y.copy()
    return mix_at_snr(y, noise, snr_db).astype(y.dtype, copy=False)

"""``minidl bench --fsdd DIR``: features for a whole corpus, ours against soundfile + librosa.

Feature extraction at corpus scale is many small calls: FSDD's 3000 clips
last 0.3-1 s each, so what one call costs besides its arithmetic
(checking arguments, planning the FFT, building the mel filterbank,
small allocations) decides the total. Both sides read every file and
compute 13 MFCCs (n_fft 256, hop 80, 40 mels, at the files' 8 kHz) with
their deltas and delta-deltas, in one process, one file after another.
They are checked to agree on the first files before anything is timed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import audio
from audio.datasets.features import FeatureConfig, clip_features
from kernels.bench import Row

CONFIG = FeatureConfig(n_mfcc=13, n_mels=40, n_fft=256, hop_length=80, deltas=2)
AGREEMENT_FILES = 5  # compared before timing: relative error <= 1e-4 of the largest magnitude


def corpus_files(directory) -> list[Path]:
    """Every .wav under ``directory/recordings`` (FSDD's layout) or ``directory``, sorted; an error if none."""
    directory = Path(directory)
    root = directory / "recordings" if (directory / "recordings").is_dir() else directory
    files = sorted(root.glob("*.wav"))
    if not files:
        raise FileNotFoundError(f"no .wav files in {str(root)!r}; expected FSDD's folder (with recordings/)")
    return files


def ours_features(path) -> np.ndarray:
    """[frames, 39]: our loader and our MFCC + deltas, as ``minidl train`` computes them."""
    y, sr = audio.load(path, sr=None)
    return clip_features(y, sr, CONFIG)


def librosa_features(path, soundfile, librosa) -> np.ndarray:
    """[frames, 39]: soundfile's reader and librosa's MFCC + deltas, the pipeline a librosa user writes."""
    y, sr = soundfile.read(str(path), dtype="float32")
    coefficients = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=CONFIG.n_mfcc, n_fft=CONFIG.n_fft,
                                        hop_length=CONFIG.hop_length, n_mels=CONFIG.n_mels)
    rows = [coefficients] + [librosa.feature.delta(coefficients, order=k) for k in (1, 2)]
    return np.concatenate(rows).T


def corpus_row(directory) -> Row:
    files = corpus_files(directory)

    def ours():
        for path in files:
            ours_features(path)

    try:
        import librosa
        import soundfile
    except ImportError:
        reference, name = None, "librosa (not installed)"
    else:
        for path in files[:AGREEMENT_FILES]:
            expected, got = librosa_features(path, soundfile, librosa), ours_features(path)
            error = np.abs(got - expected).max() / np.abs(expected).max()
            if not (got.shape == expected.shape and error <= 1e-4):
                raise AssertionError(f"features of {path.name} disagree with librosa before timing: "
                                     f"shapes {got.shape} vs {expected.shape}, error {error:.2e}")

        def reference():
            for path in files:
                librosa_features(path, soundfile, librosa)

        name = f"soundfile {soundfile.__version__} + librosa {librosa.__version__}"
    return Row(f"features of {len(files)} files: load, 13 MFCC + deltas", ours, reference, name, goal=0.25)


def rows(directory) -> list[Row]:
    return [corpus_row(directory)]

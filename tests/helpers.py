"""Helpers shared by the tests: comparisons with explicit tolerances."""
from __future__ import annotations

import numpy as np


def max_scaled_error(ours, reference) -> float:
    """max |ours - reference| / max(1, max |reference|): abs error relative to scale."""
    ours, reference = np.asarray(ours, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    assert ours.shape == reference.shape, f"shape {ours.shape} != reference shape {reference.shape}"
    if ours.size == 0:
        return 0.0
    scale = max(1.0, float(np.max(np.abs(reference))))
    return float(np.max(np.abs(ours - reference))) / scale


def assert_close_scaled(ours, reference, tol: float, what: str = "") -> None:
    err = max_scaled_error(ours, reference)
    assert err <= tol, f"{what}: scaled max abs error {err:.3e} > {tol:.1e}"


def relative_error(ours, reference) -> float:
    """max |ours - reference| / max |reference|: error relative to the data's own scale."""
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"shape {ours.shape} != reference shape {reference.shape}"
    if ours.size == 0:
        return 0.0
    scale = float(np.max(np.abs(reference)))
    diff = float(np.max(np.abs(ours.astype(np.complex128) - reference.astype(np.complex128))))
    return diff / scale if scale > 0 else diff


FSDD = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fsdd" / "recordings"


def fsdd_clip(name: str):
    """(samples float64, sr) of one FSDD recording read by soundfile; skips the test when absent."""
    import pytest
    import soundfile

    path = FSDD / name
    if not path.exists():
        pytest.skip(f"FSDD recording {path} is not present")
    y, sr = soundfile.read(str(path), dtype="float64")
    return y, sr


def tone(seconds: float = 0.3, sr: int = 8000, f: float = 440.0):
    """A 0.3-amplitude sine. [round(seconds * sr)] float32"""
    return (0.3 * np.sin(2 * np.pi * f * np.arange(int(seconds * sr)) / sr)).astype(np.float32)


def write_tone_folder(root, classes, *, per_class: int, sr: int = 8000, seconds: float = 0.2,
                      step: float = 0.01, name: str = "clip{k}.wav"):
    """root/<class>/<name>: per_class tones of class c at 200 (c + 1) Hz, clip k lasting seconds + step k."""
    import audio

    for c, label in enumerate(classes):
        (root / label).mkdir(parents=True)
        for k in range(per_class):
            audio.save(root / label / name.format(k=k), tone(seconds + step * k, sr, 200.0 * (c + 1)), sr)


def write_speaker_folder(root, classes=("high", "low"), speakers=("ann", "bob", "cy"), *, per_speaker: int = 3,
                         sr: int = 8000, seconds: float = 0.2):
    """root/<class>/<speaker>_<k>.wav and root/speakers.tsv: tones of class c at 300 (2c + 1) Hz, each speaker
    s a 5 % higher voice than speaker s - 1. Returns the speakers.tsv lines (``label/file<TAB>speaker``)."""
    import audio

    lines = []
    for c, label in enumerate(classes):
        (root / label).mkdir(parents=True, exist_ok=True)
        for s, speaker in enumerate(speakers):
            for k in range(per_speaker):
                name = f"{speaker}_{k}.wav"
                audio.save(root / label / name, tone(seconds + 0.01 * k, sr, 300.0 * (2 * c + 1) * 1.05 ** s), sr)
                lines.append(f"{label}/{name}\t{speaker}")
    (root / "speakers.tsv").write_text("# file\tspeaker\n" + "\n".join(lines) + "\n")
    return lines

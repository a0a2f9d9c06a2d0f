"""Labelled recordings on disk: the Free Spoken Digit Dataset and a folder per class.

A file that cannot be read is never silently dropped: it is listed, with
the reason, in a warning and in ``AudioDataset.skipped`` (or, with
``on_error="raise"``, the load fails naming it).
"""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np

from audio.datasets.dataset import AudioDataset
from audio.datasets.speakers import folder_speakers
from audio.errors import AudioFileError, ParameterError, SkippedFilesWarning
from audio.io import load

FSDD_NAME = re.compile(r"^(?P<digit>\d)_(?P<speaker>[A-Za-z]+)_(?P<index>\d+)\.wav$")
FSDD_TEST_INDICES = range(0, 5)  # the official split: takes 0-4 of every digit and speaker are the test set
ON_ERROR = ("warn", "raise")


def _folder(root, what: str) -> Path:
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"{what}: {str(root)!r} is not a folder")
    return root


def _fingerprint(name: str, paths, root: Path) -> str:
    """Names, sizes and modification times: changes when any file does."""
    stats = [(p, p.stat()) for p in paths]
    entries = [(str(p.relative_to(root)), st.st_size, st.st_mtime_ns) for p, st in stats]
    return f"{name} {root.resolve()} " + json.dumps(entries)


def _read_all(paths, sr, on_error: str, what: str):
    """Load every path; returns (clips, rate, kept positions, skipped descriptions)."""
    if on_error not in ON_ERROR:
        raise ParameterError(f"on_error must be one of {ON_ERROR}, got {on_error!r}")
    clips, kept, skipped, rates = [], [], [], set()
    for k, path in enumerate(paths):
        try:
            y, rate = load(path, sr=sr)
        except (AudioFileError, OSError) as exc:
            if on_error == "raise":
                raise
            skipped.append(f"{path}: {exc}")
            continue
        clips.append(y)
        kept.append(k)
        rates.add(rate)
    if len(rates) > 1:
        raise ParameterError(f"{what}: the files have different sample rates {sorted(rates)}; "
                             "pass sr= to resample them all to one rate")
    if skipped:
        warnings.warn(f"{what}: skipped {len(skipped)} unreadable file(s):\n  " + "\n  ".join(skipped),
                      SkippedFilesWarning, stacklevel=3)
    return clips, (rates.pop() if rates else sr), np.array(kept, dtype=int), skipped


def load_fsdd(root, *, sr=None, on_error: str = "warn") -> AudioDataset:
    """The Free Spoken Digit Dataset: ``{digit}_{speaker}_{index}.wav``, 10 classes.

    Parameters
    ----------
    root : path
        The dataset folder: the WAV files are in ``root/recordings`` or in ``root`` itself;
        ``root/speakers.json`` (optional) holds speaker metadata.
    sr : int or None
        Resample to this rate; None keeps the files' rate (8000 Hz).
    on_error : {"warn", "raise"}
        An unreadable file is skipped and listed in a warning, or stops the load.

    Returns
    -------
    AudioDataset
        Labels are the digits ``"0"`` ... ``"9"``; the split is the official one
        (takes 0-4 are test); ``info["speakers"]`` is the parsed ``speakers.json``.
    """
    root = _folder(root, "load_fsdd")
    folder = root / "recordings" if (root / "recordings").is_dir() else root
    paths, unmatched = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".wav":
            continue
        (paths if FSDD_NAME.match(path.name) else unmatched).append(path)
    if unmatched:
        warnings.warn(f"load_fsdd: skipped {len(unmatched)} file(s) not named digit_speaker_index.wav: "
                      + ", ".join(p.name for p in unmatched[:10]), SkippedFilesWarning, stacklevel=2)
    if not paths:
        raise ParameterError(f"load_fsdd: no files named digit_speaker_index.wav in {str(folder)!r}")
    clips, rate, kept, skipped = _read_all(paths, sr, on_error, "load_fsdd")
    parts = [FSDD_NAME.match(paths[k].name) for k in kept]
    metadata = {}
    if (root / "speakers.json").is_file():
        metadata = json.loads((root / "speakers.json").read_text())
    return AudioDataset(
        name="fsdd", clips=clips, labels=np.array([int(p["digit"]) for p in parts]),
        label_names=[str(d) for d in range(10)], sr=rate,
        split=["test" if int(p["index"]) in FSDD_TEST_INDICES else "train" for p in parts],
        speakers=[p["speaker"] for p in parts], sources=[str(paths[k]) for k in kept],
        fingerprint=f"sr={sr} " + _fingerprint("fsdd", paths, root),
        skipped=skipped + [f"{p}: name is not digit_speaker_index.wav" for p in unmatched],
        info={"speakers": metadata})


def load_folder(root, *, sr=22050, test_fraction: float = 0.2, on_error: str = "warn") -> AudioDataset:
    """Recordings sorted into one sub-folder per class: ``root/<label>/<file>``.

    Every file in a class folder is tried (hidden files aside): whatever the
    decoder reads (WAV, FLAC, OGG, MP3, AIFF ...) is used, whatever it cannot
    read is skipped and listed. A class folder with no readable file is not a class.
    ``root/speakers.tsv`` (optional, ``label/file<TAB>speaker`` per line, see
    :mod:`audio.datasets.speakers`) names who spoke each file.

    Parameters
    ----------
    root : path
    sr : int or None
        Resample to this rate (librosa's default 22050); None keeps the files' rate,
        which must then be the same for all of them.
    test_fraction : float in (0, 1)
        Share of each class held out as the test split: every round(1/test_fraction)-th
        file of each class in name order (at least one for a class of two or more files).
    on_error : {"warn", "raise"}
        An unreadable file is skipped and listed in a warning, or stops the load.

    Returns
    -------
    AudioDataset
        Labels are the sub-folder names in sorted order.
    """
    root = _folder(root, "load_folder")
    if not 0.0 < test_fraction < 1.0:
        raise ParameterError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    folder_names, paths, folder_of = [], [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        # the decoder, not the file name, decides what is audio
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        folder_names.append(folder.name)
        paths += files
        folder_of += [len(folder_names) - 1] * len(files)
    if not paths:
        raise ParameterError(f"load_folder: no files in sub-folders of {str(root)!r}; "
                             "expected root/<label>/<audio file>")
    clips, rate, kept, skipped = _read_all(paths, sr, on_error, "load_folder")
    if len(kept) == 0:
        raise ParameterError(f"load_folder: none of the {len(paths)} files in the sub-folders of {str(root)!r} "
                             "could be decoded as audio")
    used_folders = np.unique(np.array(folder_of)[kept])  # folders with at least one readable file, sorted
    label_names = [folder_names[f] for f in used_folders]
    labels = np.searchsorted(used_folders, np.array(folder_of)[kept])
    # every k-th file of each class, in name order, is a test file: deterministic and stable
    every = max(2, int(round(1.0 / test_fraction)))
    split = np.full(len(kept), "train", dtype=object)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        chosen = members[every - 1::every]
        if len(chosen) == 0 and len(members) > 1:
            chosen = members[-1:]  # a small class still gets one test file
        split[chosen] = "test"
    return AudioDataset(
        name=root.name, clips=clips, labels=labels, label_names=label_names, sr=rate,
        split=split.astype(str), speakers=folder_speakers(root, paths, [paths[k] for k in kept]),
        sources=[str(paths[k]) for k in kept],
        fingerprint=f"sr={sr} test_fraction={test_fraction} " + _fingerprint("folder", paths, root),
        skipped=skipped)

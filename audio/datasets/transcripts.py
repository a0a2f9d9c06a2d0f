"""Your own transcribed recordings: ``DIR/transcripts.tsv`` lists ``file<TAB>space-separated tokens``.

Example ``transcripts.tsv``::

    # file            tokens
    take1.wav	h e l l o
    calls/take2.flac	seven one one

Blank lines and lines starting with ``#`` are ignored. Files are relative to
DIR. The vocabulary is every token used, sorted. Every round(1 /
test_fraction)-th line is a test utterance (at least one), so the split is
deterministic and stable.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from audio.datasets.dataset import AudioDataset
from audio.datasets.recordings import _fingerprint, _folder, _read_all
from audio.errors import ParameterError

TRANSCRIPTS = "transcripts.tsv"


def read_transcripts(path) -> list:
    """Parse a transcripts file into [(file name, [token, ...]), ...] in file order.

    Raises ParameterError naming the line for a line without a tab, an empty
    transcript, an empty or repeated file name; FileNotFoundError when the
    file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{str(path)!r} does not exist; expected a file of lines "
                                "'file<TAB>space-separated tokens'")
    entries, seen = [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, tab, text = line.partition("\t")
        where = f"{path}, line {number}"
        if not tab or not name.strip():
            raise ParameterError(f"{where}: expected 'file<TAB>space-separated tokens', got {line!r}")
        name = name.strip()
        tokens = text.split()
        if not tokens:
            raise ParameterError(f"{where}: the transcript of {name!r} is empty; every file needs a token")
        if name in seen:
            raise ParameterError(f"{where}: {name!r} is listed again (first on line {seen[name]})")
        seen[name] = number
        entries.append((name, tokens))
    if not entries:
        raise ParameterError(f"{path} lists no files; expected lines 'file<TAB>space-separated tokens'")
    return entries


def load_transcribed(root, *, sr=22050, test_fraction: float = 0.2, on_error: str = "warn") -> AudioDataset:
    """Recordings and their transcripts from ``root/transcripts.tsv``.

    Parameters
    ----------
    root : path
    sr : int or None
        Resample to this rate; None keeps the files' rate (the same for all).
    test_fraction : float in (0, 1)
        Share of the lines held out as the test split.
    on_error : {"warn", "raise"}
        A listed file that exists but cannot be decoded is skipped and listed
        (``skipped``), or stops the load. A listed file that does not exist is
        always an error: the transcript names something that is not there.

    Returns
    -------
    AudioDataset
        ``transcripts`` per file, ``tokens`` the sorted vocabulary, ``labels`` all 0.
    """
    root = _folder(root, "load_transcribed")
    if not 0.0 < test_fraction < 1.0:
        raise ParameterError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    table = root / TRANSCRIPTS
    entries = read_transcripts(table)
    for name, _ in entries:
        if not (root / name).is_file():
            raise ParameterError(f"{table}: unknown file {name!r}: there is no {str(root / name)!r}")
    paths = [root / name for name, _ in entries]
    clips, rate, kept, skipped = _read_all(paths, sr, on_error, "load_transcribed")
    if len(kept) == 0:
        raise ParameterError(f"load_transcribed: none of the {len(paths)} files in {str(table)!r} "
                             "could be decoded as audio")
    transcripts = [entries[k][1] for k in kept]
    every = max(2, int(round(1.0 / test_fraction)))
    split = np.full(len(kept), "train", dtype=object)
    split[every - 1::every] = "test"
    if len(kept) > 1 and not (split == "test").any():
        split[-1] = "test"  # a small folder still gets one test file
    return AudioDataset(
        name=root.name, clips=clips, labels=np.zeros(len(kept)), label_names=["utterance"], sr=rate,
        split=split.astype(str), speakers=[""] * len(kept), sources=[str(paths[k]) for k in kept],
        fingerprint=f"sr={sr} test_fraction={test_fraction} " + _fingerprint("transcribed", [table, *paths], root),
        skipped=skipped, transcripts=transcripts, tokens=sorted({t for tokens in transcripts for t in tokens}))

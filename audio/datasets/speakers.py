"""Who spoke each file of a folder dataset: ``DIR/speakers.tsv`` lists ``file<TAB>speaker``.

Example ``speakers.tsv`` for ``DIR/<label>/<file>``::

    # file          speaker
    yes/take1.wav	ann
    no/take1.wav	ann
    yes/take2.wav	bob

Blank lines and lines starting with ``#`` are ignored. Files are relative to
DIR. Speaker names let ``minidl train --test-speakers`` and
``--cross-validate speakers`` hold whole voices out of training.
"""
from __future__ import annotations

from pathlib import Path

from audio.errors import ParameterError

SPEAKERS = "speakers.tsv"


def read_speakers(path) -> dict:
    """Parse a speakers file into {file name: speaker} in file order.

    Parameters
    ----------
    path : path of the ``speakers.tsv`` file

    Returns
    -------
    dict of str -> str
        File names (relative to the file's folder, with ``/``) and their speakers.

    Raises ParameterError naming the line for a line without a tab, an empty
    file or speaker name, or a file listed twice; FileNotFoundError when the
    file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{str(path)!r} does not exist; expected a file of lines 'file<TAB>speaker'")
    speakers, seen = {}, {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, tab, speaker = line.partition("\t")
        name, speaker = name.strip(), speaker.strip()
        where = f"{path}, line {number}"
        if not tab or not name or not speaker or "\t" in speaker:
            raise ParameterError(f"{where}: expected 'file<TAB>speaker', got {line!r}")
        if name in seen:
            raise ParameterError(f"{where}: {name!r} is listed again (first on line {seen[name]})")
        seen[name] = number
        speakers[name] = speaker
    if not speakers:
        raise ParameterError(f"{path} lists no files; expected lines 'file<TAB>speaker'")
    return speakers


def folder_speakers(root: Path, paths, used) -> list:
    """The speaker of each file in ``used`` from ``root/speakers.tsv``; all "" when there is no such file.

    Parameters
    ----------
    root : Path, the dataset folder
    paths : list of Path, every file found in its class folders
    used : list of Path, those that were read (the dataset's clips, in order)

    Every used file must be listed, and every listed file must be one of
    ``paths`` (a file that could not be decoded may be listed or not), so a
    speaker split never leaves a voice on both sides unnoticed.
    """
    table = root / SPEAKERS
    if not table.is_file():
        return [""] * len(used)
    speakers = read_speakers(table)
    unknown = sorted(set(speakers) - {p.relative_to(root).as_posix() for p in paths})
    if unknown:
        raise ParameterError(f"{table}: unknown file(s) {', '.join(map(repr, unknown[:5]))}"
                             f"{' ...' if len(unknown) > 5 else ''}: not audio files in the class folders of "
                             f"{str(root)!r}")
    relative = [p.relative_to(root).as_posix() for p in used]
    missing = [name for name in relative if name not in speakers]
    if missing:
        raise ParameterError(f"{table} names no speaker for {len(missing)} file(s): "
                             f"{', '.join(map(repr, missing[:5]))}{' ...' if len(missing) > 5 else ''}; "
                             "list every file as 'file<TAB>speaker'")
    return [speakers[name] for name in relative]

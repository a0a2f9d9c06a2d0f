"""Writing files atomically: the one helper that ``audio``, ``minidl`` and the CLI share.

It lives in ``kernels`` because that is the one layer both ``audio`` and
``minidl`` may import (the arrows point down only).

The recipe: write under a temporary name in the target's own folder, flush
the bytes to disk, then ``os.replace`` the temporary file onto the target.
The rename is atomic on POSIX and Windows, so a reader (or a crash) sees
either the old file or the complete new one, never half of it.

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> target = os.path.join(folder, "notes.txt")
>>> with atomic_path(target) as temp, open(temp, "w") as f:
...     _ = f.write("hello")
>>> open(target).read()
'hello'
>>> sorted(os.listdir(folder))  # no temporary file left behind
['notes.txt']
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary file name beside ``path``, renamed onto ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The target file; its folder must exist.

    Yields
    ------
    temp : str
        Where the block writes (and closes) the content.

    A crash or an exception inside the block removes the temporary file and
    leaves ``path`` as it was: never a half-written file. The temporary file
    is synced to disk before the rename, so a power cut cannot leave a renamed
    but empty file either.

    Raises
    ------
    FileNotFoundError
        The folder of ``path`` does not exist.
    """
    path = Path(os.fspath(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(handle)
    try:
        yield temp
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

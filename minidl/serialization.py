"""Saving and loading named arrays (state dicts) as ``.npz`` files.

Writes are atomic (``kernels.files.atomic_path``): the file is written under
a temporary name in the same folder, flushed to disk, then renamed over the
target. A crash mid-write leaves the old file (or no file), never half a
checkpoint. An existing file is replaced only when the caller says
``overwrite=True``.

Every file carries a ``__minidl_format__`` entry, so a foreign ``.npz`` is
recognized as such instead of loading as an odd state dict.
"""
from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping

import numpy as np

from kernels.files import atomic_path
from minidl.errors import CheckpointError

FORMAT_KEY = "__minidl_format__"
FORMAT_VERSION = 1


def _to_numpy(name: str, value) -> np.ndarray:
    if hasattr(value, "numpy") and callable(value.numpy):  # a Tensor
        value = value.numpy()
    elif hasattr(value, "get") and type(value).__module__.startswith("cupy"):
        value = value.get()
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"save: entry {name!r} is not numeric (got {type(value).__name__})")
    return array


def save(state: Mapping, path, *, overwrite: bool = False) -> None:
    """Write a mapping of names to arrays/tensors/numbers to ``path`` (npz).

    Parameters
    ----------
    state : mapping of str to array-like
        E.g. ``model.state_dict()``.
    path : str or os.PathLike
        Target file; its folder must exist.
    overwrite : bool
        Replace an existing file. Without it an existing file is an error.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"save expects a mapping of names to arrays, got {type(state).__name__}")
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"save: {path!r} exists; pass overwrite=True to replace it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: folder {folder!r} does not exist")
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str) or name == FORMAT_KEY:
            raise ValueError(f"save: keys must be strings other than {FORMAT_KEY!r}, got {name!r}")
        arrays[name] = _to_numpy(name, value)
    arrays[FORMAT_KEY] = np.asarray(FORMAT_VERSION)
    with atomic_path(path) as temp, open(temp, "wb") as f:
        np.savez(f, **arrays)


def load(path) -> dict:
    """Read a file written by :func:`save`; returns a dict of NumPy arrays.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    CheckpointError
        The file is truncated, corrupt, or not a minidl checkpoint.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not hasattr(npz, "files"):
                raise CheckpointError(f"load: {path!r} is a bare .npy array, not a minidl checkpoint")
            if FORMAT_KEY not in npz.files:
                raise CheckpointError(
                    f"load: {path!r} is an .npz file but not a minidl checkpoint "
                    f"(no {FORMAT_KEY!r} entry)"
                )
            return {name: npz[name] for name in npz.files if name != FORMAT_KEY}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise CheckpointError(
            f"load: {path!r} is truncated or not a minidl checkpoint ({exc})"
        ) from None

"""Result tables the commands write on request (``--csv PATH``): checked first, written atomically."""
from __future__ import annotations

import csv
from pathlib import Path

from kernels.files import atomic_path
from minidl.errors import UsageError


def check_new_file(option: str, path, *, suffix: str, force: bool):
    """``path`` as a Path if it may be written (before any work is done), None when not asked for.

    Refused: a wrong suffix, a missing folder, or an existing file without ``--force``.
    """
    if path is None:
        return None
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise UsageError(f"{option} must name a {suffix} file, got {str(path)!r}")
    if not path.parent.is_dir():
        raise UsageError(f"{option}: folder {str(path.parent)!r} does not exist")
    if path.exists() and not force:
        raise UsageError(f"{option}: {str(path)!r} exists; pass --force to replace it")
    return path


def write_csv(path: Path, header, rows) -> None:
    """A header and rows as CSV, written under a temporary name and renamed into place."""
    with atomic_path(path) as temp, open(temp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)

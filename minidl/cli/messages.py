"""Problems reported on the command line as one clean line each, not as Python warnings.

The library warns (``warnings.warn``) so that library users can filter or
raise; a command catches those warnings and prints each as
``minidl <command>: ...`` on stderr, with no source line. Files a dataset
skipped are printed one per line, path first, reason in brackets.
"""
from __future__ import annotations

import contextlib
import sys
import warnings

from audio.errors import AudioFileError, SkippedFilesWarning


def problem(command: str, text: str) -> None:
    """Print one line ``minidl <command>: <text>`` on stderr."""
    print(f"minidl {command}: {text}", file=sys.stderr)


@contextlib.contextmanager
def warnings_as_lines(command: str):
    """Run the block with warnings caught; print each as one line afterwards.

    ``SkippedFilesWarning`` is left out: its files are listed one per line
    by :func:`report_skipped` from the dataset's own list.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        if not issubclass(warning.category, SkippedFilesWarning):
            problem(command, f"warning: {str(warning.message).splitlines()[0]}")


def skipped_line(entry: str) -> str:
    """``"PATH: ... : Reason."`` (an ``AudioDataset.skipped`` entry) -> ``"PATH (Reason)"``."""
    path, _, reason = entry.partition(": ")
    return f"{path} ({reason.rsplit(': ', 1)[-1].rstrip('.')})"


def report_skipped(command: str, skipped) -> None:
    """One line per file a dataset left out: ``minidl train: skipped PATH (Reason)``."""
    for entry in skipped:
        problem(command, f"skipped {skipped_line(entry)}")


def each_readable_file(command: str, paths, work):
    """``work(path)`` for every path; a file that cannot be read is one line and the rest still run.

    Returns
    -------
    results : list of (path, work's result), for the files that could be read, in order
    failures : int, how many could not (each printed ``minidl <command>: <reason>``)
    """
    results, failures = [], 0
    for path in paths:
        try:
            results.append((path, work(path)))
        except (AudioFileError, OSError) as exc:
            problem(command, str(exc))
            failures += 1
    return results, failures

"""Errors raised by audio. Each subclasses the builtin that fits."""


class AudioFileError(ValueError):
    """An audio file is unreadable, corrupt, empty or holds non-finite samples."""


class ParameterError(ValueError):
    """A parameter has a value outside what the function accepts."""


class AudioFileNotFoundError(AudioFileError, FileNotFoundError):
    """An audio file does not exist (catchable as FileNotFoundError or AudioFileError)."""


class SkippedFilesWarning(UserWarning):
    """Files of a dataset folder were left out (unreadable, or named against the dataset's pattern).

    The same list is in the dataset's ``skipped``; the command line prints it
    one line per file instead of showing this warning.
    """

"""Errors raised by audio. Each subclasses the builtin that fits."""


class AudioFileError(ValueError):
    """An audio file is unreadable, corrupt, empty or holds non-finite samples."""


class ParameterError(ValueError):
    """A parameter has a value outside what the function accepts."""


class AudioFileNotFoundError(AudioFileError, FileNotFoundError):
    """An audio file does not exist (catchable as FileNotFoundError or AudioFileError)."""

"""Reading and writing audio files through soundfile (libsndfile).

``load`` decodes WAV (8/16/24/32-bit integer, 32/64-bit float), FLAC, OGG
and the other formats libsndfile knows, as floats in [-1, 1]; it can keep
a slice (offset, duration), mix channels down to mono and resample.
``save`` writes atomically and never replaces a file unless asked.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from audio import validate
from audio.errors import AudioFileError, AudioFileNotFoundError, ParameterError
from audio.resample import resample, sample_rate
from kernels.files import atomic_path

DTYPES = (np.float32, np.float64)


def _soundfile():
    import soundfile  # imported on use: `import audio` stays light

    return soundfile


def load(path, *, sr=22050, mono: bool = True, offset: float = 0.0, duration=None, dtype=np.float32):
    """Read an audio file, as ``librosa.load``.

    Parameters
    ----------
    path : str or os.PathLike
    sr : int > 0 or None
        Resample to this rate (Hz); None keeps the file's own rate.
    mono : bool
        Average the channels into one.
    offset : number >= 0, seconds to skip at the start
    duration : number > 0 or None, seconds to read
    dtype : np.float32 or np.float64

    Returns
    -------
    y : np.ndarray [shape=(n,) when mono or single-channel, else (channels, n)]
    sr : int, the rate of y

    Raises
    ------
    AudioFileNotFoundError (a FileNotFoundError) for a missing file; AudioFileError
    for an unreadable or corrupt file, no samples in the requested slice, or
    non-finite samples. Each names the file.

    Examples
    --------
    >>> y, sr = load("speech.wav", sr=16000)  # doctest: +SKIP
    """
    path = Path(os.fspath(path))
    if sr is not None:
        sr = sample_rate("sr", sr)
    offset = validate.positive_number("offset", offset, allow_zero=True)
    duration = validate.positive_number("duration", duration, allow_none=True)
    if dtype not in DTYPES:
        raise ParameterError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    if not path.is_file():
        raise AudioFileNotFoundError(f"no audio file at {str(path)!r}")
    sf = _soundfile()
    try:
        with sf.SoundFile(str(path)) as f:
            native_sr = f.samplerate
            start = int(round(offset * native_sr))
            if start > 0 and start >= f.frames:
                raise AudioFileError(f"{path}: offset={offset} s is past the end of the audio "
                                     f"({f.frames / native_sr:.3f} s)")
            frames = -1 if duration is None else int(round(duration * native_sr))
            if start:
                f.seek(start)
            data = f.read(frames=frames, dtype="float64", always_2d=True)  # [n, channels]
    except AudioFileError:
        raise
    except (RuntimeError, sf.LibsndfileError, ValueError) as error:  # libsndfile's "unknown format", "corrupt"
        raise AudioFileError(f"cannot decode {str(path)!r} as audio: {error}") from error
    if data.shape[0] == 0:
        raise AudioFileError(f"{path}: holds no audio samples (offset={offset}, duration={duration})")
    if not np.all(np.isfinite(data)):
        frame, channel = np.argwhere(~np.isfinite(data))[0]
        raise AudioFileError(f"{path}: sample {frame} of channel {channel} is {data[frame, channel]}; "
                             "audio must be finite")
    y = data.T  # [channels, n]
    if y.shape[0] == 1:
        y = y[0]  # [n]: one channel is already mono
    elif mono:
        y = y.mean(axis=0)  # [n]
    if sr is not None and sr != native_sr:
        y = resample(y, orig_sr=native_sr, target_sr=sr)
    else:
        sr = native_sr
    return np.ascontiguousarray(y, dtype=dtype), sr


def save(path, y, sr, *, subtype=None, overwrite: bool = False):
    """Write y to an audio file whose format follows the extension (.wav, .flac, .ogg ...).

    Parameters
    ----------
    path : str or os.PathLike
    y : np.ndarray [shape=(n,) or (channels, n)], finite, nominally in [-1, 1]
    sr : int > 0
    subtype : soundfile subtype ("PCM_16", "PCM_24", "FLOAT", ...) or None for the format's default
    overwrite : bool
        An existing file is replaced only when True (FileExistsError otherwise).

    The samples go to a temporary file beside ``path`` that is renamed onto
    it once complete, so a failure never leaves a half-written file.
    """
    path = Path(os.fspath(path))
    sr = sample_rate("sr", sr)
    y = validate.audio_signal("y", y)
    if y.ndim > 2:
        raise ParameterError(f"y must have shape (n,) or (channels, n), got {y.shape}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    sf = _soundfile()
    file_format = path.suffix.lstrip(".").upper()
    if file_format not in sf.available_formats():
        raise ParameterError(f"cannot tell the audio format from the extension of {str(path)!r}; "
                             f"expected one of {sorted(sf.available_formats())}")
    if subtype is not None and not sf.check_format(file_format, subtype):
        raise ParameterError(f"subtype {subtype!r} is not valid for {file_format} files")
    with atomic_path(path) as temp:
        sf.write(temp, y.T, sr, subtype=subtype, format=file_format)


"""load and save: formats, slicing, mono mixing, resampling, dtypes, and every bad-file error."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile

import audio
from audio.errors import AudioFileError, AudioFileNotFoundError, ParameterError
from tests.helpers import FSDD

SR = 8000
# (extension, subtype, decoded error allowed relative to full scale)
FORMATS = [("wav", "PCM_U8", 1 / 120), ("wav", "PCM_16", 1 / 2**14), ("wav", "PCM_24", 1 / 2**22),
           ("wav", "PCM_32", 1e-9), ("wav", "FLOAT", 1e-7), ("wav", "DOUBLE", 0.0), ("flac", "PCM_16", 1 / 2**14),
           ("flac", "PCM_24", 1 / 2**22)]


def stereo_tone(n=4000):
    t = np.arange(n) / SR
    return np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 660 * t)])  # [2, n]


@pytest.mark.parametrize("ext,subtype,tol", FORMATS)
def test_round_trip_every_integer_and_float_format(tmp_path, ext, subtype, tol):
    y = stereo_tone()
    path = tmp_path / f"tone.{ext}"
    audio.save(path, y, SR, subtype=subtype)
    assert soundfile.info(str(path)).subtype == subtype
    back, sr = audio.load(path, sr=None, mono=False, dtype=np.float64)
    assert sr == SR and back.shape == y.shape and back.dtype == np.float64
    assert np.abs(back - y).max() <= tol
    mono, _ = audio.load(path, sr=None)
    assert mono.dtype == np.float32 and mono.shape == (4000,)
    assert np.abs(mono - y.mean(axis=0)).max() <= tol + 1e-7


def test_ogg_vorbis_is_lossy_but_close(tmp_path):
    y = stereo_tone(16000)[0]
    audio.save(tmp_path / "tone.ogg", y, SR)
    back, sr = audio.load(tmp_path / "tone.ogg", sr=None)
    assert sr == SR and back.shape == y.shape
    assert np.sqrt(np.mean((back - y) ** 2)) <= 0.02  # perceptual codec: rms error under 2% of full scale


def test_offset_duration_and_resampling(tmp_path):
    y = stereo_tone(8000)[0]
    audio.save(tmp_path / "a.wav", y, SR, subtype="DOUBLE")
    part, _ = audio.load(tmp_path / "a.wav", sr=None, offset=0.25, duration=0.1, dtype=np.float64)
    assert np.array_equal(part, y[2000:2800])
    up, sr = audio.load(tmp_path / "a.wav", sr=16000, dtype=np.float64)
    assert sr == 16000 and up.shape == (16000,)
    assert np.allclose(up, audio.resample(y, orig_sr=SR, target_sr=16000))
    default, sr = audio.load(tmp_path / "a.wav")
    assert sr == 22050 and default.shape == (22050,)


def test_fsdd_recording_loads_at_its_native_rate():
    path = FSDD / "0_george_0.wav"
    if not path.exists():
        pytest.skip("FSDD is not present")
    y, sr = audio.load(path, sr=None)
    ref, ref_sr = soundfile.read(str(path), dtype="float32")
    assert sr == ref_sr == 8000 and np.array_equal(y, ref)


def test_missing_file(tmp_path):
    with pytest.raises(AudioFileNotFoundError, match="no audio file at .*nothing.wav") as info:
        audio.load(tmp_path / "nothing.wav")
    assert isinstance(info.value, FileNotFoundError)


def test_corrupt_and_foreign_files(tmp_path):
    (tmp_path / "text.wav").write_text("this is not audio")
    with pytest.raises(AudioFileError, match="cannot decode .*text.wav"):
        audio.load(tmp_path / "text.wav")
    audio.save(tmp_path / "cut.wav", stereo_tone()[0], SR)
    data = (tmp_path / "cut.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:20])  # header cut short
    with pytest.raises(AudioFileError, match="cut.wav"):
        audio.load(tmp_path / "cut.wav")


def test_empty_audio_and_offset_past_the_end(tmp_path):
    soundfile.write(str(tmp_path / "empty.wav"), np.zeros(0), SR)
    with pytest.raises(AudioFileError, match="empty.wav: holds no audio samples"):
        audio.load(tmp_path / "empty.wav")
    audio.save(tmp_path / "a.wav", np.zeros(800), SR)
    with pytest.raises(AudioFileError, match=r"offset=1.0 s is past the end of the audio \(0.100 s\)"):
        audio.load(tmp_path / "a.wav", offset=1.0)


def test_non_finite_samples_are_refused(tmp_path):
    y = np.zeros(100)
    y[37] = np.nan
    soundfile.write(str(tmp_path / "nan.wav"), y, SR, subtype="FLOAT")
    with pytest.raises(AudioFileError, match="nan.wav: sample 37 of channel 0 is nan"):
        audio.load(tmp_path / "nan.wav")


@pytest.mark.parametrize("kwargs,match", [
    (dict(sr=0), "sr must be a positive whole number of Hz, got 0"),
    (dict(offset=-1), "offset must be a non-negative"),
    (dict(duration=0), "duration must be a positive"),
    (dict(dtype=np.int16), "dtype must be np.float32 or np.float64"),
])
def test_load_bad_parameters(tmp_path, kwargs, match):
    audio.save(tmp_path / "a.wav", np.zeros(100), SR)
    with pytest.raises(ParameterError, match=match):
        audio.load(tmp_path / "a.wav", **kwargs)


def test_save_never_overwrites_unasked_and_leaves_no_partial_file(tmp_path):
    target = tmp_path / "keep.wav"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="keep.wav exists; pass overwrite=True"):
        audio.save(target, np.zeros(10), SR)
    assert target.read_bytes() == b"precious"
    with pytest.raises(ParameterError, match="y must be finite"):
        audio.save(target, np.array([0.0, np.inf]), SR, overwrite=True)
    with pytest.raises(ParameterError, match="subtype 'PCM_99' is not valid for WAV"):
        audio.save(target, np.zeros(10), SR, subtype="PCM_99", overwrite=True)
    with pytest.raises(ParameterError, match="cannot tell the audio format from the extension"):
        audio.save(tmp_path / "a.xyz", np.zeros(10), SR)
    assert target.read_bytes() == b"precious" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.wav"]
    audio.save(target, np.zeros(10), SR, overwrite=True)
    assert audio.load(target, sr=None)[0].shape == (10,)

"""Speaker names and speaker splits: speakers.tsv for folder datasets, FSDD's names, and the refusals."""
from __future__ import annotations

import numpy as np
import pytest

from audio.datasets import load_folder, load_fsdd
from audio.datasets.speakers import read_speakers
from audio.errors import ParameterError
from tests.helpers import FSDD, write_speaker_folder, write_tone_folder


def test_folder_speakers_come_from_speakers_tsv(tmp_path):
    write_speaker_folder(tmp_path, per_speaker=2)
    data = load_folder(tmp_path, sr=None)
    assert data.speaker_names == ["ann", "bob", "cy"]
    for source, speaker in zip(data.sources, data.speakers):
        assert source.rsplit("/", 1)[-1].startswith(speaker + "_")
    held = data.with_test_speakers(["bob", "cy"])
    assert set(held.speakers[held.indices("test")]) == {"bob", "cy"}
    assert set(held.speakers[held.indices("train")]) == {"ann"}
    assert held.clips is data.clips and held.fingerprint == data.fingerprint  # same clips, same feature cache
    assert held.info["test_speakers"] == ["bob", "cy"]
    assert data.split.tolist() != held.split.tolist()  # the original is left as it was


def test_folder_without_speakers_tsv_has_no_speakers(tmp_path):
    write_tone_folder(tmp_path, ["a", "b"], per_class=3)
    data = load_folder(tmp_path, sr=None)
    assert data.speaker_names == []
    with pytest.raises(ParameterError, match="names no speakers.*speakers.tsv"):
        data.with_test_speakers(["ann"])


def test_speaker_split_refuses_unknown_and_all_speakers(tmp_path):
    write_speaker_folder(tmp_path, per_speaker=1)
    data = load_folder(tmp_path, sr=None)
    with pytest.raises(ParameterError, match=r"unknown speaker 'zed': dataset '\w+' has speakers ann, bob, cy"):
        data.with_test_speakers(["ann", "zed"])
    with pytest.raises(ParameterError, match="every speaker"):
        data.with_test_speakers(["ann", "bob", "cy"])
    with pytest.raises(ParameterError, match="at least one test speaker"):
        data.with_test_speakers([])


@pytest.mark.parametrize("text, message", [
    ("high/ann_0.wav ann\n", "expected 'file<TAB>speaker'"),
    ("high/ann_0.wav\t\n", "expected 'file<TAB>speaker'"),
    ("high/ann_0.wav\tann\nhigh/ann_0.wav\tbob\n", "listed again"),
    ("# nothing\n", "lists no files"),
])
def test_read_speakers_names_the_bad_line(tmp_path, text, message):
    (tmp_path / "speakers.tsv").write_text(text)
    with pytest.raises(ParameterError, match=message):
        read_speakers(tmp_path / "speakers.tsv")


def test_speakers_tsv_must_cover_exactly_the_files(tmp_path):
    lines = write_speaker_folder(tmp_path, per_speaker=1)
    (tmp_path / "speakers.tsv").write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(ParameterError, match=r"names no speaker for 1 file\(s\): 'high/ann_0.wav'"):
        load_folder(tmp_path, sr=None)
    (tmp_path / "speakers.tsv").write_text("\n".join(lines + ["high/nobody.wav\tann"]) + "\n")
    with pytest.raises(ParameterError, match="unknown file.*'high/nobody.wav'"):
        load_folder(tmp_path, sr=None)


def test_fsdd_speaker_split():
    if not FSDD.is_dir():
        pytest.skip(f"FSDD is not present at {FSDD}")
    data = load_fsdd(FSDD.parent)
    assert data.speaker_names == ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    held = data.with_test_speakers(["theo"])
    assert len(held.indices("test")) == 500 and set(held.speakers[held.indices("test")]) == {"theo"}
    assert "theo" not in set(held.speakers[held.indices("train")])
    assert np.bincount(held.labels[held.indices("test")]).tolist() == [50] * 10

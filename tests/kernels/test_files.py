"""kernels.files.atomic_path: the one atomic-write helper of audio, minidl and the CLI."""
from __future__ import annotations

import pytest

import audio.io
import minidl.serialization
from kernels.files import atomic_path


def test_success_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_path(target) as temp, open(temp, "w") as f:
        f.write("new")
        assert target.read_text() == "old"  # not visible until the block ends
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failure_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as temp, open(temp, "w") as f:
            f.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        with atomic_path(tmp_path / "nowhere" / "out.txt"):
            pass


def test_audio_and_minidl_use_this_one_helper():
    assert audio.io.atomic_path is atomic_path
    assert minidl.serialization.atomic_path is atomic_path

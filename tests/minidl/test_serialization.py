"""save/load: round trip, atomic and non-clobbering writes, clear errors."""
from __future__ import annotations

import os

import numpy as np
import pytest

import minidl
from minidl.errors import CheckpointError


def test_round_trip_model_state(tmp_path):
    model = minidl.nn.Sequential(minidl.nn.Linear(3, 4), minidl.nn.ReLU(), minidl.nn.Linear(4, 2))
    path = tmp_path / "model.npz"
    minidl.save(model.state_dict(), path)
    loaded = minidl.load(path)
    assert list(loaded) == list(model.state_dict())
    fresh = minidl.nn.Sequential(minidl.nn.Linear(3, 4), minidl.nn.ReLU(), minidl.nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    x = minidl.randn(5, 3)
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


def test_existing_file_is_not_overwritten_without_asking(tmp_path):
    path = tmp_path / "user.npz"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        minidl.save({"w": np.zeros(2)}, path)
    assert path.read_bytes() == b"precious"
    minidl.save({"w": np.ones(2)}, path, overwrite=True)
    np.testing.assert_array_equal(minidl.load(path)["w"], [1.0, 1.0])


def test_failed_write_leaves_no_partial_file(tmp_path):
    with pytest.raises(TypeError, match="not numeric"):
        minidl.save({"w": np.zeros(2), "bad": object()}, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_truncated_and_foreign_files_are_clear_errors(tmp_path):
    good = tmp_path / "good.npz"
    minidl.save({"w": np.arange(1000.0)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="truncated.npz"):
        minidl.load(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, w=np.zeros(2))
    with pytest.raises(CheckpointError, match="not a minidl checkpoint"):
        minidl.load(foreign)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(CheckpointError, match="notes.npz"):
        minidl.load(text)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        minidl.load(tmp_path / "missing.npz")

"""Module buffers: registered, saved and loaded by name, converted and moved with the parameters."""
from __future__ import annotations

import numpy as np
import pytest

import kernels
import minidl
from minidl import nn
from minidl.errors import StateDictError


def model():
    return nn.Sequential(nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3))


def test_buffers_are_in_state_dict_in_pytorchs_order_but_not_parameters():
    m = model()
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                    "1.running_var", "1.num_batches_tracked"]
    assert [name for name, _ in m.named_buffers()] == ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert len(list(m.parameters())) == 4
    assert m.state_dict()["1.num_batches_tracked"].dtype == np.int64


def test_assigning_a_buffer_keeps_it_a_buffer_and_none_leaves_state_dict():
    m = nn.Module()
    m.register_buffer("stat", np.zeros(2))
    m.stat = np.ones(2)
    assert isinstance(m.stat, minidl.Tensor) and not m.stat.requires_grad
    assert m.state_dict()["stat"].tolist() == [1.0, 1.0]
    m.stat = None
    assert list(m.state_dict()) == []
    m.weight = nn.Parameter(np.zeros(1))
    with pytest.raises(ValueError, match="already a parameter"):
        m.register_buffer("weight", np.zeros(1))


def test_load_state_dict_fills_buffers_and_reports_mismatches():
    source, target = model(), model()
    source(minidl.tensor(np.random.default_rng(0).standard_normal((4, 2, 6)).astype(np.float32)))
    target.load_state_dict(source.state_dict())
    for name, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[name], value)
    state = source.state_dict()
    state["1.running_var"] = np.ones(4)
    with pytest.raises(StateDictError, match="1.running_var"):
        target.load_state_dict(state)


def test_to_dtype_converts_floating_buffers_only():
    m = model().double()
    bn = list(m.children())[1]
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    m.float()
    assert bn.running_var.dtype == np.float32


@pytest.mark.skipif("cupy" in kernels.available(), reason="checks the error without a GPU")
def test_to_an_unavailable_device_moves_nothing():
    m = model()
    with pytest.raises(kernels.BackendUnavailableError):
        m.to("cuda")
    assert all(isinstance(b.data, np.ndarray) for b in m.buffers())

"""Conv1d, pooling, BatchNorm1d and LayerNorm against PyTorch in float64, and gradcheck on each.

Settings (strides, paddings including "same", dilations, groups, no bias,
kernel 1, sequences as short as the kernel) are drawn by Hypothesis.
The layers load each other's state dicts, so both sides use the same
weights. Tolerance: scaled max abs error <= 1e-10.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernels
import minidl
from minidl import nn
from tests.helpers import assert_close_scaled, max_scaled_error

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TOL = 1e-10


def load_into_torch(ours, theirs):
    theirs = theirs.double()  # before loading, so float64 weights are not rounded to float32
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    return theirs


def compare(ours, theirs, x, *, seed=0) -> dict:
    """Scaled max errors of two modules on one input and one upstream gradient, per quantity:
    the forward, dL/dx and dL/d(every parameter). Tests assert they are all <= TOL."""
    xt = torch.tensor(x, requires_grad=True)
    xo = minidl.tensor(x, requires_grad=True)
    y, yt = ours(xo), theirs(xt)
    assert y.shape == tuple(yt.shape), f"shape {y.shape} vs torch {tuple(yt.shape)}"
    errors = {"forward": max_scaled_error(y.numpy(), yt.detach().numpy())}
    g = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    errors["dL/dx"] = max_scaled_error(xo.grad, xt.grad.numpy())
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        errors[f"dL/d{name}"] = max_scaled_error(param.grad, theirs_params[name].grad.numpy())
    return errors


@st.composite
def conv_settings(draw):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    K, dilation = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    padding = draw(st.one_of(st.integers(0, 3), st.sampled_from(["same", "valid"])))
    stride = 1 if padding == "same" else draw(st.integers(1, 3))
    pad = {"same": dilation * (K - 1), "valid": 0}.get(padding, 2 * padding if isinstance(padding, int) else 0)
    shortest = max(1, dilation * (K - 1) + 1 - pad)  # as short as the kernel allows
    L = draw(st.integers(shortest, shortest + 6))
    return dict(in_channels=c_in, out_channels=c_out, kernel_size=K, stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=draw(st.booleans())), (draw(st.integers(1, 3)), c_in, L)


@settings(max_examples=40)
@given(drawn=conv_settings(), seed=st.integers(0, 2**16))
def test_conv1d_equals_torch(drawn, seed):
    kwargs, shape = drawn
    minidl.manual_seed(seed)
    ours = nn.Conv1d(**kwargs, dtype=np.float64)
    theirs = load_into_torch(ours, torch.nn.Conv1d(**kwargs))
    errors = compare(ours, theirs, np.random.default_rng(seed).standard_normal(shape), seed=seed)
    assert max(errors.values()) <= TOL, (str(kwargs), errors)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [2, "same"])
def test_conv1d_padding_modes_equal_torch(mode, padding):
    kwargs = dict(in_channels=2, out_channels=3, kernel_size=4, padding=padding, padding_mode=mode)
    ours = nn.Conv1d(**kwargs, dtype=np.float64)
    theirs = load_into_torch(ours, torch.nn.Conv1d(**kwargs))
    errors = compare(ours, theirs, np.random.default_rng(1).standard_normal((2, 2, 7)))
    assert max(errors.values()) <= TOL, (mode, errors)


def test_conv1d_same_padding_of_an_even_kernel_pads_more_on_the_right():
    layer = nn.Conv1d(1, 1, kernel_size=4, padding="same", bias=False, dtype=np.float64)
    assert layer.settings.padding == (1, 2)
    theirs = load_into_torch(layer, torch.nn.Conv1d(1, 1, 4, padding="same", bias=False))
    errors = compare(layer, theirs, np.arange(6.0).reshape(1, 1, 6))
    assert max(errors.values()) <= TOL, errors


def test_conv1d_on_one_unbatched_sequence_and_in_float32():
    layer = nn.Conv1d(3, 2, 3)
    x = np.random.default_rng(0).standard_normal((3, 9)).astype(np.float32)
    y = layer(minidl.tensor(x))
    assert y.shape == (2, 7) and y.dtype == np.float32
    theirs = torch.nn.Conv1d(3, 2, 3)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
    np.testing.assert_allclose(y.numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv1d_is_the_same_on_the_numpy_and_numba_backends(dtype):
    layer = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, dtype=dtype)
    x = np.random.default_rng(4).standard_normal((3, 4, 11)).astype(dtype)
    results = []
    for backend in ("numpy", "numba"):
        with kernels.use(backend):
            xt = minidl.tensor(x, requires_grad=True)
            layer.zero_grad()
            y = layer(xt)
            y.backward(np.ones(y.shape, dtype))
            results.append([y.numpy(), xt.grad, layer.weight.grad, layer.bias.grad])
    for ours, ref in zip(*results):
        assert_close_scaled(ours, ref, 1e-12 if dtype == np.float64 else 2e-5)


def test_conv1d_initialization_has_pytorchs_bounds():
    minidl.manual_seed(0)
    layer = nn.Conv1d(8, 16, kernel_size=5, groups=2)
    bound = 1 / np.sqrt(8 // 2 * 5)  # kaiming_uniform(a=sqrt(5)) and the bias both give 1/sqrt(fan_in)
    for p in (layer.weight.numpy(), layer.bias.numpy()):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.8 * bound
    theirs = torch.nn.Conv1d(8, 16, 5, groups=2)
    assert np.abs(theirs.weight.detach().numpy()).max() <= bound
    assert list(layer.state_dict()) == list(theirs.state_dict())


@settings(max_examples=25)
@given(K=st.integers(1, 5), stride=st.one_of(st.none(), st.integers(1, 4)), data=st.data())
def test_pools_equal_torch(K, stride, data):
    padding = data.draw(st.integers(0, K // 2))
    L = data.draw(st.integers(max(1, K - 2 * padding), 12))
    x = np.random.default_rng(L).standard_normal((2, 3, L))
    errors = compare(nn.MaxPool1d(K, stride, padding), torch.nn.MaxPool1d(K, stride, padding), x)
    assert max(errors.values()) <= TOL, ("max", errors)
    for include in (True, False):
        errors = compare(nn.AvgPool1d(K, stride, padding, count_include_pad=include),
                         torch.nn.AvgPool1d(K, stride, padding, count_include_pad=include), x)
        assert max(errors.values()) <= TOL, (f"avg {include}", errors)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6)])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_batchnorm_train_eval_and_running_statistics_equal_torch(shape, momentum):
    rng = np.random.default_rng(7)
    ours = nn.BatchNorm1d(3, momentum=momentum, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-1, 1)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for step in range(4):  # several steps: the running statistics accumulate
        x = rng.standard_normal(shape) * 3 + step
        errors = compare(ours, theirs, x, seed=step)
        assert max(errors.values()) <= TOL, (f"train step {step}", errors)
        for p in list(ours.parameters()) + list(theirs.parameters()):
            p.grad = None
    for name in ("running_mean", "running_var"):
        assert_close_scaled(getattr(ours, name).numpy(), getattr(theirs, name).numpy(), TOL, name)
    assert int(ours.num_batches_tracked.numpy()) == int(theirs.num_batches_tracked) == 4
    ours.eval(), theirs.eval()
    errors = compare(ours, theirs, rng.standard_normal(shape))
    assert max(errors.values()) <= TOL, ("eval", errors)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("kwargs", [dict(affine=False), dict(track_running_stats=False), dict(eps=0.1)])
def test_batchnorm_options_equal_torch(kwargs):
    ours = nn.BatchNorm1d(4, **kwargs, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(4, **kwargs).double()
    x = np.random.default_rng(2).standard_normal((3, 4, 5))
    errors = compare(ours, theirs, x)
    assert max(errors.values()) <= TOL, ("train", errors)
    ours.eval(), theirs.eval()
    errors = compare(ours, theirs, x)
    assert max(errors.values()) <= TOL, ("eval", errors)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("normalized_shape, shape", [(4, (3, 4)), (5, (2, 3, 5)), ((3, 5), (2, 3, 5))])
@pytest.mark.parametrize("affine", [True, False])
def test_layernorm_equals_torch(normalized_shape, shape, affine):
    theirs = torch.nn.LayerNorm(normalized_shape, elementwise_affine=affine).double()
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-1, 1)
    ours = nn.LayerNorm(normalized_shape, elementwise_affine=affine, dtype=np.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    errors = compare(ours, theirs, np.random.default_rng(3).standard_normal(shape) * 2 + 1)
    assert max(errors.values()) <= TOL, errors


def with_weights(module, **tensors):
    """The module with some parameters swapped for the given tensors, so gradcheck can vary them."""
    for name, tensor in tensors.items():
        object.__setattr__(module, name, tensor)
    return module


def test_gradcheck_passes_on_each_layer():
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    assert minidl.gradcheck(lambda x, w, b: nn.conv1d(x, w, b, stride=2, padding=2, dilation=2, groups=2), x, w, b)
    assert minidl.gradcheck(lambda x, w: nn.conv1d(x, w, padding="same", groups=2), x, w)
    assert minidl.gradcheck(nn.MaxPool1d(3, 2, 1), x)
    assert minidl.gradcheck(nn.AvgPool1d(3, 2, 1, count_include_pad=False), x)
    bn = nn.BatchNorm1d(4, dtype=np.float64)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    assert minidl.gradcheck(lambda x, g, b: with_weights(bn, weight=g, bias=b)(x), x, gamma, beta)
    ln = nn.LayerNorm(9, dtype=np.float64)
    assert minidl.gradcheck(lambda x, g, b: with_weights(ln, weight=g, bias=b)(x), x, rng.standard_normal(9),
                            rng.standard_normal(9))
    assert minidl.gradcheck(lambda x: nn.masked_mean(x, [3, 9]), x)


def test_masked_mean_ignores_the_padding():
    rng = np.random.default_rng(6)
    clip = rng.standard_normal((3, 5))
    for garbage in (np.zeros((3, 4)), rng.standard_normal((3, 4)) * 100):
        batch = np.stack([np.concatenate([clip, garbage], axis=1), rng.standard_normal((3, 9))])  # [2, 3, 9]
        pooled = nn.masked_mean(minidl.tensor(batch, dtype=np.float64), [5, 9]).numpy()
        assert_close_scaled(pooled[0], clip.mean(axis=1), 1e-14, "padded clip")
    with pytest.raises(ValueError, match=r"lengths\[1\] = 0"):
        nn.masked_mean(minidl.zeros(2, 3, 4), [2, 0])
    with pytest.raises(ValueError, match="out of range"):
        nn.masked_mean(minidl.zeros(2, 3, 4), [2, 5])


def test_bad_input_is_a_clear_error_naming_the_values():
    with pytest.raises(ValueError, match="expects 4 input channels.*got 3"):
        nn.Conv1d(4, 2, 3)(minidl.zeros(1, 3, 10))
    with pytest.raises(ValueError, match="kernel spans 7 frames.*padded input's 5"):
        nn.Conv1d(1, 1, 4, padding=1, dilation=2)(minidl.zeros(1, 1, 3))
    with pytest.raises(ValueError, match="in_channels=5 is not divisible by groups=2"):
        nn.Conv1d(5, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels=3 is not divisible by groups=2"):
        nn.Conv1d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv1d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="kernel_size=4 is longer than the padded input's 3"):
        nn.MaxPool1d(4, padding=0)(minidl.zeros(1, 1, 3))
    with pytest.raises(ValueError, match="padding=2 must be at most half of kernel_size=3"):
        nn.AvgPool1d(3, padding=2)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) expects input \[N, 3\]"):
        nn.BatchNorm1d(3)(minidl.zeros(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(minidl.zeros(1, 3))
    with pytest.raises(ValueError, match=r"LayerNorm expects input \[..., 4\]"):
        nn.LayerNorm(4)(minidl.zeros(2, 3))

"""nn: Module bookkeeping, Linear/Dropout/activations, losses against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.errors import StateDictError
from tests.helpers import assert_close_scaled


def small_model():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Dropout(0.5), nn.Linear(4, 2))


def test_named_parameters_follow_pytorch_names():
    names = [n for n, _ in small_model().named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert len(list(small_model().children())) == 4


def test_module_needs_super_init():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__\(\)"):
        Broken()


def test_shared_parameter_listed_once_and_none_unregisters():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, lin)
    assert len(list(model.parameters())) == 2
    nobias = nn.Linear(2, 2, bias=False)
    assert [n for n, _ in nobias.named_parameters()] == ["weight"]


def test_train_eval_switches_every_submodule():
    model = small_model().eval()
    assert not any(m.training for m in model.modules())
    x = minidl.randn(8, 3)
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())  # dropout off
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_all():
    model = small_model()
    model(minidl.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_and_mismatches_named():
    a, b = small_model(), small_model()
    b.load_state_dict(a.state_dict())
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
    state = a.state_dict()
    del state["0.bias"]
    state["extra"] = np.zeros(1)
    state["3.weight"] = np.zeros((5, 5))
    with pytest.raises(StateDictError) as info:
        b.load_state_dict(state)
    msg = str(info.value)
    assert "missing keys: ['0.bias']" in msg and "unexpected keys: ['extra']" in msg
    assert "'3.weight': shape (5, 5) in the state_dict, (2, 4) in the model" in msg
    # nothing was changed by the failed load
    np.testing.assert_array_equal(b.state_dict()["0.weight"], a.state_dict()["0.weight"])


def test_linear_initialization_bounds_and_validation():
    minidl.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(lin.weight.data).max() <= bound and np.abs(lin.weight.data).max() > 0.9 * bound
    assert lin.weight.shape == (50, 100) and lin.bias.shape == (50,)
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="last axis 100"):
        lin(minidl.zeros(2, 99))


def test_dropout_scales_kept_values_and_validates_p():
    minidl.manual_seed(1)
    x = minidl.ones(10_000)
    y = nn.dropout(x, 0.25).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.02
    assert (nn.dropout(x, 1.0).numpy() == 0).all()
    with pytest.raises(ValueError, match=r"probability in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


@pytest.mark.torch
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (4, 2, 5)])
def test_linear_matches_torch_with_loaded_state(shape, bias):
    torch = pytest.importorskip("torch")
    tlin = torch.nn.Linear(5, 3, bias=bias).double()
    lin = nn.Linear(5, 3, bias=bias, dtype=np.float64)
    lin.load_state_dict({k: v.detach().numpy() for k, v in tlin.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    xt = torch.tensor(x, requires_grad=True)
    xm = minidl.tensor(x, requires_grad=True)
    out, tout = lin(xm), tlin(xt)
    assert_close_scaled(out.numpy(), tout.detach().numpy(), 1e-12, "forward")
    out.sum().backward()
    tout.sum().backward()
    assert_close_scaled(xm.grad, xt.grad.numpy(), 1e-12, "input grad")
    assert_close_scaled(lin.weight.grad, tlin.weight.grad.numpy(), 1e-12, "weight grad")
    if bias:
        assert_close_scaled(lin.bias.grad, tlin.bias.grad.numpy(), 1e-12, "bias grad")


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5)])
def test_cross_entropy_matches_torch(reduction, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    logits = rng.standard_normal(shape) * 3
    target = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    z = minidl.tensor(logits, requires_grad=True)
    tz = torch.tensor(logits, requires_grad=True)
    loss = nn.cross_entropy(z, target, reduction=reduction)
    tloss = torch.nn.functional.cross_entropy(tz, torch.tensor(target), reduction=reduction)
    assert_close_scaled(loss.numpy(), tloss.detach().numpy(), 1e-12, "loss")
    g = rng.standard_normal(loss.shape)
    loss.backward(g)
    tloss.backward(torch.tensor(g))
    assert_close_scaled(z.grad, tz.grad.numpy(), 1e-12, "grad")


@pytest.mark.torch
def test_cross_entropy_mask_equals_torch_ignore_index():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4, 3, 6))  # [N, C, T]
    target = rng.integers(0, 3, (4, 6))
    mask = rng.random((4, 6)) > 0.3
    padded = np.where(mask, target, -1)  # padding labels may hold anything
    z = minidl.tensor(logits, requires_grad=True)
    tz = torch.tensor(logits, requires_grad=True)
    loss = nn.cross_entropy(z, padded, mask=mask)
    tloss = torch.nn.functional.cross_entropy(tz, torch.tensor(np.where(mask, target, -100)), ignore_index=-100)
    assert_close_scaled(loss.numpy(), tloss.detach().numpy(), 1e-12, "masked loss")
    loss.backward()
    tloss.backward()
    assert_close_scaled(z.grad, tz.grad.numpy(), 1e-12, "masked grad")


def test_cross_entropy_bad_input():
    z = minidl.zeros(4, 3)
    with pytest.raises(ValueError, match=r"target has shape \(3,\), expected \(4,\)"):
        nn.cross_entropy(z, [0, 1, 2])
    with pytest.raises(ValueError, match="target value 3 is out of range for 3 classes"):
        nn.cross_entropy(z, [0, 1, 2, 3])
    with pytest.raises(TypeError, match="integer class indices"):
        nn.cross_entropy(z, [0.0, 1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.cross_entropy(z, [0, 1, 2, 0], reduction="avg")


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_bce_match_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.standard_normal(7) * 20, [0.0]])  # large logits and exactly 0
    y = (rng.random(8) > 0.5).astype(np.float64)
    for ours, theirs in [
        (nn.mse_loss, torch.nn.functional.mse_loss),
        (nn.binary_cross_entropy_with_logits, torch.nn.functional.binary_cross_entropy_with_logits),
    ]:
        z, tz = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        loss, tloss = ours(z, y, reduction=reduction), theirs(tz, torch.tensor(y), reduction=reduction)
        assert_close_scaled(loss.numpy(), tloss.detach().numpy(), 1e-12, ours.__name__)
        g = rng.standard_normal(loss.shape)
        loss.backward(g)
        tloss.backward(torch.tensor(g))
        assert_close_scaled(z.grad, tz.grad.numpy(), 1e-12, ours.__name__ + " grad")


def test_activation_modules():
    x = minidl.tensor([[-1.0, 0.5]])
    np.testing.assert_allclose(nn.ReLU()(x).numpy(), [[0.0, 0.5]])
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).numpy().sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).exp().numpy(), nn.Softmax(dim=1)(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp([[1.0, -0.5]])), rtol=1e-6)
    assert nn.Identity()(x) is x


def test_module_to_moves_parameters_in_place_and_refuses_a_missing_gpu():
    import kernels

    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    params = list(model.parameters())
    before = [p.data.copy() for p in params]
    for p in params:
        p.grad = np.ones_like(p.data)
    assert model.to("cpu") is model
    assert list(model.parameters()) == params  # the same objects: an optimizer keeps working
    assert all(p.grad is None for p in params)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        model.to("tpu")
    if "cupy" not in kernels.available():
        with pytest.raises(kernels.BackendUnavailableError, match="cupy"):
            model.to("cuda")
    for p, b in zip(params, before):  # nothing moved or changed on failure
        assert p.device == "cpu" and np.array_equal(p.data, b)

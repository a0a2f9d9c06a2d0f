"""minidl on the GPU: tensors, ops, modules, optimizers, recurrent layers, training.

Marked ``gpu``: skipped where CuPy or a CUDA device is missing (CI). Each
test runs the same computation on "cpu" and on "cuda" and compares, in
float64 at 1e-10 (the GPU reorders sums, so bit equality is not expected);
the recurrent layers are also compared with PyTorch on the GPU (cuDNN).
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn, optim
from minidl.errors import DeviceMismatchError
from minidl.nn.losses import cross_entropy

cupy = pytest.importorskip("cupy", reason="cupy is not installed")
pytestmark = pytest.mark.gpu

TOL = 1e-10


def host(x):
    return cupy.asnumpy(x.data if isinstance(x, minidl.Tensor) else x)


def assert_same(ours_gpu, ours_cpu, what, tol=TOL):
    a, b = host(ours_gpu), np.asarray(ours_cpu.data if isinstance(ours_cpu, minidl.Tensor) else ours_cpu)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    err = float(np.max(np.abs(a - b), initial=0.0)) / max(1.0, float(np.max(np.abs(b), initial=0.0)))
    assert err <= tol, f"{what}: scaled error {err:.2e} between cuda and cpu"


def test_tensors_move_between_devices_and_refuse_to_mix():
    x = minidl.tensor([[1.0, 2.0]], device="cuda", requires_grad=True)
    assert x.device == "cuda" and isinstance(x.data, cupy.ndarray)
    back = x.to("cpu")
    assert back.device == "cpu" and back.requires_grad and np.array_equal(back.data, [[1.0, 2.0]])
    assert x.to("cuda") is x
    with pytest.raises(DeviceMismatchError, match=r"\['cpu', 'cuda'\]"):
        x + minidl.tensor([[1.0, 2.0]])


def composite(x, w, b, labels):
    """Many ops in one graph: matmul, broadcasting, pointwise, reductions, indexing, softmax, a loss."""
    h = (x @ w + b).tanh()
    h = h * h.sigmoid() + h.exp().log() - h.relu() / 2
    z = h.reshape(4, 3)[1:, :].mean(axis=0, keepdims=True) + h.sum(axis=1, keepdims=True)[:1]
    return cross_entropy(h, labels) + (z * z).sum() + h.log_softmax(axis=1).mean()


def test_ops_and_their_backward_on_gpu_equal_cpu():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)]
    labels = np.array([0, 2, 1, 2])
    results = {}
    for device in ("cpu", "cuda"):
        leaves = [minidl.tensor(a, requires_grad=True, device=device) for a in arrays]
        loss = composite(*leaves, labels)
        loss.backward()
        results[device] = (loss, [leaf.grad for leaf in leaves])
    assert_same(results["cuda"][0], results["cpu"][0], "loss")
    for k, (g_gpu, g_cpu) in enumerate(zip(results["cuda"][1], results["cpu"][1])):
        assert isinstance(g_gpu, cupy.ndarray), f"grad {k} is {type(g_gpu).__name__}"
        assert_same(g_gpu, g_cpu, f"grad of input {k}")


@pytest.mark.parametrize("make_optimizer", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda p: optim.Adam(p, lr=0.01),
    lambda p: optim.RMSprop(p, lr=0.01),
], ids=["sgd", "adam", "rmsprop"])
def test_module_and_optimizer_steps_on_gpu_equal_cpu(make_optimizer):
    x = np.random.default_rng(1).standard_normal((8, 6))
    models = {}
    for device in ("cpu", "cuda"):
        minidl.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64)).to(device)
        opt = make_optimizer(model.parameters())
        for _ in range(3):
            opt.zero_grad()
            out = model(minidl.tensor(x, device=device))
            (out * out).mean().backward()
            optim.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        models[device] = model
    for (name, p_gpu), (_, p_cpu) in zip(models["cuda"].named_parameters(), models["cpu"].named_parameters()):
        assert p_gpu.device == "cuda"
        assert_same(p_gpu, p_cpu, name)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional,num_layers,lengths", [(False, 1, None), (True, 2, [7, 3, 1])])
def test_recurrent_layers_on_gpu_equal_cpu(kind, bidirectional, num_layers, lengths):
    x = np.random.default_rng(2).standard_normal((7, 3, 4))
    lengths = None if lengths is None else np.array(lengths)
    runs = {}
    for device in ("cpu", "cuda"):
        minidl.manual_seed(0)
        layer = getattr(nn, kind)(4, 5, num_layers=num_layers, bidirectional=bidirectional,
                                  dtype=np.float64).to(device)
        xt = minidl.tensor(x, requires_grad=True, device=device)
        out, state = layer(xt, lengths=lengths)
        h_n = state[0] if kind == "LSTM" else state
        ((out * out).sum() + (h_n * h_n).sum()).backward()
        runs[device] = (out, xt.grad, dict(layer.named_parameters()))
    assert_same(runs["cuda"][0], runs["cpu"][0], f"{kind} output")
    assert_same(runs["cuda"][1], runs["cpu"][1], f"{kind} input gradient")
    for name, p in runs["cpu"][2].items():
        assert_same(runs["cuda"][2][name].grad, p.grad, f"{kind} {name} gradient")


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers_on_gpu_equal_pytorch_cudnn(kind):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("this PyTorch has no CUDA")
    x = np.random.default_rng(3).standard_normal((9, 4, 6))
    theirs = getattr(torch.nn, kind)(6, 8, num_layers=2, bidirectional=True).double().cuda()
    ours = getattr(nn, kind)(6, 8, num_layers=2, bidirectional=True, dtype=np.float64)
    ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in theirs.state_dict().items()})
    ours.to("cuda")
    tx = torch.tensor(x, requires_grad=True, device="cuda")
    t_out, _ = theirs(tx)
    (t_out * t_out).sum().backward()
    xt = minidl.tensor(x, requires_grad=True, device="cuda")
    out, _ = ours(xt)
    (out * out).sum().backward()
    assert_same(out, t_out.detach().cpu().numpy(), f"{kind} output vs cuDNN", 1e-9)
    assert_same(xt.grad, tx.grad.cpu().numpy(), f"{kind} input gradient vs cuDNN", 1e-9)
    for name, p in theirs.named_parameters():
        assert_same(dict(ours.named_parameters())[name].grad, p.grad.cpu().numpy(), f"{kind} {name} vs cuDNN", 1e-9)


def test_a_recurrent_classifier_learns_on_gpu():
    """Two classes of sequences (rising vs falling ramps plus noise): the loss must fall well below chance."""
    rng = np.random.default_rng(4)
    ramps = np.linspace(-1, 1, 12)
    labels = rng.integers(0, 2, size=64)
    x = np.where(labels[None, :, None] == 1, ramps[:, None, None], -ramps[:, None, None])
    x = (x + 0.3 * rng.standard_normal((12, 64, 3))).astype(np.float32)  # [T, B, 3]
    minidl.manual_seed(0)
    lstm, head = nn.LSTM(3, 16).to("cuda"), nn.Linear(16, 2).to("cuda")
    opt = optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.02)
    xt = minidl.tensor(x, device="cuda")
    losses = []
    for _ in range(60):
        opt.zero_grad()
        _, (h_n, _) = lstm(xt)
        loss = cross_entropy(head(h_n[0]), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] > 0.5 and losses[-1] < 0.2, losses[::10]  # chance is log 2 = 0.69

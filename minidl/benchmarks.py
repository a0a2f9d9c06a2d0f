"""``minidl bench`` rows for the autograd engine, against PyTorch on the CPU.

Each row builds the same computation in minidl and in PyTorch, with the
same weights and data, and the harness times both in one run.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn

AUTOGRAD_GOAL = 0.8  # the engine's overhead on small dense work: at most 0.8x PyTorch


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def mlp_step_row(batch: int = 256, widths=(64, 256, 256, 10)) -> Row:
    """One Adam training step of an MLP: forward, cross-entropy, backward, update."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, widths[0])).astype(np.float32)
    y = rng.integers(0, widths[-1], batch)
    layers = []
    for i in range(len(widths) - 1):
        layers += [nn.Linear(widths[i], widths[i + 1]), nn.ReLU()]

    def twin(torch):
        tlayers = []
        for i in range(len(widths) - 1):
            tlayers += [torch.nn.Linear(widths[i], widths[i + 1]), torch.nn.ReLU()]
        return torch.nn.Sequential(*tlayers[:-1])

    return adam_step_row(f"MLP Adam step B={batch} {'-'.join(map(str, widths))} f32", nn.Sequential(*layers[:-1]),
                         twin, x, y, goal=AUTOGRAD_GOAL)


def mlp_matmuls_row(batch: int = 256, widths=(64, 256, 256, 10)) -> Row:
    """The matrix products of one MLP training step alone, against PyTorch's whole step.

    No goal: this row is the floor under the MLP row, as the LSTM and
    Conv1d floors are under theirs. A step cannot take less than its BLAS
    products: x W^T for each layer forward, and backward each layer's
    weight gradient g^T h and (for every layer but the first, whose input
    needs none) its input gradient g W.
    """
    rng = np.random.default_rng(0)
    acts = [rng.standard_normal((batch, w)).astype(np.float32) for w in widths]  # each layer's input, then output
    weights = [rng.standard_normal((widths[i + 1], widths[i])).astype(np.float32) for i in range(len(widths) - 1)]

    def ours():
        for i, w in enumerate(weights):
            acts[i] @ w.T                            # forward [B, out]
        for i in reversed(range(len(weights))):
            acts[i + 1].T @ acts[i]                  # dW [out, in] (the output's gradient has its shape)
            if i > 0:
                acts[i + 1] @ weights[i]             # d input [B, in]

    torch = torch_or_none()
    reference = mlp_step_row(batch, widths).reference if torch is not None else None
    return Row(f"MLP matmuls only (floor) B={batch} {'-'.join(map(str, widths))} f32", ours, reference,
               torch_label(torch))


def adam_step_row(name: str, model, twin, x, y, *, goal: float | None = None) -> Row:
    """One Adam step (forward, cross-entropy, backward, update) of ``model`` on (x, y), against PyTorch.

    ``twin(torch)`` builds the same network in PyTorch with the same
    parameter names; it starts from ``model``'s weights.
    """
    opt = minidl.optim.Adam(model.parameters(), lr=1e-3)
    xt = minidl.tensor(x)

    def ours():
        opt.zero_grad()
        nn.cross_entropy(model(xt), y).backward()
        opt.step()

    torch = torch_or_none()
    reference = None
    if torch is not None:
        tmodel = twin(torch)
        tmodel.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def reference():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

    return Row(name, ours, reference, torch_label(torch), goal=goal)


def softmax_xent_row(rows: int = 4096, classes: int = 100) -> Row:
    """Cross-entropy forward and backward on a large batch of logits."""
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((rows, classes)).astype(np.float32)
    target = rng.integers(0, classes, rows)

    def ours():
        z = minidl.tensor(logits, requires_grad=True)
        nn.cross_entropy(z, target).backward()

    torch = torch_or_none()
    reference = None
    if torch is not None:
        tz, tt = torch.from_numpy(logits), torch.from_numpy(target)

        def reference():
            z = tz.clone().requires_grad_(True)
            torch.nn.functional.cross_entropy(z, tt).backward()

    return Row(f"cross_entropy fwd+bwd {rows}x{classes} f32", ours, reference, torch_label(torch),
               goal=AUTOGRAD_GOAL)


def torch_label(torch) -> str:
    return f"torch {torch.__version__}" if torch is not None else "torch (not installed)"


def rows() -> list[Row]:
    """Every autograd row, in the order the table prints them."""
    return [mlp_step_row(), mlp_matmuls_row(), softmax_xent_row()]

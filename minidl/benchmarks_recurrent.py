"""``minidl bench`` rows for the recurrent layers, against PyTorch on the CPU.

A training step is forward, a loss on every output, backward, and nothing
else (no optimizer), float32, at the sizes of the issue: T=100, B=32,
input 40, hidden 128, one layer. Both sides use the same weights and data.

The reference is PyTorch's default CPU path, as a user gets it: for the
LSTM that is oneDNN's fused kernel. A second row per layer times PyTorch
with oneDNN switched off (``torch.backends.mkldnn.flags(enabled=False)``),
its own ATen loop over cells, for comparison.
"""
from __future__ import annotations

import warnings

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn
from minidl.benchmarks import torch_or_none, torch_label

SIZES = dict(T=100, B=32, I=40, H=128)
GOALS = {"lstm": 1.0, "gru": 0.6, "rnn": 0.6}  # ours / PyTorch's default path (issue 19)


def without_onednn(torch, fn):
    """``fn`` run by PyTorch with oneDNN (MKL-DNN) switched off."""
    def run():
        with warnings.catch_warnings():  # torch warns about TF32 on Intel GPUs when the flags change
            warnings.simplefilter("ignore", UserWarning)
            with torch.backends.mkldnn.flags(enabled=False):
                return fn()
    return run


def train_step_row(kind: str, T=100, B=32, I=40, H=128, *, onednn: bool = True) -> Row:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    g = rng.standard_normal((T, B, H)).astype(np.float32)
    layer = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind](I, H)
    xt, gt = minidl.tensor(x), minidl.tensor(g)

    def ours():
        layer.zero_grad()
        out, _ = layer(xt)
        (out * gt).sum().backward()

    torch = torch_or_none()
    reference = None
    if torch is not None:
        tlayer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](I, H)
        tlayer.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
        tx, tg = torch.from_numpy(x), torch.from_numpy(g)

        def reference():
            tlayer.zero_grad()
            out, _ = tlayer(tx)
            (out * tg).sum().backward()

    name = f"{kind.upper()} train step T={T} B={B} I={I} H={H} f32"
    if onednn:
        return Row(name, ours, reference, torch_label(torch), goal=GOALS[kind])
    return Row(name + " (no oneDNN)", ours, reference and without_onednn(torch, reference),
               torch_label(torch) + ", oneDNN off")


def lstm_matmuls_row(T=100, B=32, I=40, H=128) -> Row:
    """The matrix products of one LSTM training step alone, against PyTorch's whole step.

    No goal: this row is the floor under the LSTM row. Whatever the gate
    kernels do, a step cannot take less than its BLAS products: the input
    projection, the forward h W_hh^T and backward d_a W_hh of every time
    step, and the two weight gradients (dx is skipped: data needs none).
    """
    rng = np.random.default_rng(0)
    G = 4 * H
    x = rng.standard_normal((T * B, I)).astype(np.float32)
    h = rng.standard_normal((B, H)).astype(np.float32)
    d_a = rng.standard_normal((B, G)).astype(np.float32)
    d_all = rng.standard_normal((T * B, G)).astype(np.float32)
    h_all = rng.standard_normal((T * B, H)).astype(np.float32)
    w_ih = rng.standard_normal((G, I)).astype(np.float32)
    w_hh = rng.standard_normal((G, H)).astype(np.float32)
    w_hh_t = np.ascontiguousarray(w_hh.T)

    def ours():
        x @ w_ih.T                       # input projection [T*B, 4H]
        for _ in range(T):
            h @ w_hh_t                   # forward, per step [B, 4H]
        for _ in range(T):
            d_a @ w_hh                   # backward, per step [B, H]
        d_all.T @ x                      # dW_ih [4H, I]
        d_all.T @ h_all                  # dW_hh [4H, H]

    torch = torch_or_none()
    reference = None
    if torch is not None:
        reference = train_step_row("lstm", T, B, I, H).reference
    return Row(f"LSTM matmuls only (floor) T={T} B={B} I={I} H={H} f32", ours, reference,
               torch_label(torch))


def rows() -> list[Row]:
    return ([train_step_row(kind) for kind in ("lstm", "gru", "rnn")]
            + [train_step_row(kind, onednn=False) for kind in ("lstm", "gru", "rnn")] + [lstm_matmuls_row()])

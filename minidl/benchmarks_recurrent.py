"""``minidl bench`` rows for the recurrent layers, against PyTorch on the CPU.

A training step is forward, a loss on every output, backward, and nothing
else (no optimizer), float32, at the sizes of the issue: T=100, B=32,
input 40, hidden 128, one layer. Both sides use the same weights and data.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn
from minidl.benchmarks import torch_or_none, torch_label

SIZES = dict(T=100, B=32, I=40, H=128)


def train_step_row(kind: str, T=100, B=32, I=40, H=128) -> Row:
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

    return Row(f"{kind.upper()} train step T={T} B={B} I={I} H={H} f32", ours, reference,
               torch_label(torch), goal=0.8)


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
    return [train_step_row(kind) for kind in ("lstm", "gru", "rnn")] + [lstm_matmuls_row()]

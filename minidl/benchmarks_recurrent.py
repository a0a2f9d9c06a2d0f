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


def rows() -> list[Row]:
    return [train_step_row(kind) for kind in ("lstm", "gru", "rnn")]

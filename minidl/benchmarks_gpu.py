"""``minidl bench`` GPU rows for the recurrent layers (only where CuPy has a CUDA device).

A training step as in ``benchmarks_recurrent`` (forward, a loss on every
output, backward; float32) at the GPU issue's sizes: T=100, B=64, input 40,
hidden 256, one layer. References in the same run: PyTorch on the same GPU
(cuDNN) and our own layer on the CPU.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from kernels.cuda import synchronized
from minidl import nn
from minidl.benchmarks import torch_or_none, torch_label

SIZES = dict(T=100, B=64, I=40, H=256)


def train_step_rows(kind: str, T=100, B=64, I=40, H=256) -> list[Row]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    g = rng.standard_normal((T, B, H)).astype(np.float32)
    cpu_layer = {"lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H)
    gpu_layer = {"lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H)
    gpu_layer.load_state_dict(cpu_layer.state_dict())
    gpu_layer.to("cuda")

    def step(layer, device):
        xt, gt = minidl.tensor(x, device=device), minidl.tensor(g, device=device)

        def run():
            layer.zero_grad()
            out, _ = layer(xt)
            (out * gt).sum().backward()
        return synchronized(run) if device == "cuda" else run

    ours = step(gpu_layer, "cuda")
    torch = torch_or_none()
    reference = None
    if torch is not None and torch.cuda.is_available():
        tlayer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](I, H).cuda()
        tlayer.load_state_dict({k: torch.from_numpy(v) for k, v in cpu_layer.state_dict().items()})
        tx, tg = torch.from_numpy(x).cuda(), torch.from_numpy(g).cuda()

        def reference():
            tlayer.zero_grad()
            out, _ = tlayer(tx)
            (out * tg).sum().backward()
            torch.cuda.synchronize()

    name = f"GPU {kind.upper()} train step T={T} B={B} I={I} H={H} f32"
    return [Row(name, ours, reference, torch_label(torch) + " cuDNN", goal=2.0),
            Row(name + " vs our CPU", ours, step(cpu_layer, "cpu"), "minidl on the CPU")]


def rows() -> list[Row]:
    return train_step_rows("lstm") + train_step_rows("gru")

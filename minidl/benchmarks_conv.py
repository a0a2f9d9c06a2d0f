"""``minidl bench`` row for convolution: Conv1d forward+backward against PyTorch on the CPU.

The sizes are those of one layer of a small audio CNN: N=32 clips,
64 -> 64 channels, L=200 frames, kernel 5 with padding 2 (L_out = L),
float32. Each side runs the layer, then backward with dL/dy = 1, filling
the gradients of the input, the weight and the bias.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn
from minidl.benchmarks import torch_label, torch_or_none

SIZES = dict(N=32, channels=64, L=200, kernel_size=5)


def conv1d_row(N=32, channels=64, L=200, kernel_size=5) -> Row:
    padding = kernel_size // 2
    layer = nn.Conv1d(channels, channels, kernel_size, padding=padding)
    x = np.random.default_rng(0).standard_normal((N, channels, L)).astype(np.float32)
    ones = np.ones((N, channels, L), dtype=np.float32)  # dL/dy

    def ours():
        layer.zero_grad()
        inputs = minidl.tensor(x, requires_grad=True)
        layer(inputs).backward(ones)

    torch = torch_or_none()
    reference = None
    if torch is not None:
        tlayer = torch.nn.Conv1d(channels, channels, kernel_size, padding=padding)
        tlayer.load_state_dict({k: torch.from_numpy(v) for k, v in layer.state_dict().items()})
        t_ones = torch.from_numpy(ones)

        def reference():
            tlayer.zero_grad()
            inputs = torch.tensor(x, requires_grad=True)
            tlayer(inputs).backward(t_ones)

    return Row(f"Conv1d forward+backward N={N} C={channels}->{channels} L={L} K={kernel_size} f32",
               ours, reference, torch_label(torch), goal=1.0)


def rows() -> list[Row]:
    return [conv1d_row(**SIZES)]

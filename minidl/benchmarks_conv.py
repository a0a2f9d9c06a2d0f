"""``minidl bench`` rows for convolution, against PyTorch on the CPU.

- Conv1d forward+backward, the sizes of one layer of a small audio CNN:
  N=32 clips, 64 -> 64 channels, L=200 frames, kernel 5 with padding 2
  (L_out = L), float32; backward with dL/dy = 1 fills the gradients of the
  input, the weight and the bias.
- One Adam training step of ``minidl train --model crnn`` (two conv
  blocks that halve time, a bidirectional GRU, the mean, a linear layer) on
  a batch of 32 MFCC sequences of 100 frames, and the same network in
  PyTorch with the same weights.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn
from minidl.benchmarks import adam_step_row, torch_label, torch_or_none
from minidl.conv_classifiers import POOL, CRNNClassifier

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


def conv1d_matmuls_row(N=32, channels=64, L=200, kernel_size=5) -> Row:
    """The matrix products of the Conv1d row alone, against PyTorch's whole forward+backward.

    No goal: this row is the floor under the Conv1d row. Our stride-1
    convolution is K products per pass (``kernels/conv/cpu.py``): tap k's
    [C_out, C_in] weights times the input shifted by k frames, [C_in, N L_pad];
    backward repeats them transposed for dL/dx and against dL/dy for dL/dw.
    Whatever the rest costs, a step cannot take less than these 3 K
    products in NumPy's BLAS.
    """
    rng = np.random.default_rng(0)
    padding = kernel_size // 2
    columns = N * (L + 2 * padding) - (kernel_size - 1)  # M: the shifted views' width
    taps = rng.standard_normal((kernel_size, channels, channels)).astype(np.float32)  # [K, C_out, C_in]
    x = rng.standard_normal((channels, N * (L + 2 * padding))).astype(np.float32)  # [C_in, N L_pad]
    g = rng.standard_normal((channels, columns)).astype(np.float32)  # dL/dy [C_out, M]

    def ours():
        for k in range(kernel_size):
            taps[k] @ x[:, k: k + columns]     # forward: y += w_k x_k
            taps[k].T @ g                      # dL/dx_k = w_k^T dL/dy
            g @ x[:, k: k + columns].T         # dL/dw_k = dL/dy x_k^T

    torch = torch_or_none()
    reference = conv1d_row(N, channels, L, kernel_size).reference if torch is not None else None
    return Row(f"Conv1d matmuls only (floor) N={N} C={channels}->{channels} L={L} K={kernel_size} f32",
               ours, reference, torch_label(torch))


def torch_crnn(torch, input_size: int, hidden: int, classes: int, blocks: int, kernel_size: int):
    """``CRNNClassifier`` in PyTorch, with the same parameter names, for clips without padding."""

    class Block(torch.nn.Module):
        def __init__(self, c_in):
            super().__init__()
            self.conv = torch.nn.Conv1d(c_in, hidden, kernel_size, padding="same")
            self.norm = torch.nn.LayerNorm(hidden)

        def forward(self, x):  # [B, C, T] -> [B, H, T]
            return self.norm(self.conv(x).transpose(1, 2)).relu().transpose(1, 2)

    class CRNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList(Block(input_size if k == 0 else hidden) for k in range(blocks))
            self.pool = torch.nn.MaxPool1d(**POOL)
            self.recurrent = torch.nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
            self.output = torch.nn.Linear(2 * hidden, classes)

        def forward(self, x):  # x [B, T, F]; every frame valid, so no masks and no packing
            h = x.transpose(1, 2)
            for block in self.blocks:
                h = self.pool(block(h))
            outputs, _ = self.recurrent(h.transpose(1, 2))  # [B, T', 2H]
            return self.output(outputs.mean(dim=1))

    return CRNN()


def crnn_step_row(N=32, T=100, features=39, hidden=64, classes=10) -> Row:
    model = CRNNClassifier(features, hidden, classes)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, T, features)).astype(np.float32)
    y = rng.integers(0, classes, N)
    kernel_size = model.blocks[0].conv.kernel_size[0]
    return adam_step_row(f"CRNN Adam step B={N} T={T} F={features} H={hidden} f32", model,
                         lambda torch: torch_crnn(torch, features, hidden, classes, len(model.blocks), kernel_size),
                         x, y)


def rows() -> list[Row]:
    return [conv1d_row(**SIZES), conv1d_matmuls_row(**SIZES), crnn_step_row()]

"""Convolutional clip classifiers: a CNN, a CRNN and a TCN over feature sequences with lengths.

All three read a padded batch x [B, T, F] (batch first, as
``SequenceClassifier``) with ``lengths`` [B], turn it to the convolution
layout [B, C, T], and end with ``masked_mean`` over each clip's valid
frames and a linear layer. Padding never changes a clip's answer; how each
model makes sure of it:

- normalization is ``LayerNorm`` over the channels of each frame, never
  across frames or clips (batch norm's statistics would mix the padding
  of one clip into the answers of the others);
- ``CNNClassifier`` and ``CRNNClassifier`` convolve with "same" padding,
  so a valid frame near a clip's end reads frames past it. Zeroing every
  padded frame before each convolution makes those frames exactly the
  zeros a lone clip is padded with;
- ``CRNNClassifier`` halves time twice; each clip's own length after a
  pool is :func:`pooled_lengths` (``kernels.conv.output_length``, the one
  formula) of its length before, and the bidirectional GRU and the mean
  use those lengths;
- ``TCNClassifier`` uses causal convolutions (left padding only): frame t
  depends on frames <= t alone, so padding at the end never reaches a
  valid frame and needs no mask until the mean.

The CTC recognizers of ``minidl.conv_recognizers`` are built from the same
pieces: :func:`masked_blocks`, :func:`pooled_lengths` and :func:`tcn_layers`.
"""
from __future__ import annotations

import numpy as np

from kernels.conv import output_length
from minidl import validate
from minidl.nn import GRU, Dropout, LayerNorm, Linear, Module, Sequential
from minidl.nn.conv import CausalConv1d, Conv1d, MaxPool1d, masked_mean
from minidl.nn.ctc import check_lengths
from minidl.tensor import Tensor, as_tensor

POOL = dict(kernel_size=2, stride=2, padding=1)  # halves time; never leaves a clip without a frame


def frames_and_mask(x: Tensor, lengths, where: str):
    """(lengths int64 [B], mask [B, 1, T]: 1 on each clip's valid frames, 0 on padding) for x [B, C, T]."""
    B, _, T = x.shape
    lengths = np.full(B, T, dtype=np.int64) if lengths is None else check_lengths("lengths", lengths, B, where,
                                                                                  upper=T)
    valid = (np.arange(T)[None, :] < lengths[:, None]).astype(x.dtype)[:, None, :]  # [B, 1, T]
    return lengths, x.xp.asarray(valid)


class ConvBlock(Module):
    """Convolution, LayerNorm over the channels of each frame, ReLU: [B, C_in, T] -> [B, C_out, T'].

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
    causal : bool
        Left padding only (``CausalConv1d``) instead of "same".
    dilation : int
    dropout : float
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, causal: bool = False,
                 dilation: int = 1, dropout: float = 0.0):
        super().__init__()
        self.conv = (CausalConv1d(in_channels, out_channels, kernel_size, dilation=dilation) if causal else
                     Conv1d(in_channels, out_channels, kernel_size, padding="same", dilation=dilation))
        self.norm = LayerNorm(out_channels)
        self.dropout = Dropout(dropout)

    def forward(self, x):
        y = self.conv(x).transpose(1, 2)  # [B, T, C_out]: LayerNorm takes the last axis
        return self.dropout(self.norm(y).relu()).transpose(1, 2)  # [B, C_out, T]


def conv_stack(input_size: int, channels: int, blocks: int, kernel_size: int, dropout: float) -> Sequential:
    """``blocks`` "same" ConvBlocks: [B, input_size, T] -> [B, channels, T]."""
    return Sequential(*(ConvBlock(input_size if k == 0 else channels, channels, kernel_size, dropout=dropout)
                        for k in range(blocks)))


def pooled_lengths(lengths, pools: int):
    """Frames left after ``pools`` of the ``POOL`` max-pools: T -> floor(T / 2) + 1 each time.

    The one place the subsampled length is computed (``kernels.conv.output_length``,
    the formula the pooling kernels use), for the models' masks and lengths and
    for the check that an utterance keeps enough frames for CTC.

    Parameters
    ----------
    lengths : int or int array [B]
    pools : int >= 0

    Examples
    --------
    >>> pooled_lengths(np.array([1, 2, 9, 100]), 2).tolist()
    [1, 2, 3, 26]
    """
    for _ in range(pools):
        lengths = output_length(lengths, POOL["kernel_size"], stride=POOL["stride"], padding=(POOL["padding"],) * 2)
    return lengths


def masked_blocks(blocks, x: Tensor, lengths, *, where: str, pool=None, pools: int = 0):
    """Conv blocks over a padded batch, each block's padded frames zeroed; a pool after the first ``pools``.

    Zeroing before every "same" convolution makes the frames past a
    sequence's end exactly the zeros a lone sequence is padded with, so
    padding never changes a valid frame. A pool runs on zeroed padding after
    the ReLU: a padded 0 never beats a valid value (>= 0), as the pool's own
    -inf padding would not.

    Parameters
    ----------
    blocks : sequence of ConvBlock
    x : Tensor [B, C, T]
    lengths : int array [B] or None (every frame)
    where : str
        The model named in a bad-lengths error.
    pool : Module or None
        ``MaxPool1d(**POOL)``; needed when ``pools`` > 0.
    pools : int in [0, len(blocks)]

    Returns
    -------
    h : Tensor [B, H, T'], zeros past each sequence's length; T' = ``pooled_lengths(T, pools)``
    lengths : int64 array [B], each sequence's own T'
    """
    lengths, mask = frames_and_mask(x, lengths, where)
    h = x * mask  # whatever the padding held, it is zeros now
    for k, block in enumerate(blocks):
        h = block(h) * mask  # padding back to zeros: the next convolution reads what a lone sequence would
        if k < pools:
            h = pool(h)  # [B, H, floor(T / 2) + 1]
            lengths, mask = frames_and_mask(h, pooled_lengths(lengths, 1), where)
            h = h * mask
    return h, lengths


class CNNClassifier(Module):
    """Conv blocks with "same" padding, masked global average pooling, a linear layer.

    Parameters
    ----------
    input_size, hidden_size, num_classes : int
        F, the channels of every block, and the classes.
    blocks, kernel_size : int
    dropout : float
        After each block and before the output layer.

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> logits [B, num_classes]``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, *, blocks: int = 3,
                 kernel_size: int = 5, dropout: float = 0.0):
        super().__init__()
        self.blocks = conv_stack(input_size, hidden_size, validate.positive_int("blocks", blocks), kernel_size,
                                 dropout)
        self.dropout = Dropout(dropout)
        self.output = Linear(hidden_size, validate.positive_int("num_classes", num_classes))

    def forward(self, x, lengths=None):
        h, lengths = masked_blocks(self.blocks, as_tensor(x).transpose(1, 2), lengths,
                                   where="CNNClassifier")  # [B, H, T]
        return self.output(self.dropout(masked_mean(h, lengths)))  # [B, H] -> [B, C]


class CRNNClassifier(Module):
    """Conv blocks that halve time, a bidirectional GRU, the masked mean of its outputs, a linear layer.

    Each block is followed by ``MaxPool1d(2, stride=2, padding=1)``: T ->
    floor(T / 2) + 1, so two blocks see T / 4 frames and a one-frame clip
    keeps one. The pool runs after the ReLU on zeroed padding: a padded 0
    never beats a valid value (>= 0), as the pool's own -inf padding would not.

    Parameters
    ----------
    input_size, hidden_size, num_classes : int
        F; the channels of the blocks and the GRU's hidden size per direction; the classes.
    num_layers : int
        GRU layers.
    blocks, kernel_size : int
    dropout : float

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> logits [B, num_classes]``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, *, num_layers: int = 1,
                 blocks: int = 2, kernel_size: int = 5, dropout: float = 0.0):
        super().__init__()
        self.blocks = conv_stack(input_size, hidden_size, validate.positive_int("blocks", blocks), kernel_size,
                                 dropout)
        self.pool = MaxPool1d(**POOL)
        self.recurrent = GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=True,
                             dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = Dropout(dropout)
        self.output = Linear(2 * hidden_size, validate.positive_int("num_classes", num_classes))

    def forward(self, x, lengths=None):
        h, lengths = masked_blocks(self.blocks, as_tensor(x).transpose(1, 2), lengths, where="CRNNClassifier",
                                   pool=self.pool, pools=len(self.blocks))  # [B, H, T'], T' ~ T / 4
        outputs, _ = self.recurrent(h.transpose(1, 2), lengths=lengths)  # [B, T', 2H]
        return self.output(self.dropout(masked_mean(outputs.transpose(1, 2), lengths)))  # [B, 2H] -> [B, C]


class TemporalBlock(Module):
    """Two causal dilated conv blocks and a residual connection: relu(x + f(x)), [B, C, T] -> [B, C, T]."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.first = ConvBlock(channels, channels, kernel_size, causal=True, dilation=dilation, dropout=dropout)
        self.second = ConvBlock(channels, channels, kernel_size, causal=True, dilation=dilation, dropout=dropout)

    def forward(self, x):
        return (x + self.second(self.first(x))).relu()


def tcn_depth(receptive_field: int, kernel_size: int) -> int:
    """The fewest blocks (dilations 1, 2, 4, ...) whose receptive field reaches ``receptive_field`` frames.

    Block k holds two convolutions of dilation 2^k, each seeing (K - 1) 2^k
    more frames back, so n blocks see 1 + 2 (K - 1) (2^n - 1) frames.
    """
    n = 1
    while 1 + 2 * (kernel_size - 1) * (2 ** n - 1) < receptive_field:
        n += 1
    return n


def tcn_layers(input_size: int, hidden_size: int, receptive_field: int, *, kernel_size: int, dropout: float):
    """A TCN's trunk: (1x1 input convolution, TemporalBlocks of dilations 1, 2, 4, ..., the frames they see).

    [B, input_size, T] -> [B, hidden_size, T], causal: output t reads input frames t - field + 1 .. t.
    """
    depth = tcn_depth(validate.positive_int("receptive_field", receptive_field), kernel_size)
    field = 1 + 2 * (kernel_size - 1) * (2 ** depth - 1)
    first = Conv1d(input_size, hidden_size, 1)  # to the residual width; 1x1 is causal as is
    return first, Sequential(*(TemporalBlock(hidden_size, kernel_size, 2 ** k, dropout) for k in range(depth))), field


class TCNClassifier(Module):
    """A temporal convolutional network: a 1x1 input convolution, dilated causal residual blocks,
    the masked mean over valid frames, a linear layer.

    Parameters
    ----------
    input_size, hidden_size, num_classes : int
        F; the channels; the classes.
    receptive_field : int
        Frames the last block must see: 250 (2.5 s at a 10 ms hop) covers
        every FSDD clip (the longest is 229 frames). With kernel_size 3
        that is 6 blocks, dilations 1 to 32, 253 frames.
    kernel_size : int
    dropout : float

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> logits [B, num_classes]``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, *, receptive_field: int = 250,
                 kernel_size: int = 3, dropout: float = 0.0):
        super().__init__()
        self.input, self.blocks, self.receptive_field = tcn_layers(input_size, hidden_size, receptive_field,
                                                                   kernel_size=kernel_size, dropout=dropout)
        self.dropout = Dropout(dropout)
        self.output = Linear(hidden_size, validate.positive_int("num_classes", num_classes))

    def forward(self, x, lengths=None):
        h = as_tensor(x).transpose(1, 2)  # [B, F, T]
        lengths, _ = frames_and_mask(h, lengths, "TCNClassifier")
        h = self.blocks(self.input(h))  # [B, H, T]: causal, so valid frames never read the padding
        return self.output(self.dropout(masked_mean(h, lengths)))  # [B, H] -> [B, C]


CONVOLUTIONAL = {"cnn": CNNClassifier, "crnn": CRNNClassifier, "tcn": TCNClassifier}

"""Convolutional CTC recognizers: ``crnn``, ``tcn`` and ``cnn`` for ``minidl train --task transcribe``.

Each reads a padded batch x [B, T, F] with ``lengths`` [B], as
``SequenceRecognizer`` does, and returns per-frame log-probabilities in
CTC's layout [T', B, num_tokens + 1], class 0 the blank. They are the
clip classifiers of ``minidl.conv_classifiers`` with the mean over frames
taken away: the same blocks (imported from there), then a linear layer
per frame instead of one per clip.

- ``CRNNRecognizer``: "same" conv blocks, a max-pool halving time after
  each of the first log2(``subsampling``) of them, a bidirectional GRU, a
  linear layer per frame. One output frame per ``subsampling`` input
  frames (2 by default: 40 ms at the task's 20 ms hop), each utterance's
  own count :func:`minidl.conv_classifiers.pooled_lengths` of its length;
  those are its CTC input lengths (:meth:`output_lengths`).
- ``TCNRecognizer``: the TCN's causal dilated residual blocks and a linear
  layer per frame; no subsampling. Causal, as the classifier: a frame's
  token distribution reads only that frame and those before it. CTC does
  not need a token to be emitted where it starts, only in order, so a
  causal model learns to emit it once it has heard enough of it (a few
  frames late); in return it could transcribe a stream as it arrives, and
  padding at the end can never reach a valid frame.
- ``CNNRecognizer``: "same" conv blocks and a linear layer per frame (a
  small Wav2Letter): its only temporal context is its receptive field, 13
  frames (260 ms) with the defaults, about one vowel, enough to place a
  token and to see the pause between a token and its repeat.

Padding never changes an utterance's frames: the non-causal models zero
the padded frames before every convolution (:func:`masked_blocks`) and the
GRU reads each utterance's own length; normalization is per frame.
"""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.conv_classifiers import (POOL, conv_stack, frames_and_mask, masked_blocks, pooled_lengths,
                                     tcn_layers)
from minidl.nn import GRU, Dropout, Linear, Module
from minidl.nn.conv import MaxPool1d
from minidl.tensor import as_tensor


def per_frame_log_probs(output: Linear, dropout: Dropout, h):
    """h [B, H, T] -> log-probabilities [T, B, C]: the linear layer on every frame, log-softmax, CTC's layout."""
    scores = output(dropout(h.transpose(1, 2)))  # [B, T, C]
    return scores.log_softmax(axis=-1).permute(1, 0, 2)  # [T, B, C]


def as_lengths(lengths) -> np.ndarray:
    return np.asarray(lengths, dtype=np.int64)


class CNNRecognizer(Module):
    """Conv blocks with "same" padding and a linear layer per frame; no subsampling.

    Parameters
    ----------
    input_size, hidden_size : int
        F and the channels of every block.
    num_tokens : int
        Tokens without the blank; the output has ``num_tokens + 1`` classes.
    blocks, kernel_size : int
        3 blocks of 5 frames see 1 + 3 * 4 = 13 frames.
    dropout : float
        After each block and before the output layer.

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> log_probs [T, B, num_tokens + 1]``.

    Examples
    --------
    >>> CNNRecognizer(4, 8, 3)(np.zeros((2, 5, 4), dtype=np.float32), lengths=np.array([5, 3])).shape
    (5, 2, 4)
    """

    subsampling = 1

    def __init__(self, input_size: int, hidden_size: int, num_tokens: int, *, blocks: int = 3,
                 kernel_size: int = 5, dropout: float = 0.0):
        super().__init__()
        blocks = validate.positive_int("blocks", blocks)
        self.blocks = conv_stack(input_size, hidden_size, blocks, kernel_size, dropout)
        self.receptive_field = 1 + blocks * (kernel_size - 1)
        self.dropout = Dropout(dropout)
        self.output = Linear(hidden_size, validate.positive_int("num_tokens", num_tokens) + 1)

    def output_lengths(self, lengths) -> np.ndarray:
        """Frames out per utterance: the frames in. [B] -> [B] int64"""
        return as_lengths(lengths)

    def forward(self, x, lengths=None):
        h, _ = masked_blocks(self.blocks, as_tensor(x).transpose(1, 2), lengths, where="CNNRecognizer")
        return per_frame_log_probs(self.output, self.dropout, h)  # [T, B, C]


class CRNNRecognizer(Module):
    """Conv blocks that subsample time, a bidirectional GRU, a linear layer per output frame.

    Parameters
    ----------
    input_size, hidden_size : int
        F; the channels of the blocks and the GRU's hidden size per direction.
    num_tokens : int
        Tokens without the blank; the output has ``num_tokens + 1`` classes.
    num_layers : int
        GRU layers.
    blocks, kernel_size : int
    subsampling : {1, 2, 4, ...}, at most 2 ** blocks
        Time is halved (``MaxPool1d(**POOL)``: T -> floor(T / 2) + 1) after
        each of the first log2(subsampling) blocks. 2 (default): the GRU
        runs over half the frames, and the shortest vowel of the synthetic
        utterances still has 3 output frames or more.
    dropout : float

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> log_probs [T', B, num_tokens + 1]``,
    T' = ``pooled_lengths(T, log2(subsampling))``; utterance b's own frames are
    ``output_lengths(lengths)[b]``, the rest padding.

    Examples
    --------
    >>> model = CRNNRecognizer(4, 8, 3, subsampling=4)  # 9 frames -> 5 -> 3, 4 -> 3 -> 2
    >>> model(np.zeros((2, 9, 4), dtype=np.float32), lengths=np.array([9, 4])).shape
    (3, 2, 4)
    >>> model.output_lengths([9, 4]).tolist()
    [3, 2]
    """

    def __init__(self, input_size: int, hidden_size: int, num_tokens: int, *, num_layers: int = 1,
                 blocks: int = 2, subsampling: int = 2, kernel_size: int = 5, dropout: float = 0.0):
        super().__init__()
        blocks = validate.positive_int("blocks", blocks)
        subsampling = validate.positive_int("subsampling", subsampling)
        pools = subsampling.bit_length() - 1
        if subsampling != 2 ** pools or pools > blocks:
            raise ValueError(f"subsampling must be a power of 2 at most 2 ** blocks = {2 ** blocks} (one pool "
                             f"after each of the first blocks), got {subsampling}")
        self.subsampling, self.pools = subsampling, pools
        self.blocks = conv_stack(input_size, hidden_size, blocks, kernel_size, dropout)
        self.pool = MaxPool1d(**POOL)
        self.recurrent = GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=True,
                             dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = Dropout(dropout)
        self.output = Linear(2 * hidden_size, validate.positive_int("num_tokens", num_tokens) + 1)

    def output_lengths(self, lengths) -> np.ndarray:
        """Frames out per utterance, the CTC input lengths. [B] -> [B] int64"""
        return as_lengths(pooled_lengths(as_lengths(lengths), self.pools))

    def forward(self, x, lengths=None):
        h, lengths = masked_blocks(self.blocks, as_tensor(x).transpose(1, 2), lengths, where="CRNNRecognizer",
                                   pool=self.pool, pools=self.pools)  # [B, H, T'], lengths now T'_b
        outputs, _ = self.recurrent(h.transpose(1, 2), lengths=lengths)  # [B, T', 2H]
        return per_frame_log_probs(self.output, self.dropout, outputs.transpose(1, 2))  # [T', B, C]


class TCNRecognizer(Module):
    """A causal TCN (1x1 input convolution, dilated residual blocks) and a linear layer per frame.

    Parameters
    ----------
    input_size, hidden_size : int
        F; the channels.
    num_tokens : int
        Tokens without the blank; the output has ``num_tokens + 1`` classes.
    receptive_field : int
        Frames each output must see, back from itself. 60 (default; 1.2 s at
        the 20 ms hop, several vowels): kernel_size 3 gives 4 blocks,
        dilations 1 to 8, 61 frames. A token needs its own frames and the
        pause before it; a field over the whole clip is not needed here.
    kernel_size : int
    dropout : float

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> log_probs [T, B, num_tokens + 1]``.
    """

    subsampling = 1

    def __init__(self, input_size: int, hidden_size: int, num_tokens: int, *, receptive_field: int = 60,
                 kernel_size: int = 3, dropout: float = 0.0):
        super().__init__()
        self.input, self.blocks, self.receptive_field = tcn_layers(input_size, hidden_size, receptive_field,
                                                                   kernel_size=kernel_size, dropout=dropout)
        self.dropout = Dropout(dropout)
        self.output = Linear(hidden_size, validate.positive_int("num_tokens", num_tokens) + 1)

    def output_lengths(self, lengths) -> np.ndarray:
        """Frames out per utterance: the frames in. [B] -> [B] int64"""
        return as_lengths(lengths)

    def forward(self, x, lengths=None):
        h = as_tensor(x).transpose(1, 2)  # [B, F, T]
        frames_and_mask(h, lengths, "TCNRecognizer")  # lengths checked; causal, so no mask is needed
        return per_frame_log_probs(self.output, self.dropout, self.blocks(self.input(h)))  # [T, B, C]


CONVOLUTIONAL_RECOGNIZERS = {"cnn": CNNRecognizer, "crnn": CRNNRecognizer, "tcn": TCNRecognizer}

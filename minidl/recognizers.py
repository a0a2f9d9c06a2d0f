"""Sequence recognizers: a recurrent net that emits a token distribution per frame, trained with CTC.

A classifier reads a clip and names one class; a recognizer reads an
utterance and names a *sequence* of tokens, without being told which
frames carry which token. ``SequenceRecognizer`` runs a (bidirectional)
RNN, LSTM or GRU over the features and a linear layer per frame to the
tokens plus the CTC blank; its output is per-frame log-probabilities in
CTC's layout [T, B, C], class 0 the blank, class k the token k - 1.

The convolutional recognizers (``cnn``, ``crnn``, ``tcn``) are in
``minidl.conv_recognizers``; ``build_recognizer`` makes any of them. Every
recognizer has ``output_lengths(lengths)``: its output frames per
utterance (fewer than its input frames when it subsamples time), which
are the CTC input lengths.

The helpers give :func:`minidl.training.fit` what it needs for this task:
``ctc_forward`` (the outputs with their lengths), ``ctc_batch_loss`` and
the ``TOKEN_ERRORS`` metric (greedy decoding, edits over reference tokens);
:func:`too_few_frames` finds the utterances CTC cannot align.
"""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.classifiers import RECURRENT, recurrent_layers
from minidl.conv_recognizers import CONVOLUTIONAL_RECOGNIZERS
from minidl.decode import beam_search, edit_distance, greedy_decode
from minidl.grad_mode import no_grad
from minidl.nn import Dropout, Linear, Module
from minidl.nn.ctc import ctc_loss
from minidl.tensor import as_tensor
from minidl.training import Metric

BLANK = 0  # the blank is class 0; token k is class k + 1
RECOGNIZER_KINDS = (*RECURRENT, *CONVOLUTIONAL_RECOGNIZERS)
DEFAULT_BEAM = 8  # prefix beam width: on these tasks, 8 finds what a far wider beam does, in milliseconds


class SequenceRecognizer(Module):
    """Recurrent layers, then a linear layer per frame to the tokens and the blank.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    input_size, hidden_size : int > 0
    num_tokens : int > 0
        Tokens without the blank; the output has ``num_tokens + 1`` classes.
    num_layers : int > 0
    bidirectional : bool
        Read the utterance in both directions (default): a frame's token is
        clearer with what follows it.
    dropout : float in [0, 1)
        Between recurrent layers and before the output layer.

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> log_probs [T, B, num_tokens + 1]``
    (log-softmax over the last axis; frames past a sequence's length are padding).
    One output frame per input frame: ``output_lengths`` is the identity.

    Examples
    --------
    >>> model = SequenceRecognizer("gru", 4, 8, 3)
    >>> model(np.zeros((2, 5, 4), dtype=np.float32), lengths=np.array([5, 3])).shape
    (5, 2, 4)
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, num_tokens: int, *,
                 num_layers: int = 2, bidirectional: bool = True, dropout: float = 0.0):
        super().__init__()
        num_tokens = validate.positive_int("num_tokens", num_tokens)
        self.kind = kind
        self.recurrent, width = recurrent_layers(kind, input_size, hidden_size, num_layers=num_layers,
                                                 bidirectional=bidirectional, dropout=dropout)
        self.dropout = Dropout(dropout)
        self.output = Linear(width, num_tokens + 1)  # the tokens and the blank

    subsampling = 1

    def output_lengths(self, lengths) -> np.ndarray:
        """Frames out per utterance: the frames in. [B] -> [B] int64"""
        return np.asarray(lengths, dtype=np.int64)

    def forward(self, x, lengths=None):
        outputs, _ = self.recurrent(x, lengths=lengths)  # [B, T, D*H]
        scores = self.output(self.dropout(outputs))  # [B, T, C]
        return scores.log_softmax(axis=-1).permute(1, 0, 2)  # [T, B, C], CTC's layout


def build_recognizer(kind: str, input_size: int, num_tokens: int, *, hidden_size: int = 96,
                     num_layers: int = 2, bidirectional: bool = True, dropout: float = 0.0,
                     subsampling: int | None = None) -> Module:
    """The model behind ``minidl train --task transcribe --model kind``.

    ``hidden_size`` is the recurrent width or the convolutional channels;
    ``num_layers`` counts recurrent layers (``crnn``'s GRU; ``cnn`` and
    ``tcn`` have their default depths); ``bidirectional`` is for the
    recurrent kinds (``crnn``'s GRU always is). ``subsampling`` is
    ``crnn``'s time subsampling (None: its default 2); the other kinds keep
    every frame, so they take only None or 1.
    """
    if kind not in RECOGNIZER_KINDS:
        raise ValueError(f"unknown recognizer {kind!r}; expected one of {RECOGNIZER_KINDS}")
    if kind == "crnn":
        options = {} if subsampling is None else {"subsampling": subsampling}
        return CONVOLUTIONAL_RECOGNIZERS[kind](input_size, hidden_size, num_tokens, num_layers=num_layers,
                                               dropout=dropout, **options)
    if subsampling not in (None, 1):
        raise ValueError(f"only crnn subsamples time; {kind!r} keeps every frame, got subsampling={subsampling}")
    if kind in CONVOLUTIONAL_RECOGNIZERS:
        return CONVOLUTIONAL_RECOGNIZERS[kind](input_size, hidden_size, num_tokens, dropout=dropout)
    return SequenceRecognizer(kind, input_size, hidden_size, num_tokens, num_layers=num_layers,
                              bidirectional=bidirectional, dropout=dropout)


def pad_transcripts(token_ids) -> np.ndarray:
    """Token-index lists (0-based, without blank) -> CTC classes padded with the blank. [N, S_max] int64

    Class = token + 1, so the padding (the blank, 0) never looks like a token
    and :func:`transcript_lengths` can count the real ones.

    Examples
    --------
    >>> pad_transcripts([[0, 2], [1]]).tolist()
    [[1, 3], [2, 0]]
    """
    token_ids = [list(t) for t in token_ids]
    width = max([1, *(len(t) for t in token_ids)])
    padded = np.full((len(token_ids), width), BLANK, dtype=np.int64)  # [N, S_max]
    for n, tokens in enumerate(token_ids):
        padded[n, :len(tokens)] = np.asarray(tokens, dtype=np.int64) + 1
    return padded


def transcript_lengths(padded) -> np.ndarray:
    """Tokens per row of :func:`pad_transcripts`'s output. [N, S] -> [N] int64"""
    return (np.asarray(padded) != BLANK).sum(axis=1).astype(np.int64)


def ctc_minimum_frames(tokens) -> int:
    """The fewest frames CTC can align ``tokens`` to: one per token, and a blank between each equal pair.

    Examples
    --------
    >>> ctc_minimum_frames(["a", "a", "e"]), ctc_minimum_frames([])
    (4, 0)
    """
    tokens = list(tokens)
    return len(tokens) + sum(a == b for a, b in zip(tokens, tokens[1:]))


def too_few_frames(model, frames, transcripts) -> list:
    """The utterances whose output frames cannot hold their transcript: CTC has no alignment for them.

    Parameters
    ----------
    model : a recognizer (has ``output_lengths``)
    frames : int array [N]
        Each utterance's input frames.
    transcripts : list [N] of token lists

    Returns
    -------
    list of (n, frames, output frames, minimum) for each utterance n with
    output frames < :func:`ctc_minimum_frames` of its transcript, in order
    """
    frames = np.asarray(frames, dtype=np.int64)
    outputs = model.output_lengths(frames)  # [N]
    needed = [ctc_minimum_frames(t) for t in transcripts]
    return [(n, int(frames[n]), int(outputs[n]), needed[n]) for n in range(len(frames)) if outputs[n] < needed[n]]


def ctc_forward(model):
    """``forward`` for :func:`minidl.training.fit`: a batch -> (log_probs [T', B, C], output lengths [B])."""
    def forward(x, lengths=None):
        x = as_tensor(x)
        frames = np.full(x.shape[0], x.shape[1]) if lengths is None else np.asarray(lengths)
        return model(x, lengths=lengths), model.output_lengths(frames)  # subsampled: the CTC input lengths
    return forward


def ctc_batch_loss(outputs, targets):
    """CTC loss of (log_probs [T, B, C], lengths [B]) against padded targets [B, S]: the batch mean."""
    log_probs, lengths = outputs
    # zero_infinity: a transcript longer than its frames can be (a tiny clip) is no gradient, not a nan
    return ctc_loss(log_probs, targets, lengths, transcript_lengths(targets), blank=BLANK, zero_infinity=True)


def _token_errors(outputs, targets):
    log_probs, lengths = outputs
    decoded = greedy_decode(log_probs, lengths, blank=BLANK)
    references = [row[row != BLANK].tolist() for row in np.asarray(targets)]
    return sum(edit_distance(r, h) for r, h in zip(references, decoded)), sum(len(r) for r in references)


TOKEN_ERRORS = Metric("token_error_rate", _token_errors)


def frame_log_probs(model, loader, *, device: str = "cpu") -> list:
    """Each utterance's log-probabilities, in the loader's order (no shuffle), on the host.

    Returns
    -------
    list of np.ndarray [shape=(T_i, C)], T_i each utterance's own output frame count
    (``model.output_lengths``: its input frames / ``model.subsampling``, or so)
    """
    model.eval()
    rows = {}
    with no_grad():
        for batch in loader:
            log_probs = model(as_tensor(batch.inputs, device=device), lengths=batch.lengths).numpy()  # [T', B, C]
            kept = model.output_lengths(batch.lengths).tolist()
            for b, (position, n) in enumerate(zip(batch.positions.tolist(), kept)):
                rows[position] = log_probs[:n, b]
    model.train(True)
    return [rows[i] for i in range(len(rows))]


def decode_utterance(log_probs, *, beam_width: int = DEFAULT_BEAM):
    """One utterance's tokens and their log-probability.

    Parameters
    ----------
    log_probs : array [T, C]
        Its frames only (no padding), class 0 the blank.
    beam_width : int >= 1
        1: greedy (best path); more: the CTC prefix beam search.

    Returns
    -------
    tokens : list of int, token indices (class - 1)
    log_probability : float, log p(tokens | x) summed over all their alignments
        (exact, from the CTC forward recursion, whatever the beam found)
    """
    beam_width = validate.positive_int("beam_width", beam_width)
    lp = np.asarray(log_probs)[:, None, :]  # [T, C] -> [T, 1, C]
    frames = [lp.shape[0]]
    if beam_width == 1:
        labels = greedy_decode(lp, frames, blank=BLANK)[0]
    else:
        labels = beam_search(lp, frames, beam_width=beam_width, blank=BLANK)[0]
    with no_grad():
        nll = ctc_loss(as_tensor(lp), np.array([labels or [BLANK]]), frames, [len(labels)], blank=BLANK,
                       reduction="none")  # [1]
    return [k - 1 for k in labels], -float(nll.numpy()[0])

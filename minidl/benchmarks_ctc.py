"""``minidl bench`` rows for CTC: the loss against PyTorch on the CPU, and beam search alone.

The loss row times what a training step spends on CTC: log_softmax of the
logits, the loss, and backward to the logits, float32, at the sizes of a
small speech model: T=150 frames, N=32 utterances, C=29 classes (blank,
space, apostrophe, 26 letters), targets up to 40 labels. Both sides get the
same logits, targets and lengths. Beam search has no reference in the
environment, so its row reports our time per utterance only.
"""
from __future__ import annotations

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn
from minidl.benchmarks import torch_label, torch_or_none
from minidl.decode import beam_search

SIZES = dict(T=150, N=32, C=29, S=40)


def _problem(T, N, C, S, seed=0):
    """Logits [T, N, C] f32, padded targets [N, S], input lengths [N], target lengths [N]."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C)).astype(np.float32)
    targets = rng.integers(1, C, (N, S))
    input_lengths = rng.integers(T - T // 5, T + 1, N)
    target_lengths = rng.integers(S // 2, S + 1, N)
    return logits, targets, input_lengths, target_lengths


def ctc_loss_row(T=150, N=32, C=29, S=40) -> Row:
    logits, targets, input_lengths, target_lengths = _problem(T, N, C, S)

    def ours():
        x = minidl.tensor(logits, requires_grad=True)
        nn.ctc_loss(x.log_softmax(axis=2), targets, input_lengths, target_lengths).backward()

    torch = torch_or_none()
    reference = None
    if torch is not None:
        t_targets, t_inputs, t_lengths = (torch.from_numpy(a) for a in (targets, input_lengths, target_lengths))

        def reference():
            x = torch.tensor(logits, requires_grad=True)
            torch.nn.functional.ctc_loss(x.log_softmax(2), t_targets, t_inputs, t_lengths).backward()

    return Row(f"CTC loss forward+backward T={T} N={N} C={C} S<={S} f32", ours, reference,
               torch_label(torch), goal=0.5)


def beam_search_row(T=150, C=29, beam_width=8) -> Row:
    """One utterance through the prefix beam search (a trained-looking, peaked distribution)."""
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((T, 1, C)) * 3.0
    log_probs = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)  # log_softmax [T, 1, C]

    def ours():
        beam_search(log_probs, [T], beam_width=beam_width)

    return Row(f"CTC beam search per utterance T={T} C={C} beam={beam_width}", ours, None, "none")


def rows() -> list[Row]:
    return [ctc_loss_row(**SIZES), beam_search_row()]

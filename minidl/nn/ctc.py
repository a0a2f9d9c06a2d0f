"""The CTC loss: ``ctc_loss`` and ``CTCLoss``, with PyTorch's signature and layout.

Connectionist Temporal Classification trains a network that emits one
class distribution per frame against a label sequence shorter than the
frames, without saying which frame carries which label:

    L = -log p(l | x),   p(l | x) = sum over alignments pi of l of prod_t y_t(pi_t).

The sum over alignments is the alpha-beta (forward-backward) recursion of
``kernels/ctc/reference.py``, where the equations are written out; this
module checks the input, picks the kernel for the backend and wraps it in
one autograd node.

Layout (PyTorch's): ``log_probs`` [T, N, C] (frames, batch, classes),
already log-softmaxed; ``targets`` padded [N, S] or concatenated
[sum(target_lengths)].
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from kernels import array_module, to_host
from kernels import ctc as ctc_kernels
from minidl.function import Function
from minidl.grad_mode import is_grad_enabled
from minidl.nn.losses import _Loss, check_reduction
from minidl.tensor import Tensor, as_tensor


# ---------------------------------------------------------------- input checks (shared with minidl.decode)
def check_log_probs(log_probs, where: str) -> tuple[int, int, int]:
    """(T, N, C) of a [T, N, C] floating array or Tensor, else a clear error."""
    shape, dtype = np.shape(log_probs), getattr(log_probs, "dtype", None)
    if len(shape) != 3:
        raise ValueError(f"{where}: log_probs must be [T, N, C] (frames, batch, classes), got shape {shape}")
    if dtype is None or np.dtype(dtype).kind != "f":
        raise TypeError(f"{where}: log_probs must be floating point, got dtype {dtype}")
    if shape[2] < 1:
        raise ValueError(f"{where}: log_probs needs at least one class (C >= 1), got shape {shape}")
    return shape


def check_blank(blank, n_classes: int, where: str) -> int:
    """``blank`` as an int in [0, C), else a clear error."""
    if isinstance(blank, bool) or not isinstance(blank, numbers.Integral):
        raise TypeError(f"{where}: blank must be an integer class index, got {blank!r}")
    if not 0 <= blank < n_classes:
        raise ValueError(f"{where}: blank={blank} is outside [0, {n_classes}) for C={n_classes} classes")
    return int(blank)


def host_integers(name: str, value, where: str) -> np.ndarray:
    """``value`` (a list, an array or a Tensor) as an int64 NumPy array; non-integers are refused."""
    array = to_host(value.data if isinstance(value, Tensor) else value)
    if array.size == 0 and array.dtype.kind == "f":  # [] parses as float64: an empty list is fine
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} must hold integers, got dtype {array.dtype}")
    return array.astype(np.int64)


def check_lengths(name: str, lengths, count: int, where: str, *, upper: int | None = None) -> np.ndarray:
    """One length per sequence, int64 [N], each in [0, upper]; else a clear error."""
    lengths = host_integers(name, lengths, where)
    if lengths.shape != (count,):
        raise ValueError(f"{where}: {name} must hold one length per sequence, shape ({count},), "
                         f"got shape {lengths.shape}")
    too_big = lengths > upper if upper is not None else np.zeros(count, bool)
    bad = np.flatnonzero((lengths < 0) | too_big)
    if bad.size:
        i = int(bad[0])
        limit = f"[0, {upper}]" if upper is not None else ">= 0"
        raise ValueError(f"{where}: {name}[{i}] = {lengths[i]} is out of range; expected {limit}")
    return lengths


def padded_targets(targets, target_lengths, n_classes: int, blank: int, where: str) -> np.ndarray:
    """Targets as int64 [N, S] (padded), checked: every label in [0, C) and not the blank."""
    targets = host_integers("targets", targets, where)
    N = len(target_lengths)
    if targets.ndim == 2:
        if targets.shape[0] != N:
            raise ValueError(f"{where}: padded targets must be [N, S] with N={N}, got shape {targets.shape}")
        longest = int(target_lengths.max(initial=0))
        if longest > targets.shape[1]:
            raise ValueError(f"{where}: target_lengths holds {longest}, longer than the padded targets' "
                             f"S={targets.shape[1]}")
        padded = targets
    elif targets.ndim == 1:
        if len(targets) != target_lengths.sum():
            raise ValueError(f"{where}: concatenated targets hold {len(targets)} labels, but "
                             f"target_lengths sums to {int(target_lengths.sum())}")
        padded = np.zeros((N, int(target_lengths.max(initial=0))), dtype=np.int64)  # [N, S]
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]]).astype(np.int64)
        for n in range(N):
            padded[n, : target_lengths[n]] = targets[starts[n]: starts[n] + target_lengths[n]]
    else:
        raise ValueError(f"{where}: targets must be padded [N, S] or concatenated [sum(target_lengths)], "
                         f"got shape {targets.shape}")
    used = np.arange(padded.shape[1]) < target_lengths[:, None]  # [N, S]: the real labels, not padding
    for what, bad in (("is out of range", (padded < 0) | (padded >= n_classes)), ("is the blank", padded == blank)):
        where_bad = np.argwhere(used & bad)
        if len(where_bad):
            n, i = where_bad[0]
            raise ValueError(f"{where}: target label {padded[n, i]} of sequence {n} (position {i}) {what}; "
                             f"labels must be in [0, {n_classes}) and differ from blank={blank}")
    return np.ascontiguousarray(padded)


# ---------------------------------------------------------------- the autograd node
@dataclass(frozen=True)
class CTCSettings:
    """What the node needs besides arrays: the blank, what inf means, whether to compute the gradient."""

    blank: int
    zero_infinity: bool
    need_grad: bool


class CTCLossFunction(Function):
    """nll_n = -log p(l_n | x_n) per sequence; d nll_n / d log_probs[t, n, k] = -sum_{s: l'_s = k} gamma_t(s).

    Forward runs alpha, and beta too when a gradient will be needed (the
    kernel writes the gradient during the beta pass, so backward only
    scales it by the incoming gradient).
    """

    def forward(self, log_probs, *, settings, targets, input_lengths, target_lengths):
        xp = array_module(log_probs)
        kernel = ctc_kernels.for_arrays(log_probs)  # reference, Numba or CUDA, by backend
        nll, grad = kernel.ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths,
                                             settings.blank, need_grad=settings.need_grad)
        impossible = nll == np.inf  # [N]: the target does not fit in the frames
        if settings.zero_infinity:  # the kernel left the gradient of these at 0
            nll = xp.where(impossible, nll.dtype.type(0), nll)
        elif grad is not None and bool(impossible.any()):
            # log 0 has no gradient: nan over the sequence's frames, as PyTorch gives
            frames = xp.arange(log_probs.shape[0])[:, None] < xp.asarray(input_lengths)[None, :]  # [T, N]
            grad[frames & impossible[None, :]] = np.nan
        self.grad = grad
        return nll

    def backward(self, grad_nll):  # grad_nll [N]
        return self.grad * grad_nll[None, :, None]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, *, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The Connectionist Temporal Classification loss, -log p(l | x), as PyTorch computes it.

    Parameters
    ----------
    log_probs : Tensor [T, N, C]
        Log-probabilities of the classes per frame, normally ``log_softmax``
        over C. T frames, N sequences, C classes including the blank.
    targets : int array-like or Tensor, [N, S] (padded) or [sum(target_lengths)] (concatenated)
        The label sequences; labels in [0, C), never the blank. Padding is ignored.
    input_lengths : int array-like [N]
        Frames of each sequence, in [0, T]; frames beyond are ignored.
    target_lengths : int array-like [N]
        Labels of each sequence, >= 0 (0: the empty labelling).
    blank : int
        The class index of the blank, in [0, C).
    reduction : {"mean", "sum", "none"}
        "mean" divides each loss by its target length (at least 1) and
        averages over the batch, as PyTorch does; "none" keeps [N].
    zero_infinity : bool
        A target that cannot fit in its frames (it needs at least
        S + [number of equal neighbours] frames) has loss inf; with True the
        loss is 0 instead, and so is its gradient. With False its gradient
        is nan, as in PyTorch.

    Returns
    -------
    Tensor [] ("mean", "sum") or [N] ("none"), the dtype of ``log_probs``

    Notes
    -----
    The gradient is the true gradient with respect to ``log_probs``,

        dL / dlog_probs[t, n, k] = -sum_{s : l'_s = k} gamma_t(s),

    so it passes a gradient check on any input, normalized or not.
    PyTorch's ``ctc_loss`` instead returns exp(log_probs) - sum gamma_t(s),
    which is right only when log_probs come from a log_softmax; composed
    with ``log_softmax`` (whose backward removes any constant per frame),
    both give the same gradient with respect to the logits.

    Examples
    --------
    >>> import numpy as np, minidl
    >>> logits = minidl.tensor(np.zeros((3, 1, 3)), requires_grad=True)  # uniform over 3 classes
    >>> loss = minidl.nn.ctc_loss(logits.log_softmax(axis=2), [[1, 2]], [3], [2], reduction="sum")
    >>> round(float(loss.item()), 4)  # 5 alignments of "12" in 3 frames: -log(5 / 27)
    1.6864
    >>> loss.backward()
    >>> logits.grad.shape
    (3, 1, 3)
    """
    where = "ctc_loss"
    check_reduction(reduction)
    log_probs = as_tensor(log_probs)
    T, N, C = check_log_probs(log_probs, where)
    blank = check_blank(blank, C, where)
    input_lengths = check_lengths("input_lengths", input_lengths, N, where, upper=T)
    target_lengths = check_lengths("target_lengths", target_lengths, N, where)
    targets = padded_targets(targets, target_lengths, C, blank, where)
    settings = CTCSettings(blank, bool(zero_infinity), need_grad=is_grad_enabled() and log_probs.requires_grad)
    losses = CTCLossFunction.apply(log_probs, settings=settings, targets=targets,
                                   input_lengths=input_lengths, target_lengths=target_lengths)  # [N]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    per_label = np.maximum(target_lengths, 1).astype(log_probs.dtype)  # an empty target counts as 1
    return (losses / per_label).mean()


class CTCLoss(_Loss):
    """Module form of :func:`ctc_loss`.

    Examples
    --------
    >>> import numpy as np, minidl
    >>> criterion = minidl.nn.CTCLoss(blank=0, reduction="none")
    >>> log_probs = minidl.tensor(np.log(np.full((2, 1, 2), 0.5)))
    >>> criterion(log_probs, [1], [2], [1]).numpy().round(4)  # "1" as 1-1, 1-, -1: 3/4
    array([0.2877])
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=self.blank,
                        reduction=self.reduction, zero_infinity=self.zero_infinity)

"""Loss functions: cross-entropy (with a mask), mean squared error, and
binary cross-entropy on logits.

Shapes follow PyTorch: class scores are on axis 1, so ``cross_entropy``
takes logits [N, C] with targets [N], or logits [N, C, d1, ...] with
targets [N, d1, ...] (e.g. one label per time step).
"""
from __future__ import annotations

import numpy as np

from kernels import array_module
from kernels import softmax as softmax_kernels
from minidl import validate
from minidl.function import Function
from minidl.nn.module import Module
from minidl.ops.pointwise import stable_sigmoid
from minidl.tensor import Tensor, as_tensor

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> str:
    """The shared validator for ``reduction=``."""
    return validate.choice("reduction", reduction, REDUCTIONS)


def _reduce(losses: Tensor, reduction: str, weights: Tensor | None = None) -> Tensor:
    if weights is not None:
        losses = losses * weights
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    count = weights.sum() if weights is not None else losses.size
    return losses.sum() / count


def cross_entropy(logits, target, *, mask=None, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy: -log softmax(logits)[target], averaged.

    Parameters
    ----------
    logits : Tensor [N, C] or [N, C, d1, ...]
        Unnormalized class scores.
    target : int array-like [N] or [N, d1, ...]
        Class indices in [0, C). Where ``mask`` is 0 any value is allowed
        (padding), and it is ignored.
    mask : array-like of 0/1 [same shape as target], optional
        Which positions count. With ``reduction="mean"`` the mean is over
        the counted positions only.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor [] (mean, sum) or [same shape as target] (none)

    Examples
    --------
    >>> logits = minidl.tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    >>> float(cross_entropy(logits, [0, 1]).item())  # doctest: +ELLIPSIS
    0.126...
    """
    check_reduction(reduction)
    logits = as_tensor(logits)
    target = np.asarray(target.numpy() if isinstance(target, Tensor) else target)
    if logits.ndim < 2:
        raise ValueError(f"cross_entropy expects logits [N, C, ...], got shape {logits.shape}")
    n_classes = logits.shape[1]
    expected = (logits.shape[0],) + logits.shape[2:]
    if target.shape != expected:
        raise ValueError(
            f"cross_entropy: target has shape {target.shape}, expected {expected} "
            f"for logits of shape {logits.shape}"
        )
    if target.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: target must hold integer class indices, got dtype {target.dtype}")
    counted = None if mask is None else _as_mask(mask, target.shape)
    bad = (target < 0) | (target >= n_classes)
    if counted is not None:
        bad &= counted  # padding may hold any value
    if bad.any():
        raise ValueError(
            f"cross_entropy: target value {target[bad][0]} is out of range for {n_classes} classes"
        )
    safe_target = target if counted is None else np.where(counted, target, 0)  # padding picks class 0, weight 0
    rows = logits
    if logits.ndim > 2:  # [N, C, d...] -> [N, d..., C]: one row of class scores per position
        rows = logits.permute(0, *range(2, logits.ndim), 1)
    rows = rows.reshape(-1, n_classes)  # [M, C]
    losses = SoftmaxCrossEntropy.apply(rows, target=logits.xp.asarray(safe_target.reshape(-1)))  # [M]
    weights = None if mask is None else Tensor(logits.xp.asarray(counted, dtype=logits.dtype))
    return _reduce(losses.reshape(target.shape), reduction, weights)


class SoftmaxCrossEntropy(Function):
    """losses [M] = -log softmax(z)[target] for rows of logits z [M, C]; dL/dz = (softmax(z) - one_hot) * g.

    ``log_softmax`` followed by picking each row's target would record two
    nodes and make the [M, C] log-probabilities, of which backward needs
    none: the gradient is the softmax, less one at the target. This op
    keeps e^(z - max) and its row sums for that, and runs on the kernels of
    ``kernels.softmax`` (``reference.py`` for the equations).
    """

    def forward(self, z, target):
        self.kernel = softmax_kernels.for_arrays(z)
        losses, self.exp_shifted, self.total = self.kernel.softmax_cross_entropy(z, target)
        self.target = target
        return losses

    def backward(self, grad):
        return self.kernel.softmax_cross_entropy_backward(self.exp_shifted, self.total, self.target, grad)


def _as_mask(mask, shape) -> np.ndarray:
    mask = np.asarray(mask.numpy() if isinstance(mask, Tensor) else mask)
    if mask.shape != shape:
        raise ValueError(f"mask has shape {mask.shape}, expected the target's shape {shape}")
    return mask.astype(bool)


def mse_loss(prediction, target, *, reduction: str = "mean") -> Tensor:
    """Mean squared error, (prediction - target)^2 averaged.

    Shapes: prediction and target broadcast together (usually equal).
    """
    check_reduction(reduction)
    diff = as_tensor(prediction) - target
    return _reduce(diff * diff, reduction)


class BCEWithLogits(Function):
    """l = log(1 + e^x) - y x, computed stably;  dl/dx = sigmoid(x) - y.

    Written as one op rather than composed because the composed form's
    subgradients at x = 0 would be wrong (abs and relu both give 0 there).
    """

    def forward(self, x, y):
        xp = array_module(x)
        self.x, self.y = x, y
        # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): never exponentiates a positive number
        return xp.maximum(x, 0) - x * y + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, grad):
        grad_y = -grad * self.x if self.needs_input_grad[1] else None
        return grad * (stable_sigmoid(self.x) - self.y), grad_y


def binary_cross_entropy_with_logits(logits, target, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1].

    Shapes: logits and target equal, any shape.
    """
    check_reduction(reduction)
    logits = as_tensor(logits)
    target_shape = np.shape(target.data if isinstance(target, Tensor) else target)
    if target_shape != logits.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: target shape {target_shape} != logits shape {logits.shape}"
        )
    return _reduce(BCEWithLogits.apply(logits, target), reduction)


class _Loss(Module):
    """Base of the loss modules: holds the validated ``reduction``."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = check_reduction(reduction)


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy`."""

    def forward(self, logits, target, mask=None):
        return cross_entropy(logits, target, mask=mask, reduction=self.reduction)


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`."""

    def forward(self, prediction, target):
        return mse_loss(prediction, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`."""

    def forward(self, logits, target):
        return binary_cross_entropy_with_logits(logits, target, reduction=self.reduction)

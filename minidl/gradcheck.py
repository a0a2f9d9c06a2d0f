"""Checking gradients against finite differences.

For a scalar function L(x), the central difference

    dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

has error O(eps^2) from truncation and O(u/eps) from rounding (u ~ 1e-16
in float64), so eps = 1e-6 gives about 1e-10 — good enough to expose any
real bug in a backward. Everything here runs in float64.

A function with a tensor output y is reduced to a scalar L = sum(w * y)
with fixed random weights w, so every output element is checked at once.
The analytic gradient of the same L comes from ``y.backward(w)``.

Errors are reported per input: the largest absolute error, the largest
relative error |a - n| / max(1e-8, |a| + |n|) (the CS231n form), and the
index where the worst element sits.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from minidl.grad_mode import no_grad
from minidl.tensor import Tensor, as_tensor


def relative_error(analytic, numeric):
    """|a - n| / max(1e-8, |a| + |n|), elementwise."""
    return np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))


@dataclass
class InputReport:
    """How well one input's analytic gradient matches the numerical one."""

    position: int
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple | None
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    passed: bool = True


@dataclass
class GradcheckReport:
    """The result of :func:`gradcheck`: truthy when every input passed."""

    inputs: list
    atol: float
    rtol: float

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.inputs)

    def __bool__(self) -> bool:
        return self.passed

    def worst(self) -> InputReport | None:
        """The report of the input with the largest relative error."""
        return max(self.inputs, key=lambda r: r.max_rel_error, default=None)

    def __str__(self) -> str:
        lines = [f"gradcheck {'passed' if self.passed else 'FAILED'} (atol={self.atol:g}, rtol={self.rtol:g})"]
        lines.append(f"{'input':>5}  {'shape':<16}{'max abs err':>12}{'max rel err':>12}  worst index")
        for r in self.inputs:
            mark = "" if r.passed else "   <-- fails"
            lines.append(
                f"{r.position:>5}  {str(r.shape):<16}{r.max_abs_error:>12.2e}"
                f"{r.max_rel_error:>12.2e}  {r.worst_index}{mark}"
            )
        return "\n".join(lines)


def numerical_grad(fn, *inputs, eps: float = 1e-6, grad_output=None) -> tuple:
    """Central-difference gradients of ``sum(grad_output * fn(*inputs))``.

    Parameters
    ----------
    fn : callable
        Takes tensors, returns a Tensor.
    *inputs : Tensor or array-like
        Points to differentiate at (used in float64).
    eps : float
        Step of the central difference.
    grad_output : array-like, optional
        Weights of the output elements; default all ones.

    Returns
    -------
    tuple of numpy.ndarray
        One gradient per input, each of that input's shape, in float64.

    Examples
    --------
    >>> (g,) = numerical_grad(lambda x: (x * x).sum(), np.array([3.0]))
    >>> round(float(g[0]), 6)
    6.0
    """
    xs = [as_tensor(x, dtype=np.float64, device="cpu").detach() for x in inputs]
    grads = []
    with no_grad():
        w = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

        def loss() -> float:
            out = fn(*xs)
            values = out.numpy() if isinstance(out, Tensor) else np.asarray(out)
            return float(values.sum() if w is None else (values * w).sum())

        for x in xs:
            grads.append(central_difference(loss, x.data, eps=eps))
    return tuple(grads)


def central_difference(loss, array, *, eps: float = 1e-6) -> np.ndarray:
    """dL/d(array) by central differences, nudging ``array`` in place one element at a time.

    Parameters
    ----------
    loss : callable () -> float
        Recomputes the scalar L from ``array``'s current values.
    array : np.ndarray [any shape], float64
        Perturbed in place; every element is back to its value on return.
    eps : float
        Step h of (L(x + h e_i) - L(x - h e_i)) / 2h.

    Returns
    -------
    np.ndarray [array.shape], float64
    """
    grad = np.zeros(array.shape)
    # HINT: for each element i: set it to x_i + eps, then x_i - eps, call loss() each time, restore x_i, and store (up - down) / (2 eps); reshape(-1) gives views to index
    # BEGIN SOLUTION 1.5
    flat, gflat = array.reshape(-1), grad.reshape(-1)  # views of array and grad
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = loss()
        flat[i] = keep - eps
        down = loss()
        flat[i] = keep
        gflat[i] = (up - down) / (2 * eps)
    # END SOLUTION
    return grad


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5, seed: int = 0):
    """Compare backward's gradients of ``fn`` with finite differences.

    An element passes when its absolute error is at most ``atol`` or its
    relative error is at most ``rtol`` (the absolute test is for gradients
    that are 0, where any relative error is meaningless).

    Parameters
    ----------
    fn : callable
        Takes one tensor per input, returns a Tensor of any shape.
    *inputs : Tensor or array-like
        Points to check at. Copied to float64; every floating input is checked.
    eps, atol, rtol : float
    seed : int
        Seed of the random output weights.

    Returns
    -------
    GradcheckReport
        Truthy when every input passes; ``str()`` gives a table.

    Examples
    --------
    >>> report = gradcheck(lambda x: x.tanh(), np.linspace(-2, 2, 5))
    >>> bool(report)
    True
    """
    xs = [as_tensor(x, dtype=np.float64, device="cpu").detach() for x in inputs]
    for x in xs:
        x.requires_grad = True
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(weights)
    numeric = numerical_grad(fn, *xs, eps=eps, grad_output=weights)
    reports = []
    for position, (x, num) in enumerate(zip(xs, numeric)):
        ana = x.grad if x.grad is not None else np.zeros(x.shape)
        abs_err = np.abs(ana - num)
        rel_err = relative_error(ana, num)
        ok = (abs_err <= atol) | (rel_err <= rtol)
        # the worst element is the worst failing one, else the largest relative error
        badness = np.where(ok, 0.0, 1.0) + rel_err
        worst = np.unravel_index(int(np.argmax(badness)), x.shape) if x.size else None
        reports.append(
            InputReport(
                position=position,
                shape=x.shape,
                max_abs_error=float(abs_err.max(initial=0.0)),
                max_rel_error=float(rel_err.max(initial=0.0)),
                worst_index=tuple(int(i) for i in worst) if worst is not None else None,
                analytic=ana,
                numeric=num,
                passed=bool(ok.all()),
            )
        )
    return GradcheckReport(reports, atol=atol, rtol=rtol)

"""``Optimizer``: the shared loop of every update rule.

A subclass writes one method, ``update(param, grad, state)``, which changes
``param.data`` in place given its gradient and a per-parameter ``state``
dict (momentum buffers, running averages, the step count).
"""
from __future__ import annotations

from minidl import validate
from minidl.grad_mode import no_grad
from minidl.nn.module import Parameter
from minidl.tensor import Tensor


def _match_dtype(state: dict, dtype) -> None:
    """Bring running buffers to the parameter's dtype after ``model.double()`` / ``.float()``."""
    for key, value in state.items():
        if getattr(value, "dtype", dtype) != dtype and value.dtype.kind == "f":
            state[key] = value.astype(dtype)


class Optimizer:
    """Base class. ``params`` is an iterable of tensors that require grad."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"optimizer parameter {i} must be a Tensor with requires_grad=True, "
                    f"got {type(p).__name__}"
                )
        self.lr = validate.non_negative("lr", lr)
        self.state = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients of the last backward (call before the next one)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        with no_grad():
            for p, state in zip(self.params, self.state):
                if p.grad is not None:
                    _match_dtype(state, p.dtype)
                    self.update(p, p.grad, state)

    def update(self, param: Parameter, grad, state: dict) -> None:
        raise TypeError(f"{type(self).__name__} must define update(self, param, grad, state)")

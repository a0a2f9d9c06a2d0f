"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from minidl import validate
from minidl.optim.optimizer import Optimizer


class SGD(Optimizer):
    r"""SGD, step for step as ``torch.optim.SGD``.

    With g = grad + weight_decay * p and momentum mu:

    .. math::

        b_1 = g, \quad b_t = \mu b_{t-1} + (1 - \text{dampening})\, g

        p \leftarrow p - \text{lr} \cdot (g + \mu b_t \text{ if nesterov else } b_t)

    Without momentum, p <- p - lr * g.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        self.momentum = validate.non_negative("momentum", momentum)
        self.dampening = validate.non_negative("dampening", dampening)
        self.weight_decay = validate.non_negative("weight_decay", weight_decay)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"nesterov needs momentum > 0 and dampening = 0, got momentum={momentum}, "
                f"dampening={dampening}"
            )
        self.nesterov = bool(nesterov)

    def update(self, param, grad, state):
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = grad.copy()
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            buf = state["momentum_buffer"]
            grad = grad + self.momentum * buf if self.nesterov else buf
        param.data -= self.lr * grad

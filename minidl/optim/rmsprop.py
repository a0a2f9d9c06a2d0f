"""RMSprop and Adagrad: step sizes scaled by accumulated squared gradients."""
from __future__ import annotations

from kernels import array_module
from minidl import validate
from minidl.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), step for step as ``torch.optim.RMSprop``.

    .. math::

        s_t = \alpha s_{t-1} + (1-\alpha) g^2, \qquad
        p \leftarrow p - \text{lr} \cdot \frac{g}{\sqrt{s_t} + \epsilon}

    ``centered=True`` subtracts the squared running mean of g inside the
    root; ``momentum > 0`` accumulates the scaled step in a buffer.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr)
        self.alpha = validate.decay_rate("alpha", alpha)
        self.eps = validate.non_negative("eps", eps)
        self.weight_decay = validate.non_negative("weight_decay", weight_decay)
        self.momentum = validate.non_negative("momentum", momentum)
        self.centered = bool(centered)

    def update(self, param, grad, state):
        xp = array_module(grad)
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        if not state:
            state["square_avg"] = xp.zeros_like(param.data)
            state["grad_avg"] = xp.zeros_like(param.data)
            state["momentum_buffer"] = xp.zeros_like(param.data)
        sq = state["square_avg"]
        sq *= self.alpha
        sq += (1 - self.alpha) * grad * grad
        if self.centered:
            g_avg = state["grad_avg"]
            g_avg *= self.alpha
            g_avg += (1 - self.alpha) * grad
            denom = xp.sqrt(sq - g_avg * g_avg) + self.eps
        else:
            denom = xp.sqrt(sq) + self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += grad / denom
            param.data -= self.lr * buf
        else:
            param.data -= self.lr * (grad / denom)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011), step for step as ``torch.optim.Adagrad``.

    .. math::

        G_t = G_{t-1} + g^2, \qquad
        p \leftarrow p - \frac{\text{lr}}{1 + (t-1)\,\text{lr\_decay}} \cdot
              \frac{g}{\sqrt{G_t} + \epsilon}
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, lr)
        self.lr_decay = validate.non_negative("lr_decay", lr_decay)
        self.weight_decay = validate.non_negative("weight_decay", weight_decay)
        self.initial = validate.non_negative("initial_accumulator_value", initial_accumulator_value)
        self.eps = validate.non_negative("eps", eps)

    def update(self, param, grad, state):
        xp = array_module(grad)
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(param.data, self.initial)
        state["step"] += 1
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += grad * grad
        param.data -= clr * (grad / (xp.sqrt(state["sum"]) + self.eps))

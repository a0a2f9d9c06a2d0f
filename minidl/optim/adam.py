"""Adam and AdamW: per-parameter step sizes from running moments of the gradient."""
from __future__ import annotations

import math

from kernels import array_module
from minidl import validate
from minidl.optim.optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), step for step as ``torch.optim.Adam``.

    With g = grad + weight_decay * p (L2 regularization folded into g):

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g^2

        p \leftarrow p - \frac{\text{lr}}{1-\beta_1^t} \cdot
              \frac{m_t}{\sqrt{v_t} / \sqrt{1-\beta_2^t} + \epsilon}

    ``amsgrad=True`` uses the running maximum of v_t in the denominator.
    """

    decoupled = False  # AdamW sets this: decay the weights, not the gradient

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, lr)
        self.betas = (validate.decay_rate("betas[0]", betas[0]), validate.decay_rate("betas[1]", betas[1]))
        self.eps = validate.non_negative("eps", eps)
        self.weight_decay = validate.non_negative("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)

    def update(self, param, grad, state):
        xp = array_module(grad)
        beta1, beta2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                param.data *= 1 - self.lr * self.weight_decay
            else:
                grad = grad + self.weight_decay * param.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(param.data)
            state["exp_avg_sq"] = xp.zeros_like(param.data)
            if self.amsgrad:
                state["max_exp_avg_sq"] = xp.zeros_like(param.data)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        # Written with in-place updates (out=, *=): each fresh temporary the
        # size of a weight costs a pass over memory, and an optimizer step
        # touches every weight, so only three are made per parameter
        # ((1 - beta1) grad, grad^2 and the denominator, which becomes the update).
        m *= beta1
        m += (1 - beta1) * grad
        grad_sq = grad * grad
        grad_sq *= 1 - beta2
        v *= beta2
        v += grad_sq
        if self.amsgrad:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = self.lr / (1 - beta1**t)
        denom = xp.sqrt(v)
        denom /= math.sqrt(1 - beta2**t)
        denom += self.eps
        update = xp.divide(m, denom, out=denom)  # m / denom, in denom's memory
        update *= step_size
        param.data -= update


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``.

    Each step first shrinks the weights, p <- p (1 - lr * weight_decay), then
    takes the Adam step on the raw gradient.
    """

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

"""Learning-rate schedules: change an optimizer's ``lr`` once per epoch.

A schedule holds the optimizer and its starting rate, and ``step()``
(called after each epoch, as PyTorch's schedulers are) writes the rate of
the next epoch into ``optimizer.lr``. The update rules read ``self.lr`` at
every step, so nothing else needs to know a schedule exists.
"""
from __future__ import annotations

import math

from minidl import validate


class CosineAnnealingLR:
    """Cosine decay from the optimizer's rate to ``eta_min`` over ``t_max`` epochs.

    After ``t`` calls of :meth:`step`,

        lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / t_max)) / 2,

    the closed form of ``torch.optim.lr_scheduler.CosineAnnealingLR``: the
    rate falls slowly at first, fastest halfway, and slowly again as it
    reaches ``eta_min`` at epoch ``t_max``. Large steps early explore; small
    steps late settle the weights into a minimum instead of bouncing around it.

    Parameters
    ----------
    optimizer : minidl.optim.Optimizer
    t_max : int >= 1
        Epochs from lr_0 to eta_min (usually the number of epochs).
    eta_min : float >= 0
        The last rate.

    Examples
    --------
    >>> import minidl
    >>> opt = minidl.optim.SGD([minidl.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> schedule = CosineAnnealingLR(opt, t_max=4)
    >>> [round(schedule.step(), 4) for _ in range(4)]
    [0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, *, t_max: int, eta_min: float = 0.0):
        self.optimizer = optimizer
        self.t_max = validate.positive_int("t_max", t_max)
        self.eta_min = validate.non_negative("eta_min", eta_min)
        self.base_lr = optimizer.lr
        self.epoch = 0

    def rate(self, epoch: int) -> float:
        """The rate of the epoch after ``epoch`` steps (constant at eta_min past t_max)."""
        t = min(epoch, self.t_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.t_max)) / 2

    def step(self) -> float:
        """One epoch done: set and return the next epoch's rate."""
        self.epoch += 1
        self.optimizer.lr = self.rate(self.epoch)
        return self.optimizer.lr

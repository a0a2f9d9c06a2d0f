"""Keras optimizer names and arguments, mapped onto ``minidl.optim``.

``compile(optimizer="adam")`` or ``compile(optimizer=Adam(learning_rate=1e-2))``:
each class here remembers Keras's arguments and builds the minidl optimizer
(which does the math) once the model's parameters exist. Defaults are
Keras's, including its epsilon of 1e-7.
"""
from __future__ import annotations

from minidl import optim


class KerasOptimizer:
    """Keras-named settings; ``build(parameters)`` returns the minidl optimizer."""

    def build(self, parameters):
        raise TypeError(f"{type(self).__name__} must define build(self, parameters)")

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({settings})"


class Adam(KerasOptimizer):
    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7):
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon

    def build(self, parameters):
        return optim.Adam(parameters, lr=self.learning_rate, betas=(self.beta_1, self.beta_2), eps=self.epsilon)


class SGD(KerasOptimizer):
    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        self.learning_rate, self.momentum, self.nesterov = learning_rate, momentum, nesterov

    def build(self, parameters):
        return optim.SGD(parameters, lr=self.learning_rate, momentum=self.momentum, nesterov=self.nesterov)


class RMSprop(KerasOptimizer):
    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7):
        self.learning_rate, self.rho, self.momentum, self.epsilon = learning_rate, rho, momentum, epsilon

    def build(self, parameters):
        return optim.RMSprop(parameters, lr=self.learning_rate, alpha=self.rho, eps=self.epsilon,
                             momentum=self.momentum)


class Adagrad(KerasOptimizer):
    def __init__(self, learning_rate: float = 0.001, epsilon: float = 1e-7):
        self.learning_rate, self.epsilon = learning_rate, epsilon

    def build(self, parameters):
        return optim.Adagrad(parameters, lr=self.learning_rate, eps=self.epsilon)


BY_NAME = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier) -> KerasOptimizer:
    """An optimizer from a name ("adam", "sgd", "rmsprop", "adagrad") or an instance."""
    if isinstance(identifier, KerasOptimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in BY_NAME:
        return BY_NAME[identifier.lower()]()
    raise ValueError(f"optimizer must be one of {sorted(BY_NAME)} or a minidl.keras.optimizers instance, "
                     f"got {identifier!r}")

"""Keras's callbacks: ``History``, ``EarlyStopping``, ``ModelCheckpoint``, and the ``Callback`` base.

``fit`` calls each callback at the start and end of training and after
every epoch with that epoch's ``logs`` (``{"loss": ..., "accuracy": ...,
"val_loss": ..., "val_accuracy": ...}``, the metrics the model was compiled
with). A callback may set ``model.stop_training = True`` to end training
after the current epoch. Epochs are counted from 0, as Keras counts them.
"""
from __future__ import annotations

import math

from minidl import validate


class Callback:
    """The base class: override the hooks you need; ``self.model`` is the model being trained."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        pass

    def on_train_end(self, logs=None) -> None:
        pass


class History(Callback):
    """What ``fit`` returns: ``history`` maps each metric to its per-epoch values; ``epoch`` lists the epochs.

    Examples
    --------
    >>> history = History()
    >>> history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.5})
    >>> history.epoch, history.history
    ([0], {'loss': [0.5]})
    """

    def __init__(self):
        super().__init__()
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class _Monitor(Callback):
    """A callback that watches one logged quantity and knows which direction is better."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0):
        super().__init__()
        self.monitor = validate.text("monitor", monitor)
        self.mode = validate.choice("mode", mode, ("auto", "min", "max"))
        if self.mode == "auto":  # as Keras: losses fall, accuracies rise
            self.mode = "max" if self.monitor.removeprefix("val_") in ("accuracy", "acc") else "min"
        self.min_delta = validate.non_negative("min_delta", min_delta)
        self.best = math.inf if self.mode == "min" else -math.inf

    def improved(self, current: float, reference: float) -> bool:
        """Better than ``reference`` by more than ``min_delta``."""
        if self.mode == "min":
            return current - self.min_delta < reference
        return current + self.min_delta > reference

    def current(self, logs) -> float:
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(f"{type(self).__name__} monitors {self.monitor!r}, which fit does not log; "
                           f"logged: {sorted(logs)} (val_* needs validation_data or validation_split)")
        return float(logs[self.monitor])


class EarlyStopping(_Monitor):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    As Keras's: the wait counter grows every epoch and restarts at an
    improvement (by more than ``min_delta``); training stops once it reaches
    ``patience`` (never after the first epoch). With
    ``restore_best_weights=True`` the model ends with the weights of the best
    epoch, whether training stopped early or ran every epoch.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False):
        super().__init__(monitor, mode, min_delta)
        self.patience = validate.non_negative_int("patience", patience)
        self.verbose = verbose
        self.restore_best_weights = bool(restore_best_weights)

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch, self.best_weights = 0, 0, 0, None
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        current = self.current(logs)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch  # the first epoch is best so far
        self.wait += 1
        if self.improved(current, self.best):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(_Monitor):
    """Save the model (or its weights) after every epoch, or only when ``monitor`` improves.

    ``filepath`` may hold ``{epoch}`` (counted from 1, as Keras names files)
    and any logged metric, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.keras"``.
    Each save is atomic; the callback replaces the files it writes.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto"):
        super().__init__(monitor, mode)
        self.filepath = validate.file_path("filepath", filepath)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = self.current(logs)
            if not self.improved(current, self.best):
                return
            self.best = current
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the model to {path}")

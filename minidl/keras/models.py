"""Keras's ``Sequential`` model: ``add``, ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.

Training runs through ``minidl.training`` (the same loop as ``minidl
train``) and the layers' minidl modules: nothing here computes anything a
module or the loop does not already compute.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from minidl import training, validate
from minidl.data import BatchLoader
from minidl.keras import losses, optimizers, saving
from minidl.keras.callbacks import Callback, History
from minidl.keras.layers import Layer
from minidl.keras.saving import load_model  # noqa: F401  (Keras's minidl.keras.models.load_model)
from minidl.nn import Module
from minidl.random import generator
from minidl.tensor import Tensor


def _as_array(x, name: str) -> np.ndarray:
    x = np.asarray(x.numpy() if isinstance(x, Tensor) else x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")
    return x.astype(np.float32) if x.dtype.kind == "f" or name == "x" else x


class Sequential(Module):
    """A stack of Keras-style layers.

    Examples
    --------
    >>> from minidl.keras.layers import LSTM, Dense
    >>> model = Sequential()
    >>> model.add(LSTM(units=8, input_shape=(20, 3)))
    >>> model.add(Dense(units=4, activation="softmax"))
    >>> model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    """

    def __init__(self, layers=None, name=None):
        super().__init__()
        self.name = name or "sequential"
        self.compiled = False
        self._logit_activation = None  # the final activation the compiled loss folds in (softmax, sigmoid)
        self._shape = None  # the input shape (no batch axis) once built
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list:
        return list(self._modules.values())

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a minidl.keras layer, got {type(layer).__name__}")
        if not self.layers and layer.input_shape is not None:
            self._shape = layer.input_shape
        setattr(self, str(len(self.layers)), layer)
        if self._shape is not None:
            self._build(self._shape)

    def _build(self, input_shape: tuple) -> None:
        shape = tuple(input_shape)
        self._shape = shape
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.output_shape(shape)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    # ------------------------------------------------------------ forward
    def _run(self, x, lengths, *, activate_last: bool):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if not self.built:
            self._build(x.shape[1:])
        *body, last = self.layers
        for layer in body:
            if layer.changes_lengths:  # Masking: padded steps become lengths for the layers after it
                x, lengths = layer(x, lengths=lengths)
            else:
                x = layer(x, lengths=lengths)
        out = last(x, lengths=lengths) if activate_last else last(x, lengths=lengths, activate=False)
        return out[0] if last.changes_lengths else out  # such a layer returns (x, lengths)

    def scores(self, x, lengths=None):
        """Outputs before a final activation that the loss takes as logits. [B, ...]"""
        return self._run(x, lengths, activate_last=not self._from_logits)

    def forward(self, x, lengths=None):
        """The model's outputs, as Keras's ``model(x)``: probabilities after a final softmax."""
        return self._run(x, lengths, activate_last=True)

    @property
    def _from_logits(self) -> bool:
        """Whether the loss takes the last layer's scores before its activation."""
        return self._logit_activation is not None and self.layers[-1].activation == self._logit_activation

    # ------------------------------------------------------------ compile / fit
    def compile(self, optimizer="adam", loss=None, metrics=None) -> None:
        """Choose the optimizer, the loss (a Keras name) and the metrics (["accuracy"] or none)."""
        if not self.layers:
            raise ValueError("compile: the model has no layers; add some first")
        self._optimizer_spec = optimizers.get(optimizer)
        if loss is None:
            raise ValueError(f"compile: pass a loss, one of {sorted(losses.BY_NAME)}")
        self._loss_fn, self._logit_activation = losses.get(loss)
        metrics = list(metrics or [])
        unknown = [m for m in metrics if m not in ("accuracy", "acc")]
        if unknown:
            raise ValueError(f"compile: only the 'accuracy' metric is supported, got {unknown}")
        self.metrics_names = ["loss"] + (["accuracy"] if metrics else [])
        self.loss = loss
        self.optimizer = None  # built at the first fit, when every layer knows its input size
        self.compiled = True

    def _check_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"{what}: call compile(optimizer=..., loss=...) first")

    def _loss(self, scores, targets):
        return self._loss_fn(scores, targets, from_logits=self._from_logits)

    def _loader(self, x, y, batch_size, shuffle=False):
        x = _as_array(x, "x")
        y = _as_array(y, "y") if y is not None else np.zeros(len(x))
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
        if not self.built:
            self._build(x.shape[1:])
        seed = int(generator().integers(2**31)) if shuffle else 0  # minidl.manual_seed fixes the order
        return BatchLoader(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)

    def fit(self, x, y, epochs: int = 1, batch_size: int = 32, verbose: int = 1, callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True) -> History:
        """Train; returns the History callback, whose ``history`` has loss (, accuracy, val_loss, val_accuracy).

        As Keras's: ``validation_split`` holds out the *last* fraction of
        ``x`` and ``y`` (before any shuffling) and is ignored when
        ``validation_data`` is given; ``callbacks`` (``minidl.keras.callbacks``)
        are called after every epoch and may stop training.
        """
        self._check_compiled("fit")
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be minidl.keras.callbacks.Callback instances, "
                                f"got {type(callback).__name__}")
        validation_split = 0.0 if validation_split == 0 else validate.fraction("validation_split", validation_split)
        if validation_data is None and validation_split:
            x, y, validation_data = _split_last(x, y, validation_split)
        train_loader = self._loader(x, y, batch_size, shuffle=shuffle)
        val_loader = None
        if validation_data is not None:
            val_x, val_y = validation_data[:2]
            val_loader = self._loader(val_x, val_y, batch_size)
        if self.optimizer is None:
            self.optimizer = self._optimizer_spec.build(self.parameters())
        history = History()
        callbacks.append(history)
        self.stop_training = False
        for callback in callbacks:
            callback.set_model(self)
            callback.set_params({"verbose": verbose, "epochs": epochs, "steps": len(train_loader)})
            callback.on_train_begin()

        def report(row):
            if verbose:
                text = f"Epoch {row['epoch']}/{epochs} - {row['seconds']:.1f}s - loss: {row['loss']:.4f}"
                if "accuracy" in self.metrics_names:
                    text += f" - accuracy: {row['accuracy']:.4f}"
                if row["val_loss"] is not None:
                    text += f" - val_loss: {row['val_loss']:.4f}"
                    if "accuracy" in self.metrics_names:
                        text += f" - val_accuracy: {row['val_accuracy']:.4f}"
                print(text, file=sys.stdout, flush=True)

        def after_epoch(row) -> bool:
            report(row)
            logs = {name: row[name] for name in self._logged_metrics(val_loader is not None)}
            for callback in callbacks:
                callback.on_epoch_end(row["epoch"] - 1, logs)  # Keras counts epochs from 0
            return self.stop_training

        training.fit(self, train_loader, self._loss, self.optimizer, epochs=epochs, val_loader=val_loader,
                     on_epoch=after_epoch, progress=verbose == 1, forward=self.scores)
        for callback in callbacks:
            callback.on_train_end()
        self.history = history  # as Keras: the last fit's history stays on the model
        return history

    def _logged_metrics(self, validation: bool) -> list:
        names = list(self.metrics_names)
        return names + [f"val_{name}" for name in names] if validation else names

    def evaluate(self, x, y, batch_size: int = 32, verbose: int = 0):
        """[loss, accuracy] (or the loss alone when compiled without metrics)."""
        self._check_compiled("evaluate")
        loss, accuracy = training.run_epoch(self, self._loader(x, y, batch_size), self._loss, forward=self.scores)
        if verbose:
            print(f"loss: {loss:.4f} - accuracy: {accuracy:.4f}")
        return [loss, accuracy] if "accuracy" in self.metrics_names else loss

    def predict(self, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """The model's outputs for every example, as a NumPy array [N, ...]."""
        return training.predict_scores(self, self._loader(x, None, batch_size))

    # ------------------------------------------------------------ weights and files
    def get_weights(self) -> list:
        """Copies of every parameter array, in layer order (Keras's ``get_weights``)."""
        return [param.numpy().copy() for param in self.parameters()]

    def set_weights(self, weights) -> None:
        """Replace every parameter, in the order ``get_weights`` gives them; shapes must match."""
        params = list(self.parameters())
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(f"set_weights: the model has {len(params)} weight arrays, got {len(weights)}")
        for k, (param, value) in enumerate(zip(params, weights)):
            if tuple(np.shape(value)) != param.shape:
                raise ValueError(f"set_weights: array {k} has shape {tuple(np.shape(value))}, expected {param.shape}")
        for param, value in zip(params, weights):
            param.data = param.xp.asarray(value, dtype=param.dtype).copy()

    def save(self, filepath, overwrite: bool = False) -> None:
        """Architecture, weights and compile settings in one file; ``load_model(filepath)`` reads it back.

        Unlike Keras, whose default replaces a file, an existing file is
        replaced only with ``overwrite=True`` (Keras would ask).
        """
        saving.save_model(self, validate.file_path("filepath", filepath), overwrite=overwrite)

    def save_weights(self, filepath, overwrite: bool = False) -> None:
        """The weights alone; an existing file is replaced only with ``overwrite=True``."""
        saving.save_weights(self, validate.file_path("filepath", filepath), overwrite=overwrite)

    def load_weights(self, filepath) -> None:
        """Weights written by ``save_weights`` (or a saved model's), by parameter name."""
        saving.load_weights(self, validate.file_path("filepath", filepath))

    # ------------------------------------------------------------ summary
    def summary(self, print_fn=print) -> None:
        """A table of layers, output shapes and parameter counts."""
        if not self.built:
            raise ValueError("summary: the model is not built yet; give the first layer input_shape= "
                             "or call fit/predict first")
        lines = [f'Model: "{self.name}"', "_" * 65,
                 f"{'Layer (type)':<29}{'Output Shape':<24}{'Param #':>12}", "=" * 65]
        shape, total = self._shape, 0
        for i, layer in enumerate(self.layers):
            shape = layer.output_shape(shape)
            count = sum(p.size for p in layer.parameters())
            total += count
            name = layer.name or f"{type(layer).__name__.lower()}_{i}"
            lines.append(f"{name + ' (' + type(layer).__name__ + ')':<29}{str((None, *shape)):<24}{count:>12,}")
        lines += ["=" * 65, f"Total params: {total:,}", f"Trainable params: {total:,}",
                  "Non-trainable params: 0", "_" * 65]
        print_fn("\n".join(lines))


def _split_last(x, y, validation_split: float):
    """Keras's split: the last ``floor(n * validation_split)``-ish examples validate, in their order."""
    x, y = _as_array(x, "x"), _as_array(y, "y")
    split_at = int(math.floor(len(x) * (1.0 - validation_split)))
    if split_at == 0 or split_at == len(x):
        raise ValueError(f"validation_split={validation_split} leaves no training or no validation example "
                         f"out of {len(x)}")
    return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])

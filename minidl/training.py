"""The training loop: epochs of forward, loss, backward, clip, step; evaluation; history.

One loop serves ``minidl train`` and the Keras-style facade. A model is
called as ``model(inputs, lengths=lengths)`` and returns class scores
(logits) [B, C]; ``loss_fn(logits, targets)`` returns a scalar Tensor.
Targets are class indices [B] or per-class weights such as one-hot rows
[B, C]; accuracy compares the arg-max of the scores with the target class.

A task whose outputs are not class scores (a CTC recognizer's per-frame
log-probabilities) passes its own ``forward`` and ``metric``: the loop
only adds up the loss and the metric's (amount, count) per batch.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from tqdm import tqdm

from minidl import validate
from minidl.grad_mode import no_grad
from minidl.optim.clip import clip_grad_norm_
from minidl.tensor import as_tensor

HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")


def target_classes(targets) -> np.ndarray:
    """Class indices from index targets [B] or per-class targets [B, C]."""
    targets = np.asarray(targets)
    return targets.argmax(axis=1) if targets.ndim == 2 else targets


@dataclass(frozen=True)
class Metric:
    """What an epoch measures besides the loss.

    ``batch(outputs, targets) -> (amount, count)``: the epoch's value is the
    sum of the amounts over the sum of the counts (correct clips over clips,
    token edits over reference tokens).
    """

    name: str
    batch: Callable


def _correct_clips(logits, targets):
    return int((logits.numpy().argmax(axis=1) == target_classes(targets)).sum()), len(targets)


ACCURACY = Metric("accuracy", _correct_clips)


def run_epoch(model, loader, loss_fn, *, optimizer=None, clip_norm=None, progress=None, forward=None,
              device: str = "cpu", metric: Metric = ACCURACY):
    """One pass over ``loader``; trains when an optimizer is given, else evaluates.

    Parameters
    ----------
    model : Module
    loader : minidl.data.BatchLoader
    loss_fn : callable(logits Tensor [B, C], targets) -> Tensor []
    optimizer : Optimizer or None
    clip_norm : float or None
        Rescale the gradients to this global norm at most before each step.
    progress : str or None
        Label of a progress bar (on stderr); None for no bar.
    forward : callable(inputs Tensor, lengths) -> scores, or None
        What the loss is computed on; default ``model`` itself.
    device : {"cpu", "cuda"}
        Where each batch's inputs go; the model must already be there
        (``model.to(device)``). Targets and lengths stay NumPy arrays.
    metric : Metric
        What is measured besides the loss (default accuracy).

    Returns
    -------
    (mean loss per example, metric) over the epoch
    """
    training = optimizer is not None
    forward = forward or model
    model.train(training)
    total_loss, amount, counted, seen = 0.0, 0.0, 0, 0
    # disable=None: tqdm draws only on a terminal, so logs and pipes stay readable
    bar = tqdm(loader, desc=progress, unit="batch", leave=False, disable=True if progress is None else None)
    for batch in bar:
        if training:
            optimizer.zero_grad()
            logits = forward(as_tensor(batch.inputs, device=device), lengths=batch.lengths)
            loss = loss_fn(logits, batch.targets)
            loss.backward()
            if clip_norm:
                clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
        else:
            with no_grad():
                logits = forward(as_tensor(batch.inputs, device=device), lengths=batch.lengths)
                loss = loss_fn(logits, batch.targets)
        n = len(batch.targets)
        total_loss += float(loss.item()) * n
        batch_amount, batch_count = metric.batch(logits, batch.targets)
        amount, counted, seen = amount + batch_amount, counted + batch_count, seen + n
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", **{metric.name: f"{amount / max(counted, 1):.3f}"})
    model.train(True)
    return total_loss / seen, amount / max(counted, 1)


def predict_scores(model, loader, *, device: str = "cpu") -> np.ndarray:
    """The model's scores for every example, in the loader's order (no shuffle), on the host. [N, C]

    ``device`` is where the batches go, as in :func:`run_epoch`.
    """
    model.eval()
    rows = {}
    with no_grad():
        for batch in loader:
            scores = model(as_tensor(batch.inputs, device=device), lengths=batch.lengths).numpy()
            rows.update(zip(batch.positions.tolist(), scores))
    model.train(True)
    return np.stack([rows[i] for i in range(len(rows))])


def confusion_matrix(true, predicted, n_classes: int) -> np.ndarray:
    """counts[i, j] = how many examples of class i were predicted as class j. [C, C] int"""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


@dataclass
class TrainingHistory:
    """Per-epoch metrics, one dict per epoch with the keys of ``columns``.

    ``metric`` names the measure besides the loss (``HISTORY_COLUMNS`` when it is accuracy).
    """

    rows: list = field(default_factory=list)
    best_epoch: int | None = None  # the epoch whose weights were kept (early stopping)
    stopped_early: bool = False
    metric: str = "accuracy"

    @property
    def columns(self) -> tuple:
        return ("epoch", "loss", self.metric, "val_loss", "val_" + self.metric, "lr", "seconds")

    def column(self, name: str) -> list:
        return [row[name] for row in self.rows]

    def to_csv(self) -> str:
        lines = [",".join(self.columns)]
        for row in self.rows:
            lines.append(",".join("" if row[c] is None else f"{row[c]:.6g}" for c in self.columns))
        return "\n".join(lines) + "\n"


def fit(model, train_loader, loss_fn, optimizer, *, epochs: int, val_loader=None, clip_norm=None,
        patience=None, on_epoch=None, progress: bool = True, forward=None, device: str = "cpu",
        metric: Metric = ACCURACY, schedule=None) -> TrainingHistory:
    """Train for ``epochs`` epochs; returns the TrainingHistory.

    Parameters
    ----------
    val_loader : BatchLoader or None
        Evaluated after every epoch.
    clip_norm : float or None
        Global gradient-norm clipping.
    patience : int or None
        Early stopping: stop when the validation loss has not improved for this many
        epochs, and restore the weights of the best epoch (needs ``val_loader``).
    on_epoch : callable(row dict) -> bool or None, or None
        Called after every epoch (e.g. to print the row); a true result stops
        training after this epoch (Keras's callbacks use it).
    progress : bool
        A progress bar per epoch.
    forward : callable or None
        As in :func:`run_epoch`.
    device : {"cpu", "cuda"}
        As in :func:`run_epoch`: the model must already be on it.
    metric : Metric
        As in :func:`run_epoch`; each row holds it as ``metric.name`` and ``"val_" + metric.name``.
    schedule : object with ``step()``, or None
        A learning-rate schedule on ``optimizer`` (``minidl.optim.CosineAnnealingLR``), stepped after
        every epoch; each row records the rate the epoch trained with as ``"lr"``.
    """
    epochs = validate.positive_int("epochs", epochs)
    patience = validate.positive_int("patience", patience, allow_none=True)
    if patience is not None and val_loader is None:
        raise ValueError("early stopping (patience) needs a validation set")
    history, best_loss, best_state, waited = TrainingHistory(metric=metric.name), math.inf, None, 0
    for epoch in range(1, epochs + 1):
        start, rate = time.perf_counter(), getattr(optimizer, "lr", None)  # an optimizer of one's own may have none
        label = f"epoch {epoch}/{epochs}" if progress else None
        loss, measure = run_epoch(model, train_loader, loss_fn, optimizer=optimizer, clip_norm=clip_norm,
                                  progress=label, forward=forward, device=device, metric=metric)
        val_loss = val_measure = None
        if val_loader is not None:
            val_loss, val_measure = run_epoch(model, val_loader, loss_fn, forward=forward, device=device,
                                              metric=metric)
        row = {"epoch": epoch, "loss": loss, metric.name: measure, "val_loss": val_loss,
               "val_" + metric.name: val_measure, "lr": rate, "seconds": time.perf_counter() - start}
        history.rows.append(row)
        if schedule is not None:
            schedule.step()
        if on_epoch is not None and on_epoch(row):
            history.stopped_early = True
            break
        if patience is not None:
            if val_loss < best_loss:
                best_loss, waited, history.best_epoch = val_loss, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if waited >= patience:
                    history.stopped_early = True
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history

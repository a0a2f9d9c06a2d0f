"""Training figures (matplotlib): loss and accuracy curves, confusion matrix.

Built with ``matplotlib.figure.Figure`` (no pyplot), so they need no display.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def training_curves(history) -> Figure:
    """Loss and accuracy per epoch, training and validation, side by side."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    loss_ax, acc_ax = figure.subplots(1, 2)
    epochs = history.column("epoch")
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        ax.plot(epochs, history.column(metric), marker=".", label="train")
        validation = history.column("val_" + metric)
        if any(v is not None for v in validation):
            ax.plot(epochs, validation, marker=".", label="validation")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.grid(alpha=0.3)
        ax.legend()
    return figure


def confusion_figure(counts, label_names, *, title: str = "confusion matrix (test set)") -> Figure:
    """counts[i, j] = examples of class i predicted as j, as an annotated image."""
    counts = np.asarray(counts)
    size = max(4.0, 0.5 * len(label_names) + 2)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=ax)
    ticks = np.arange(len(label_names))
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true", title=title)
    ax.set_xticklabels(label_names, rotation=45, ha="right")
    ax.set_yticklabels(label_names)
    threshold = counts.max() / 2 if counts.size else 0
    for i, j in np.ndindex(counts.shape):
        ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                color="white" if counts[i, j] > threshold else "black", fontsize=8)
    return figure

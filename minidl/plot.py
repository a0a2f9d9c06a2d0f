"""Training figures (matplotlib): loss and accuracy curves, confusion matrix.

Built with ``matplotlib.figure.Figure`` (no pyplot), so they need no display.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def training_curves(history) -> Figure:
    """Loss and the history's metric (accuracy, token error rate) per epoch, training and validation, side by side."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    loss_ax, acc_ax = figure.subplots(1, 2)
    epochs = history.column("epoch")
    for ax, metric in ((loss_ax, "loss"), (acc_ax, getattr(history, "metric", "accuracy"))):
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


def alignment_figure(spectrogram, posteriors, class_names, *, decoded, truth, hop_seconds: float,
                     posterior_hop_seconds: float | None = None, title: str = "a test utterance") -> Figure:
    """What a CTC recognizer heard: the spectrogram over its per-frame token posteriors.

    Parameters
    ----------
    spectrogram : array [n_bins, T_s]
        In dB, one column per feature frame.
    posteriors : array [T, C]
        p(class | output frame), class 0 the blank (drawn grey and dashed: it wins most frames).
    class_names : list of str [C]
    decoded, truth : str
        The decoded and the true transcript, printed in the title.
    hop_seconds : float
        Seconds per spectrogram frame.
    posterior_hop_seconds : float, default hop_seconds
        Seconds per output frame: ``hop_seconds`` times the model's time
        subsampling. Output frame t is drawn at t * posterior_hop_seconds,
        the start of the input frames it pools (within a frame).
    """
    posteriors = np.asarray(posteriors)
    figure = Figure(figsize=(10, 6), layout="constrained")
    spec_ax, post_ax = figure.subplots(2, 1, sharex=True)
    frames = np.asarray(spectrogram).shape[1]
    spec_ax.imshow(spectrogram, origin="lower", aspect="auto", cmap="magma",
                   extent=(0, frames * hop_seconds, 0, np.asarray(spectrogram).shape[0]))
    spec_ax.set(ylabel="mel band", title=f"{title}\ndecoded: {decoded or '(nothing)'}    true: {truth}")
    times = np.arange(len(posteriors)) * (hop_seconds if posterior_hop_seconds is None else posterior_hop_seconds)
    post_ax.plot(times, posteriors[:, 0], color="0.6", linestyle="--", label=class_names[0])
    colors = {}
    for k in range(1, posteriors.shape[1]):
        colors[k] = post_ax.plot(times, posteriors[:, k], label=class_names[k])[0].get_color()
    best = posteriors.argmax(axis=1)  # [T]
    for t in np.flatnonzero((best != 0) & (np.r_[-1, best[:-1]] != best)):  # name each token where it fires
        post_ax.annotate(class_names[best[t]], (times[t], posteriors[t, best[t]]), color=colors[best[t]],
                         ha="center", va="bottom", fontsize=9)
    post_ax.set(xlabel="time (s)", ylabel="posterior", ylim=(0, 1.08), title="per-frame token posteriors")
    post_ax.legend(ncol=min(12, posteriors.shape[1]), fontsize=7, loc="upper right")
    post_ax.grid(alpha=0.3)
    return figure

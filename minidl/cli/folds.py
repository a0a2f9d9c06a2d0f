"""``minidl train --cross-validate speakers``: one fold per speaker, then a table, the mean and a chart.

Fold k tests on every clip of speaker k and trains on all the others' (its
validation clips come from the training speakers), from the same seed as
every other fold, so the folds differ only in whom they hold out. Each
fold writes the files of a single run to ``--out/fold-<speaker>/``; the
run writes, in ``--out``:

- ``folds.csv``: speaker, n_test, accuracy, one row per fold;
- ``folds.png``: the accuracies as bars, with their mean;
- ``metrics.json``: the folds, their mean and minimum accuracy, the settings.

A model that only learned its training voices scores well on the official
split (where every speaker is in training) and badly here.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from minidl.cli.classify import OUTPUT_FILES, train_classifier
from minidl.cli.runs import clean_features, split_run, write_figure, write_json
from minidl.cli.tables import write_csv

CV_FILES = ("metrics.json", "folds.csv", "folds.png", "fold-<speaker>/")
KINDS = ("speakers",)


def fold_folder(out: Path, speaker: str) -> Path:
    """``out/fold-<speaker>``, with anything but letters, digits, ``.``, ``_`` and ``-`` replaced by ``_``."""
    return out / ("fold-" + re.sub(r"[^A-Za-z0-9._-]", "_", speaker))


def folds_figure(speakers, accuracies, *, title: str = "speaker-held-out accuracy") -> Figure:
    """One bar per fold (its test speaker), the mean as a dashed line."""
    accuracies = np.asarray(accuracies, dtype=float)
    figure = Figure(figsize=(max(5.0, 0.8 * len(speakers) + 2), 4), layout="constrained")
    ax = figure.add_subplot()
    bars = ax.bar(np.arange(len(speakers)), accuracies, color="tab:blue")
    ax.bar_label(bars, labels=[f"{a:.3f}" for a in accuracies], fontsize=8)
    ax.axhline(accuracies.mean(), color="tab:red", linestyle="--", label=f"mean {accuracies.mean():.3f}")
    ax.set(xticks=np.arange(len(speakers)), ylim=(0, 1.05), xlabel="test speaker", ylabel="test accuracy",
           title=title)
    ax.set_xticklabels(speakers, rotation=30, ha="right")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right")
    return figure


def format_folds(rows) -> str:
    """The per-fold table as aligned text, with the mean and the minimum."""
    width = max(8, *(len(r["speaker"]) for r in rows)) + 2
    lines = ["speaker".ljust(width) + "n_test".rjust(8) + "accuracy".rjust(10)]
    lines += [r["speaker"].ljust(width) + str(r["n_test"]).rjust(8) + f"{r['accuracy']:.4f}".rjust(10) for r in rows]
    accuracies = [r["accuracy"] for r in rows]
    lines.append("mean".ljust(width) + "".rjust(8) + f"{np.mean(accuracies):.4f}".rjust(10))
    lines.append("min".ljust(width) + "".rjust(8) + f"{np.min(accuracies):.4f}".rjust(10))
    return "\n".join(lines)


def cross_validate(args, dataset, config, *, out: Path, started: float, augmenter_for=None) -> dict:
    """Train one classifier per speaker fold; write the fold folders, ``folds.csv``, ``folds.png``, ``metrics.json``.

    Parameters
    ----------
    args : argparse.Namespace, the checked options of ``minidl train``
    dataset : AudioDataset with named speakers (at least two)
    config : FeatureConfig
    out : Path, the checked output folder
    started : float, ``time.perf_counter()`` at the start of the command
    augmenter_for : callable(RunData) -> augmenter or None, or None
        Builds a fold's training-batch augmenter (see :func:`train_classifier`).

    Returns
    -------
    dict, the contents of ``metrics.json``
    """
    features = clean_features(args, dataset, config)  # once for every fold: the clips do not change
    speakers = dataset.speaker_names
    rows, fold_metrics = [], []
    for k, speaker in enumerate(speakers, start=1):
        fold = dataset.with_test_speakers([speaker])
        print(f"\n=== fold {k}/{len(speakers)}: test speaker {speaker} ===", flush=True)
        run = split_run(args, fold, config, features, out=fold_folder(out, speaker), started=time.perf_counter())
        metrics = train_classifier(args, run, augmenter=augmenter_for(run) if augmenter_for else None)
        rows.append({"speaker": speaker, "n_test": metrics["n_test"], "accuracy": metrics["test_accuracy"]})
        fold_metrics.append(metrics)
    accuracies = [r["accuracy"] for r in rows]
    write_csv(out / "folds.csv", ["speaker", "n_test", "accuracy"],
              [[r["speaker"], r["n_test"], f"{r['accuracy']:.6g}"] for r in rows])
    write_figure(out / "folds.png", folds_figure(speakers, accuracies))
    first = fold_metrics[0]
    settings = {key: first[key] for key in ("model", "dataset", "data", "epochs_requested", "hidden", "layers",
                                            "bidirectional", "dropout", "batch_size", "lr", "lr_schedule", "clip",
                                            "seed", "backend", "device", "features", "normalize", "augmentation",
                                            "sr")}
    summary = {
        "cross_validate": "speakers", "folds": rows, "mean_accuracy": float(np.mean(accuracies)),
        "min_accuracy": float(np.min(accuracies)), "std_accuracy": float(np.std(accuracies)),
        "fold_outputs": [str(fold_folder(out, s).name) for s in speakers], "fold_files": list(OUTPUT_FILES),
        "total_seconds": time.perf_counter() - started, **settings, "skipped_files": dataset.skipped,
    }
    write_json(out / "metrics.json", summary)
    print("\nspeaker-held-out cross-validation\n" + format_folds(rows))
    print(f"wrote folds.csv, folds.png, metrics.json and {len(rows)} fold folders to {out}/ "
          f"({summary['total_seconds']:.1f} s in all)")
    return summary

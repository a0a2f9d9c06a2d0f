"""One classifier training run of ``minidl train``: model, fit, test, and the files in ``--out``.

``minidl.cli.train`` prepares the data (``minidl.cli.runs``) and calls
:func:`train_classifier` once, or once per fold with ``--cross-validate``
(``minidl.cli.folds``). Training batches are augmented on the fly when
``--noise``, ``--speed``, ``--vtlp``, ``--spec-augment`` or ``--gain-db``
ask for it (``minidl.cli.augment_options``); validation and test clips
never are.
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict

import numpy as np

import kernels
import minidl
from minidl import nn, optim
from minidl.classifiers import build_classifier
from minidl.cli.model_file import save_model
from minidl.cli.runs import RunData, lr_schedule, write_figure, write_json, write_text
from minidl.data import BatchLoader
from minidl.plot import confusion_figure, training_curves
from minidl.training import confusion_matrix, fit, predict_scores

OUTPUT_FILES = ("metrics.json", "history.csv", "curves.png", "confusion.png", "model.npz")


def format_confusion(counts, label_names) -> str:
    width = max(5, *(len(n) for n in label_names)) + 1
    lines = ["true \\ predicted".ljust(width) + "".join(n.rjust(width) for n in label_names)]
    for name, row in zip(label_names, counts):
        lines.append(name.ljust(width) + "".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)


def train_classifier(args, run: RunData, *, augmenter=None) -> dict:
    """Train, test and write ``OUTPUT_FILES`` to ``run.out``; returns the metrics (also in metrics.json).

    Parameters
    ----------
    args : argparse.Namespace
        The checked options of ``minidl train``.
    run : RunData
        The split and the normalized features.
    augmenter : callable(clean [T, F], position, epoch) -> [T', F], or None
        Makes each training clip's features for an epoch (``position`` indexes
        ``run.train``); None trains on the clean features.
    """
    dataset, config, features = run.dataset, run.config, run.features
    train, val, test = run.train, run.val, run.test
    print(f"features: {config.n_features} per frame ({config.n_mfcc} MFCC, deltas {config.deltas}, "
          f"{run.scaler.kind} normalization); {len(train)} train / {len(val)} validation / {len(test)} test clips")

    def loader(positions, shuffle=False, transform=None):
        return BatchLoader([features[i] for i in positions], dataset.labels[positions],
                           batch_size=args.batch_size, shuffle=shuffle, seed=args.seed, transform=transform)

    minidl.manual_seed(args.seed)
    architecture = {"kind": args.model, "input_size": config.n_features, "num_classes": dataset.num_classes,
                    "hidden_size": args.hidden, "num_layers": args.layers,
                    "bidirectional": args.bidirectional, "dropout": args.dropout}
    model = build_classifier(**architecture).to(args.device)  # initialized on the CPU: same weights on either device
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    where = kernels.device_name(args.device) if args.device == "cuda" else f"backend {kernels.current()}"
    print(f"model: {args.model}, {sum(p.size for p in model.parameters()):,} parameters; {where}")

    def report(row):
        print(f"epoch {row['epoch']:>3}/{args.epochs}  loss {row['loss']:.4f}  acc {row['accuracy']:.4f}  "
              f"val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.4f}  ({row['seconds']:.1f} s)",
              flush=True)

    train_start = time.perf_counter()
    history = fit(model, loader(train, shuffle=True, transform=augmenter), nn.cross_entropy, optimizer,
                  epochs=args.epochs, val_loader=loader(val), clip_norm=args.clip or None, patience=args.patience,
                  on_epoch=report, device=args.device, schedule=lr_schedule(args, optimizer))
    train_seconds = time.perf_counter() - train_start

    scores = predict_scores(model, loader(test), device=args.device)  # [n_test, C]: one pass gives loss, accuracy and confusion
    test_loss = float(nn.cross_entropy(minidl.tensor(scores), dataset.labels[test]).item())
    counts = confusion_matrix(dataset.labels[test], scores.argmax(axis=1), dataset.num_classes)
    test_accuracy = float(np.trace(counts) / len(test))
    kept_epoch = history.rows[(history.best_epoch or len(history.rows)) - 1]  # the weights the model ends with
    print(f"test accuracy: {test_accuracy:.4f} ({int(np.trace(counts))}/{len(test)}), test loss {test_loss:.4f}")
    print(format_confusion(counts, dataset.label_names))

    out = run.out
    out.mkdir(parents=True, exist_ok=True)
    save_model(out / "model.npz", model, architecture=architecture, label_names=dataset.label_names,
               sr=dataset.sr, features=config, standardizer=run.scaler, overwrite=True)
    write_text(out / "history.csv", history.to_csv())
    write_figure(out / "curves.png", training_curves(history))
    write_figure(out / "confusion.png", confusion_figure(counts, dataset.label_names))
    metrics = {
        "test_accuracy": test_accuracy, "test_loss": test_loss, "val_accuracy": kept_epoch["val_accuracy"],
        "train_accuracy": kept_epoch["accuracy"],  # both from the kept epoch, the weights in model.npz
        "last_epoch_train_accuracy": history.rows[-1]["accuracy"],
        "last_epoch_val_accuracy": history.rows[-1]["val_accuracy"], "train_seconds": train_seconds,
        "total_seconds": time.perf_counter() - run.started, "model": args.model, "dataset": dataset.name,
        "data": args.data, "epochs": len(history.rows), "epochs_requested": args.epochs,
        "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
        "hidden": args.hidden, "layers": args.layers, "bidirectional": args.bidirectional,
        "dropout": args.dropout, "batch_size": args.batch_size, "lr": args.lr, "lr_schedule": args.lr_schedule,
        "clip": args.clip,
        "seed": args.seed, "backend": kernels.current(), "device": args.device, "features": asdict(config),
        "normalize": run.scaler.kind, "augmentation": getattr(augmenter, "settings", None),
        "test_speakers": dataset.info.get("test_speakers"), "sr": dataset.sr,
        "n_train": len(train), "n_val": len(val), "n_test": len(test), "label_names": dataset.label_names,
        "confusion_matrix": counts.tolist(), "skipped_files": dataset.skipped,
    }
    write_json(out / "metrics.json", metrics)
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}/ ({metrics['total_seconds']:.1f} s in all)")
    sys.stdout.flush()
    return metrics

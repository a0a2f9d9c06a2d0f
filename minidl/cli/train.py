"""``minidl train``: audio classification (or, with ``--task transcribe``, recognition) on MFCC sequences.

The whole workflow of the seed documents in one command: load (or
synthesize) the clips, extract MFCC sequences, standardize them with
training statistics, train with Adam and cross-entropy on padded batches
with lengths, report accuracy and a confusion matrix, and write
``metrics.json``, ``history.csv``, ``curves.png``, ``confusion.png`` and
``model.npz`` to the output folder. ``--task transcribe`` trains a CTC
recognizer instead (``minidl.cli.train_transcribe``); both share the
options and ``minidl.cli.runs``.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

import kernels
import minidl
from audio.datasets import load_folder, load_fsdd, synthetic_vowels
from minidl import nn, optim
from minidl.classifiers import MODEL_KINDS, build_classifier
from minidl.cli import train_transcribe
from minidl.cli.device import add_device_option, check_device
from minidl.cli.model_file import save_model
from minidl.cli.runs import start_run, write_figure, write_json, write_text
from minidl.data import BatchLoader
from minidl.errors import UsageError
from minidl.plot import confusion_figure, training_curves
from minidl.training import confusion_matrix, fit, predict_scores

OUTPUT_FILES = ("metrics.json", "history.csv", "curves.png", "confusion.png", "model.npz")
TASKS = ("classify", "transcribe")
# options whose default depends on the task (argparse leaves them None)
TASK_DEFAULTS = {
    "classify": {"hidden": 64, "layers": 1, "epochs": 30, "batch_size": 32, "lr": 3e-3, "clips": 2400,
                 "hop_ms": None},
    "transcribe": train_transcribe.DEFAULTS,
}


def add_parser(sub) -> None:
    t = train_transcribe.DEFAULTS
    p = sub.add_parser("train", help="train an audio classifier (default: LSTM on the embedded dataset) "
                                     "or, with --task transcribe, a CTC speech recognizer",
                       description="Audio classification with an RNN, LSTM, GRU or convolutional net on MFCC "
                                   "sequences; --task transcribe: token sequences with a bidirectional recurrent "
                                   "or convolutional net and CTC.")
    p.add_argument("--task", default="classify", help="classify (default: one label per clip) or transcribe "
                   "(a token sequence per clip, CTC; see minidl transcribe)")
    p.add_argument("--data", default="synthetic", metavar="SPEC",
                   help="classify: synthetic (default, embedded), fsdd:DIR (Free Spoken Digit Dataset) or DIR "
                        "(DIR/<label>/*.wav); transcribe: synthetic (default: vowel strings), digits:DIR "
                        "(connected digits from FSDD) or DIR (DIR/transcripts.tsv: file<TAB>tokens)")
    p.add_argument("--model", default="lstm", help=f"one of {', '.join(MODEL_KINDS)} (default lstm); "
                   f"transcribe: {', '.join(train_transcribe.MODEL_KINDS)}")
    p.add_argument("--subsample", type=int, default=None, choices=(1, 2, 4), metavar="FACTOR",
                   help="transcribe --model crnn: output frames per input frame, 1, 2 (default) or 4")
    p.add_argument("--hidden", type=int, default=None, help=f"hidden units per layer (default 64; transcribe {t['hidden']})")
    p.add_argument("--layers", type=int, default=None, help=f"recurrent layers (default 1; transcribe {t['layers']})")
    p.add_argument("--bidirectional", action="store_true",
                   help="read the sequence in both directions (transcribe: always)")
    p.add_argument("--dropout", type=float, default=0.0, help="dropout between layers (default 0)")
    p.add_argument("--epochs", type=int, default=None, help=f"training epochs (default 30; transcribe {t['epochs']})")
    p.add_argument("--batch-size", type=int, default=None,
                   help=f"clips per batch (default 32; transcribe {t['batch_size']})")
    p.add_argument("--lr", type=float, default=None, help=f"Adam learning rate (default 0.003; transcribe {t['lr']})")
    p.add_argument("--clip", type=float, default=5.0, help="gradient-norm clipping, 0 for none (default 5)")
    p.add_argument("--patience", type=int, default=None,
                   help="early stopping: epochs without a better validation loss (default: off)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="share of training clips for validation")
    p.add_argument("--seed", type=int, default=0, help="seed of everything random (default 0)")
    p.add_argument("--clips", type=int, default=None,
                   help=f"size of the synthetic dataset (default 2400; transcribe {t['clips']} utterances); "
                        "digits:DIR: training utterances (and a sixth as many test ones)")
    p.add_argument("--n-mfcc", type=int, default=13, help="MFCCs per frame (default 13)")
    p.add_argument("--hop-ms", type=float, default=None,
                   help=f"feature frame step in ms (default 10; transcribe {t['hop_ms']:g})")
    p.add_argument("--deltas", type=int, default=2, choices=(0, 1, 2), help="delta orders added (default 2)")
    p.add_argument("--cache", metavar="DIR", default=None, help="feature cache (default $MINIDL_CACHE or ~/.cache/minidl)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the feature cache")
    p.add_argument("--backend", choices=kernels.BACKENDS, default=argparse.SUPPRESS, help="kernel backend")
    p.add_argument("--out", metavar="DIR", default=None, help="output folder (default runs/<data>-<model>-<time>)")
    p.add_argument("--force", action="store_true", help="write into an existing non-empty --out")
    add_device_option(p)
    p.set_defaults(func=cmd_train)


def check_options(args) -> None:
    """The task known, its defaults filled in, every numeric option in range, before any work is done."""
    if args.task not in TASKS:
        raise UsageError(f"unknown task {args.task!r}; expected one of {', '.join(TASKS)}")
    for name, value in TASK_DEFAULTS[args.task].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    kinds = MODEL_KINDS if args.task == "classify" else train_transcribe.MODEL_KINDS
    if args.model not in kinds:
        raise UsageError(f"unknown model {args.model!r} for --task {args.task}; expected one of {', '.join(kinds)}")
    if args.subsample is not None and (args.task, args.model) != ("transcribe", "crnn"):
        raise UsageError(f"--subsample is for --task transcribe --model crnn only (the other models keep every "
                         f"frame), got --task {args.task} --model {args.model}")
    if args.hop_ms is not None and args.hop_ms <= 0:
        raise UsageError(f"--hop-ms must be > 0, got {args.hop_ms}")
    for name in ("hidden", "layers", "epochs", "batch_size", "clips", "n_mfcc"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.lr <= 0 or args.clip < 0:
        raise UsageError(f"--lr must be > 0 and --clip >= 0, got {args.lr} and {args.clip}")
    if not 0 < args.val_fraction < 1 or not 0 <= args.dropout < 1:
        raise UsageError(f"--val-fraction must lie in (0, 1) and --dropout in [0, 1), "
                         f"got {args.val_fraction} and {args.dropout}")
    if args.patience is not None and args.patience < 1:
        raise UsageError(f"--patience must be at least 1, got {args.patience}")
    check_device(args.device)


def load_dataset(spec: str, *, clips: int, seed: int):
    """synthetic | fsdd:DIR | DIR -> AudioDataset."""
    if spec == "synthetic":
        return synthetic_vowels(n_clips=clips, seed=seed)
    if spec.startswith("fsdd:"):
        return load_fsdd(spec[len("fsdd:"):])
    if Path(spec).is_dir():
        return load_folder(spec)
    raise UsageError(f"unknown dataset {spec!r}: expected 'synthetic', 'fsdd:DIR' or an existing folder "
                     "DIR with one sub-folder of audio files per class")


def format_confusion(counts, label_names) -> str:
    width = max(5, *(len(n) for n in label_names)) + 1
    lines = ["true \\ predicted".ljust(width) + "".join(n.rjust(width) for n in label_names)]
    for name, row in zip(label_names, counts):
        lines.append(name.ljust(width) + "".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)


def cmd_train(args) -> int:
    check_options(args)
    if args.task == "transcribe":
        return train_transcribe.run(args)
    run = start_run(args, load_dataset, model_tag=args.model, outputs=OUTPUT_FILES, hop_ms=args.hop_ms)
    out, started, dataset, config, scaler, features = (run.out, run.started, run.dataset, run.config, run.scaler,
                                                       run.features)
    train, val, test = run.train, run.val, run.test
    print(f"features: {config.n_features} per frame ({config.n_mfcc} MFCC, deltas {config.deltas}); "
          f"{len(train)} train / {len(val)} validation / {len(test)} test clips")

    def loader(positions, shuffle=False):
        return BatchLoader([features[i] for i in positions], dataset.labels[positions],
                           batch_size=args.batch_size, shuffle=shuffle, seed=args.seed)

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
    history = fit(model, loader(train, shuffle=True), nn.cross_entropy, optimizer, epochs=args.epochs,
                  val_loader=loader(val), clip_norm=args.clip or None, patience=args.patience, on_epoch=report,
                  device=args.device)
    train_seconds = time.perf_counter() - train_start

    scores = predict_scores(model, loader(test), device=args.device)  # [n_test, C]: one pass gives loss, accuracy and confusion
    test_loss = float(nn.cross_entropy(minidl.tensor(scores), dataset.labels[test]).item())
    counts = confusion_matrix(dataset.labels[test], scores.argmax(axis=1), dataset.num_classes)
    test_accuracy = float(np.trace(counts) / len(test))
    kept_epoch = history.rows[(history.best_epoch or len(history.rows)) - 1]  # the weights the model ends with
    val_accuracy = kept_epoch["val_accuracy"]
    print(f"test accuracy: {test_accuracy:.4f} ({int(np.trace(counts))}/{len(test)}), test loss {test_loss:.4f}")
    print(format_confusion(counts, dataset.label_names))

    out.mkdir(parents=True, exist_ok=True)
    save_model(out / "model.npz", model, architecture=architecture, label_names=dataset.label_names,
               sr=dataset.sr, features=config, standardizer=scaler, overwrite=True)
    write_text(out / "history.csv", history.to_csv())
    write_figure(out / "curves.png", training_curves(history))
    write_figure(out / "confusion.png", confusion_figure(counts, dataset.label_names))
    metrics = {
        "test_accuracy": test_accuracy, "test_loss": test_loss, "val_accuracy": val_accuracy,
        "train_accuracy": kept_epoch["accuracy"],  # both from the kept epoch, the weights in model.npz
        "last_epoch_train_accuracy": history.rows[-1]["accuracy"],
        "last_epoch_val_accuracy": history.rows[-1]["val_accuracy"], "train_seconds": train_seconds,
        "total_seconds": time.perf_counter() - started, "model": args.model, "dataset": dataset.name,
        "data": args.data, "epochs": len(history.rows), "epochs_requested": args.epochs,
        "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
        "hidden": args.hidden, "layers": args.layers, "bidirectional": args.bidirectional,
        "dropout": args.dropout, "batch_size": args.batch_size, "lr": args.lr, "clip": args.clip,
        "seed": args.seed, "backend": kernels.current(), "device": args.device, "features": asdict(config), "sr": dataset.sr,
        "n_train": len(train), "n_val": len(val), "n_test": len(test), "label_names": dataset.label_names,
        "confusion_matrix": counts.tolist(), "skipped_files": dataset.skipped,
    }
    write_json(out / "metrics.json", metrics)
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}/ ({metrics['total_seconds']:.1f} s in all)")
    sys.stdout.flush()
    return 0

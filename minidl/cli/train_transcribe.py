"""``minidl train --task transcribe``: a CTC speech recognizer on MFCC sequences.

Load (or synthesize) utterances with transcripts, extract MFCC sequences
(a 20 ms hop by default: the shortest token lasts several frames), check
that every utterance keeps enough output frames for its transcript, train
a recognizer (a bidirectional recurrent net, or ``crnn``, ``tcn``,
``cnn``) with a linear layer per frame to the tokens plus the blank, with
CTC and Adam on padded batches with lengths; report the validation token
error rate every epoch; decode the test set with the prefix beam search;
and write ``metrics.json``, ``history.csv``, ``curves.png``,
``alignment.png`` and ``model.npz``.
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

import kernels
import minidl
from audio.datasets import connected_digits, load_transcribed, synthetic_utterances
from audio.decibels import power_to_db
from audio.mel import melspectrogram
from minidl import optim
from minidl.cli.model_file import save_model
from minidl.cli.runs import lr_schedule, start_run, write_figure, write_json, write_text
from minidl.data import BatchLoader
from minidl.decode import token_error_rate
from minidl.errors import UsageError
from minidl.plot import alignment_figure, training_curves
from minidl.recognizers import (DEFAULT_BEAM, RECOGNIZER_KINDS, TOKEN_ERRORS, build_recognizer, ctc_batch_loss,
                                ctc_forward, decode_utterance, frame_log_probs, pad_transcripts, too_few_frames)
from minidl.training import fit

OUTPUT_FILES = ("metrics.json", "history.csv", "curves.png", "alignment.png", "model.npz")
MODEL_KINDS = RECOGNIZER_KINDS  # rnn, lstm, gru, cnn, crnn, tcn
# measured on the synthetic utterances (2 shared cores): TER <= 0.02 on held-out speakers in under 5 minutes
DEFAULTS = {"hidden": 96, "layers": 2, "epochs": 10, "batch_size": 32, "lr": 3e-3, "clips": 2000, "hop_ms": 20.0}
DIGITS_TEST_SHARE = 6  # digits:DIR builds one test utterance per 6 training ones


def load_utterances(spec: str, *, clips: int, seed: int):
    """synthetic | digits:DIR | DIR (with transcripts.tsv) -> AudioDataset with transcripts."""
    if spec == "synthetic":
        return synthetic_utterances(n_utterances=clips, seed=seed)
    if spec.startswith("digits:"):
        return connected_digits(spec[len("digits:"):], n_train=clips, n_test=max(1, clips // DIGITS_TEST_SHARE),
                                seed=seed)
    if Path(spec).is_dir():
        return load_transcribed(spec)
    raise UsageError(f"unknown dataset {spec!r} for --task transcribe: expected 'synthetic', 'digits:DIR' "
                     "(the FSDD folder) or an existing folder DIR with DIR/transcripts.tsv")


def spectrogram_db(y, sr: int, config) -> np.ndarray:
    """A clip's mel spectrogram in dB, on the features' frames. [n_mels, frames]"""
    n_fft, hop = config.frame(sr)
    power = melspectrogram(y=np.asarray(y, dtype=np.float32), sr=sr, n_fft=n_fft, hop_length=hop,
                           n_mels=config.n_mels)
    return power_to_db(power, ref=float(power.max()) or 1.0)


def describe(model, kind: str, layers: int) -> str:
    """One line on what the recognizer is."""
    if kind == "crnn":
        return (f"crnn: {len(model.blocks)} conv blocks, time subsampled {model.subsampling}x, "
                f"bidirectional GRU x{layers}")
    if kind in ("cnn", "tcn"):
        blocks = "causal residual blocks" if kind == "tcn" else "conv blocks"
        return f"{kind}: {len(model.blocks)} {blocks}, receptive field {model.receptive_field} frames"
    return f"bidirectional {kind} x{layers}"


def check_enough_frames(model, features, dataset, kind: str) -> None:
    """Refuse, before any training, an utterance with fewer output frames than CTC needs for its transcript.

    CTC must emit each token on a frame of its own and a blank between two
    equal tokens; an utterance with fewer frames has no alignment at all (an
    infinite loss, no gradient), and no training can make it right.
    """
    short = too_few_frames(model, [len(f) for f in features],
                           [dataset.token_ids(k) for k in range(len(dataset))])
    if not short:
        return
    n, frames, kept, needed = short[0]
    tokens = dataset.transcripts[n]
    remedies = ["a smaller --hop-ms (more frames per second)"]
    after = ""
    if model.subsampling > 1:  # the frames the subsampling took are the first thing to give back
        after = f" ({kept} after {kind}'s {model.subsampling}x subsampling)"
        remedies = [f"--subsample {model.subsampling // 2}", *remedies,
                    f"a model that keeps every frame ({', '.join(k for k in MODEL_KINDS if k != kind)})"]
    more = f" ({len(short) - 1} more utterances too)" if len(short) > 1 else ""
    raise UsageError(f"utterance {dataset.sources[n]} has {frames} frames{after}, too few for its {len(tokens)} "
                     f"tokens {' '.join(tokens)!r}: CTC needs at least {needed} (a frame per token and a blank "
                     f"between equal neighbours){more}; try {', or '.join(remedies)}")


def decode_all(log_probs, beam_width: int):
    """Token lists of every utterance ([T_i, C] each) at ``beam_width``."""
    return [decode_utterance(lp, beam_width=beam_width)[0] for lp in log_probs]


def run(args) -> int:
    """The transcribe task; ``args`` already checked by ``minidl.cli.train.check_options``."""
    run = start_run(args, load_utterances, model_tag=f"transcribe-{args.model}", outputs=OUTPUT_FILES,
                    hop_ms=args.hop_ms)
    out, started, dataset, config, scaler, features = (run.out, run.started, run.dataset, run.config, run.scaler,
                                                       run.features)
    train, val, test = run.train, run.val, run.test
    targets = pad_transcripts([dataset.token_ids(k) for k in range(len(dataset))])  # [N, S_max], blank-padded
    print(f"features: {config.n_features} per frame ({config.n_mfcc} MFCC, deltas {config.deltas}, "
          f"hop {config.frame(dataset.sr)[1]} samples); {len(train)} train / {len(val)} validation / "
          f"{len(test)} test utterances")

    def loader(positions, shuffle=False):
        return BatchLoader([features[i] for i in positions], targets[positions], batch_size=args.batch_size,
                           shuffle=shuffle, seed=args.seed)

    minidl.manual_seed(args.seed)
    architecture = {"kind": args.model, "input_size": config.n_features, "num_tokens": len(dataset.tokens),
                    "hidden_size": args.hidden, "num_layers": args.layers, "bidirectional": True,
                    "dropout": args.dropout, "subsampling": args.subsample}
    model = build_recognizer(**architecture)  # initialized on the CPU: same weights anywhere
    architecture["subsampling"] = model.subsampling  # the default made explicit in model.npz
    check_enough_frames(model, features, dataset, args.model)  # before any training, and nothing written yet
    model.to(args.device)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    where = kernels.device_name(args.device) if args.device == "cuda" else f"backend {kernels.current()}"
    print(f"model: {describe(model, args.model, args.layers)}, {sum(p.size for p in model.parameters()):,} "
          f"parameters; {where}")

    def report(row):
        print(f"epoch {row['epoch']:>3}/{args.epochs}  loss {row['loss']:.4f}  ter {row['token_error_rate']:.4f}  "
              f"val_loss {row['val_loss']:.4f}  val_ter {row['val_token_error_rate']:.4f}  "
              f"({row['seconds']:.1f} s)", flush=True)

    train_start = time.perf_counter()
    history = fit(model, loader(train, shuffle=True), ctc_batch_loss, optimizer, epochs=args.epochs,
                  val_loader=loader(val), clip_norm=args.clip or None, patience=args.patience, on_epoch=report,
                  device=args.device, forward=ctc_forward(model), metric=TOKEN_ERRORS, schedule=lr_schedule(args, optimizer))
    train_seconds = time.perf_counter() - train_start

    log_probs = frame_log_probs(model, loader(test), device=args.device)  # [T'_i, C] per test utterance
    truth = [dataset.token_ids(k) for k in test]
    decoded = decode_all(log_probs, DEFAULT_BEAM)
    test_ter = token_error_rate(truth, decoded)
    greedy_ter = token_error_rate(truth, decode_all(log_probs, 1))
    sequence_accuracy = float(np.mean([d == t for d, t in zip(decoded, truth)]))
    print(f"test token error rate: {test_ter:.4f} (beam {DEFAULT_BEAM}; greedy {greedy_ter:.4f}), "
          f"sequence accuracy {sequence_accuracy:.4f} over {len(test)} utterances")

    out.mkdir(parents=True, exist_ok=True)
    save_model(out / "model.npz", model, architecture=architecture, tokens=dataset.tokens, sr=dataset.sr,
               features=config, standardizer=scaler, overwrite=True)
    write_text(out / "history.csv", history.to_csv())
    write_figure(out / "curves.png", training_curves(history))
    # the first test utterance of 3 tokens or more shows most; a tiny test set may have none
    shown = next((j for j, t in enumerate(truth) if len(t) >= 3), 0)
    k, names = int(test[shown]), ["blank", *dataset.tokens]
    hop_seconds = config.frame(dataset.sr)[1] / dataset.sr
    write_figure(out / "alignment.png", alignment_figure(
        spectrogram_db(dataset.clips[k], dataset.sr, config), np.exp(log_probs[shown]), names,
        decoded=" ".join(dataset.tokens[i] for i in decoded[shown]), truth=" ".join(dataset.transcripts[k]),
        hop_seconds=hop_seconds, posterior_hop_seconds=hop_seconds * model.subsampling,
        title=f"test utterance: {dataset.sources[k]}"))
    metrics = {
        "test_token_error_rate": test_ter, "test_sequence_accuracy": sequence_accuracy,
        "test_token_error_rate_greedy": greedy_ter, "beam_width": DEFAULT_BEAM,
        "val_token_error_rate": history.rows[(history.best_epoch or len(history.rows)) - 1]["val_token_error_rate"],
        "train_seconds": train_seconds, "total_seconds": time.perf_counter() - started, "task": "transcribe",
        "model": args.model, "dataset": dataset.name, "data": args.data, "epochs": len(history.rows),
        "epochs_requested": args.epochs, "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
        "hidden": args.hidden, "layers": args.layers, "bidirectional": True, "dropout": args.dropout,
        "subsampling": model.subsampling,
        "batch_size": args.batch_size, "lr": args.lr, "lr_schedule": args.lr_schedule, "clip": args.clip,
        "seed": args.seed,
        "backend": kernels.current(), "device": args.device, "features": asdict(config), "sr": dataset.sr,
        "n_train": len(train), "n_val": len(val), "n_test": len(test), "tokens": dataset.tokens,
        "skipped_files": dataset.skipped,
    }
    write_json(out / "metrics.json", metrics)
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}/ ({metrics['total_seconds']:.1f} s in all)")
    sys.stdout.flush()
    return 0

"""``minidl predict MODEL FILE...``: the label and probability of each audio file."""
from __future__ import annotations

import sys

import numpy as np

from audio.datasets.features import clip_features
from audio.errors import AudioFileError
from audio.io import load
from minidl.cli.model_file import load_model
from minidl.grad_mode import no_grad
from minidl.tensor import Tensor


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="classify audio files with a model saved by `minidl train`")
    p.add_argument("model", help="model.npz written by minidl train")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (wav, flac, ogg)")
    p.set_defaults(func=cmd_predict)


def predict_file(model, config, features, scaler, path):
    """(label, probability, all probabilities [C]) for one file."""
    y, sr = load(path, sr=config["sr"])
    sequence = scaler.transform([clip_features(y, sr, features)])[0]  # [frames, F]
    with no_grad():
        logits = model(Tensor(sequence[None]), lengths=np.array([len(sequence)]))  # [1, C]
        probabilities = logits.softmax(axis=-1).numpy()[0]
    best = int(probabilities.argmax())
    return config["label_names"][best], float(probabilities[best]), probabilities


def cmd_predict(args) -> int:
    model, config, features, scaler = load_model(args.model)
    failures = 0
    for path in args.files:
        try:
            label, probability, _ = predict_file(model, config, features, scaler, path)
        except (AudioFileError, OSError) as exc:
            print(f"minidl predict: {exc}", file=sys.stderr)
            failures += 1
            continue
        print(f"{path}\t{label}\t{probability:.4f}")
    return 1 if failures else 0

"""``minidl predict MODEL FILE...``: the label and probability of each audio file."""
from __future__ import annotations

import numpy as np

from minidl.cli.device import add_device_option, check_device
from minidl.cli.messages import each_readable_file
from minidl.cli.model_file import file_features, load_model, raw_file_features
from minidl.cli.tables import check_new_file, write_csv
from minidl.grad_mode import no_grad
from minidl.tensor import as_tensor


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="classify audio files with a model saved by `minidl train`",
                       description="Classify audio files. A model trained with --normalize speaker (the default "
                                   "on real recordings with named speakers) normalizes the files together, as "
                                   "clips of one speaker: give it several clips of one voice.")
    p.add_argument("model", help="model.npz written by minidl train")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (wav, flac, ogg)")
    p.add_argument("--csv", metavar="PATH", default=None,
                   help="also write path, label, probability and every class's probability as CSV")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file")
    add_device_option(p)
    p.set_defaults(func=cmd_predict)


def predict_file(model, config, features, scaler, path, *, device: str = "cpu"):
    """(label, probability, all probabilities [C]) for one file; the model must be on ``device``."""
    return classify(model, config, file_features(path, config, features, scaler, device=device), device=device)


def predict_one_speaker(model, config, features, scaler, paths, *, device: str = "cpu"):
    """``predict_file`` of each file for a model trained with ``--normalize speaker``: the files are
    one speaker's clips, normalized with their statistics together. Returns (results, failures) as
    ``each_readable_file``."""
    raw, failures = each_readable_file("predict", paths, lambda path: raw_file_features(path, config, features,
                                                                                        device=device))
    if not raw:
        return [], failures
    speaker = ["files"] * len(raw)
    sequences = scaler.fit([f for _, f in raw], speaker).transform([f for _, f in raw], speaker)
    return [(path, classify(model, config, sequence, device=device))
            for (path, _), sequence in zip(raw, sequences)], failures


def classify(model, config, sequence, *, device: str = "cpu"):
    """(label, probability, all probabilities [C]) of one normalized feature sequence [frames, F]."""
    with no_grad():
        logits = model(as_tensor(sequence[None], device=device), lengths=np.array([len(sequence)]))  # [1, C]
        probabilities = logits.softmax(axis=-1).numpy()[0]
    best = int(probabilities.argmax())
    return config["label_names"][best], float(probabilities[best]), probabilities


def cmd_predict(args) -> int:
    check_device(args.device)
    csv_path = check_new_file("--csv", args.csv, suffix=".csv", force=args.force)
    model, config, features, scaler = load_model(args.model, kind="classifier")
    model.to(args.device)

    def work(path):
        return predict_file(model, config, features, scaler, path, device=args.device)

    if scaler.kind == "speaker":
        results, failures = predict_one_speaker(model, config, features, scaler, args.files, device=args.device)
    else:
        results, failures = each_readable_file("predict", args.files, work)
    rows = []
    for path, (label, probability, probabilities) in results:
        print(f"{path}\t{label}\t{probability:.4f}")
        rows.append([path, label, f"{probability:.6g}", *(f"{p:.6g}" for p in probabilities)])
    if csv_path is not None:
        write_csv(csv_path, ["path", "label", "probability", *config["label_names"]], rows)
    return 1 if failures else 0

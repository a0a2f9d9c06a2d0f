"""``minidl transcribe MODEL FILE...``: the tokens of each audio file and their log-probability."""
from __future__ import annotations

import numpy as np

from minidl.cli.device import add_device_option, check_device
from minidl.cli.messages import each_readable_file
from minidl.cli.model_file import file_features, load_model
from minidl.cli.tables import check_new_file, write_csv
from minidl.errors import UsageError
from minidl.grad_mode import no_grad
from minidl.recognizers import DEFAULT_BEAM, decode_utterance
from minidl.tensor import as_tensor


def add_parser(sub) -> None:
    p = sub.add_parser("transcribe", help="transcribe audio files with a model saved by "
                                          "`minidl train --task transcribe`",
                       description="One line per file: path, tokens (space-separated), log p(tokens | audio).")
    p.add_argument("model", help="model.npz written by minidl train --task transcribe")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (wav, flac, ogg, ...)")
    p.add_argument("--beam", type=int, default=DEFAULT_BEAM,
                   help=f"CTC prefix beam width (default {DEFAULT_BEAM}); 1: greedy, the best path read off "
                        "frame by frame")
    p.add_argument("--csv", metavar="PATH", default=None, help="also write path, tokens and log-probability as CSV")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file")
    add_device_option(p)
    p.set_defaults(func=cmd_transcribe)


def transcribe_file(model, config, features, scaler, path, *, beam_width: int = DEFAULT_BEAM,
                    device: str = "cpu"):
    """(token names, log p(tokens | audio)) for one file; the model must be on ``device``."""
    sequence = file_features(path, config, features, scaler, device=device)  # [frames, F]
    with no_grad():
        log_probs = model(as_tensor(sequence[None], device=device), lengths=np.array([len(sequence)]))  # [T', 1, C]
    tokens, log_probability = decode_utterance(log_probs.numpy()[:, 0], beam_width=beam_width)
    return [config["tokens"][k] for k in tokens], log_probability


def cmd_transcribe(args) -> int:
    if args.beam < 1:
        raise UsageError(f"--beam must be at least 1 (1: greedy), got {args.beam}")
    check_device(args.device)
    csv_path = check_new_file("--csv", args.csv, suffix=".csv", force=args.force)
    model, config, features, scaler = load_model(args.model, kind="recognizer")
    model.to(args.device)

    def work(path):
        return transcribe_file(model, config, features, scaler, path, beam_width=args.beam, device=args.device)

    results, failures = each_readable_file("transcribe", args.files, work)
    rows = []
    for path, (tokens, log_probability) in results:
        print(f"{path}\t{' '.join(tokens)}\t{log_probability:.4f}")
        rows.append([path, " ".join(tokens), f"{log_probability:.6g}"])
    if csv_path is not None:
        write_csv(csv_path, ["path", "tokens", "log_probability"], rows)
    return 1 if failures else 0

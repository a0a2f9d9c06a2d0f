"""The ``minidl`` command: the one place where minidl and audio meet.

Subcommands
-----------
train      train an audio classifier (RNN/LSTM/GRU on MFCC sequences), or a CTC recognizer (--task transcribe)
predict    classify audio files with a trained model
transcribe transcribe audio files with a trained recognizer
features   plot waveform, spectrogram, mel spectrogram and MFCC of a file
gradcheck  finite-difference checks of the recurrent cells and layers
assignment classroom assignments: make a student copy, grade one
info       versions of minidl and its dependencies, and the usable backends
bench      time our implementations against their references (ratios)
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

import kernels
from audio.errors import ParameterError
from minidl.cli import assignment, features, gradcheck, predict, train, transcribe
from minidl.errors import CheckpointError, UsageError

DEPENDENCIES = ("numpy", "numba", "scipy", "soundfile", "matplotlib", "tqdm", "librosa", "torch", "cupy")


def _version(name: str) -> str:
    try:
        return getattr(importlib.import_module(name), "__version__", "installed")
    except Exception:
        return "not installed"


def cmd_info(args) -> int:
    import minidl

    print(f"minidl {minidl.__version__} (Python {sys.version.split()[0]})")
    for name in DEPENDENCIES:
        print(f"  {name:<11} {_version(name)}")
    print(f"backends available: {', '.join(kernels.available())}")
    print(f"backend in use:     {kernels.current()}")
    print(f"BLAS:               {kernels.memory.blas_kernel()}")
    print(f"allocator:          {kernels.memory.settings.get('malloc', 'glibc defaults')}")
    for device in kernels.DEVICES:
        try:
            print(f"device {device + ':':<12}{kernels.device_name(device)}")
        except kernels.BackendUnavailableError as exc:
            print(f"device {device + ':':<12}not available ({exc})")
    return 0


def _bench_rows(fsdd=None):
    from audio import benchmarks as audio_rows
    from minidl import benchmarks as autograd_rows
    from minidl import benchmarks_conv as conv_rows
    from minidl import benchmarks_ctc as ctc_rows
    from minidl import benchmarks_recurrent as recurrent_rows

    rows = (autograd_rows.rows() + recurrent_rows.rows() + ctc_rows.rows() + conv_rows.rows()
            + audio_rows.rows())
    if "cupy" in kernels.available():  # GPU rows only where CuPy has a device
        from audio import benchmarks_gpu as audio_gpu_rows
        from minidl import benchmarks_gpu as recurrent_gpu_rows

        rows += recurrent_gpu_rows.rows() + audio_gpu_rows.rows()
    if fsdd is not None:  # rows that need real recordings
        from audio import benchmarks_corpus as corpus_rows
        from minidl.cli import bench_epoch

        rows += corpus_rows.rows(fsdd) + [bench_epoch.epoch_row(fsdd, build_parser())]
    return rows


def cmd_bench(args) -> int:
    from kernels import bench

    threads = os.cpu_count() or 1
    try:  # same thread count for PyTorch as NumPy's BLAS and Numba get
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    try:
        every_row = _bench_rows(args.fsdd)
    except FileNotFoundError as exc:
        print(f"minidl bench: {exc}", file=sys.stderr)
        return 2
    rows = [r for r in every_row if not args.only or args.only.lower() in r.name.lower()]
    if not rows:
        print(f"minidl bench: no benchmark matches --only {args.only!r}", file=sys.stderr)
        return 2
    results = []
    for row in rows:
        results.append(bench.time_row(row, repeat=args.repeat))
        print(f"  measured {row.name}", file=sys.stderr)
    print(f"backend: {kernels.current()}, threads: {threads}")
    print(bench.format_table(results))
    if args.json:
        bench.write_json(results, args.json, {"backend": kernels.current(), "threads": threads})
        print(f"wrote {args.json}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minidl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=kernels.BACKENDS, help="kernel backend to use")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (train, predict, transcribe, features, gradcheck, assignment):
        command.add_parser(sub)
    sub.add_parser("info", help="versions and available backends").set_defaults(func=cmd_info)
    p = sub.add_parser("bench", help="time ours vs references, print ratios")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--repeat", type=int, default=7, help="timed repeats per row (default 7)")
    p.add_argument("--only", metavar="TEXT", help="run only rows whose name contains TEXT")
    p.add_argument("--fsdd", metavar="DIR", help="add the corpus rows, on FSDD's recordings in DIR")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "repeat", 1) < 1:
        print(f"minidl: --repeat must be at least 1, got {args.repeat}", file=sys.stderr)
        return 2
    try:
        if args.backend:
            with kernels.use(args.backend):
                return args.func(args)
        return args.func(args)
    except (kernels.BackendUnavailableError, UsageError, ParameterError, CheckpointError,
            FileNotFoundError) as exc:
        print(f"minidl {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

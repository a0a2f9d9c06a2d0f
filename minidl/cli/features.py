"""``minidl features FILE [--out PNG]``: waveform, spectrogram, mel spectrogram and MFCC in one figure."""
from __future__ import annotations

from pathlib import Path

from audio.datasets import FeatureConfig
from audio.io import load
from audio.plot import features_figure
from kernels import cuda
from kernels.files import atomic_path
from minidl.cli.device import add_device_option, check_device
from minidl.errors import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser("features", help="plot waveform, spectrogram, mel spectrogram and MFCC of a file")
    p.add_argument("file", help="an audio file")
    p.add_argument("--out", metavar="PNG", default=None, help="figure to write (default FILE-features.png here)")
    p.add_argument("--sr", type=int, default=None, help="resample to this rate (default: the file's)")
    p.add_argument("--n-fft", type=int, default=None, help="FFT size (default: 32 ms, a power of two)")
    p.add_argument("--n-mels", type=int, default=40, help="mel bands (default 40)")
    p.add_argument("--n-mfcc", type=int, default=13, help="MFCCs (default 13)")
    p.add_argument("--force", action="store_true", help="replace an existing --out")
    add_device_option(p)
    p.set_defaults(func=cmd_features)


def cmd_features(args) -> int:
    check_device(args.device)
    out = Path(args.out) if args.out else Path(Path(args.file).stem + "-features.png")
    if out.suffix.lower() != ".png":
        raise UsageError(f"--out must name a .png file, got {str(out)!r}")
    if out.exists() and not args.force:
        raise UsageError(f"{str(out)!r} exists; pass --force to replace it")
    y, sr = load(args.file, sr=args.sr)
    n_fft = args.n_fft or FeatureConfig().frame(sr)[0]
    if args.device == "cuda":  # the spectra and coefficients are computed where the signal is
        y = cuda.on_device(y)
    figure = features_figure(y, sr, n_fft=n_fft, hop_length=n_fft // 4, n_mels=args.n_mels, n_mfcc=args.n_mfcc,
                             title=Path(args.file).name)
    with atomic_path(out) as temp:
        figure.savefig(temp, dpi=100)
    print(f"wrote {out} ({len(y) / sr:.2f} s at {sr} Hz, n_fft {n_fft}, on {args.device})")
    return 0

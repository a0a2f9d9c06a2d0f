"""What every ``minidl train`` task does around its training: the output folder, the data, the files.

``--task classify`` and ``--task transcribe`` differ in their model, loss
and metrics; they share, from here: the output folder (refused when it
holds files, unless ``--force``), loading the data with each problem as
one clean line, features with training statistics only, and writing each
output atomically.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from audio.datasets import FeatureConfig, Standardizer, extract_features
from audio.io import atomic_path
from minidl.cli.messages import report_skipped, warnings_as_lines
from minidl.errors import UsageError


def prepare_out(out, *, force: bool, data: str, model: str, outputs) -> Path:
    """The output folder: refused if it exists and is not empty, unless --force.

    Parameters
    ----------
    out : path or None
        None: ``runs/<data>-<model>-<time>``, a new folder.
    outputs : sequence of str
        The files the run writes, named in the refusal.
    """
    if out is None:
        prefix = data.split(":")[0]
        tag = prefix if prefix in ("fsdd", "digits") and ":" in data else Path(data).name or "data"
        out = Path("runs") / f"{tag}-{model}-{time.strftime('%Y%m%d-%H%M%S')}"
        while out.exists():
            out = out.with_name(out.name + "+")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"--out {str(out)!r} exists and is not empty; pass --force to write into it "
                         f"(replacing {', '.join(outputs)})")
    return out


def load_data(command: str, loader, *args, **kwargs):
    """``loader(*args, **kwargs)`` -> AudioDataset, its warnings and skipped files printed as lines."""
    with warnings_as_lines(command):
        dataset = loader(*args, **kwargs)
    report_skipped(command, dataset.skipped)
    return dataset


def feature_config(args, sr: int, *, hop_ms: float | None) -> FeatureConfig:
    """The FeatureConfig of ``--n-mfcc``, ``--deltas`` and a hop of ``hop_ms`` (None: FeatureConfig's 10 ms)."""
    hop = None if hop_ms is None else max(1, int(round(hop_ms * sr / 1000)))
    return FeatureConfig(n_mfcc=args.n_mfcc, deltas=args.deltas, hop_length=hop)


def standardized_features(dataset, config: FeatureConfig, train_positions, args):
    """(every clip's features standardized, the Standardizer) — statistics from ``train_positions`` only.

    Features are read from (or written to) the cache as ``--cache`` / ``--no-cache`` say,
    and computed on ``--device``.
    """
    features = extract_features(dataset, config, cache_dir=args.cache, use_cache=not args.no_cache,
                                device=args.device)
    scaler = Standardizer().fit([features[i] for i in train_positions])  # no test leakage
    return scaler.transform(features), scaler


def write_text(path: Path, text: str) -> None:
    """``text`` to ``path``, under a temporary name renamed into place."""
    with atomic_path(path) as temp:
        Path(temp).write_text(text)


def write_json(path: Path, value) -> None:
    """``value`` as indented JSON, atomically."""
    write_text(path, json.dumps(value, indent=2) + "\n")


def write_figure(path: Path, figure) -> None:
    """A matplotlib Figure as PNG, atomically."""
    with atomic_path(path) as temp:
        figure.savefig(temp, dpi=110)

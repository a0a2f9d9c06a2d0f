"""What every ``minidl train`` task does around its training: the output folder, the data, the files.

``--task classify`` and ``--task transcribe`` differ in their model, loss
and metrics; they share, from here: the output folder (refused when it
holds files, unless ``--force``), loading the data with each problem as
one clean line, features normalized with training statistics only (or per
utterance), and writing each output atomically.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.datasets import FeatureConfig, extract_features, make_normalizer
from kernels.files import atomic_path
from minidl.cli.messages import report_skipped, warnings_as_lines
from minidl import optim
from minidl.data import stratified_split
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
    """The FeatureConfig of ``--n-mfcc``, ``--deltas``, ``--trim-db``, ``--fmin``, ``--fmax`` and a hop of
    ``hop_ms`` (None: FeatureConfig's 10 ms); a band above the Nyquist frequency ``sr / 2`` is refused."""
    hop = None if hop_ms is None else max(1, int(round(hop_ms * sr / 1000)))
    fmin, fmax = getattr(args, "fmin", 0.0), getattr(args, "fmax", None)
    if fmax is not None and fmax > sr / 2:
        raise UsageError(f"--fmax {fmax:g} Hz is above the Nyquist frequency of the data ({sr / 2:g} Hz at {sr} Hz)")
    return FeatureConfig(n_mfcc=args.n_mfcc, deltas=args.deltas, hop_length=hop, trim_db=getattr(args, "trim_db", None),
                         fmin=fmin, fmax=fmax)


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


@dataclass(frozen=True)
class RunData:
    """A run's data, ready to train on: what :func:`start_run` and :func:`split_run` return."""

    out: Path  # the output folder (not created yet)
    started: float  # time.perf_counter() at the start
    dataset: object  # AudioDataset
    config: FeatureConfig
    train: np.ndarray  # positions of the training clips [n_train]
    val: np.ndarray  # of the validation clips, held out of the training split [n_val]
    test: np.ndarray  # of the test clips [n_test]
    features: list  # normalized [frames_i, F] per clip
    scaler: object  # the normalizer: a Standardizer fitted on `train`, an UtteranceNormalizer or a SpeakerNormalizer


def open_dataset(args, loader):
    """``--data`` loaded by ``loader(spec, *, clips, seed)``, its problems printed, checked for the task, summarized.

    A dataset with transcripts must suit a recognizer, one without a classifier.
    """
    dataset = load_data("train", loader, args.data, clips=args.clips, seed=args.seed)
    dataset.check_transcribable() if dataset.is_transcribed else dataset.check_trainable()
    print(dataset.summary())
    return dataset


def clean_features(args, dataset, config: FeatureConfig) -> list:
    """Every clip's features, unnormalized: read from (or written to) the cache as ``--cache`` / ``--no-cache``
    say, computed on ``--device``. [frames_i, F] per clip"""
    return extract_features(dataset, config, cache_dir=args.cache, use_cache=not args.no_cache, device=args.device)


def split_run(args, dataset, config: FeatureConfig, features, *, out: Path, started: float) -> RunData:
    """Validation clips held out of the training split, the features normalized: one training run's data.

    The validation clips are ``--val-fraction`` of the training split,
    stratified by label (transcribed clips all have label 0: a seeded random
    share). ``--normalize global`` standardizes with statistics of the
    remaining training clips only (no test leakage); ``utterance`` is CMVN;
    ``speaker`` is CMVN with each speaker's statistics over all their clips,
    a test speaker's from their own clips (features only, never labels).
    """
    train_all, test = dataset.indices("train"), dataset.indices("test")
    kept, held = stratified_split(dataset.labels[train_all], args.val_fraction, seed=args.seed)
    train, val = train_all[kept], train_all[held]
    kind = normalization(args, dataset)
    if kind == "speaker":  # each speaker's statistics from all their clips, test speakers' too (no labels used)
        scaler = make_normalizer(kind).fit(features, dataset.speakers)
        normalized = scaler.transform(features, dataset.speakers)
    else:
        scaler = make_normalizer(kind).fit([features[i] for i in train])
        normalized = scaler.transform(features)
    return RunData(out, started, dataset, config, train, val, test, normalized, scaler)


def normalization(args, dataset) -> str:
    """``--normalize`` for this dataset: "speaker" needs every clip's speaker; where clips name none, a
    default "speaker" falls back to "utterance" (with a note) and an asked-for one is refused."""
    kind = getattr(args, "normalize", "global")
    unnamed = int((dataset.speakers == "").sum()) if kind == "speaker" else 0
    if unnamed and getattr(args, "normalize_chosen", True):
        raise UsageError(f"--normalize speaker needs the speaker of every clip, but {unnamed} of "
                         f"{len(dataset.speakers)} clips of {dataset.name!r} name none; fsdd:DIR names them, "
                         "a folder DIR names them in DIR/speakers.tsv (file<TAB>speaker)")
    if unnamed:
        print(f"normalization: utterance (CMVN per clip): {unnamed} clips name no speaker, so the "
              "default, speaker, cannot be used (DIR/speakers.tsv names them)")
        return "utterance"
    return kind


def lr_schedule(args, optimizer):
    """``--lr-schedule``'s schedule on ``optimizer`` (None for constant), for ``training.fit`` to step."""
    return optim.CosineAnnealingLR(optimizer, t_max=args.epochs) if args.lr_schedule == "cosine" else None


def start_run(args, loader, *, model_tag: str, outputs, hop_ms) -> RunData:
    """Output folder checked, data loaded and checked, split, features normalized: what every task starts with.

    ``loader(spec, *, clips, seed)`` reads ``--data``; ``--test-speakers``
    (where the task has it) replaces the dataset's split by a speaker split,
    refusing an unknown name before any feature is computed.
    """
    out = prepare_out(args.out, force=args.force, data=args.data, model=model_tag, outputs=outputs)
    started = time.perf_counter()
    dataset = open_dataset(args, loader)
    if getattr(args, "test_speakers", None):
        dataset = dataset.with_test_speakers(args.test_speakers)
        print(f"speaker split: testing on {', '.join(args.test_speakers)}; "
              f"{len(dataset.indices('train'))} train / {len(dataset.indices('test'))} test clips")
    config = feature_config(args, dataset.sr, hop_ms=hop_ms)
    return split_run(args, dataset, config, clean_features(args, dataset, config), out=out, started=started)

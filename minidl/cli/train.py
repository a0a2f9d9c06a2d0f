"""``minidl train``: audio classification (or, with ``--task transcribe``, recognition) on MFCC sequences.

The whole workflow of the seed documents in one command: load (or
synthesize) the clips, extract MFCC sequences, standardize them with
training statistics (or per utterance), augment the training clips when
asked (``minidl.cli.augment_options``), train with Adam and cross-entropy
on padded batches with lengths, report accuracy and a confusion matrix, and write
``metrics.json``, ``history.csv``, ``curves.png``, ``confusion.png`` and
``model.npz`` to the output folder. ``--task transcribe`` trains a CTC
recognizer instead (``minidl.cli.train_transcribe``); both share the
options and ``minidl.cli.runs``. ``--test-speakers`` and ``--cross-validate
speakers`` (``minidl.cli.folds``) measure the classifier on voices it never heard.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import kernels
from audio.datasets import NORMALIZATIONS, load_folder, load_fsdd, synthetic_vowels
from minidl.classifiers import MODEL_KINDS
from minidl.cli import folds, train_transcribe
from minidl.cli.classify import OUTPUT_FILES, train_classifier
from minidl.cli.device import add_device_option, check_device
from minidl.cli.runs import feature_config, open_dataset, prepare_out, start_run
from minidl.cli import augment_options
from minidl.cli.augment_options import TrainingBatches, add_augment_options, build_augmenter, check_augment_options
from minidl.errors import UsageError

TASKS = ("classify", "transcribe")
LR_SCHEDULES = ("constant", "cosine")
# options whose default depends on the task (argparse leaves them None)
TASK_DEFAULTS = {
    "classify": {"hidden": 64, "layers": 1, "epochs": 30, "batch_size": 32, "lr": 3e-3, "clips": 2400,
                 "hop_ms": None},
    "transcribe": train_transcribe.DEFAULTS,
}
# --task classify on real recordings (fsdd:DIR, DIR): the recipe that generalizes best to new speakers
# (docs/speaker-independence.md); the embedded synthetic set keeps the plain LSTM. Its augmentation:
# augment_options.RECORDINGS.
RECORDINGS = {"model": "crnn", "normalize": "speaker", "lr_schedule": "constant"}
PLAIN = {"model": "lstm", "normalize": "global", "lr_schedule": "constant"}


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
    p.add_argument("--model", default=None, help=f"one of {', '.join(MODEL_KINDS)} (default lstm; real "
                   f"recordings, fsdd:DIR or DIR: {RECORDINGS['model']}); "
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
    p.add_argument("--lr-schedule", default=None, choices=LR_SCHEDULES,
                   help="constant: --lr in every epoch; cosine: from --lr down to 0 over --epochs, as PyTorch's "
                        "CosineAnnealingLR (default constant; real recordings, fsdd:DIR or DIR: "
                        f"{RECORDINGS.get('lr_schedule', 'constant')})")
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
    p.add_argument("--fmin", type=float, default=0.0, metavar="HZ",
                   help="lowest frequency of the mel filterbank (default 0)")
    p.add_argument("--fmax", type=float, default=None, metavar="HZ",
                   help="highest frequency of the mel filterbank (default: half the sample rate)")
    p.add_argument("--trim-db", type=float, default=None, metavar="DB",
                   help="trim leading and trailing audio quieter than the loudest frame by DB dB before the "
                        "features (default: no trimming)")
    p.add_argument("--normalize", default=None, choices=NORMALIZATIONS,
                   help="global (default on the embedded data and for transcribe): standardize each feature with "
                        "the training clips' mean and std; utterance: per-utterance mean and variance normalization "
                        "(CMVN), each clip by its own; speaker (default on real recordings, fsdd:DIR or DIR with "
                        "speakers.tsv): CMVN with each speaker's mean and std over all their clips, a test "
                        "speaker's from their own (unlabeled) clips")
    p.add_argument("--test-speakers", metavar="NAME[,NAME]", default=None,
                   help="test on every clip of these speakers and train on the others, instead of the dataset's "
                        "split (fsdd:DIR, or DIR with DIR/speakers.tsv: file<TAB>speaker)")
    p.add_argument("--cross-validate", metavar="speakers", default=None,
                   help="speakers: one fold per speaker, each tested on that speaker alone and trained from the "
                        "same seed on the others; writes folds.csv, folds.png and each fold's files to --out")
    p.add_argument("--cache", metavar="DIR", default=None, help="feature cache (default $MINIDL_CACHE or ~/.cache/minidl)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the feature cache")
    p.add_argument("--backend", choices=kernels.BACKENDS, default=argparse.SUPPRESS, help="kernel backend")
    p.add_argument("--out", metavar="DIR", default=None, help="output folder (default runs/<data>-<model>-<time>)")
    p.add_argument("--force", action="store_true", help="write into an existing non-empty --out")
    add_device_option(p)
    add_augment_options(p)
    p.set_defaults(func=cmd_train)


def check_options(args) -> None:
    """The task known, its defaults filled in, every numeric option in range, before any work is done."""
    if args.task not in TASKS:
        raise UsageError(f"unknown task {args.task!r}; expected one of {', '.join(TASKS)}")
    recordings = args.task == "classify" and args.data != "synthetic"
    args.normalize_chosen = args.normalize is not None  # a default "speaker" may fall back (runs.split_run)
    for name, value in {**TASK_DEFAULTS[args.task], **(RECORDINGS if recordings else PLAIN)}.items():
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
    if not args.fmin >= 0 or (args.fmax is not None and not args.fmax > args.fmin):
        raise UsageError(f"--fmin must be >= 0 and --fmax above it, got {args.fmin:g} and {args.fmax}")
    if args.trim_db is not None and not args.trim_db > 0:
        raise UsageError(f"--trim-db must be > 0 dB, got {args.trim_db}")
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
    check_speaker_options(args)
    recipe = augment_options.RECORDINGS if recordings else augment_options.NOTHING
    args.augmentation = check_augment_options(args, defaults=recipe)
    if args.task != "classify" and args.augmentation.active:
        raise UsageError("the augmentation options (--noise, --speed, --vtlp, --spec-augment, --gain-db) are for "
                         "--task classify")
    check_device(args.device)


def check_speaker_options(args) -> None:
    """``--test-speakers`` as a list of names, ``--cross-validate`` known; classification only, not both."""
    if args.test_speakers is not None:
        names = [name.strip() for name in args.test_speakers.split(",")]
        if not all(names):
            raise UsageError(f"--test-speakers must be speaker names separated by commas, got {args.test_speakers!r}")
        args.test_speakers = names
    if args.cross_validate is not None and args.cross_validate not in folds.KINDS:
        raise UsageError(f"unknown --cross-validate {args.cross_validate!r}; expected one of {', '.join(folds.KINDS)}")
    if args.test_speakers and args.cross_validate:
        raise UsageError("--test-speakers and --cross-validate both choose the test speakers; pass one of them")
    if args.task != "classify" and args.normalize == "speaker":
        raise UsageError("--normalize speaker is for --task classify (transcribe: global or utterance)")
    if args.task != "classify" and (args.test_speakers or args.cross_validate):
        raise UsageError("--test-speakers and --cross-validate are for --task classify")


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


def cmd_train(args) -> int:
    check_options(args)
    if args.task == "transcribe":
        return train_transcribe.run(args)
    if args.cross_validate:
        out = prepare_out(args.out, force=args.force, data=args.data, model=f"{args.model}-cv", outputs=folds.CV_FILES)
        started = time.perf_counter()
        dataset = open_dataset(args, load_dataset)
        dataset.with_test_speakers(dataset.speaker_names[:1])  # refuses, before any work, a dataset without speakers
        config = feature_config(args, dataset.sr, hop_ms=args.hop_ms)
        augmenter = build_augmenter(args, args.augmentation, sr=dataset.sr, config=config)  # one for every fold
        folds.cross_validate(args, dataset, config, out=out, started=started,
                             augmenter_for=lambda run: augmenter and TrainingBatches(augmenter, run))
        return 0
    run = start_run(args, load_dataset, model_tag=args.model, outputs=OUTPUT_FILES, hop_ms=args.hop_ms)
    augmenter = build_augmenter(args, args.augmentation, sr=run.dataset.sr, config=run.config)
    train_classifier(args, run, augmenter=augmenter and TrainingBatches(augmenter, run))
    return 0

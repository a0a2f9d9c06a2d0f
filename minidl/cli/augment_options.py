"""The augmentation options of ``minidl train``: parsed and checked before any work, applied to training batches.

Every option is off by default and each simulates one way real recordings
differ (see :mod:`audio.augment`)::

    --noise white,pink --snr 5,20     background noise at an SNR drawn from 5-20 dB
    --noise-dir DIR                   ... or recordings of noise from DIR (adds the kind "folder")
    --speed 0.9,1.0,1.1               speaking rate and voice size (Kaldi's speed perturbation)
    --vtlp 0.9,1.1                    vocal-tract length (the mel filterbank warped)
    --spec-augment 10,2               a dropped moment (up to 10 frames) and band (up to 2 coefficients)
    --gain-db 6                       recording level, +-6 dB

Only training clips are augmented, anew every epoch, from ``--seed``;
validation and test clips never are. ``none`` turns an option off
(``--speed none``); what an option is when not given is the task's recipe,
``DEFAULTS`` (``--task transcribe`` has none).
"""
from __future__ import annotations

from pathlib import Path

from audio import validate
from audio.augment import NOISE_KINDS, Augmentation, Augmenter, load_noise_folder
from audio.errors import ParameterError
from minidl.cli.messages import warnings_as_lines
from minidl.errors import UsageError

OFF = "none"
NOTHING = {"noise": OFF, "snr": "5,20", "speed": OFF, "vtlp": OFF, "spec_augment": OFF, "gain_db": OFF}  # all off
# minidl train --task classify on real recordings (fsdd:DIR, DIR): what each option is when not given,
# as it would be typed (docs/speaker-independence.md); the embedded data and --task transcribe get NOTHING
# (no VTLP: with speaker CMVN, leaving it out raised the mean over the speaker folds at every seed measured)
RECORDINGS = {"noise": "white,pink", "snr": "10,30", "speed": "0.9,1.0,1.1", "vtlp": OFF,
              "spec_augment": "10,2", "gain_db": "6"}
DEFAULTS = RECORDINGS


def add_augment_options(p) -> None:
    """The augmentation options, in their own group of ``minidl train --help``."""
    g = p.add_argument_group("augmentation", "training clips only, anew every epoch, reproducible from --seed; "
                                             "on real recordings (fsdd:DIR, DIR) the defaults below, "
                                             "'none' turns one off; off on the embedded data")
    g.add_argument("--noise", metavar="KIND[,KIND]", default=None,
                   help="add background noise of these kinds, one drawn per clip: white (hiss), pink "
                        f"(rumble, 1/f), folder (recordings from --noise-dir) (default {DEFAULTS['noise']})")
    g.add_argument("--noise-dir", metavar="DIR", default=None,
                   help="recordings of noise to add (adds the kind 'folder' to --noise)")
    g.add_argument("--snr", metavar="LOW,HIGH", default=None,
                   help=f"SNR of the noisy clip in dB, uniform in this range (default {DEFAULTS['snr']})")
    g.add_argument("--speed", metavar="F[,F...]", default=None,
                   help="speed perturbation: play each clip at one of these speeds (e.g. 0.9,1.0,1.1): "
                        f"duration / F and every frequency * F, as a faster or smaller speaker "
                        f"(default {DEFAULTS['speed']})")
    g.add_argument("--vtlp", metavar="LOW,HIGH", default=None,
                   help="vocal-tract-length perturbation: warp the mel filterbank's frequency axis by a "
                        "factor uniform in this range (e.g. 0.9,1.1), as a shorter or longer vocal tract "
                        f"(default {DEFAULTS['vtlp']})")
    g.add_argument("--spec-augment", metavar="T,F", default=None,
                   help="SpecAugment: blank one run of up to T frames and one band of up to F coefficients "
                        f"(in the MFCCs and their deltas) of the normalized features (default {DEFAULTS['spec_augment']})")
    g.add_argument("--gain-db", metavar="G", default=None,
                   help="random gain, uniform in [-G, +G] dB: a louder or softer recording "
                        f"(default {DEFAULTS['gain_db']})")


def _numbers(option: str, text: str, *, count=None, kind=float) -> tuple:
    """``"a,b,..."`` -> a tuple of numbers; a UsageError naming the option when it is not."""
    try:
        values = tuple(kind(part) for part in text.split(","))
    except ValueError:
        what = "integers" if kind is int else "numbers"
        raise UsageError(f"{option} must be {'a number' if count == 1 else 'comma-separated ' + what}, "
                         f"got {text!r}") from None
    if count is not None and len(values) != count:
        raise UsageError(f"{option} must be {count} comma-separated numbers, got {text!r}")
    return values


def check_augment_options(args, *, defaults=DEFAULTS) -> Augmentation:
    """The options as an Augmentation, every value in range and the noise folder usable, before any work.

    Options not given take their value from ``defaults`` (the task's recipe;
    an option missing there is off). Raises UsageError naming the option, the
    bad value and what was expected: an unknown noise kind, 'folder' without
    --noise-dir, an SNR range upside down, a speed <= 0, a missing or empty
    noise folder ...
    """
    for name in NOTHING:
        if getattr(args, name) is None:
            setattr(args, name, defaults.get(name, NOTHING[name]))
    kinds = [] if args.noise == OFF else [kind.strip() for kind in args.noise.split(",")]
    unknown = [kind for kind in kinds if kind not in NOISE_KINDS]
    if unknown:
        raise UsageError(f"unknown --noise kind {unknown[0]!r}; expected some of {', '.join(NOISE_KINDS)}")
    if args.noise_dir is not None:
        folder = Path(args.noise_dir).expanduser()
        if not folder.is_dir():
            raise UsageError(f"--noise-dir {args.noise_dir!r} is not a folder")
        if not any(p.is_file() and not p.name.startswith(".") for p in folder.iterdir()):
            raise UsageError(f"--noise-dir {args.noise_dir!r} is empty; expected recordings of noise")
        kinds += [] if "folder" in kinds else ["folder"]
    elif "folder" in kinds:
        raise UsageError("--noise folder needs --noise-dir DIR, the folder of noise recordings")
    try:
        snr = validate.number_range("--snr", _numbers("--snr", args.snr, count=2))
        speed = validate.positive_numbers("--speed", _numbers("--speed", args.speed)) if args.speed != OFF else ()
        vtlp = None
        if args.vtlp != OFF:
            vtlp = validate.number_range("--vtlp", _numbers("--vtlp", args.vtlp, count=2), minimum=0.5, maximum=2.0)
        time_mask, freq_mask = (0, 0)
        if args.spec_augment != OFF:
            time_mask, freq_mask = (validate.non_negative_int(name, n) for name, n in
                                    zip(("--spec-augment T", "--spec-augment F"),
                                        _numbers("--spec-augment", args.spec_augment, count=2, kind=int)))
        gain = validate.positive_number("--gain-db", _numbers("--gain-db", "0" if args.gain_db == OFF else args.gain_db, count=1)[0], allow_zero=True)
        return Augmentation(noise=tuple(kinds), snr_db=snr, noise_dir=args.noise_dir, speed=speed, vtlp=vtlp,
                            time_mask=time_mask, freq_mask=freq_mask, gain_db=gain)
    except ParameterError as exc:
        raise UsageError(str(exc)) from None


def build_augmenter(args, augmentation: Augmentation, *, sr: int, config):
    """The run's Augmenter (its noise folder decoded and resampled to ``sr``), or None when nothing is asked.

    An unreadable noise folder is refused here, before training; files that
    cannot be decoded beside readable ones are listed as warnings.
    """
    if not augmentation.active:
        return None
    noise_clips = None
    if augmentation.noise_dir is not None:
        try:
            with warnings_as_lines("train"):
                noise_clips = load_noise_folder(augmentation.noise_dir, sr=sr)
        except ParameterError as exc:
            raise UsageError(f"--noise-dir: {exc}") from None
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0 with augmentation, got {args.seed}")
    return Augmenter(augmentation, sr=sr, config=config, seed=args.seed, noise_clips=noise_clips)


class TrainingBatches:
    """The transform a training BatchLoader calls: clip ``run.train[position]``'s features for ``epoch``.

    ``settings`` is what metrics.json records.
    """

    def __init__(self, augmenter: Augmenter, run):
        self.augmenter, self.run = augmenter, run
        self.settings = augmenter.augmentation.settings()

    def __call__(self, clean, position: int, epoch: int):
        item = int(self.run.train[position])
        scaler = self.run.scaler
        if scaler.kind == "speaker":  # an augmented clip is normalized as its speaker's clean clips were
            scaler = scaler.for_group(self.run.dataset.speakers[item])
        return self.augmenter.features(self.run.dataset.clips[item], item=item, epoch=epoch,
                                       normalizer=scaler, clean=clean)

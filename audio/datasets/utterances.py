"""Utterances with transcripts, for speech recognition: synthetic vowel strings and connected digits.

Each dataset is an :class:`AudioDataset` whose ``transcripts`` list the
tokens spoken in each clip, in order, and whose ``tokens`` are the
vocabulary. A recognizer trained with CTC must find *where* each token is
by itself: the transcripts say only *what* was said.

- :func:`synthetic_utterances`: 1 to 6 vowels from seven, spoken by the
  source-filter voices of :mod:`audio.datasets.synthetic`; two equal
  vowels in a row are separated by a short pause (otherwise "a a" would be
  one long "a", and nothing could tell them apart).
- :func:`connected_digits`: 1 to 7 recordings of the Free Spoken Digit
  Dataset by one speaker, trimmed and joined with random pauses and gains.
  Test utterances use only the official test takes (0-4), training
  utterances only takes 5-49, so no recording is heard in both.

Both are deterministic: utterance k depends only on (seed, k).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from audio import validate
from audio.datasets.dataset import AudioDataset
from audio.datasets.recordings import FSDD_NAME, load_fsdd
from audio.datasets.synthetic import (TEST_EVERY, VOWEL_FORMANTS, held_out_split, place_in_noise, speak_all,
                                      speaker_voice, voice)
from audio.errors import ParameterError
from audio.trim import trim

UTTERANCE_VOWELS = ("a", "e", "i", "o", "u", "ae", "er")
REPEAT_PAUSE_SECONDS = (0.06, 0.14)  # between two equal vowels: short, but several 10-20 ms frames
DIGIT_PAUSE_SECONDS = (0.03, 0.25)  # between two digits
DIGIT_EDGE_SECONDS = (0.05, 0.2)  # silence before the first and after the last digit
DIGIT_GAIN_DB = (-6.0, 0.0)  # each recording's level, relative to its own
DIGIT_FLOOR_DB = -50.0  # a faint noise floor under the utterance: real silence is never digital zero


def runs_of_distinct(tokens) -> list:
    """Split a token list where a token repeats its neighbour: [a, a, i] -> [[a], [a, i]]."""
    runs = []
    for k, token in enumerate(tokens):
        if k == 0 or token == tokens[k - 1]:
            runs.append([])
        runs[-1].append(token)
    return runs


def synthesize_utterance(tokens, speaker: dict, sr: int, rng) -> np.ndarray:
    """The vowels ``tokens`` (names in VOWEL_FORMANTS) in ``speaker``'s voice. [n] float32

    Runs of distinct vowels are voiced in one breath (formants gliding from
    one to the next); a pause of 60-140 ms separates a vowel from its repeat.
    """
    pieces = []
    for k, run in enumerate(runs_of_distinct(list(tokens))):
        if k:
            pieces.append(np.zeros(int(rng.uniform(*REPEAT_PAUSE_SECONDS) * sr)))
        pieces.append(voice(run, speaker, sr, rng))
    return place_in_noise(np.concatenate(pieces), sr, rng)


def synthetic_utterances(*, n_utterances: int = 2000, vowels=UTTERANCE_VOWELS, max_length: int = 6,
                         n_speakers: int = 40, sr: int = 8000, seed: int = 0) -> AudioDataset:
    """The embedded speech-recognition dataset: strings of 1 to ``max_length`` vowels.

    Parameters
    ----------
    n_utterances : int > 0
    vowels : sequence of str
        Vowel names from ``VOWEL_FORMANTS`` (default all seven: a e i o u ae er).
    max_length : int > 0
        Each utterance has a uniformly drawn number of vowels in [1, max_length],
        each drawn uniformly (repeats included).
    n_speakers : int >= 5
        Distinct voices; every 5th is held out as the test split.
    sr : int > 0
    seed : int

    Returns
    -------
    AudioDataset
        ``transcripts`` [n_utterances] lists of vowel names, ``tokens`` = ``vowels``;
        ``labels`` all 0.

    Examples
    --------
    >>> data = synthetic_utterances(n_utterances=3, seed=1)
    >>> [len(t) >= 1 for t in data.transcripts], data.tokens[-2:]
    ([True, True, True], ['ae', 'er'])
    """
    n_utterances = validate.positive_int("n_utterances", n_utterances)
    max_length = validate.positive_int("max_length", max_length)
    n_speakers = validate.positive_int("n_speakers", n_speakers)
    sr = validate.positive_int("sr", sr)
    vowels = list(vowels)
    unknown = [v for v in vowels if v not in VOWEL_FORMANTS]
    if unknown or len(set(vowels)) != len(vowels) or len(vowels) < 2:
        raise ParameterError(f"vowels must be at least 2 distinct names from {list(VOWEL_FORMANTS)}, got {vowels!r}")
    if n_speakers < TEST_EVERY:
        raise ParameterError(f"n_speakers must be at least {TEST_EVERY} so that one is held out, got {n_speakers}")
    speakers = [speaker_voice(seed, s) for s in range(n_speakers)]

    def choose(k, rng):
        return [vowels[i] for i in rng.integers(len(vowels), size=int(rng.integers(1, max_length + 1)))]

    # stream 4: apart from the classification clips' 2
    clips, transcripts, who = speak_all(n_utterances, seed=seed, stream=4, speakers=speakers, choose=choose,
                                        synthesize=lambda tokens, v, rng: synthesize_utterance(tokens, v, sr, rng))
    settings = {"n_utterances": n_utterances, "vowels": vowels, "max_length": max_length,
                "n_speakers": n_speakers, "sr": sr, "seed": seed, "version": 1}
    return AudioDataset(
        name="synthetic-utterances", clips=clips, labels=np.zeros(n_utterances), label_names=["utterance"],
        sr=sr, split=held_out_split(who),
        speakers=np.array([f"speaker{s:02d}" for s in who]),
        sources=[f"synthetic utterance {k} (seed {seed})" for k in range(n_utterances)],
        fingerprint="synthetic-utterances " + json.dumps(settings, sort_keys=True),
        info={"settings": settings, "speakers": speakers}, transcripts=transcripts, tokens=vowels)


def _join_digits(recordings, sr: int, rng) -> np.ndarray:
    """Recordings [n_i] joined with random pauses and gains over a faint noise floor. [n] float32"""
    pieces = [np.zeros(int(rng.uniform(*DIGIT_EDGE_SECONDS) * sr))]
    for k, y in enumerate(recordings):
        if k:
            pieces.append(np.zeros(int(rng.uniform(*DIGIT_PAUSE_SECONDS) * sr)))
        pieces.append(y * 10 ** (rng.uniform(*DIGIT_GAIN_DB) / 20))
    pieces.append(np.zeros(int(rng.uniform(*DIGIT_EDGE_SECONDS) * sr)))
    joined = np.concatenate(pieces)
    floor = np.abs(joined).max() * 10 ** (DIGIT_FLOOR_DB / 20)
    return (joined + floor * rng.standard_normal(len(joined))).astype(np.float32)


def connected_digits(root, *, n_train: int = 3000, n_test: int = 500, max_digits: int = 7, seed: int = 0,
                     trim_db: float = 30.0, on_error: str = "warn") -> AudioDataset:
    """Connected digit strings built from one speaker's FSDD recordings.

    Utterance k (training for k < n_train, test after) draws a speaker and a
    length in [1, max_digits], then that many different recordings of the
    speaker from its split's takes (test: 0-4, training: 5-49), trims each
    (``trim_db`` below its loudest frame) and joins them with pauses of
    30-250 ms and gains of -6 to 0 dB.

    Parameters
    ----------
    root : path
        The FSDD folder (as for :func:`load_fsdd`).
    n_train, n_test : int > 0
        Utterances in each split.
    max_digits : int in [1, 10]
    seed : int
    trim_db : float > 0
    on_error : {"warn", "raise"}
        As for :func:`load_fsdd`.

    Returns
    -------
    AudioDataset
        ``tokens`` "0" ... "9"; ``sources`` per utterance its recordings'
        paths joined by " + " (also ``info["recordings"]``, a list per utterance).
    """
    n_train = validate.positive_int("n_train", n_train)
    n_test = validate.positive_int("n_test", n_test)
    max_digits = validate.positive_int("max_digits", max_digits)
    trim_db = validate.positive_number("trim_db", trim_db)
    if max_digits > 10:
        raise ParameterError(f"max_digits must be at most 10 (the different recordings an utterance "
                             f"draws per speaker and split), got {max_digits}")
    fsdd = load_fsdd(root, on_error=on_error)
    trimmed = [trim(y, top_db=trim_db, frame_length=256, hop_length=64)[0] for y in fsdd.clips]
    pools = {}  # (split, speaker) -> positions of its recordings
    for i, (split, speaker) in enumerate(zip(fsdd.split, fsdd.speakers)):
        pools.setdefault((str(split), str(speaker)), []).append(i)
    speakers = sorted(set(fsdd.speakers.tolist()))
    clips, transcripts, split, who, parts = [], [], [], [], []
    for k in range(n_train + n_test):
        rng = np.random.default_rng([seed, 5, k])
        which = "train" if k < n_train else "test"
        speaker = speakers[int(rng.integers(len(speakers)))]
        pool = pools.get((which, speaker), [])
        if len(pool) < max_digits:
            raise ParameterError(f"connected_digits: speaker {speaker!r} has {len(pool)} {which} recordings, "
                                 f"fewer than max_digits={max_digits}")
        chosen = rng.choice(pool, size=int(rng.integers(1, max_digits + 1)), replace=False)
        clips.append(_join_digits([trimmed[i] for i in chosen], fsdd.sr, rng))
        transcripts.append([fsdd.label_names[fsdd.labels[i]] for i in chosen])
        split.append(which)
        who.append(speaker)
        parts.append([fsdd.sources[i] for i in chosen])
    settings = {"n_train": n_train, "n_test": n_test, "max_digits": max_digits, "seed": seed,
                "trim_db": trim_db, "version": 1}
    return AudioDataset(
        name="connected-digits", clips=clips, labels=np.zeros(len(clips)), label_names=["utterance"],
        sr=fsdd.sr, split=split, speakers=who, sources=[" + ".join(p) for p in parts],
        fingerprint="connected-digits " + json.dumps(settings, sort_keys=True) + " " + fsdd.fingerprint,
        skipped=fsdd.skipped, info={"settings": settings, "recordings": parts},
        transcripts=transcripts, tokens=list(fsdd.label_names))


def fsdd_take(source: str) -> int:
    """The take (index) of an FSDD recording from its path: ".../7_jackson_32.wav" -> 32."""
    match = FSDD_NAME.match(Path(source).name)
    if match is None:
        raise ParameterError(f"{source!r} is not named digit_speaker_index.wav")
    return int(match["index"])

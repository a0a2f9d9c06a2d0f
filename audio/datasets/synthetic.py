"""The embedded dataset: vowel sequences from a source-filter model of speech.

Speech is a source (the glottis, buzzing at the speaker's pitch) filtered by
the vocal tract, whose resonances (formants) set the vowel. Each clip here
is made the same way:

1. a glottal pulse train at the speaker's pitch, with jitter (random period
   changes) and shimmer (random pulse amplitudes), a falling intonation, and
   a little breath noise, low-pass shaped like real glottal pulses;
2. a cascade of three formant resonators whose frequencies glide from vowel
   to vowel; each speaker's vocal tract scales all formants (shorter tracts,
   higher formants, usually a higher pitch);
3. radiation at the lips (a first difference), background noise at a random
   SNR and a random gain.

A class is an *ordered* sequence of vowels: "a-i-u" and "u-i-a" are
different classes made of the same sounds. Averaged over time, their
features are the same, so only a model that follows the order (a recurrent
net) can tell them apart.

The clips are deterministic for a seed: clip k depends only on (seed, k).
"""
from __future__ import annotations

import itertools
import json

import numpy as np

import kernels.spectral
from audio import validate
from audio.datasets.dataset import AudioDataset
from audio.errors import ParameterError
from audio.noise import mix_at_snr, pink_noise, white_noise

# F1, F2, F3 (Hz) of an adult male speaker (Peterson & Barney 1952)
VOWEL_FORMANTS = {
    "a": (730.0, 1090.0, 2440.0),
    "e": (530.0, 1840.0, 2480.0),
    "i": (270.0, 2290.0, 3010.0),
    "o": (570.0, 840.0, 2410.0),
    "u": (300.0, 870.0, 2240.0),
    "ae": (660.0, 1720.0, 2410.0),  # as in "had"
    "er": (490.0, 1350.0, 1690.0),  # as in "heard": the low F3 sets it apart
}
CLASS_VOWELS = "aeiou"  # the one-letter vowels a classification word is spelled with
FORMANT_BANDWIDTHS = (80.0, 110.0, 160.0)  # Hz; wider at higher formants, as in real tracts
GLIDE_SECONDS = 0.04  # formant transition between two vowels (coarticulation)
TEST_EVERY = 5  # every 5th speaker is held out for testing: test speakers are never heard in training


def word_classes(vowels: str, word_length: int) -> list:
    """All orderings of ``word_length`` distinct vowels, e.g. "aiu", 3 -> 6 words."""
    return ["".join(p) for p in itertools.permutations(vowels, word_length)]


def speaker_voice(seed: int, index: int) -> dict:
    """A speaker's voice: pitch, vocal-tract scale, jitter, shimmer and speaking rate."""
    rng = np.random.default_rng([seed, 1, index])
    pitch = float(np.exp(rng.uniform(np.log(85.0), np.log(255.0))))  # Hz, low male to child
    # a shorter vocal tract goes with a higher voice: formants 0 to +25 % with pitch, plus spread
    scale = 1.0 + 0.25 * np.log(pitch / 85.0) / np.log(3.0) + rng.normal(0.0, 0.03)
    return {"pitch": pitch, "formant_scale": float(np.clip(scale, 0.9, 1.3)),
            "jitter": float(rng.uniform(0.005, 0.02)), "shimmer": float(rng.uniform(0.02, 0.08)),
            "tempo": float(rng.uniform(0.8, 1.25))}


def _glottal_source(f0, sr: int, jitter: float, shimmer: float, rng):
    """A pulse train that follows the pitch contour f0 [n] (Hz); returns [n] float64.

    Each period is 1/f0 stretched by jitter, each pulse scaled by shimmer; two
    one-pole low-passes give the pulses the -12 dB/octave slope of real glottal flow.
    """
    n = len(f0)
    pulses = np.zeros(n)
    position = rng.uniform(0.0, sr / f0[0])
    while position < n:
        pulses[int(position)] = 1.0 + shimmer * rng.standard_normal()
        period = sr / f0[int(position)] * (1.0 + jitter * rng.standard_normal())
        position += max(period, 2.0)
    breath = 0.02 * rng.standard_normal(n)  # aspiration noise rides on the source
    recursion = kernels.spectral.for_arrays(pulses).first_order_recursion
    flow = recursion((pulses + breath)[None], 0.95, np.zeros(1))
    return recursion(flow, 0.95, np.zeros(1))[0]


def _formant_tracks(word: str, durations, sr: int, scale: float, rng):
    """Per-sample formant frequencies [3, n] gliding between the vowels' targets."""
    edges = np.concatenate([[0.0], np.cumsum(durations)]) * sr  # segment boundaries in samples
    n = int(edges[-1])
    glide = GLIDE_SECONDS * sr / 2
    # knots: each vowel holds its target from glide after its start to glide before its end
    times, targets = [], []
    for k, vowel in enumerate(word):
        target = np.array(VOWEL_FORMANTS[vowel]) * scale * rng.uniform(0.97, 1.03, 3)
        times += [edges[k] + (glide if k else 0.0), edges[k + 1] - (glide if k < len(word) - 1 else 0.0)]
        targets += [target, target]
    samples = np.arange(n)
    return np.stack([np.interp(samples, times, [t[f] for t in targets]) for f in range(3)])


def _vocal_tract(source, formants, sr: int):
    """Filter the source through one two-pole resonator per formant. [n] -> [n]"""
    filtered = source[None]  # [1, n]
    resonate = kernels.spectral.for_arrays(filtered).resonator
    for f, bandwidth in zip(formants, FORMANT_BANDWIDTHS):
        f = np.minimum(f, 0.45 * sr)  # keep every resonance below Nyquist
        radius = np.exp(-np.pi * bandwidth / sr)
        a1 = -2.0 * radius * np.cos(2 * np.pi * f / sr)  # poles at radius * exp(+-i 2 pi f / sr)
        gain = 1.0 + a1 + radius**2  # unit gain at 0 Hz, so every formant keeps the level
        filtered = resonate(filtered * gain, a1[None], np.full((1, len(f)), radius**2))
    return filtered[0]


def voice(word, speaker: dict, sr: int, rng) -> np.ndarray:
    """The vowels of ``word`` (a string or a list of vowel names) spoken in one breath. [n] float64

    Each vowel lasts 0.12-0.26 s (scaled by the speaker's tempo), the
    formants glide between them, and the voice fades in and out over 20 ms.
    """
    durations = rng.uniform(0.12, 0.26, len(word)) * speaker["tempo"]  # seconds per vowel
    voiced = _formant_tracks(word, durations, sr, speaker["formant_scale"], rng)
    n = voiced.shape[1]
    # intonation: the pitch starts a little high and falls through the word
    f0 = speaker["pitch"] * rng.uniform(0.92, 1.08) * np.linspace(1.06, 0.92, n)
    source = _glottal_source(f0, sr, speaker["jitter"], speaker["shimmer"], rng)
    speech = np.diff(_vocal_tract(source, voiced, sr), prepend=0.0)  # radiation at the lips
    ramp = int(0.02 * sr)  # 20 ms fade in and out, as a voice starts and stops
    envelope = np.ones(n)
    envelope[:ramp] = envelope[-ramp:][::-1] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    return speech * envelope


def place_in_noise(speech, sr: int, rng) -> np.ndarray:
    """Silence around ``speech`` [n], background noise at 10-30 dB SNR, a random peak level. [m] float32"""
    lead, tail = (int(s * sr) for s in rng.uniform(0.03, 0.15, 2))  # silence around the word
    clip = np.concatenate([np.zeros(lead), speech, np.zeros(tail)])
    # noise of a power-of-two length (the fastest FFT for pink noise), cut to the clip
    noise = (white_noise if rng.random() < 0.5 else pink_noise)(1 << (len(clip) - 1).bit_length(), rng=rng)
    noise = noise[:len(clip)]
    clip = mix_at_snr(clip, noise, rng.uniform(10.0, 30.0))
    peak_db = rng.uniform(-20.0, -1.0)
    return (clip * 10 ** (peak_db / 20) / np.abs(clip).max()).astype(np.float32)


def synthesize_clip(word: str, speaker: dict, sr: int, rng) -> np.ndarray:
    """One clip of ``word`` (a string of vowels) in ``speaker``'s voice. [n] float32"""
    return place_in_noise(voice(word, speaker, sr, rng), sr, rng)


def speak_all(n: int, *, seed: int, stream: int, speakers, choose, synthesize):
    """n clips, clip k from its own generator (seed, stream, k): a speaker, then what is said, then the sound.

    ``choose(k, rng)`` picks what clip k says; ``synthesize(what, voice, rng)`` speaks it.
    Returns (clips, what each says, speaker index per clip [n] int).
    """
    clips, contents, who = [], [], []
    for k in range(n):
        rng = np.random.default_rng([seed, stream, k])
        speaker = int(rng.integers(len(speakers)))
        content = choose(k, rng)
        clips.append(synthesize(content, speakers[speaker], rng))
        contents.append(content)
        who.append(speaker)
    return clips, contents, np.array(who)


def held_out_split(who) -> np.ndarray:
    """"test" for every TEST_EVERY-th speaker, "train" for the others. [n] str"""
    return np.where(np.asarray(who) % TEST_EVERY == TEST_EVERY - 1, "test", "train")


def synthetic_vowels(*, n_clips: int = 2400, vowels: str = "aiu", word_length: int = 3,
                     n_speakers: int = 40, sr: int = 8000, seed: int = 0) -> AudioDataset:
    """The embedded dataset: spoken vowel sequences whose class is their order.

    Parameters
    ----------
    n_clips : int > 0
        Number of clips; the classes are balanced (clip k has class k mod n_classes).
    vowels : str
        Vowels to choose from, each one of ``"aeiou"``.
    word_length : int > 0
        Vowels per clip, all different; the classes are every ordering, so there are
        len(vowels)! / (len(vowels) - word_length)! of them (6 by default).
    n_speakers : int >= TEST_EVERY
        Distinct voices; every 5th is held out as the test split.
    sr : int > 0
        Sample rate (Hz).
    seed : int
        Everything is a function of the seed.

    Returns
    -------
    AudioDataset
        Clips of about 0.4 to 1.3 s; ``speakers`` names the voice of each clip.

    Examples
    --------
    >>> data = synthetic_vowels(n_clips=12)
    >>> data.label_names[:2], data.num_classes
    (['a-i-u', 'a-u-i'], 6)
    """
    n_clips = validate.positive_int("n_clips", n_clips)
    word_length = validate.positive_int("word_length", word_length)
    n_speakers = validate.positive_int("n_speakers", n_speakers)
    sr = validate.positive_int("sr", sr)
    unknown = sorted(set(vowels) - set(CLASS_VOWELS))
    if unknown or len(set(vowels)) != len(vowels):
        raise ParameterError(f"vowels must be distinct letters from {CLASS_VOWELS!r}, got {vowels!r}")
    if not 2 <= len(vowels) or word_length > len(vowels):
        raise ParameterError(f"word_length must be at most len(vowels)={len(vowels)} and vowels must "
                             f"have at least 2 letters, got word_length={word_length}, vowels={vowels!r}")
    if n_speakers < TEST_EVERY:
        raise ParameterError(f"n_speakers must be at least {TEST_EVERY} so that one is held out, got {n_speakers}")
    words = word_classes(vowels, word_length)
    speakers = [speaker_voice(seed, s) for s in range(n_speakers)]
    clips, labels, who = speak_all(n_clips, seed=seed, stream=2, speakers=speakers,
                                   choose=lambda k, rng: k % len(words),
                                   synthesize=lambda label, voice, rng: synthesize_clip(words[label], voice, sr, rng))
    settings = {"n_clips": n_clips, "vowels": vowels, "word_length": word_length,
                "n_speakers": n_speakers, "sr": sr, "seed": seed, "version": 1}
    return AudioDataset(
        name="synthetic-vowels", clips=clips, labels=np.array(labels),
        label_names=["-".join(w) for w in words], sr=sr,
        split=held_out_split(who), speakers=np.array([f"speaker{s:02d}" for s in who]),
        sources=[f"synthetic clip {k} (seed {seed})" for k in range(n_clips)],
        fingerprint="synthetic-vowels " + json.dumps(settings, sort_keys=True),
        info={"settings": settings, "speakers": speakers})

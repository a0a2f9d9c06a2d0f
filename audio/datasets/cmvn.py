"""Cepstral mean and variance normalization (CMVN), per utterance or per speaker.

A fixed channel (a microphone, a room, a voice's average spectral tilt)
multiplies the spectrum by the same filter in every frame; after the log
and the DCT it *adds* the same vector to every frame's cepstrum. So
subtracting each utterance's own mean over time removes it, and dividing
by each feature's own standard deviation over time removes differences in
level and dynamic range:

    x'[t, f] = (x[t, f] - mean_t x[:, f]) / max(std_t x[:, f], eps)

where mean and std run over the utterance's valid frames only (a padded
batch holds zeros, or anything, past each utterance's length, and those
frames must not count). Unlike :class:`audio.datasets.Standardizer`, no
statistics are learned from the training set: each clip brings its own,
test clips included. :class:`SpeakerNormalizer` takes the same statistics
over all the clips of one speaker instead (see its docstring for why).
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.datasets.features import Standardizer
from audio.errors import ParameterError

# a Standardizer fitted on the training clips; CMVN per clip; CMVN per speaker
NORMALIZATIONS = ("global", "utterance", "speaker")
EPS = 1e-8  # a feature constant over an utterance (std 0) becomes 0, not inf


def cmvn(x, *, lengths=None, eps: float = EPS) -> np.ndarray:
    """Each utterance's features to zero mean and unit variance over its own valid frames.

    Parameters
    ----------
    x : np.ndarray [shape=(T, F)] or [shape=(B, T, F)]
        One utterance, or a padded batch of them.
    lengths : array-like of int [shape=(B,)] or None
        Valid frames of each utterance in a batch (None: all T). Frames past
        an utterance's length are left as they are.
    eps : float > 0
        Smallest standard deviation divided by.

    Returns
    -------
    np.ndarray, the shape of ``x``, float32 for float32 input, else float64

    Examples
    --------
    >>> cmvn(np.array([[1.0, 10.0], [3.0, 10.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    """
    x = validate.numeric_array("x", x, real=True, min_ndim=2)
    if x.ndim not in (2, 3):
        raise ParameterError(f"x must be one utterance [T, F] or a batch [B, T, F], got shape {x.shape}")
    eps = validate.positive_number("eps", eps)
    dtype = validate.float_dtype_of(x)
    batch = x.astype(dtype, copy=True).reshape((-1,) + x.shape[-2:])  # [B, T, F]
    B, T, _ = batch.shape
    if lengths is None:
        lengths = np.full(B, T)
    lengths = np.asarray(lengths)
    if lengths.shape != (B,) or lengths.dtype.kind not in "iu" or (lengths < 0).any() or (lengths > T).any():
        raise ParameterError(f"lengths must be {B} integers in [0, {T}], got {lengths.tolist()!r}")
    for b, n in enumerate(lengths):
        if n == 0:
            continue
        valid = batch[b, :n].astype(np.float64)  # [n, F]: statistics in double precision
        mean, std = valid.mean(axis=0), valid.std(axis=0)
        batch[b, :n] = (valid - mean) / np.maximum(std, eps)
    return batch if x.ndim == 3 else batch[0]


class UtteranceNormalizer:
    """CMVN with :class:`Standardizer`'s interface: ``fit`` learns nothing, ``transform`` normalizes each clip.

    Examples
    --------
    >>> UtteranceNormalizer().fit([]).transform([np.array([[0.0], [2.0]])])[0]
    array([[-1.],
           [ 1.]], dtype=float32)
    """

    kind = "utterance"

    def fit(self, sequences) -> UtteranceNormalizer:
        """Nothing to learn: every utterance brings its own statistics. Returns self."""
        return self

    def transform(self, sequences) -> list:
        """:func:`cmvn` of each sequence; list of [frames, F] float32."""
        return [cmvn(np.asarray(s, dtype=np.float32)) for s in sequences]


class SpeakerNormalizer:
    """CMVN per speaker: every clip of a speaker with that speaker's mean and std over all its frames.

    A voice and a microphone add the same offset to every frame of every
    clip they record (see the module docstring); one clip's own mean, as
    :class:`UtteranceNormalizer` takes it, holds that offset but also the
    clip's content (the vowel of "six" moves the mean of a 0.4 s clip).
    The mean over many clips of one speaker averages the content away and
    keeps the offset, so subtracting it removes the voice and leaves the
    word. No labels are used: a test speaker's statistics come from their
    own unlabeled clips, as Kaldi's per-speaker CMVN does.

    ``fit(sequences, groups)`` learns each group's statistics;
    ``transform(sequences, groups)`` normalizes each sequence with its
    group's. ``for_group(name)`` is the transform of one group alone (for
    clips made on the fly, such as augmented ones).

    Examples
    --------
    >>> x = [np.array([[0.0], [2.0]]), np.array([[4.0], [6.0]])]  # one speaker: mean 3, std sqrt(5)
    >>> out = SpeakerNormalizer().fit(x, ["a", "a"]).transform(x, ["a", "a"])
    >>> [[round(float(v), 3) for v in s.ravel()] for s in out]
    [[-1.342, -0.447], [0.447, 1.342]]
    """

    kind = "speaker"

    def __init__(self):
        self.statistics = {}  # group -> (mean [F], std [F]), float64

    def fit(self, sequences, groups) -> SpeakerNormalizer:
        """Learn the mean and std of each group over all frames of its sequences. Returns self.

        Parameters
        ----------
        sequences : list of np.ndarray [shape=(frames_i, F)]
        groups : sequence of hashable [shape=(len(sequences),)], each sequence's speaker
        """
        groups = list(groups)
        if len(groups) != len(sequences):
            raise ParameterError(f"groups must name one group per sequence: {len(sequences)} sequences, "
                                 f"{len(groups)} groups")
        for name in dict.fromkeys(groups):  # each group once, in order of first appearance
            frames = np.concatenate([np.asarray(s, dtype=np.float64) for s, g in zip(sequences, groups) if g == name])
            if frames.shape[0] == 0:
                raise ParameterError(f"group {name!r} has no frames to take statistics from")
            self.statistics[name] = (frames.mean(axis=0), np.maximum(frames.std(axis=0), EPS))
        return self

    def transform(self, sequences, groups) -> list:
        """Each sequence with its group's statistics; list of [frames_i, F] float32.

        Parameters
        ----------
        sequences : list of np.ndarray [shape=(frames_i, F)]
        groups : sequence [shape=(len(sequences),)], each a group given to :meth:`fit`
        """
        groups = list(groups)
        missing = sorted({str(g) for g in groups} - {str(g) for g in self.statistics})
        if missing:
            raise ParameterError(f"no statistics for group(s) {missing}; fit the normalizer on their clips first")
        return [self._normalize(s, *self.statistics[g]) for s, g in zip(sequences, groups)]

    def for_group(self, name):
        """A transform(sequences) that normalizes every sequence as group ``name``."""
        if name not in self.statistics:
            raise ParameterError(f"no statistics for group {name!r}; "
                                 f"fitted groups: {sorted(map(str, self.statistics))}")
        mean, std = self.statistics[name]
        return _OneGroup(lambda s: self._normalize(s, mean, std))

    @staticmethod
    def _normalize(sequence, mean, std):
        return ((np.asarray(sequence, dtype=np.float64) - mean) / std).astype(np.float32)


class _OneGroup:
    """The ``transform(sequences)`` interface of one group's normalization."""

    def __init__(self, normalize):
        self._normalize = normalize

    def transform(self, sequences) -> list:
        """Each sequence [frames_i, F] with the group's statistics; list of [frames_i, F] float32."""
        return [self._normalize(s) for s in sequences]


def make_normalizer(kind: str = "global"):
    """A fresh normalizer: ``"global"`` a :class:`Standardizer` (fit it on the training clips), ``"utterance"``
    CMVN per clip, ``"speaker"`` CMVN per speaker (fit it on every clip, with their speakers).

    >>> type(make_normalizer("utterance")).__name__
    'UtteranceNormalizer'
    """
    validate.choice("normalize", kind, NORMALIZATIONS)
    return {"global": Standardizer, "utterance": UtteranceNormalizer, "speaker": SpeakerNormalizer}[kind]()

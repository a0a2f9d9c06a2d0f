"""Per-utterance cepstral mean and variance normalization (CMVN).

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
test clips included.
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.datasets.features import Standardizer
from audio.errors import ParameterError

NORMALIZATIONS = ("global", "utterance")  # a Standardizer fitted on the training clips, or CMVN per clip
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


def make_normalizer(kind: str = "global"):
    """A fresh normalizer: ``"global"`` a :class:`Standardizer` (fit it on the training clips), ``"utterance"`` CMVN.

    >>> type(make_normalizer("utterance")).__name__
    'UtteranceNormalizer'
    """
    validate.choice("normalize", kind, NORMALIZATIONS)
    return Standardizer() if kind == "global" else UtteranceNormalizer()

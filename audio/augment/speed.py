"""Speed perturbation: the same words said faster or slower, as a tape played at another speed.

Playing a recording ``factor`` times faster divides its duration by the
factor and multiplies every frequency in it by the factor: pitch and
formants move up together, as in a smaller speaker talking faster. This
is Kaldi's speed perturbation (``sox speed``), which trains with copies of
the data at factors 0.9, 1.0 and 1.1, and helps recognizers generalize
to new speakers about as much as more data does.

It is done by resampling: treat the signal as if it had been sampled at
``factor`` times its rate and resample it back to its rate with our own
band-limited resampler (:func:`audio.resample`). So

    y_fast[m] = x(m * factor)        (x band-limited, between samples)

and the spectrum keeps its shape, stretched along frequency:
|Y(f)| = |X(f / factor)| up to the Nyquist frequency; speeding up drops
what would land above it (the resampler's low-pass) instead of folding it back.
"""
from __future__ import annotations

from fractions import Fraction

from audio import validate
from audio.resample import resample

MAX_DENOMINATOR = 100  # factors are taken as fractions p / q with q <= 100 (1.1 = 11 / 10)


def speed_ratio(factor: float) -> Fraction:
    """The factor as the fraction p / q, q <= 100, that the resampler uses.

    >>> speed_ratio(1.1)
    Fraction(11, 10)
    """
    factor = validate.positive_number("factor", factor)
    ratio = Fraction(factor).limit_denominator(MAX_DENOMINATOR)
    if ratio <= 0:
        raise validate.ParameterError(f"factor must be at least 1/{MAX_DENOMINATOR}, got {factor!r}")
    return ratio


def speed_perturb(y, *, factor: float):
    """``y`` played ``factor`` times faster: duration / factor, every frequency * factor.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real and finite
    factor : float > 0
        Above 1 faster and higher, below 1 slower and lower; 1 returns a copy.
        Used as the nearest fraction p / q with q <= 100 (:func:`speed_ratio`).

    Returns
    -------
    np.ndarray [shape=(..., ceil(n q / p))], float32 for float32 input, else float64

    Examples
    --------
    >>> speed_perturb(np.zeros(8800, dtype=np.float32), factor=1.1).shape
    (8000,)
    """
    ratio = speed_ratio(factor)
    return resample(y, orig_sr=ratio.numerator, target_sr=ratio.denominator)

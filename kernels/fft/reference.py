"""The FFT, written to be read: radix-2 for powers of two, Bluestein for any n.

All functions transform the last axis of a batch ``[..., n]``, unnormalized
(the caller scales), and keep the precision they are given: complex64 in,
complex64 out; complex128 in, complex128 out.

Radix-2, decimation in time, vectorized across the batch: split x into its
even and odd samples, transform both halves, and combine

    X[k]       = E[k] + w^k O[k]
    X[k + n/2] = E[k] - w^k O[k],      w = e^{-2 pi i / n}

Done bottom-up, every level is one NumPy expression over the whole batch:
start with 32-point DFTs by matrix product, then double the length until
it reaches n.

Bluestein (chirp-z) turns a DFT of any length n into a circular convolution
of length m >= 2n - 1, a power of two: with the chirp c_k = e^{-i pi k^2 / n},
nk = (k^2 + n^2 - (k-n)^2) / 2 gives

    X[k] = c_k * sum_j (x_j c_j) * conj(c_{k-j}).
"""
from __future__ import annotations

import numpy as np

from kernels.dtypes import complex_dtype, real_dtype  # noqa: F401  (the one dtype rule; gpu.py and cpu.py use it from here)

BASE = 32  # radix-2 recursion stops at 32-point DFTs done by matrix product


def is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def dft_matrix(n: int, dtype=np.complex128) -> np.ndarray:
    """W[k, j] = e^{-2 pi i k j / n}; angles reduced mod n for accuracy. [n, n]"""
    kj = np.outer(np.arange(n), np.arange(n)) % n
    return np.exp(-2j * np.pi * kj / n).astype(dtype)


def fft_pow2(x):
    """DFT along the last axis, n a power of two. x [..., n] complex -> [..., n]."""
    n = x.shape[-1]
    batch = x.shape[:-1]
    # HINT: start from DFTs of length min(n, BASE) by dft_matrix (of the strided subsequences), then combine pairs with X[k] = E[k] + w^k O[k], X[k + n/2] = E[k] - w^k O[k] until the length is n; keep x's dtype
    # BEGIN SOLUTION 3.1
    base = min(n, BASE)
    cols = n // base
    # X[..., r, c] = x[r * cols + c]: column c is x[c::cols]. DFT each column.
    X = np.matmul(dft_matrix(base, x.dtype), x.reshape(batch + (base, cols)))  # [..., base, cols]
    while X.shape[-2] < n:
        half = X.shape[-1] // 2
        length = 2 * X.shape[-2]  # the transforms being formed have this length
        even, odd = X[..., :half], X[..., half:]  # offsets c and c + half of stride-half sequences
        w = np.exp(-2j * np.pi * np.arange(length // 2) / length).astype(x.dtype)[:, None]
        X = np.concatenate([even + w * odd, even - w * odd], axis=-2)  # [..., length, half]
    return X.reshape(batch + (n,))
    # END SOLUTION


def _chirp(n: int, dtype):
    k = np.arange(n)
    return np.exp(-1j * np.pi * ((k * k) % (2 * n)) / n).astype(dtype)  # k^2 mod 2n: exact angles


def bluestein_length(n: int) -> int:
    """The convolution length: a power of two >= 2n - 1."""
    return 1 << (2 * n - 2).bit_length()


def bluestein_filter(chirp, m: int):
    """b_k = conj(c_k) for |k| < n, laid out circularly in length m. [m]"""
    n = chirp.shape[0]
    b = np.zeros(m, dtype=chirp.dtype)
    b[:n] = np.conj(chirp)
    b[m - n + 1:] = np.conj(chirp[1:])[::-1]  # conj(c_{-k}) at index m - k
    return b


def bluestein(x):
    """DFT of any length along the last axis, via power-of-two FFTs. [..., n] -> [..., n]."""
    n = x.shape[-1]
    m = bluestein_length(n)
    c = _chirp(n, x.dtype)
    a = np.zeros(x.shape[:-1] + (m,), dtype=x.dtype)
    a[..., :n] = x * c
    conv = ifft(fft_pow2(a) * fft_pow2(bluestein_filter(c, m))) / m
    return c * conv[..., :n]


def fft(x):
    """Unnormalized DFT along the last axis, any n. [..., n] -> complex [..., n]."""
    x = np.asarray(x)
    x = x.astype(complex_dtype(x), copy=False)
    n = x.shape[-1]
    if n == 0 or x.size == 0:
        return x.copy()
    return fft_pow2(x) if is_power_of_two(n) else bluestein(x)


def ifft(X):
    """Unnormalized inverse DFT: conj(fft(conj(X))), so it returns n * x."""
    return np.conj(fft(np.conj(X)))


def rfft(x):
    """DFT of a real signal, the n//2 + 1 non-negative frequencies. [..., n] -> [..., n//2 + 1].

    For even n, the n real samples are packed into n/2 complex ones,
    z_j = x_{2j} + i x_{2j+1}, transformed at half length, and unpacked:
    E[k] = (Z[k] + conj Z[N-k]) / 2 is the transform of the even samples,
    O[k] = (Z[k] - conj Z[N-k]) / 2i of the odd ones, and X[k] = E[k] + w^k O[k].
    """
    x = np.asarray(x)
    n = x.shape[-1]
    ctype = complex_dtype(x)
    if n % 2 or n < 2:
        return fft(x)[..., : n // 2 + 1]
    N = n // 2
    z = x[..., 0::2] + 1j * x[..., 1::2]  # [..., N]
    Z = fft(z.astype(ctype))
    Z_ext = np.concatenate([Z, Z[..., :1]], axis=-1)  # Z[N] = Z[0]
    Z_mirror = np.conj(Z_ext[..., ::-1])  # conj Z[N - k], k = 0..N
    even = (Z_ext + Z_mirror) / 2
    odd = (Z_ext - Z_mirror) / 2j
    w = np.exp(-2j * np.pi * np.arange(N + 1) / n).astype(ctype)
    return (even + w * odd).astype(ctype)


def irfft(X, n: int):
    """Unnormalized inverse of :func:`rfft`: n real samples times n. X [..., n//2 + 1] -> [..., n].

    As NumPy does, the imaginary parts of the zero and (even n) Nyquist
    frequencies are ignored: a real signal cannot have them.
    """
    return irfft_using(ifft, X, n)


def irfft_using(inverse, X, n: int):
    """:func:`irfft` with ``inverse`` as the complex inverse transform.

    The unpacking is the same for every backend; only the half-length
    complex transform changes (the compiled kernels pass their own).
    """
    X = np.asarray(X)
    ctype, rtype = complex_dtype(X), real_dtype(X)
    X = X.astype(ctype, copy=True)
    X[..., 0] = X[..., 0].real
    if n % 2 == 0:
        X[..., n // 2] = X[..., n // 2].real
    if n % 2 or n < 2:  # rebuild the Hermitian spectrum and invert at full length
        full = np.concatenate([X, np.conj(X[..., 1:(n + 1) // 2][..., ::-1])], axis=-1)
        return inverse(full).real.astype(rtype)
    N = n // 2
    mirror = np.conj(X[..., ::-1])  # conj X[N - k], k = 0..N
    even = (X + mirror)[..., :N] / 2
    w_conj = np.exp(2j * np.pi * np.arange(N) / n).astype(ctype)
    odd = (X - mirror)[..., :N] * w_conj / 2
    z = inverse(even + 1j * odd)  # [..., N], = N * (x_even + i x_odd)
    out = np.empty(X.shape[:-1] + (n,), dtype=rtype)
    out[..., 0::2] = 2 * z.real
    out[..., 1::2] = 2 * z.imag
    return out

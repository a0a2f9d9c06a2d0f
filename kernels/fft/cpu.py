"""The FFT in Numba: Stockham radix-4 per row, rows in parallel.

Same functions and results as ``reference.py`` (see it for the math).
Speed comes from two choices:

- The batch is the parallel axis (``prange`` over rows). A spectrogram is
  thousands of short transforms, so threads get whole rows and never meet.
- Stockham's formulation writes each stage's output in natural order into
  a second buffer, so there is no bit-reversal pass and every inner loop
  walks memory with unit stride once the stride s exceeds 1.

Twiddle factors and Bluestein's chirp are computed once per length (in
float64, then rounded to the working precision) and cached.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

from kernels.fft import reference
from kernels.threads import serial_when_small


@njit(cache=True)
def _stockham(x, work, twiddles):
    """Stockham FFT of one row, radix-4 stages then one radix-2 if needed.

    ``twiddles[k] = w^k`` for the full length n, w = e^{-2 pi i / n}. Each
    stage reads sub-transforms of length L with stride s = n / L from one
    buffer and writes them, in natural order, into the other; the function
    returns the buffer that holds X.

    Radix-4 stage, with a, b, c, d the quarters and j = sqrt(-1):
        y[4p]   = (a + c) + (b + d)
        y[4p+1] = w^{ps}  ((a - c) - j (b - d))
        y[4p+2] = w^{2ps} ((a + c) - (b + d))
        y[4p+3] = w^{3ps} ((a - c) + j (b - d))
    """
    n = x.shape[0]
    j = x.dtype.type(1j)  # in the row's precision: a complex128 literal would promote complex64 math
    src, dst = x, work
    length, s = n, 1
    while length >= 4:
        quarter = length // 4
        for p in range(quarter):
            w1 = twiddles[p * s]
            w2 = twiddles[2 * p * s]
            w3 = twiddles[3 * p * s]
            for q in range(s):
                a = src[q + s * p]
                b = src[q + s * (p + quarter)]
                c = src[q + s * (p + 2 * quarter)]
                d = src[q + s * (p + 3 * quarter)]
                apc, amc = a + c, a - c
                bpd = b + d
                jbmd = j * (b - d)
                dst[q + s * 4 * p] = apc + bpd
                dst[q + s * (4 * p + 1)] = w1 * (amc - jbmd)
                dst[q + s * (4 * p + 2)] = w2 * (apc - bpd)
                dst[q + s * (4 * p + 3)] = w3 * (amc + jbmd)
        src, dst = dst, src
        length = quarter
        s *= 4
    if length == 2:  # one radix-2 stage left (log2 n odd); its twiddle is 1
        for q in range(s):
            a = src[q]
            b = src[q + s]
            dst[q] = a + b
            dst[q + s] = a - b
        src, dst = dst, src
    return src


@njit(cache=True, fastmath=True)
def stockham_block(re, im, re2, im2, tw_re, tw_im):
    """The same Stockham FFT as :func:`_stockham`, on B transforms at once.

    Column k of (re, im) [N, B] is one transform, with real and imaginary
    parts in separate arrays; every butterfly runs along a row of B
    numbers, so the innermost loop is unit-stride, twiddle-invariant float
    arithmetic that the compiler turns into SIMD instructions. (re2, im2)
    is the second buffer; returns True when the result ended up there.
    """
    n, B = re.shape
    length, s = n, 1
    flip = False
    while length >= 4:
        quarter = length // 4
        if flip:
            in_re, in_im, out_re, out_im = re2, im2, re, im
        else:
            in_re, in_im, out_re, out_im = re, im, re2, im2
        for p in range(quarter):
            w1r, w1i = tw_re[p * s], tw_im[p * s]
            w2r, w2i = tw_re[2 * p * s], tw_im[2 * p * s]
            w3r, w3i = tw_re[3 * p * s], tw_im[3 * p * s]
            for q in range(s):
                a_ = q + s * p
                b_ = a_ + s * quarter
                c_ = b_ + s * quarter
                d_ = c_ + s * quarter
                o = q + s * 4 * p
                for k in range(B):
                    ar, ai = in_re[a_, k], in_im[a_, k]
                    br, bi = in_re[b_, k], in_im[b_, k]
                    cr, ci = in_re[c_, k], in_im[c_, k]
                    d_r, d_i = in_re[d_, k], in_im[d_, k]
                    apcr, apci = ar + cr, ai + ci
                    amcr, amci = ar - cr, ai - ci
                    bpdr, bpdi = br + d_r, bi + d_i
                    # j (b - d) = (-(b_i - d_i), b_r - d_r)
                    jr, ji = -(bi - d_i), br - d_r
                    out_re[o, k] = apcr + bpdr
                    out_im[o, k] = apci + bpdi
                    xr, xi = amcr - jr, amci - ji
                    out_re[o + s, k] = w1r * xr - w1i * xi
                    out_im[o + s, k] = w1r * xi + w1i * xr
                    xr, xi = apcr - bpdr, apci - bpdi
                    out_re[o + 2 * s, k] = w2r * xr - w2i * xi
                    out_im[o + 2 * s, k] = w2r * xi + w2i * xr
                    xr, xi = amcr + jr, amci + ji
                    out_re[o + 3 * s, k] = w3r * xr - w3i * xi
                    out_im[o + 3 * s, k] = w3r * xi + w3i * xr
        flip = not flip
        length = quarter
        s *= 4
    if flip:
        in_re, in_im, out_re, out_im = re2, im2, re, im
    else:
        in_re, in_im, out_re, out_im = re, im, re2, im2
    if length == 2:
        for q in range(s):
            for k in range(B):
                ar, ai = in_re[q, k], in_im[q, k]
                br, bi = in_re[q + s, k], in_im[q + s, k]
                out_re[q, k] = ar + br
                out_im[q, k] = ai + bi
                out_re[q + s, k] = ar - br
                out_im[q + s, k] = ai - bi
        flip = not flip
    return flip  # True: the result is in re2/im2


@njit(cache=True, fastmath=True)
def unpack_bin(Zr, Zi, kk, nb, wr, wi, out_re, out_im):
    """Bin kk of the real FFTs whose packed transforms are the columns of (Zr, Zi) [N, B].

    The reference's ``rfft`` unpacking, X[kk] = E + w^kk O, for the first
    ``nb`` columns at once, written into out_re[:nb], out_im[:nb];
    (wr, wi) = w^kk, w = e^{-2 pi i / 2N}.
    """
    N = Zr.shape[0]
    a, m = kk % N, (N - kk) % N
    for k in range(nb):
        zr, zi = Zr[a, k], Zi[a, k]
        mr, mi = Zr[m, k], -Zi[m, k]  # conj Z[N - kk]
        even_r, even_i = 0.5 * (zr + mr), 0.5 * (zi + mi)
        odd_r, odd_i = 0.5 * (zi - mi), -0.5 * (zr - mr)  # (Z[kk] - conj Z[N-kk]) / 2i
        out_re[k] = even_r + wr * odd_r - wi * odd_i
        out_im[k] = even_i + wr * odd_i + wi * odd_r


@njit(cache=True)
def block_buffers(N, width, used, like):
    """The four [N, width] work arrays of ``stockham_block``, in ``like``'s dtype: (re, im, re2, im2).

    Only the first ``used`` columns will be packed with data; the rest (the
    last, partial block of a batch) are transformed too, so they are zeroed
    to keep them finite. re2 and im2 are scratch and need no zeroing.
    """
    re = np.empty((N, width), dtype=like.dtype)
    im = np.empty((N, width), dtype=like.dtype)
    if used < width:
        re[:, used:] = 0
        im[:, used:] = 0
    return re, im, np.empty_like(re), np.empty_like(im)


RFFT_BLOCK = 32  # rows per block in _rfft_rows_blocked: 4 buffers of N x 32 stay in L2
TILE = 8  # bins unpacked together before they are written out row by row


@serial_when_small()
@njit(cache=True, parallel=True, fastmath=True)
def _rfft_rows_blocked(x, tw_re, tw_im, un_re, un_im, out):
    """Real FFT of rows x [rows, n] (n a power of two) into out [rows, 2 (n/2 + 1)] (re, im interleaved).

    Blocks of RFFT_BLOCK rows are packed (z_i = x_2i + j x_2i+1) into the
    columns of an [n/2, RFFT_BLOCK] pair of arrays, transformed together by
    ``stockham_block`` (SIMD across rows), and unpacked TILE bins at a time
    into a small buffer that is then written out row by row: both
    transposes touch memory in cache-line-sized pieces.
    """
    rows, n = x.shape
    N = n // 2
    blocks = (rows + RFFT_BLOCK - 1) // RFFT_BLOCK
    for b in prange(blocks):
        r0 = b * RFFT_BLOCK
        nb = min(RFFT_BLOCK, rows - r0)
        re, im, re2, im2 = block_buffers(N, RFFT_BLOCK, nb, x)
        for i in range(N):
            for k in range(nb):
                re[i, k] = x[r0 + k, 2 * i]
                im[i, k] = x[r0 + k, 2 * i + 1]
        if stockham_block(re, im, re2, im2, tw_re, tw_im):
            Zr, Zi = re2, im2
        else:
            Zr, Zi = re, im
        tile_re = np.empty((TILE, RFFT_BLOCK), dtype=x.dtype)
        tile_im = np.empty((TILE, RFFT_BLOCK), dtype=x.dtype)
        for kk0 in range(0, N + 1, TILE):
            kk1 = min(kk0 + TILE, N + 1)
            for kk in range(kk0, kk1):
                unpack_bin(Zr, Zi, kk, nb, un_re[kk], un_im[kk], tile_re[kk - kk0], tile_im[kk - kk0])
            for k in range(nb):
                for kk in range(kk0, kk1):
                    out[r0 + k, 2 * kk] = tile_re[kk - kk0, k]
                    out[r0 + k, 2 * kk + 1] = tile_im[kk - kk0, k]


@njit(cache=True)
def _bluestein_row(x, out, chirp, b_hat, twiddles_m, a, work):
    """X = c * IFFT_m(FFT_m(x c, zero-padded) * FFT_m(b)), written into out[:n]."""
    n, m = x.shape[0], a.shape[0]
    a[:] = 0
    for j in range(n):
        a[j] = x[j] * chirp[j]
    A = _stockham(a, work, twiddles_m)
    for k in range(m):  # inverse FFT by conjugation: conj(FFT(conj(.)))
        A[k] = (A[k] * b_hat[k]).conjugate()
    other = work if A is a else a
    C = _stockham(A, other, twiddles_m)
    scale = x.dtype.type(1.0 / m)
    for k in range(n):
        out[k] = chirp[k] * C[k].conjugate() * scale


@serial_when_small()
@njit(cache=True, parallel=True)
def _fft_rows(x, twiddles, chirp, b_hat, twiddles_m, bluestein):
    rows, n = x.shape
    out = np.empty_like(x)
    m = b_hat.shape[0]
    for r in prange(rows):
        if bluestein:
            a = np.empty(m, dtype=x.dtype)
            work = np.empty(m, dtype=x.dtype)
            _bluestein_row(x[r], out[r], chirp, b_hat, twiddles_m, a, work)
        else:
            row = x[r].copy()
            work = np.empty(n, dtype=x.dtype)
            out[r] = _stockham(row, work, twiddles)
    return out


@njit(cache=True)
def rfft_row(xr, o, twiddles, chirp, b_hat, twiddles_m, bluestein, unpack):
    """Real FFT of one even-length row xr [n] into o [n/2 + 1]: pack, transform, unpack.

    The arguments after ``o`` are :func:`rfft_plan`'s; see
    ``reference.rfft`` for the packing.
    """
    N = xr.shape[0] // 2
    m = b_hat.shape[0]
    j = unpack.dtype.type(1j)
    half, minus_half_j = unpack.dtype.type(0.5), unpack.dtype.type(-0.5j)
    z = np.empty(N, dtype=unpack.dtype)
    for i in range(N):
        z[i] = xr[2 * i] + j * xr[2 * i + 1]
    if bluestein:
        Z = np.empty(N, dtype=unpack.dtype)
        _bluestein_row(z, Z, chirp, b_hat, twiddles_m, np.empty(m, dtype=unpack.dtype),
                       np.empty(m, dtype=unpack.dtype))
    else:
        Z = _stockham(z, np.empty(N, dtype=unpack.dtype), twiddles)
    for k in range(N + 1):
        zk = Z[k % N]
        zm = Z[(N - k) % N].conjugate()
        even = (zk + zm) * half
        odd = (zk - zm) * minus_half_j
        o[k] = even + unpack[k] * odd


@serial_when_small()
@njit(cache=True, parallel=True)
def _rfft_rows(x, twiddles, chirp, b_hat, twiddles_m, bluestein, unpack):
    """Pack n reals into n/2 complex, transform, unpack (even n)."""
    rows, n = x.shape
    out = np.empty((rows, n // 2 + 1), dtype=unpack.dtype)
    for r in prange(rows):
        rfft_row(x[r], out[r], twiddles, chirp, b_hat, twiddles_m, bluestein, unpack)
    return out


@functools.lru_cache(maxsize=64)
def _plan(n: int, dtype_name: str):
    """Precomputed factors for complex transforms of length n."""
    dtype = np.dtype(dtype_name)
    empty = np.zeros(1, dtype=dtype)
    if reference.is_power_of_two(n):
        tw = np.exp(-2j * np.pi * np.arange(n) / n).astype(dtype)
        return tw, empty, empty, empty, False
    m = reference.bluestein_length(n)
    chirp = reference._chirp(n, np.complex128)
    b_hat = reference.fft_pow2(reference.bluestein_filter(chirp, m))
    tw_m = np.exp(-2j * np.pi * np.arange(m) / m)
    return empty, chirp.astype(dtype), b_hat.astype(dtype), tw_m.astype(dtype), True


@functools.lru_cache(maxsize=64)
def _unpack_factors(n: int, dtype_name: str):
    return np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n).astype(dtype_name)


def rfft_plan(n: int, dtype):
    """Everything :func:`rfft_row` needs for even length n in this complex dtype, as a tuple."""
    name = np.dtype(dtype).name
    return _plan(n // 2, name) + (_unpack_factors(n, name),)


@functools.lru_cache(maxsize=64)
def split_plan(n: int, dtype_name: str):
    """For even power-of-two n: (twiddles of n/2, unpack factors of n), each split into real and imaginary parts."""
    real = reference.real_dtype(dtype_name)
    tw = np.exp(-2j * np.pi * np.arange(n // 2) / (n // 2))
    unpack = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    return (tw.real.astype(real), tw.imag.astype(real), unpack.real.astype(real), unpack.imag.astype(real))


def _as_rows(x):
    return np.ascontiguousarray(x.reshape(-1, x.shape[-1]))  # [rows, n]


def fft(x):
    x = np.asarray(x)
    ctype = reference.complex_dtype(x)
    x = x.astype(ctype, copy=False)
    n = x.shape[-1]
    if n <= 1 or x.size == 0:
        return x.copy()
    out = _fft_rows(_as_rows(x), *_plan(n, np.dtype(ctype).name))
    return out.reshape(x.shape)


def ifft(X):
    return np.conj(fft(np.conj(X)))


def rfft(x):
    x = np.asarray(x)
    n = x.shape[-1]
    if n % 2 or n < 2 or x.size == 0:
        return fft(x)[..., : n // 2 + 1]
    rows = _as_rows(x.astype(reference.real_dtype(x), copy=False))
    ctype = reference.complex_dtype(x)
    if reference.is_power_of_two(n):
        out = np.empty((rows.shape[0], n // 2 + 1), dtype=ctype)
        _rfft_rows_blocked(rows, *split_plan(n, np.dtype(ctype).name), out.view(rows.dtype))
    else:
        out = _rfft_rows(rows, *rfft_plan(n, ctype))
    return out.reshape(x.shape[:-1] + (n // 2 + 1,))


def irfft(X, n: int):
    """Inverse real FFT: the reference's unpacking around the compiled complex transform."""
    return reference.irfft_using(ifft, X, n)

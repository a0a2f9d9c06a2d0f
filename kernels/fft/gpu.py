"""The FFT in CuPy: our own Stockham kernels (``fft.cu``), Bluestein on top.

Same functions and results as ``reference.py`` (see it for the math), on
CuPy arrays:

- powers of two up to ``SHARED_MAX``: ``stockham_shared``, one block per
  row, every stage in shared memory;
- larger powers of two: ``stockham_stage``, one launch per stage over all
  rows, in device memory;
- any other length: Bluestein's chirp-z, a convolution done with two
  power-of-two transforms of length m >= 2n - 1 (its filter's transform is
  computed once per n on the host, by the reference, and cached);
- real transforms of even length: the row read as n/2 complex numbers (a
  view, no copy), a half-length transform, and ``rfft_unpack``.

Importing this module does not import CuPy; calling it needs a GPU.
"""
from __future__ import annotations

import functools
import math
import pathlib

import numpy as np

from kernels import cuda
from kernels.fft import reference

SOURCE = pathlib.Path(__file__).with_name("fft.cu")
TEMPLATES = ("stockham_shared", "stockham_stage", "rfft_unpack", "irfft_pack")
SHARED_MAX = 4096  # longest transform kept whole in shared memory (2 buffers: 128 KiB in complex128)
SHARED_THREADS = 512  # threads per row in stockham_shared; each does n / 2 / 512 butterflies a stage


def _kernel(name: str, dtype):
    return cuda.kernel(SOURCE, TEMPLATES, name, dtype)


@functools.lru_cache(maxsize=None)
def _shared_memory_limit(device_id: int) -> int:
    """The most dynamic shared memory one block may opt into on this device (227 KiB on an H100,
    64-99 KiB on many students' GPUs): longer rows take the per-stage path instead."""
    properties = cuda.cupy().cuda.runtime.getDeviceProperties(device_id)
    return int(properties.get("sharedMemPerBlockOptin", properties["sharedMemPerBlock"]))


@functools.lru_cache(maxsize=64)
def _table_on(kind: str, n: int, dtype_name: str, device_id: int):
    """A factor table on GPU ``device_id``, computed once in float64 on the host and rounded to dtype.

    Cached per device, since a CuPy array lives on one.

    ``twiddles``: e^{-2 pi i j / n}, j < n/2.  ``unpack``: e^{-2 pi i k / n}, k <= n/2.
    ``unpack_conj``: its conjugate.  ``chirp`` / ``filter``: Bluestein's c_k and FFT_m(b).
    """
    if kind == "twiddles":
        table = np.exp(-2j * np.pi * np.arange(n // 2) / n)
    elif kind == "unpack":
        table = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    elif kind == "unpack_conj":
        table = np.exp(2j * np.pi * np.arange(n // 2 + 1) / n)
    elif kind == "chirp":
        table = reference._chirp(n, np.complex128)
    elif kind == "filter":
        m = reference.bluestein_length(n)
        table = reference.fft_pow2(reference.bluestein_filter(reference._chirp(n, np.complex128), m))
    else:
        raise ValueError(f"unknown table {kind!r}")
    return cuda.cupy().asarray(table.astype(dtype_name))


def _device_table(kind: str, n: int, dtype_name: str):
    """The factor table ``kind`` for length n on the current GPU (see :func:`_table_on`)."""
    return _table_on(kind, n, dtype_name, cuda.cupy().cuda.Device().id)


def _transform_pow2(x, inverse: bool):
    """Unnormalized DFT (or inverse) of contiguous rows x [rows, n], n a power of two >= 2."""
    cupy = cuda.cupy()
    rows, n = x.shape
    twiddles = _device_table("twiddles", n, x.dtype.name)
    out = cupy.empty_like(x)
    shared = 2 * n * x.itemsize  # two buffers of the row, ping-ponged between stages
    if n <= SHARED_MAX and shared <= _shared_memory_limit(cupy.cuda.Device().id):
        kernel = _kernel("stockham_shared", x.dtype)
        kernel.max_dynamic_shared_size_bytes = max(kernel.max_dynamic_shared_size_bytes, shared)
        threads = min(SHARED_THREADS, n // 2)
        kernel((rows,), (threads,), (x, out, twiddles, np.int32(n), np.int32(inverse)), shared_mem=shared)
        return out
    kernel = _kernel("stockham_stage", x.dtype)
    butterflies = rows * (n // 2)
    src, dst = x.copy(), out
    for stage in range(int(math.log2(n))):
        cuda.launch(kernel, butterflies, (src, dst, twiddles, np.int32(n), np.int32(1 << stage),
                                          np.int64(butterflies), np.int32(inverse)))
        src, dst = dst, src
    return src


def _bluestein(x, inverse: bool):
    """DFT of any length n via power-of-two transforms of length m >= 2n - 1. x [rows, n] -> [rows, n]."""
    cupy = cuda.cupy()
    rows, n = x.shape
    m = reference.bluestein_length(n)
    chirp = _device_table("chirp", n, x.dtype.name)
    if inverse:  # the inverse DFT is conj(DFT(conj x))
        x = x.conj()
    a = cupy.zeros((rows, m), dtype=x.dtype)
    a[:, :n] = x * chirp
    A = _transform_pow2(a, inverse=False) * _device_table("filter", n, x.dtype.name)
    conv = _transform_pow2(A, inverse=True)[:, :n] / x.real.dtype.type(m)
    out = chirp * conv
    return out.conj() if inverse else out


def _complex_transform(x, inverse: bool):
    cupy = cuda.cupy()
    x = cupy.asarray(x)
    x = x.astype(reference.complex_dtype(x), copy=False)
    n = x.shape[-1]
    if n <= 1 or x.size == 0:
        return x.copy()
    rows = cupy.ascontiguousarray(x.reshape(-1, n))  # [rows, n]
    if reference.is_power_of_two(n):
        out = _transform_pow2(rows, inverse)
    else:
        out = _bluestein(rows, inverse)
    return out.reshape(x.shape)


def fft(x):
    """Unnormalized DFT along the last axis, any n. CuPy [..., n] -> complex [..., n]."""
    return _complex_transform(x, inverse=False)


def ifft(X):
    """Unnormalized inverse DFT along the last axis (n times the true inverse)."""
    return _complex_transform(X, inverse=True)


def rfft(x):
    """DFT of real rows, bins 0 .. n//2. CuPy [..., n] -> complex [..., n//2 + 1]."""
    cupy = cuda.cupy()
    x = cupy.asarray(x)
    n = x.shape[-1]
    if n % 2 or n < 2 or x.size == 0:
        return fft(x)[..., : n // 2 + 1]
    real = x.astype(reference.real_dtype(x), copy=False)
    N = n // 2
    rows = cupy.ascontiguousarray(real.reshape(-1, n))  # [rows, n]
    z = rows.view(reference.complex_dtype(real))  # [rows, N]: z_j = x_2j + i x_2j+1, no copy
    Z = fft(z)
    X = cupy.empty((rows.shape[0], N + 1), dtype=Z.dtype)
    cuda.launch(_kernel("rfft_unpack", Z.dtype), X.size,
                (Z, X, _device_table("unpack", n, Z.dtype.name), np.int32(N), np.int64(X.size)))
    return X.reshape(x.shape[:-1] + (N + 1,))


def irfft(X, n: int):
    """Unnormalized inverse of :func:`rfft`: n real samples times n. CuPy [..., n//2 + 1] -> [..., n]."""
    cupy = cuda.cupy()
    X = cupy.asarray(X)
    X = X.astype(reference.complex_dtype(X), copy=False)
    rtype = reference.real_dtype(X)
    if n % 2 or n < 2:  # rebuild the Hermitian spectrum and invert at full length
        X = X.copy()
        X[..., 0] = X[..., 0].real
        full = cupy.concatenate([X, cupy.conj(X[..., 1:(n + 1) // 2][..., ::-1])], axis=-1)
        return ifft(full).real.astype(rtype)
    N = n // 2
    rows = cupy.ascontiguousarray(X.reshape(-1, N + 1))  # [rows, N + 1]
    z = cupy.empty((rows.shape[0], N), dtype=rows.dtype)
    cuda.launch(_kernel("irfft_pack", rows.dtype), z.size,
                (rows, z, _device_table("unpack_conj", n, rows.dtype.name), np.int32(N), np.int64(z.size)))
    samples = ifft(z).view(rtype) * rtype(2)  # [rows, n]: 2 (Re z_0, Im z_0, Re z_1, ...)
    return samples.reshape(X.shape[:-1] + (n,))

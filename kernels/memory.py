"""How the process reuses memory: glibc's allocator, tuned for a training loop.

By default glibc serves an array larger than 128 KiB-32 MiB (a threshold
it adapts) straight from the kernel with ``mmap`` and gives it back on
``free``, and it returns the top of its heap to the kernel as soon as more
than twice that threshold is free. A training step allocates and frees the
same large temporaries every time, so every step pays for mapping those
pages again, one page fault per 4 KiB: for a [32, 64, 200] float32
convolution's forward and backward, more time than the arithmetic
(measured, one thread: 12.4 ms per step with glibc's defaults, 8.5 ms with these).
Raising both thresholds keeps freed memory in the process for the next
step, as PyTorch's GPU allocator and the jemalloc/tcmalloc that PyTorch
recommends on the CPU do. No result changes. The cost: up to
``KEEP_FREE_BYTES`` of freed memory stays with the process instead of
going back to the system.

``configure()`` runs once, when ``kernels`` is first imported. It does
nothing where the user set any ``MALLOC_*`` variable (their choice wins),
where ``MINIDL_MALLOC_DEFAULTS=1`` (to measure the difference), or on a
system without glibc.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import sys

MMAP_BYTES = 256 << 20  # arrays below this come from the heap and are reused after free
KEEP_FREE_BYTES = 1 << 30  # free memory at the heap's top that is kept rather than returned
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)

settings: dict[str, str] = {}  # what configure() set, for ``minidl info``


def keep_freed_memory() -> None:
    """Raise glibc's mmap and trim thresholds (see the module docstring)."""
    if sys.platform != "linux" or any(name.startswith("MALLOC_") for name in os.environ):
        return
    if platform.libc_ver()[0] != "glibc":
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if libc.mallopt(M_MMAP_THRESHOLD, MMAP_BYTES) and libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREE_BYTES):
        settings["malloc"] = f"mmap threshold {MMAP_BYTES >> 20} MiB, trim threshold {KEEP_FREE_BYTES >> 20} MiB"


def blas_kernel() -> str:
    """Which BLAS NumPy runs and with which CPU kernel, e.g. "openblas 0.3.31 Haswell, 2 threads"."""
    try:
        from threadpoolctl import threadpool_info  # optional: scikit-learn's helper, installed by librosa
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    import numpy as np  # noqa: F401  (loads the BLAS, so that threadpoolctl can see it)

    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return "; ".join(f"{pool['internal_api']} {pool['version']} {pool.get('architecture', '')}, "
                     f"{pool['num_threads']} threads" for pool in pools) or "unknown"


def configure() -> None:
    """Keep freed memory for reuse, unless the user chose otherwise (see the module docstring)."""
    if os.environ.get("MINIDL_MALLOC_DEFAULTS") == "1":
        return
    keep_freed_memory()

"""Loading the CUDA C kernels of the CuPy backend.

Every GPU kernel is CUDA C in a ``.cu`` file beside the ``gpu.py`` that
launches it (``kernels/<family>/<name>.cu``), so that CI, which has no GPU,
can still compile-check it with ``nvcc -ptx``. Kernels are C++ templates
over the element type; CuPy compiles each file once per process with NVRTC,
instantiating ``kernel<float>`` and ``kernel<double>`` through
``name_expressions``.

Complex arrays cross into CUDA C as pairs of reals (``Complex<T>`` in the
``.cu`` files is ``{T re, im;}``, the memory layout of complex64 and
complex128), so the sources need no CuPy or Thrust header and compile with
a bare ``nvcc``.

This module imports CuPy only when a kernel is first asked for.
"""
from __future__ import annotations

import functools
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).parent
THREADS = 256  # threads per block for elementwise kernels: a multiple of the warp size
ELEMENT_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


def cuda_sources() -> list[pathlib.Path]:
    """Every ``.cu`` file of every kernel family, sorted."""
    return sorted(ROOT.glob("*/*.cu"))


def cupy():
    """The cupy module, imported on first use (so the GPU modules import without it)."""
    import cupy as module

    return module


def on_device(array, dtype=None):
    """``array`` as a contiguous CuPy array in ``dtype``: NumPy arrays (windows, filterbanks) are copied over."""
    cp = cupy()
    return cp.ascontiguousarray(cp.asarray(array, dtype=dtype))


def synchronized(fn):
    """``fn`` followed by waiting for the GPU, so a benchmark times the work and not just its launch."""
    def run():
        fn()
        cupy().cuda.Device().synchronize()
    return run


def instantiations(templates) -> list[str]:
    """``name<float>`` and ``name<double>`` for each template name."""
    return [f"{name}<{c_type}>" for name in templates for c_type in ELEMENT_TYPES.values()]


@functools.lru_cache(maxsize=None)
def _module(path: str, templates: tuple[str, ...]):
    return cupy().RawModule(code=pathlib.Path(path).read_text(), options=("--std=c++17",),
                          name_expressions=instantiations(templates))


def kernel(source: pathlib.Path, templates: tuple[str, ...], name: str, dtype):
    """The compiled kernel ``name<T>`` of ``source``, T the C type of ``dtype``'s reals.

    ``templates`` lists every kernel of the file, so the file is compiled
    once for all of them. complex64 maps to float, complex128 to double.
    """
    real = np.dtype(dtype).type(0).real.dtype
    if real not in ELEMENT_TYPES:
        raise TypeError(f"GPU kernels run in float32 or float64, got dtype {np.dtype(dtype)}")
    return _function(str(source), tuple(templates), f"{name}<{ELEMENT_TYPES[real]}>", cupy().cuda.Device().id)


@functools.lru_cache(maxsize=None)
def _function(path: str, templates: tuple[str, ...], instantiation: str, device_id: int):
    # Looked up once per kernel and device: get_function builds a new RawKernel
    # each call, a cost paid at every time step of a recurrent loop otherwise.
    return _module(path, templates).get_function(instantiation)


def blocks_for(count: int, threads: int = THREADS) -> int:
    """Blocks of ``threads`` needed to give each of ``count`` items a thread (at least 1)."""
    return max(1, (count + threads - 1) // threads)


def launch(kernel_function, count: int, args) -> None:
    """Run an elementwise kernel with one thread per item (the kernel checks its index < count)."""
    kernel_function((blocks_for(count),), (THREADS,), args)

"""kernels: the bottom layer of minidl.

Backends (numpy, numba, cupy), their selection, and — one family per
sub-package — the hot loops, each written once as a readable NumPy
reference and again as compiled kernels that must agree with it.

This package imports only numpy, numba and cupy (the last two lazily).
"""
from kernels import memory  # noqa: I001

memory.configure()  # before the first large array: keep freed memory for the next training step

from kernels.backend import (
    BACKENDS,
    DEVICES,
    ENV_VAR,
    array_module,
    available,
    backend_for,
    current,
    default_backend,
    device_name,
    is_cupy_array,
    require,
    require_device,
    to_host,
    use,
)
from kernels.errors import BackendUnavailableError

__all__ = [
    "BACKENDS",
    "DEVICES",
    "ENV_VAR",
    "BackendUnavailableError",
    "array_module",
    "available",
    "backend_for",
    "current",
    "default_backend",
    "device_name",
    "is_cupy_array",
    "require",
    "require_device",
    "to_host",
    "use",
]

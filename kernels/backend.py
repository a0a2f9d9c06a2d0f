"""Backend selection: which implementation of a hot loop runs.

Three backends exist:

``"numpy"``
    The readable reference. Always available.
``"numba"``
    Compiled CPU kernels. The CPU default when Numba imports.
``"cupy"``
    GPU kernels. Available when CuPy imports *and* a CUDA device is present.

The active backend is, in order of precedence: the innermost
``with kernels.use(name):`` block, else the ``MINIDL_BACKEND`` environment
variable, else the best CPU backend. CuPy arrays always run on ``"cupy"``,
whatever is selected, because their data lives on the GPU.

Importing this module never imports Numba or CuPy; they are probed the first
time someone asks.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import importlib.util
import os
import sys

import numpy as np

from kernels.errors import BackendUnavailableError

BACKENDS = ("numpy", "numba", "cupy")
DEVICES = ("cpu", "cuda")  # where arrays live: NumPy on the host, CuPy on the GPU
ENV_VAR = "MINIDL_BACKEND"

# The backend chosen by the innermost ``use`` block (None: not inside one).
# A ContextVar rather than a plain global so threads and async tasks each
# see their own choice.
_selected: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "minidl_backend", default=None
)


@functools.lru_cache(maxsize=None)
def _probe(name: str) -> str | None:
    """Return None if backend ``name`` works here, else why it does not."""
    if name == "numpy":
        return None
    if name == "numba":
        if importlib.util.find_spec("numba") is None:
            return "the numba package is not installed (pip install numba)"
        try:
            importlib.import_module("numba")
        except Exception as exc:  # a broken install: say what broke
            return f"numba failed to import: {exc!r}"
        return None
    if name == "cupy":
        if importlib.util.find_spec("cupy") is None:
            return "the cupy package is not installed (pip install -e '.[gpu]')"
        try:
            cupy = importlib.import_module("cupy")
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as exc:  # no driver, no device, wrong CUDA
            return f"cupy is installed but no CUDA device could be used: {exc!r}"
        if count < 1:
            return "cupy is installed but no CUDA device is present"
        return None
    raise ValueError(f"unknown backend {name!r}; expected one of {BACKENDS}")


def available() -> list[str]:
    """List the backends that work on this machine, e.g. ``['numpy', 'numba']``."""
    return [name for name in BACKENDS if _probe(name) is None]


def _check_name(name: object) -> str:
    if not isinstance(name, str) or name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; expected one of {BACKENDS}")
    return name


def require(name: str) -> str:
    """Return ``name`` if that backend works here, else raise.

    Raises
    ------
    ValueError
        ``name`` is not a backend at all.
    BackendUnavailableError
        ``name`` is a backend but cannot run here; the message says why.
    """
    reason = _probe(_check_name(name))
    if reason is not None:
        raise BackendUnavailableError(
            f"backend {name!r} is not available: {reason}; available: {available()}"
        )
    return name


def default_backend() -> str:
    """The best CPU backend: ``"numba"`` when it imports, else ``"numpy"``."""
    return "numba" if _probe("numba") is None else "numpy"


def current() -> str:
    """The name of the backend that kernels run on now (for CPU arrays)."""
    chosen = _selected.get()
    if chosen is not None:
        return chosen
    return _backend_from_env(os.environ.get(ENV_VAR, ""))


@functools.lru_cache(maxsize=8)
def _backend_from_env(setting: str) -> str:
    """The backend a value of $MINIDL_BACKEND names ("" or blanks: the default).

    Cached per value: feature extraction asks for the backend several times
    per clip, thousands of clips in a row, and checking a name costs more
    than the kernels of a short clip. A bad value is not cached: it raises each time.
    """
    from_env = setting.strip()
    if from_env:
        try:
            return require(from_env)
        except ValueError as exc:
            raise type(exc)(f"{ENV_VAR}={from_env!r}: {exc}") from None
    return default_backend()


@contextlib.contextmanager
def use(name: str):
    """Run the enclosed block on backend ``name``.

    Examples
    --------
    >>> import kernels
    >>> with kernels.use("numpy"):
    ...     kernels.current()
    'numpy'
    """
    token = _selected.set(require(name))
    try:
        yield name
    finally:
        _selected.reset(token)


def is_cupy_array(x: object) -> bool:
    """True for a CuPy array, decided without importing CuPy."""
    return type(x).__module__.split(".")[0] == "cupy"


def array_module(*arrays):
    """Return ``cupy`` if any argument is a CuPy array, else ``numpy``.

    Glue code writes ``xp = array_module(x)`` and then ``xp.exp(x)`` so the
    same line runs on the CPU and on the GPU.
    """
    if any(is_cupy_array(a) for a in arrays):
        return importlib.import_module("cupy")
    return np


def to_host(array) -> np.ndarray:
    """``array`` as a NumPy array: a CuPy array is copied to the host, anything else goes through ``np.asarray``."""
    return array.get() if is_cupy_array(array) else np.asarray(array)


def require_device(device: str) -> str:
    """Return ``device`` ("cpu" or "cuda") if it can run here, else raise before any work is done.

    Raises
    ------
    ValueError
        ``device`` is neither "cpu" nor "cuda".
    BackendUnavailableError
        "cuda" without CuPy or without a CUDA device; the message says which.
    """
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; expected one of {DEVICES}")
    if device == "cuda":
        reason = _probe("cupy")
        if reason is not None:
            raise BackendUnavailableError(f"device 'cuda' is not available: {reason}")
    return device


def device_name(device: str) -> str:
    """A line naming ``device``: "cpu (2 cores)" or "cuda:0 (NVIDIA H100 80GB HBM3, 79 GiB)"."""
    require_device(device)
    if device == "cpu":
        return f"cpu ({os.cpu_count()} cores)"
    cupy = importlib.import_module("cupy")
    index = cupy.cuda.Device().id
    properties = cupy.cuda.runtime.getDeviceProperties(index)
    name = properties["name"].decode() if isinstance(properties["name"], bytes) else properties["name"]
    return f"cuda:{index} ({name}, {properties['totalGlobalMem'] / 2 ** 30:.0f} GiB)"


def backend_for(*arrays) -> str:
    """The backend that must run a kernel on these arrays.

    CuPy arrays always go to ``"cupy"``; NumPy arrays go to :func:`current`.
    """
    if any(is_cupy_array(a) for a in arrays):
        return require("cupy")
    return current()


# where each backend's kernels live inside a family package (kernels/<family>/)
_FAMILY_MODULES = {"numpy": "reference", "numba": "cpu", "cupy": "gpu"}


def family_module(family: str, backend: str):
    """The kernel module of one family for one backend, e.g. ``kernels.fft.cpu``."""
    return importlib.import_module(f"kernels.{family}.{_FAMILY_MODULES[_check_name(backend)]}")


def family_module_for(family: str, *arrays):
    """The kernel module of ``family`` that must run on these arrays now."""
    return family_module(family, backend_for(*arrays))


def reference_while_stubbed(reference):
    """Decorate a compiled kernel so that, while it is a student stub, the NumPy ``reference`` runs instead.

    In a student copy (``minidl assignment make``) the solution regions of
    compiled kernels become ``raise NotImplementedError("Task ...")``, yet
    Numba is the default backend, so ``minidl train`` would stop at the stub.
    Decorated, the first call that meets the stub prints one line to stderr
    and from then on the kernel calls ``reference`` — the student's own
    NumPy version, which raises its own NotImplementedError until written.
    A complete kernel never raises NotImplementedError, so in a full copy
    the decorator only forwards the call.
    """
    def decorate(compiled):
        stubbed = []  # becomes [True] at the first NotImplementedError

        @functools.wraps(compiled)
        def run(*args):
            if not stubbed:
                try:
                    return compiled(*args)
                except NotImplementedError as stub:
                    stubbed.append(True)
                    task = str(stub).split(":")[0]  # "Task 2.2"
                    print(f"kernels: the compiled {compiled.__name__} is not written yet ({task}); "
                          f"running {reference.__module__}.{reference.__name__} instead", file=sys.stderr)
            return reference(*args)

        run.compiled = compiled
        return run

    return decorate

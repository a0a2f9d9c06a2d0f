"""kernels' backend layer: discovery, selection, explicit errors."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import kernels


def test_numpy_always_available_and_numba_default_when_importable():
    names = kernels.available()
    assert names[0] == "numpy"
    assert kernels.default_backend() == ("numba" if "numba" in names else "numpy")


def test_use_selects_and_restores(monkeypatch):
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    before = kernels.current()
    with kernels.use("numpy"):
        assert kernels.current() == "numpy"
    assert kernels.current() == before


def test_environment_variable_selects(monkeypatch):
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    assert kernels.current() == "numpy"
    monkeypatch.setenv(kernels.ENV_VAR, "tpu")
    with pytest.raises(ValueError, match="MINIDL_BACKEND='tpu'.*expected one of"):
        kernels.current()


def test_unavailable_backend_is_an_error_never_a_fallback():
    if "cupy" in kernels.available():
        pytest.skip("this machine has a GPU, so cupy is available")
    with pytest.raises(kernels.BackendUnavailableError, match="'cupy' is not available: .*available: "):
        with kernels.use("cupy"):
            pass
    with pytest.raises(ValueError, match="unknown backend 'fast'"):
        kernels.require("fast")


def test_array_module_and_backend_for_numpy():
    x = np.zeros(3)
    assert kernels.array_module(x) is np
    assert kernels.array_module(x, 1.0) is np
    with kernels.use("numpy"):
        assert kernels.backend_for(x) == "numpy"


def test_importing_kernels_does_not_import_cupy_or_numba():
    code = "import sys, kernels, minidl; print('cupy' in sys.modules, 'numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]

"""Shared test configuration: markers that skip cleanly, Hypothesis profile."""
from __future__ import annotations

import importlib.util

import pytest
from hypothesis import HealthCheck, settings

import kernels

# Small, deterministic example counts keep the suite inside its time budget
# on a 2-core CI machine; `--hypothesis-profile=thorough` widens the search.
settings.register_profile(
    "default",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile("default")


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


def pytest_collection_modifyitems(config, items):
    no_gpu = "cupy" not in kernels.available()
    for item in items:
        if "gpu" in item.keywords and no_gpu:
            item.add_marker(pytest.mark.skip(reason="needs CuPy and a CUDA device; none here"))
        for ref in ("torch", "librosa"):
            if ref in item.keywords and _missing(ref):
                item.add_marker(pytest.mark.skip(reason=f"reference package {ref} is not installed"))


@pytest.fixture(autouse=True, scope="session")
def _feature_cache_in_tmp(tmp_path_factory):
    """Feature caches go to a temporary folder, never to the user's ~/.cache."""
    import os

    previous = os.environ.get("MINIDL_CACHE")
    os.environ["MINIDL_CACHE"] = str(tmp_path_factory.mktemp("feature-cache"))
    yield
    if previous is None:
        os.environ.pop("MINIDL_CACHE", None)
    else:
        os.environ["MINIDL_CACHE"] = previous

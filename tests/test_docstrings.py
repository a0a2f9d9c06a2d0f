"""Every public docstring example runs and prints what it says.

The examples of every public module of ``kernels``, ``audio`` and ``minidl``
are collected with ``doctest`` and run with NumPy's default print options
fixed (another test may have changed them), NORMALIZE_WHITESPACE and
ELLIPSIS. An example that needs a file or a device says ``# doctest: +SKIP``.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import audio
import kernels
import minidl
from minidl import nn

PACKAGES = (kernels, audio, minidl)

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
PRINT_OPTIONS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                     nanstr="nan", infstr="inf", sign="-", floatmode="maxprec", legacy=False)


def _public_modules():
    names = []
    for package in PACKAGES:
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return sorted(names)


def _examples(module):
    globs = {"np": np, "minidl": minidl, "nn": nn, "audio": audio, "kernels": kernels}
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, module.__name__, extraglobs=globs) if t.examples]


def _importable(name):
    try:
        return importlib.import_module(name)
    except ImportError:  # an optional dependency (cupy, matplotlib ...) is missing here
        return None


MODULES = _public_modules()
WITH_EXAMPLES = [name for name in MODULES if (m := _importable(name)) is not None and _examples(m)]


def test_the_walk_finds_the_modules_and_their_examples():
    assert {"kernels.files", "audio.fft", "minidl.tensor", "minidl.nn.module"} <= set(MODULES)
    assert {"kernels.files", "audio.fft", "minidl.tensor", "minidl.nn.module"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name):
    tests = _examples(importlib.import_module(name))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with np.printoptions(**PRINT_OPTIONS):
        for test in tests:
            runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples in {name} failed (see the report above)"

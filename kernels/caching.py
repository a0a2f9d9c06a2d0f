"""Numba's on-disk cache for a function that calls compiled code in other files.

``njit(cache=True)`` keys its cache on the function's own bytecode and on
its own file's timestamp. A compiled function that calls a compiled
function of another file has that callee compiled into its machine code,
and when only the callee's file changes, Numba still loads the old
machine code from the cache: the caller keeps running the old callee. For
a student who fixes a kernel in ``cpu.py``, the compiled loop calling it
would go on running the broken one.

``njit_cached(*modules)`` is ``njit(cache=True)`` with the source of each
module it depends on in the cache key as well, so an edit there compiles
the caller anew. It sets the dispatcher's cache object, a Numba internal
(``Dispatcher._cache``, ``FunctionCache._index_key``) that has kept its
name since Numba 0.49; ``tests/kernels/test_recurrent_loop.py`` checks
the behaviour, so a rename shows up as a failing test.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from numba import njit
from numba.core.caching import FunctionCache


def sources_hash(*modules) -> str:
    """A hash of the source files of ``modules``."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


class _CallerCache(FunctionCache):
    """Numba's cache of one function, with the hash of its callees' sources in every key."""

    def __init__(self, py_func, callees: str):
        super().__init__(py_func)
        self._callees = callees

    def _index_key(self, sig, codegen):
        return (*super()._index_key(sig, codegen), self._callees)


def njit_cached(*modules, **options):
    """Decorator: ``njit(**options)``, cached on disk, recompiled when a source in ``modules`` changes."""
    callees = sources_hash(*modules)

    def decorate(fn):
        dispatcher = njit(**options)(fn)
        dispatcher._cache = _CallerCache(fn, callees)
        return dispatcher

    return decorate

"""When a parallel kernel should not be: one thread for small work.

A Numba ``prange`` loop hands its iterations to a pool of threads and waits
for all of them at the end. Waking the pool and waiting costs tens of
microseconds on a quiet machine, and far more on a busy one: if another
process holds a core, the loop waits until the scheduler gives that core
back to the pool thread. For a 0.5 s clip (some 12 000 samples) the whole
kernel's arithmetic takes less than that, so at corpus scale, thousands
of small calls, parallel kernels made feature extraction 5-50 times slower
on a loaded 2-core machine (measured: 0.7-1.1 ms per FSDD file on one
thread, 3-65 ms on two, with other work running).

``serial_when_small`` wraps a parallel kernel so that inputs below
``SMALL_WORK`` elements run it on the calling thread alone (Numba's
thread count is per calling thread, so this does not affect other
threads). Large inputs keep every thread.
"""
from __future__ import annotations

import functools

import numba

# Below this many input elements, one thread is faster than waking the others:
# 2^16 float32 values take ~20-100 us to process, about what a parallel launch costs.
SMALL_WORK = 1 << 16


def serial_when_small(size_arg: int = 0, *, threshold: int = SMALL_WORK):
    """Decorate a ``@njit(parallel=True)`` kernel: below ``threshold`` elements of
    ``args[size_arg]``, run it with one thread.

    The wrapped kernel is called from Python only (a jitted caller would need
    the dispatcher itself, kept as ``.kernel``).
    """
    def wrap(kernel):
        @functools.wraps(kernel.py_func)
        def run(*args):
            threads = numba.get_num_threads()
            if threads == 1 or args[size_arg].size >= threshold:
                return kernel(*args)
            numba.set_num_threads(1)
            try:
                return kernel(*args)
            finally:
                numba.set_num_threads(threads)

        run.kernel = kernel
        return run

    return wrap

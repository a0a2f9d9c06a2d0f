"""kernels.threads.serial_when_small: small inputs run on one thread, large ones on all, and the count is restored."""
from __future__ import annotations

import numba
import numpy as np
import pytest
from numba import njit, prange

from kernels.threads import SMALL_WORK, serial_when_small


@serial_when_small(1)
@njit(parallel=True)
def _threads_seen(out, data):
    for i in prange(out.size):
        out[i] = numba.get_num_threads()
    return numba.get_num_threads()


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs Numba with 2 or more threads")
def test_small_work_runs_on_one_thread_and_large_work_on_all():
    numba.set_num_threads(2)
    out = np.zeros(8, dtype=np.int64)
    assert _threads_seen(out, np.zeros(SMALL_WORK - 1)) == 1
    assert np.all(out == 1)
    assert numba.get_num_threads() == 2  # restored after the call
    assert _threads_seen(out, np.zeros(SMALL_WORK)) == 2
    assert np.all(out == 2)


def test_the_thread_count_is_restored_when_the_kernel_raises():
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    before = numba.get_num_threads()
    with pytest.raises(numba.core.errors.TypingError):
        _threads_seen("not an array", np.zeros(3))  # Numba refuses the argument types
    assert numba.get_num_threads() == before


def test_the_wrapper_keeps_the_kernels_name_and_dispatcher():
    assert _threads_seen.__name__ == "_threads_seen"
    assert isinstance(_threads_seen.kernel, numba.core.registry.CPUDispatcher)

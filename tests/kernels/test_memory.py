"""kernels.memory: freed arrays are reused without page faults, and a user's own choice wins.

Each case runs in a fresh interpreter, since the allocator is set up once
per process, at the first import of ``kernels``.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
                                reason="the allocator settings are glibc's")

# A training step's pattern: eight 1.6 MB temporaries alive at once (a [32, 64, 200] float32
# activation and its gradients), then all freed; ten steps, the page faults of the last nine counted.
PROBE = """
import resource
import kernels, numpy as np
from kernels import memory

def step():
    arrays = [np.empty(32 * 64 * 200, dtype=np.float32) for _ in range(8)]
    for a in arrays:
        a.fill(1.0)  # touch every page
    del arrays, a

step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(9):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, memory.settings.get("malloc", "-"))
"""


def run_probe(**env_changes):
    env = {name: value for name, value in os.environ.items() if not name.startswith("MALLOC_")}
    env.update(env_changes)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    faults, setting = out.stdout.split(maxsplit=1)
    return int(faults), setting.strip()


def test_freed_arrays_are_reused_without_page_faults():
    faults, setting = run_probe()
    assert setting.startswith("mmap threshold 256 MiB")
    # 9 steps x 8 arrays x 400 pages of 4 KiB: 28800 faults if every array were mapped afresh
    assert faults < 2000, f"{faults} page faults in 9 steps"


def test_glibc_defaults_fault_every_array_in_again():
    # the comparison that motivates the setting (and shows the probe can tell)
    faults, setting = run_probe(MINIDL_MALLOC_DEFAULTS="1")
    assert setting == "-"
    assert faults > 10000, f"only {faults} page faults in 9 steps with glibc's defaults"


def test_a_users_malloc_variable_wins():
    _, setting = run_probe(MALLOC_ARENA_MAX="2")
    assert setting == "-"

# %% [markdown]
# # Chapter 8 — Making it fast
#
# **Learning goals.**
# 1. Follow the discipline every kernel in minidl follows: a readable NumPy *reference* first, then a compiled copy checked against it.
# 2. Read a Numba kernel and see why it is faster than the NumPy that describes it.
# 3. Measure speed as a *ratio* against a reference in the same run (`minidl bench`), never as one absolute time.
# 4. (With a GPU) see the same discipline with CuPy.
#
# ## Reference, then compiled
#
# Each family under `kernels/` has `reference.py` (NumPy, written to be
# read) and `cpu.py` (Numba). The backend decides which one runs:
# `kernels.use("numpy")` forces the reference everywhere. The test suite
# checks every compiled kernel against its reference over shapes drawn by
# Hypothesis, so the fast copy can never drift from the readable one.
#
# A small example: the de-emphasis filter $y[n] = x[n] + a\,y[n-1]$ is
# sequential in time, so NumPy can only loop in Python; Numba compiles the
# same loop to machine code.

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

import audio
import kernels
from kernels.bench import time_row
from kernels.spectral import cpu, reference
from tutorial_support import QUICK, best_time, Chapter, save

chapter = Chapter("08_making_it_fast")

print(inspect.getsource(reference.first_order_recursion))
print(inspect.getsource(cpu._first_order_recursion))

x = np.random.default_rng(0).standard_normal((4, 20_000 if QUICK else 200_000))
zi = np.zeros(4)
cpu.first_order_recursion(x, 0.97, zi)  # the first call compiles (or loads the cache)


slow = best_time(lambda: reference.first_order_recursion(x, 0.97, zi))
fast = best_time(lambda: cpu.first_order_recursion(x, 0.97, zi))
agreement = float(np.abs(reference.first_order_recursion(x, 0.97, zi) - cpu.first_order_recursion(x, 0.97, zi)).max())
print(f"reference {slow * 1e3:.1f} ms, Numba {fast * 1e3:.2f} ms: {slow / fast:.0f}x; max difference {agreement:.1e}")
chapter.record(recursion_speedup=slow / fast, recursion_max_difference=agreement)

# %% [markdown]
# ## A whole feature pipeline, both backends
#
# The MFCC of a clip calls framing, windowing, FFT, power, mel filtering, dB
# and DCT kernels. Running it under each backend gives the same numbers; the
# compiled one fuses the FFT, the power and the mel filter per block of 128
# frames so the power spectrogram never leaves the cache.

# %%
y = np.random.default_rng(1).standard_normal(22050 * (2 if QUICK else 10)).astype(np.float32)
timings = {}
outputs = {}
for backend in kernels.available():
    if backend == "cupy":
        continue  # the GPU section below
    with kernels.use(backend):
        audio.mfcc(y=y[:4096], sr=22050)  # warm up
        timings[backend] = best_time(lambda: audio.mfcc(y=y, sr=22050, n_mfcc=40))
        outputs[backend] = audio.mfcc(y=y, sr=22050, n_mfcc=40)
    print(f"mfcc on the {backend:<5} backend: {timings[backend] * 1e3:.1f} ms")
if "numba" in outputs:
    mfcc_difference = float(np.abs(outputs["numba"] - outputs["numpy"]).max() / np.abs(outputs["numpy"]).max())
    print(f"numba vs numpy MFCC, max difference relative to scale: {mfcc_difference:.1e}")

# %% [markdown]
# ## `minidl bench`: ratios against the references
#
# A benchmark row times ours and the reference (librosa, scipy, PyTorch)
# alternately in the same process, and reports the ratio ours / reference:
# below 1 means we are faster. Machines differ; ratios travel better than
# seconds. Here are the rows of `minidl bench` (fewer in quick mode).

# %%
from audio import benchmarks as audio_rows  # noqa: E402
from minidl import benchmarks_recurrent as recurrent_rows  # noqa: E402

rows = audio_rows.rows() + ([] if QUICK else recurrent_rows.rows())
results = [time_row(row, repeat=2 if QUICK else 5) for row in rows]
results = [r for r in results if r.get("ratio") is not None]
for r in results:
    print(f"{r['name']:<50} ratio {r['ratio']:.3f}")
fig, ax = plt.subplots(figsize=(8, 0.5 * len(results) + 1.5))
names = [r["name"] for r in results]
ax.barh(names, [r["ratio"] for r in results])
ax.axvline(1.0, color="k", linewidth=0.8)
ax.set(xlabel="time ours / time reference (below 1: faster)", title="minidl bench")
save(fig, "08_bench")
chapter.record(bench_ratios={r["name"]: round(r["ratio"], 3) for r in results},
               rows_faster=sum(r["ratio"] < 1 for r in results), rows=len(results))

# %%
chapter.say("""**What the figure shows.** One bar per benchmark row: our time divided by the
reference's, measured alternately in this run. Below 1 (faster than the reference) on this machine:
{rows_faster} of {rows} rows; the line at 1 is parity. Quick mode times small inputs, where per-call
overhead weighs most (chapter 2).""")

# %% [markdown]
# ## On a GPU
#
# With CuPy and a CUDA device, `kernels.available()` includes `"cupy"` and the
# same functions take CuPy arrays. The GPU kernels (CUDA C in `.cu` files
# beside `gpu.py`) follow the same rule: checked against the NumPy reference
# first. On this machine:

# %%
print("backends available here:", kernels.available())
if "cupy" in kernels.available():
    import cupy

    try:
        gpu_mfcc = audio.mfcc(y=cupy.asarray(y), sr=22050, n_mfcc=40).get()
        print("GPU mfcc max difference:", float(abs(gpu_mfcc - outputs["numpy"]).max()))
    except (TypeError, NotImplementedError, kernels.BackendUnavailableError) as exc:
        print(f"the audio functions do not take CuPy arrays yet (the GPU issue): {exc}")

chapter.record(mfcc_ms={k: round(v * 1e3, 2) for k, v in timings.items()})

# %% [markdown]
# ## Summary
#
# * Every hot loop has a readable NumPy reference and compiled copies tested against it.
# * Numba pays off most where NumPy cannot vectorize: loops that are sequential in time.
# * Speed is reported as a ratio against a reference measured in the same run.
# * The same discipline holds on the GPU with CuPy.

# %% [markdown]
# ## Exercises
# 1. Remove `cache=True` from a Numba kernel and time the first call of a fresh process. What is being cached?
# 2. Why is `prange` over rows safe in `_first_order_recursion` but not over time?
# 3. Write a Numba version of `reference.delta` and a Hypothesis test that compares it with the reference.
# 4. Run `minidl bench --only rfft` twice. How much do the ratios move between runs? Why report ranges?

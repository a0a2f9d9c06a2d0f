# %% [markdown]
# # Chapter 2 — From the DFT to the FFT
#
# **Learning goals.**
# 1. Write the discrete Fourier transform as a matrix and count its cost, $O(N^2)$.
# 2. Derive the radix-2 FFT from the even/odd split and count its cost, $O(N \log N)$.
# 3. Understand how Bluestein's chirp-z trick handles lengths that are not powers of two.
# 4. Check our FFT against NumPy's: error and time.
#
# The DFT of $x_0, \dots, x_{N-1}$ is
#
# $$X_k = \sum_{n=0}^{N-1} x_n\, w^{nk}, \qquad w = e^{-2\pi i / N}.$$
#
# Each of the $N$ outputs needs $N$ products: $N^2$ in all.

# %%
import inspect

import matplotlib.pyplot as plt
import numba
import numpy as np
from matplotlib.ticker import NullFormatter

import audio
from kernels.fft import reference
from tutorial_support import QUICK, best_time, Chapter, save

chapter = Chapter("02_dft_to_fft")


def dft(x):
    """The definition, as a matrix-vector product: W[k, n] = w^(n k)."""
    n = np.arange(len(x))
    W = np.exp(-2j * np.pi * np.outer(n, n) / len(x))
    return (W * x).sum(axis=1)  # not W @ x: a BLAS product may use several threads, and we time one


x = np.random.default_rng(0).standard_normal(64)
print("DFT vs numpy.fft, max error:", np.abs(dft(x) - np.fft.fft(x)).max())

# %% [markdown]
# ## Radix-2: halve the problem
#
# Split the sum into even and odd $n$. With $E$ and $O$ the DFTs (length $N/2$)
# of the even and odd samples, and $w^{N/2} = -1$,
#
# $$X_k = E_k + w^k O_k, \qquad X_{k+N/2} = E_k - w^k O_k, \qquad k < N/2.$$
#
# Two half-size transforms plus $N/2$ "butterflies": $T(N) = 2T(N/2) + O(N)$,
# so $T(N) = O(N \log_2 N)$. The recursive version is five lines:

# %%
def fft_recursive(x):
    N = len(x)
    if N == 1:
        return x.astype(complex)
    E, O = fft_recursive(x[0::2]), fft_recursive(x[1::2])
    twiddled = np.exp(-2j * np.pi * np.arange(N // 2) / N) * O
    return np.concatenate([E + twiddled, E - twiddled])


print("recursive FFT vs numpy.fft, max error:", np.abs(fft_recursive(x) - np.fft.fft(x)).max())

# %% [markdown]
# The framework's reference does the same bottom-up, vectorized over a batch
# (`kernels/fft/reference.py`); the Numba kernel (`kernels/fft/cpu.py`) is a
# radix-4 Stockham version of it, tested against this reference:

# %%
print(inspect.getsource(reference.fft_pow2))

# %% [markdown]
# ## Any length: Bluestein
#
# With $nk = \tfrac12\,(n^2 + k^2 - (k-n)^2)$ the DFT becomes a convolution:
#
# $$X_k = c_k \sum_n (x_n c_n)\,\overline{c_{k-n}}, \qquad c_j = e^{-i\pi j^2/N},$$
#
# and a convolution of length $M \ge 2N-1$ (a power of two) is three power-of-two FFTs.
# So a prime length such as 1009 costs a few FFTs of length 2048.

# %%
sizes = [1, 2, 3, 7, 16, 100, 127, 1009, 2048, 4096 + 1, 2**14]
errors = []
for n in sizes:
    signal = np.random.default_rng(n).standard_normal(n)
    ours, theirs = audio.fft(signal), np.fft.fft(signal)
    errors.append(float(np.abs(ours - theirs).max() / np.abs(theirs).max()))
    print(f"n = {n:>6}: relative error {errors[-1]:.1e}")

# %% [markdown]
# ## Time: $N^2$ against $N \log N$

# %%
lengths = [2**k for k in range(4, 10 if QUICK else 12)]


# One thread for every contender: the figure is about the algorithms. Our kernel spreads the rows of a
# batch over a pool of threads, and on a busy machine waiting for that pool costs more than a small FFT.
threads = numba.get_num_threads()
numba.set_num_threads(1)
timings = {"DFT (matrix)": [], "minidl audio.fft": [], "numpy.fft": []}
for n in lengths:
    signal = np.random.default_rng(1).standard_normal(n)
    timings["DFT (matrix)"].append(best_time(dft, signal))
    timings["minidl audio.fft"].append(best_time(audio.fft, signal))
    timings["numpy.fft"].append(best_time(np.fft.fft, signal))
single = np.ones(1)  # n = 1: no arithmetic at all, so what a call costs is pure overhead
overhead_us = {"ours": best_time(audio.fft, single) * 1e6, "numpy": best_time(np.fft.fft, single) * 1e6}
numba.set_num_threads(threads)

fig, (ax_err, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
ax_err.loglog(sizes, np.maximum(errors, 1e-17), "o-")
ax_err.set(xlabel="n", ylabel="max relative error vs numpy", title="accuracy (float64)")
for name, values in timings.items():
    ax_time.loglog(lengths, np.array(values) * 1e6, "o-", label=name)
ax_time.set_xscale("log", base=2)
ax_time.set_xticks(lengths, [str(n) for n in lengths])  # one label per measured n, none in between
ax_time.xaxis.set_minor_formatter(NullFormatter())
ax_time.yaxis.set_minor_formatter(NullFormatter())  # a log axis spanning few decades labels its minor ticks too
ax_time.set(xlabel="n", ylabel="microseconds per call (best of 3)", title="time")
ax_time.legend()
save(fig, "02_fft_error_and_time")


def ratio(k):
    return timings["minidl audio.fft"][k] / timings["numpy.fft"][k]


chapter.record(max_relative_error=max(errors),
               dft_over_fft_time_at_largest_n=timings["DFT (matrix)"][-1] / timings["minidl audio.fft"][-1],
               largest_n=lengths[-1], smallest_n=lengths[0],
               ours_us_at_smallest_n=timings["minidl audio.fft"][0] * 1e6,
               numpy_us_at_smallest_n=timings["numpy.fft"][0] * 1e6,
               ours_over_numpy_at_smallest_n=ratio(0), ours_over_numpy_at_largest_n=ratio(-1),
               ours_us_at_n1=overhead_us["ours"], numpy_us_at_n1=overhead_us["numpy"])

# %%
chapter.say("""**What the figure shows.** Left: our FFT agrees with NumPy's to rounding error at every
length, powers of two and primes alike (at most {max_relative_error:.1e}). Right: the matrix DFT's time grows like
$N^2$ and is {dft_over_fft_time_at_largest_n:.0f} times slower than our FFT at $n$ = {largest_n}.

At $n$ = {smallest_n} our `audio.fft` takes {ours_us_at_smallest_n:.0f} µs and `numpy.fft` {numpy_us_at_smallest_n:.0f} µs,
{ours_over_numpy_at_smallest_n:.1f} times as long. That gap is not arithmetic: a 16-point FFT is 32 butterflies,
nanoseconds of work. It is *per-call overhead*, and a call with $n$ = 1, which has no arithmetic at all,
measures it: {ours_us_at_n1:.0f} µs for ours, {numpy_us_at_n1:.0f} µs for NumPy. Before any arithmetic, `audio.fft`
checks its argument in Python, chooses a backend and calls a compiled kernel through Numba's dispatcher,
which matches the argument types to a compiled version; NumPy's wrapper goes almost straight to C. The
overhead does not grow with $n$; at $n$ = {largest_n}, where the arithmetic weighs more, the ratio is
{ours_over_numpy_at_largest_n:.1f}, a comparison of the kernels themselves (NumPy's is pocketfft, tuned C).
The lesson for measuring: time small inputs in batches
(one call on many rows), or you measure the call, not the algorithm.""")

# %% [markdown]
# ## Summary
#
# * The DFT is a matrix-vector product: $N^2$ multiplications.
# * Splitting even and odd samples halves the problem: the radix-2 FFT costs $O(N \log N)$.
# * Bluestein's chirp-z trick turns any length into a convolution, computed with power-of-two FFTs.
# * Our FFT matches NumPy's to rounding error; for small inputs its time is dominated by per-call overhead.

# %% [markdown]
# ## Exercises
# 1. Count the complex multiplications of `fft_recursive` for $N = 2^{10}$ and compare with $N^2$.
# 2. Write the inverse FFT using only `fft` and complex conjugation.
# 3. For a real input, show $X_{N-k} = \overline{X_k}$. How does `audio.rfft` use this to save half the work?
# 4. Why must Bluestein's convolution length be at least $2N - 1$?

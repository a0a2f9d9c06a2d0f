# %% [markdown]
# # Worked answers — Chapter 2, From the DFT to the FFT
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import audio

# %% [markdown]
# ## Exercise 1: multiplications of the recursive FFT for $N = 2^{10}$
#
# Each level multiplies $N/2$ odd-half outputs by twiddles, and there are $\log_2 N$ levels:
# $M(N) = 2M(N/2) + N/2$, so $M(N) = \tfrac{N}{2}\log_2 N$. Counting in code:

# %%
def twiddle_products(N):
    """Complex multiplications of the recursive radix-2 FFT of length N (the twiddles of every level)."""
    return 0 if N == 1 else 2 * twiddle_products(N // 2) + N // 2


N = 2**10
print(f"N = {N}: FFT {twiddle_products(N)} = N/2 log2 N = {N // 2 * 10}; DFT N^2 = {N * N}; "
      f"ratio {N * N / twiddle_products(N):.0f}")

# %% [markdown]
# ## Exercise 2: the inverse FFT from the forward one
#
# $x_n = \frac1N \sum_k X_k w^{-nk} = \frac1N \overline{\sum_k \overline{X_k}\, w^{nk}}$, so
# `ifft(X) = conj(fft(conj(X))) / N`.

# %%
X = np.random.default_rng(0).standard_normal(1009) + 1j * np.random.default_rng(1).standard_normal(1009)
inverse = np.conj(audio.fft(np.conj(X))) / len(X)
print("max difference from numpy.fft.ifft:", np.abs(inverse - np.fft.ifft(X)).max())

# %% [markdown]
# ## Exercise 3: real input, $X_{N-k} = \overline{X_k}$
#
# For real $x$, $X_{N-k} = \sum_n x_n w^{n(N-k)} = \sum_n x_n \overline{w^{nk}} = \overline{X_k}$,
# since $w^{nN} = 1$. Half the spectrum is redundant, which is why `rfft` returns only
# $N/2 + 1$ bins; it also packs the real signal into a complex one of half the length and
# unpacks the result, one FFT of size $N/2$ instead of $N$.

# %%
x = np.random.default_rng(2).standard_normal(64)
spectrum = audio.fft(x)
print("max |X[N-k] - conj(X[k])|:", np.abs(spectrum[1:][::-1] - np.conj(spectrum[1:])).max())
print("rfft bins:", len(audio.rfft(x)), "= N/2 + 1; they equal the first half of fft:",
      np.abs(audio.rfft(x) - spectrum[:33]).max() < 1e-12)

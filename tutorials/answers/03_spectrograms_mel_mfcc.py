# %% [markdown]
# # Worked answers — Chapter 3, Spectrograms, mel and MFCC
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import audio

y = np.random.default_rng(0).standard_normal(8000)
sr = 8000

# %% [markdown]
# ## Exercise 1: double `n_fft`
#
# The bins are $f_s / n_\mathrm{fft}$ apart, so doubling `n_fft` halves the spacing (finer in
# frequency) while each frame spans twice the time (coarser in time): the uncertainty trade-off.

# %%
for n_fft in (256, 512):
    D = audio.stft(y, n_fft=n_fft, hop_length=64)
    print(f"n_fft {n_fft}: {D.shape[0]} bins {sr / n_fft:.2f} Hz apart, frames {1000 * n_fft / sr:.0f} ms long")

# %% [markdown]
# ## Exercise 2: the frame count with `center=False`
#
# Without padding, frame $t$ covers samples $t\,\mathrm{hop}$ to $t\,\mathrm{hop} + n_\mathrm{fft} - 1$,
# which must lie inside the signal: frames $= 1 + \lfloor (n - n_\mathrm{fft}) / \mathrm{hop} \rfloor$.

# %%
for n in (8000, 8001, 1000):
    D = audio.stft(y[:n], n_fft=256, hop_length=64, center=False)
    print(f"n = {n}: {D.shape[1]} frames, predicted {1 + (n - 256) // 64}")

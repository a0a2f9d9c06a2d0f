# %% [markdown]
# # Worked answers — Chapter 1, Audio as data
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import audio
from audio.noise import snr_db

# %% [markdown]
# ## Exercise 1: quantize with 1 and 2 bits
#
# The rule $6.02\,b + 1.76$ dB assumes the rounding error is spread uniformly over
# $[-\Delta/2, \Delta/2]$ and unrelated to the signal. With one or two bits it is neither: the
# error is a coarse, periodic function of the sine itself (harmonic distortion, not noise). For a
# full-scale sine its power happens to stay within about a decibel of the rule (the first table).
# A quieter sine loses $20\log_{10}(1/a)$ dB (10.5 dB for $a = 0.3$, the second table), and with
# that correction the rule holds again from a few bits on. At 1 and 2 bits it fails completely: the
# sine barely reaches the first level; at 1 bit it rounds to silence, the "noise" is the whole
# signal and the SNR is 0 dB.

# %%
sr = 8000
t = np.arange(sr) / sr
sine = np.sin(2 * np.pi * 440.0 * t + 0.3)
for amplitude in (1.0, 0.3):
    signal = amplitude * sine
    print(f"sine of amplitude {amplitude}:")
    for bits in (1, 2, 3, 4, 8):
        step = 2.0 / 2**bits
        quantized = np.clip(np.round(signal / step) * step, -1, 1)
        rule = 6.02 * bits + 1.76 + 20 * np.log10(amplitude)  # the rule is for a full-scale sine
        print(f"  {bits} bits: measured {snr_db(signal, quantized):6.2f} dB, rule {rule:6.2f} dB")

# %% [markdown]
# ## Exercise 2: a 3 kHz tone from 8 kHz to 4 kHz
#
# At 4 kHz the Nyquist frequency is 2 kHz, so a 3 kHz tone cannot be represented. A
# band-limited resampler filters it out before decimating: almost nothing is left. Keeping every
# second sample without the filter folds it to $4 - 3 = 1$ kHz instead (aliasing).

# %%
tone = np.sin(2 * np.pi * 3000.0 * t)
filtered = audio.resample(tone, orig_sr=8000, target_sr=4000)
naive = tone[::2]
spectrum = np.abs(np.fft.rfft(naive))
print(f"rms in: {np.sqrt(np.mean(tone ** 2)):.3f}, after audio.resample: {np.sqrt(np.mean(filtered ** 2)):.4f}")
print(f"every second sample: a tone at {np.fft.rfftfreq(len(naive), 1 / 4000)[spectrum.argmax()]:.0f} Hz")

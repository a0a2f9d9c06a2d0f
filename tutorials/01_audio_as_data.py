# %% [markdown]
# # Chapter 1 — Audio as data
#
# **Learning goals.** After this chapter you can
# 1. explain sampling and quantization and predict the noise that quantization adds;
# 2. load, resample and normalize a recording with `audio`;
# 3. apply pre-emphasis, trim silence, reduce noise and fill gaps — and measure what each did.
#
# A microphone turns air pressure into a voltage $x(t)$. A computer keeps
# samples $x[n] = x(n / f_s)$ taken $f_s$ times a second (the *sample rate*),
# each rounded to one of $2^b$ levels (*quantization* with $b$ bits).
# By the sampling theorem, frequencies below $f_s/2$ (the Nyquist frequency)
# survive sampling; higher ones fold back (*alias*) and must be filtered out first.

# %%
import numpy as np
import matplotlib.pyplot as plt

import audio
from audio.datasets import synthetic_vowels
from audio.noise import mix_at_snr, snr_db, white_noise
from tutorial_support import QUICK, Chapter, fsdd_folder, save

chapter = Chapter("01_audio_as_data")

# %% [markdown]
# ## Quantization noise
#
# Rounding to a step $\Delta = 2 / 2^b$ (for samples in $[-1, 1]$) adds an
# error spread uniformly over $[-\Delta/2, \Delta/2]$, whose power is
# $\Delta^2/12$. For a full-scale sine (power $1/2$) the signal-to-noise ratio is
#
# $$\mathrm{SNR} = 10\log_{10}\frac{1/2}{\Delta^2/12} \approx 6.02\,b + 1.76 \text{ dB}.$$
#
# Let us check the rule: every bit buys about 6 dB.

# %%
sr = 8000
t = np.arange(sr) / sr
sine = np.sin(2 * np.pi * 440.0 * t + 0.3)


def quantize(x, bits):
    step = 2.0 / 2**bits
    return np.clip(np.round(x / step) * step, -1, 1)


measured = {b: snr_db(sine, quantize(sine, b)) for b in (4, 8, 12, 16)}
for b, snr in measured.items():
    print(f"{b:>2} bits: SNR {snr:6.2f} dB (rule: {6.02 * b + 1.76:6.2f} dB)")

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(t[:80] * 1000, sine[:80], label="signal")
ax.step(t[:80] * 1000, quantize(sine, 3)[:80], where="mid", label="3-bit samples")
ax.set(xlabel="time (ms)", ylabel="amplitude", title="quantization with 3 bits")
ax.legend()
save(fig, "01_quantization")
chapter.record(quantization_snr_db={str(b): round(v, 2) for b, v in measured.items()},
               db_per_bit=round((measured[16] - measured[4]) / 12, 2),
               snr_4_bits=round(measured[4], 2), snr_16_bits=round(measured[16], 2))  # str.format reads [4] as a list index

# %%
chapter.say("""**What the figure shows.** With 3 bits the sine becomes a staircase with steps of 1/4; the
difference between the two curves is the quantization error. Measured over one second, each extra bit
buys {db_per_bit} dB (4 bits: {snr_4_bits} dB, 16 bits: {snr_16_bits} dB), the rule's 6.02.""")

# %% [markdown]
# ## A recording
#
# We use a spoken digit from the Free Spoken Digit Dataset when it is
# available, otherwise a clip from the embedded synthetic dataset (vowels made
# by a source-filter model of the voice). `audio.load` returns float samples
# in $[-1, 1]$ and resamples when `sr` differs from the file's rate.

# %%
folder = fsdd_folder()
if folder is not None:
    y, sr = audio.load(folder / "recordings" / "7_jackson_0.wav", sr=None)
    source = "FSDD 7_jackson_0.wav"
else:
    clip = synthetic_vowels(n_clips=1, seed=0)
    y, sr, source = clip.clips[0], clip.sr, "synthetic vowels " + clip.label_names[clip.labels[0]]
print(f"{source}: {len(y)} samples at {sr} Hz = {len(y) / sr:.2f} s")
y16 = audio.resample(y, orig_sr=sr, target_sr=16000)
print(f"resampled to 16 kHz: {len(y16)} samples (= ceil(n * 16000 / {sr}))")

# %% [markdown]
# ## Normalization, pre-emphasis, trimming
#
# * **Peak normalization** scales so that $\max|y| = 1$; RMS and z-score
#   normalization equalize loudness instead.
# * **Pre-emphasis** $y[n] - 0.97\,y[n-1]$ lifts high frequencies, which speech
#   has less energy in (the glottal source falls about 12 dB per octave).
# * **Trimming** drops leading and trailing frames quieter than the loudest by `top_db`.

# %%
normalized = audio.normalize(y)
emphasized = audio.preemphasis(normalized)
trimmed, (start, end) = audio.trim(normalized, top_db=30, frame_length=256, hop_length=64)
print(f"trim keeps samples {start}..{end} of {len(y)}")

fig, axes = plt.subplots(3, 1, figsize=(8, 6), sharex=True)
time = np.arange(len(y)) / sr
axes[0].plot(time, normalized, linewidth=0.6)
axes[0].set_title("peak-normalized")
axes[1].plot(time, emphasized, linewidth=0.6, color="C1")
axes[1].set_title("pre-emphasized (more high-frequency detail)")
axes[2].plot(time, normalized, linewidth=0.6, color="0.7")
axes[2].plot(time[start:end], trimmed, linewidth=0.6, color="C2")
axes[2].set(title="trimmed at 30 dB below the peak", xlabel="time (s)")
save(fig, "01_preprocessing")
chapter.record(trim_start=int(start), trim_end=int(end), samples=len(y))

# %%
chapter.say("""**What the figure shows.** Top: the clip scaled to a peak of 1. Middle: pre-emphasis
shrinks the slow swings and keeps the fast detail, the high frequencies. Bottom: trimming keeps
samples {trim_start} to {trim_end} of {samples} (green); what it drops (grey) stays more than 30 dB
below the peak.""")

# %% [markdown]
# ## Denoising
#
# Spectral gating estimates the noise level in every frequency band (here
# from the quietest frames) and attenuates time-frequency cells that do not
# rise above it. We mix white noise at 5 dB SNR and measure the SNR after.

# %%
noisy = mix_at_snr(normalized.astype(np.float64), white_noise(len(y), rng=1), 5.0)
cleaned = audio.denoise(noisy)
gain = snr_db(normalized, cleaned) - snr_db(normalized, noisy)
print(f"SNR before {snr_db(normalized, noisy):.2f} dB, after {snr_db(normalized, cleaned):.2f} dB")

fig, axes = plt.subplots(2, 1, figsize=(8, 4), sharex=True)
axes[0].plot(time, noisy, linewidth=0.5)
axes[0].set_title("noisy (5 dB SNR)")
axes[1].plot(time, cleaned, linewidth=0.5, color="C3")
axes[1].set(title=f"denoised: {gain:+.1f} dB", xlabel="time (s)")
save(fig, "01_denoise")
chapter.record(snr_before_db=round(snr_db(normalized, noisy), 2), snr_after_db=round(snr_db(normalized, cleaned), 2),
               denoise_gain_db=round(gain, 2))

# %%
chapter.say("""**What the figure shows.** The gate removes much of the hiss: the SNR goes from {snr_before_db} dB to {snr_after_db} dB, a gain of {denoise_gain_db} dB. What
it cannot remove is noise in the same cells as the voice, and it leaves artefacts of its own
(chapter 7 meets them).""")

# %% [markdown]
# ## Gaps
#
# Dropped packets or a failing sensor leave holes. `fill_missing`
# interpolates across NaN runs.

# %%
gappy = normalized.astype(np.float64).copy()
gap = slice(len(gappy) // 2, len(gappy) // 2 + (20 if QUICK else 40))
gappy[gap] = np.nan
filled = audio.fill_missing(gappy)
gap_error = float(np.abs(filled[gap] - normalized[gap]).max())
print(f"largest error inside the filled gap: {gap_error:.3f}")

chapter.record(gap_max_error=round(gap_error, 4), source=source)

# %% [markdown]
# ## Summary
#
# * Sampling keeps frequencies below $f_s/2$; quantization adds noise of about $\Delta^2/12$,
#   so every bit buys about 6 dB.
# * `audio.load` and `audio.resample` give float samples at the rate you ask for.
# * Normalization, pre-emphasis and trimming each change the signal in a way you can measure.
# * Spectral gating raises the SNR, but it also changes the signal, a cost that chapter 7 shows.

# %% [markdown]
# ## Exercises
# 1. Quantize with 1 and 2 bits. Where does the 6 dB-per-bit rule break, and why?
# 2. Resample a 3 kHz tone from 8 kHz to 4 kHz. What happens to it? (Hint: Nyquist.)
# 3. Try `audio.denoise(noisy, method="subtract")` and pink noise (`audio.noise.pink_noise`). Which is harder?
# 4. Fill a 200-sample gap. Why does linear interpolation fail on voiced speech?

# %% [markdown]
# # Chapter 3 — Spectrograms, mel and MFCC
#
# **Learning goals.**
# 1. See why a window is needed (leakage) and what it costs (resolution).
# 2. Compute an STFT and predict its frame count.
# 3. Build the mel filterbank from the mel scale, compress with the log, decorrelate with the DCT.
# 4. Compute MFCCs and deltas, and check every number against librosa.
#
# ## Windows and leakage
#
# A frame of $N$ samples cut from a longer signal is the signal times a
# rectangle. Multiplication in time is convolution in frequency, so every
# sinusoid is smeared by the rectangle's spectrum, whose side lobes fall
# slowly (13 dB down, then 6 dB per octave). A tapered window such as Hann,
# $w[n] = \tfrac12 - \tfrac12\cos(2\pi n/N)$, trades a wider main lobe for side
# lobes 31 dB down that fall 18 dB per octave.

# %%
import matplotlib.pyplot as plt
import numpy as np

import audio
from audio import plot
from audio.datasets import synthetic_vowels
from tutorial_support import QUICK, Chapter, fsdd_folder, save

chapter = Chapter("03_spectrograms_mel_mfcc")

N = 256
n = np.arange(N)
tone = np.sin(2 * np.pi * 20.5 * n / N)  # between two FFT bins: the worst case for leakage
fig, ax = plt.subplots(figsize=(8, 3))
far_db = {}
for name in ("boxcar", "hann", "blackman"):
    spectrum = np.abs(audio.rfft(tone * audio.get_window(name, N)))
    level = 20 * np.log10(spectrum / spectrum.max() + 1e-12)
    far_db[name] = round(float(level[80]), 1)  # 60 bins from the tone
    ax.plot(level, label=name)
ax.set(xlabel="frequency bin", ylabel="dB", ylim=(-120, 5), title="a tone between bins, three windows")
ax.legend()
save(fig, "03_leakage")
chapter.record(leakage_db_60_bins_away=far_db)

# %%
chapter.say("""**What the figure shows.** The tone sits between bins 20 and 21, so no window catches it
in a single bin. 60 bins away the rectangle (boxcar) still leaks {leakage_db_60_bins_away[boxcar]} dB, Hann
{leakage_db_60_bins_away[hann]} dB and Blackman {leakage_db_60_bins_away[blackman]} dB; in exchange their main
lobes around bin 20 are wider.""")

# %% [markdown]
# ## The STFT and its frame count
#
# Frames of `n_fft` samples start every `hop_length` samples. With
# `center=True` (librosa's default) the signal is first padded by `n_fft // 2`
# on both sides, so frame $t$ is centred on sample $t \cdot$ `hop_length` and
#
# $$\text{frames} = 1 + \left\lfloor \frac{n}{\text{hop}} \right\rfloor.$$

# %%
folder = fsdd_folder()
if folder is not None:
    y, sr = audio.load(folder / "recordings" / "3_theo_0.wav", sr=None)
else:
    data = synthetic_vowels(n_clips=1, seed=1)
    y, sr = data.clips[0], data.sr
n_fft, hop = 256, 64
D = audio.stft(y, n_fft=n_fft, hop_length=hop)
print(f"{len(y)} samples -> STFT {D.shape}; predicted frames 1 + {len(y)} // {hop} = {1 + len(y) // hop}")
chapter.record(frames=int(D.shape[1]), predicted_frames=1 + len(y) // hop)

# %% [markdown]
# ## The mel scale and the filterbank
#
# Pitch perception is roughly linear below 1 kHz and logarithmic above. The
# mel scale (HTK form) is $m = 2595 \log_{10}(1 + f/700)$; librosa's default
# (Slaney) is linear below 1 kHz and logarithmic above. The filterbank places
# `n_mels` triangles equally spaced in mel, each summing the power of the FFT
# bins under it.

# %%
hz = np.linspace(0, sr / 2, 200)
fig, (ax_scale, ax_bank) = plt.subplots(1, 2, figsize=(11, 3.5))
ax_scale.plot(hz, audio.hz_to_mel(hz), label="Slaney (librosa default)")
ax_scale.plot(hz, audio.hz_to_mel(hz, htk=True), label="HTK")
ax_scale.set(xlabel="Hz", ylabel="mel", title="the mel scale")
ax_scale.legend()
plot.filterbank(sr=sr, n_fft=n_fft, n_mels=24, ax=ax_bank)
save(fig, "03_mel_scale_and_filterbank")

# %% [markdown]
# **What the figure shows.** Left: both mel scales grow almost linearly at first and flatten at
# high frequencies, so equal steps in mel are ever wider steps in Hz. Right: the 24 triangles
# are therefore narrow and dense at low frequencies and wide at high ones; each row of the
# filterbank matrix is one triangle.

# %% [markdown]
# ## Log compression, the DCT, MFCC and deltas
#
# Loudness is perceived on a log scale, so the mel power goes through
# $10 \log_{10}$ (`power_to_db`). Neighbouring mel bands are strongly
# correlated; the DCT-II concentrates that smooth envelope in a few
# coefficients — the MFCCs. Deltas are local slopes of each coefficient
# over time (a Savitzky–Golay derivative over `width` frames).

# %%
M = audio.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop, n_mels=40)
log_M = audio.power_to_db(M)
C = audio.mfcc(S=log_M, n_mfcc=13)
dC = audio.delta(C)
print(f"mel {M.shape}, MFCC {C.shape}, delta {dC.shape}")
figure = plot.features_figure(y, sr, n_fft=n_fft, hop_length=hop, n_mels=40, n_mfcc=13)
save(figure, "03_features")

# %% [markdown]
# **What the figure shows.** From top to bottom: the waveform, its spectrogram in dB, the 40-band
# mel spectrogram (the same energy on a perceptual frequency axis), and the 13 MFCCs, where the
# smooth spectral envelope is summarized by a few numbers per frame.

# %% [markdown]
# ## Our numbers beside librosa's
#
# Every function above has librosa's name, defaults and shapes, so we can
# compare directly (in float64). The test suite does this over a grid of
# parameters; here is one point of it.

# %%
try:
    import librosa
except ImportError:
    librosa = None
errors = {}
if librosa is not None:
    y64 = y.astype(np.float64)
    kw = dict(n_fft=n_fft, hop_length=hop)
    pairs = {
        "stft": (audio.stft(y64, **kw), librosa.stft(y64, dtype=np.complex128, **kw)),
        "melspectrogram": (audio.melspectrogram(y=y64, sr=sr, n_mels=40, **kw),
                           librosa.feature.melspectrogram(y=y64, sr=sr, n_mels=40, **kw)),
        "mfcc": (audio.mfcc(y=y64, sr=sr, n_mfcc=13, n_mels=40, **kw),
                 librosa.feature.mfcc(y=y64, sr=sr, n_mfcc=13, n_mels=40, **kw)),
        "delta": (audio.delta(C.astype(np.float64)), librosa.feature.delta(C.astype(np.float64))),
    }
    for name, (ours, theirs) in pairs.items():
        errors[name] = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
        print(f"{name:<15} shape {ours.shape} == {theirs.shape}: max error relative to scale {errors[name]:.1e}")
else:
    print("librosa is not installed: skipping the comparison")

chapter.record(librosa_max_relative_error=max(errors.values()) if errors else None, librosa_errors=errors, quick=QUICK)
if errors:
    chapter.say("""The STFT agrees with librosa to {librosa_errors[stft]:.0e} relative to scale, the mel
spectrogram to {librosa_errors[melspectrogram]:.0e}. The larger second number comes from librosa, which
builds its mel filterbank in float32 unless told otherwise: everything after the filterbank carries float32 rounding.""")

# %% [markdown]
# ## Summary
#
# * A frame is the signal times a window: the rectangle leaks far across the spectrum, tapered
#   windows trade a wider main lobe for much less leakage.
# * With `center=True` an STFT has $1 + \lfloor n / \text{hop} \rfloor$ frames.
# * The mel filterbank sums power in triangles equally spaced in mel; the log and the DCT turn
#   it into a few decorrelated MFCCs; deltas add their slopes in time.
# * Every step has librosa's interface and agrees with librosa's numbers.

# %% [markdown]
# ## Exercises
# 1. Double `n_fft` for the same signal. What happens to frequency and to time resolution?
# 2. Set `center=False`. Derive the new frame count and check it.
# 3. Use 128 mel bands with `n_fft=256` at 8 kHz. Why does `mel_filterbank` warn about empty bands?
# 4. Reconstruct the log-mel spectrogram from all 40 DCT coefficients, then from 13. What is lost?

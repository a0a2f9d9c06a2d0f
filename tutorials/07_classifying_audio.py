# %% [markdown]
# # Chapter 7 — Classifying audio with recurrent nets
#
# **Learning goals.**
# 1. Turn labelled clips into standardized MFCC sequences without leaking the test set.
# 2. Run the seed document's three Keras listings (SimpleRNN, LSTM, GRU) on `minidl.keras`.
# 3. Show with a control experiment that order matters: time-averaged MFCCs against a recurrent net.
# 4. Batch clips of different lengths with padding and `lengths` (masking).
# 5. Measure accuracy under added noise, with and without `denoise`.
#
# The embedded dataset's classes are the six orders of the vowels a, i, u
# (chapter 1 showed one clip). The test split holds speakers never heard in training.

# %%
import matplotlib.pyplot as plt
import numpy as np

import audio
import minidl
from audio.datasets import FeatureConfig, Standardizer, extract_features, load_fsdd, synthetic_vowels
from audio.datasets.features import clip_features
from audio.noise import mix_at_snr, white_noise
from minidl import nn, optim
from minidl.classifiers import build_classifier
from minidl.data import BatchLoader, stratified_split
from minidl.keras.utils import to_categorical
from minidl.plot import confusion_figure, training_curves
from minidl.training import confusion_matrix, fit, predict_scores, run_epoch
from tutorial_support import QUICK, Chapter, fsdd_folder, save

chapter = Chapter("07_classifying_audio")

data = synthetic_vowels(n_clips=480 if QUICK else 2400, seed=0)
print(data.summary())
config = FeatureConfig(n_mfcc=13, deltas=2)  # 39 features per 10 ms frame
features = extract_features(data, config, progress=False)
train_all, test = data.indices("train"), data.indices("test")
kept, held = stratified_split(data.labels[train_all], 0.1, seed=0)
train, val = train_all[kept], train_all[held]
scaler = Standardizer().fit([features[i] for i in train])  # statistics of training clips only
features = scaler.transform(features)

# %% [markdown]
# ## The seed's listings on `minidl.keras`
#
# The listings stack two recurrent layers of 50 units (the first returns its
# whole sequence), a softmax layer, Adam and categorical cross-entropy. Keras
# wants one dense array, so shorter clips are padded *at the front* (Keras's
# `pad_sequences` default), which keeps every clip's last frame at the last step.

# %%
from minidl.keras.layers import GRU, LSTM, Dense, SimpleRNN  # noqa: E402
from minidl.keras.models import Sequential  # noqa: E402

def front_padded(sequences):
    """[N, T_max, F] with each sequence at the end of its row (Keras's padding="pre")."""
    T_max = max(len(f) for f in sequences)
    dense = np.zeros((len(sequences), T_max, sequences[0].shape[1]), np.float32)
    for k, f in enumerate(sequences):
        dense[k, T_max - len(f):] = f
    return dense


def seed_listings(sequences, labels, num_classes, train, val, test, epochs):
    """The three listings (SimpleRNN, LSTM, GRU) of the seed document; test accuracy of each."""
    dense, y_onehot = front_padded(sequences), to_categorical(labels, num_classes)
    results = {}
    for layer in (SimpleRNN, LSTM, GRU):
        minidl.manual_seed(0)
        model = Sequential()
        model.add(layer(units=50, input_shape=dense.shape[1:], return_sequences=True))
        model.add(layer(units=50))
        model.add(Dense(units=num_classes, activation="softmax"))
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(dense[train], y_onehot[train], epochs=epochs, batch_size=32,
                  validation_data=(dense[val], y_onehot[val]), verbose=0)
        results[layer.__name__] = model.evaluate(dense[test], y_onehot[test])[1]
        print(f"{layer.__name__:<9} test accuracy {results[layer.__name__]:.3f}")
    return results


keras_results = seed_listings(features, data.labels, data.num_classes, train, val, test, epochs=4 if QUICK else 10)
chapter.record(keras_test_accuracy=keras_results, keras_epochs=4 if QUICK else 10)

# %%
chapter.say("""After {keras_epochs} epochs the listings reach test accuracies of {keras_test_accuracy[SimpleRNN]:.2f}
(SimpleRNN), {keras_test_accuracy[LSTM]:.2f} (LSTM) and {keras_test_accuracy[GRU]:.2f} (GRU); chance is 1/6.
These are short runs of the seed's settings, not tuned models; the next section trains longer with masking.""")

# %% [markdown]
# ## Order matters: the averaged baseline against a recurrent net
#
# `mean-mfcc-dense` averages each clip's frames (what the seed's
# `np.mean(mfccs, axis=1)` does) and classifies with a small dense net; the
# LSTM reads the frames in order. Batches pad at the end and pass `lengths`,
# so the LSTM's final state is each clip's own last frame: padding changes nothing.

# %%
def loader(positions, shuffle=False):
    return BatchLoader([features[i] for i in positions], data.labels[positions], batch_size=32,
                       shuffle=shuffle, seed=0)


histories, models, accuracy = {}, {}, {}
for kind in ("mean-mfcc-dense", "lstm"):
    minidl.manual_seed(0)
    model = build_classifier(kind, config.n_features, data.num_classes, hidden_size=64)
    histories[kind] = fit(model, loader(train, shuffle=True), nn.cross_entropy,
                          optim.Adam(model.parameters(), lr=3e-3), epochs=10 if QUICK else 30,
                          val_loader=loader(val), clip_norm=5.0, progress=False)
    models[kind] = model
    accuracy[kind] = run_epoch(model, loader(test), nn.cross_entropy)[1]
    print(f"{kind:<16} test accuracy {accuracy[kind]:.3f}")

save(training_curves(histories["lstm"]), "07_lstm_curves")
predicted = predict_scores(models["lstm"], loader(test)).argmax(axis=1)
save(confusion_figure(confusion_matrix(data.labels[test], predicted, data.num_classes), data.label_names),
     "07_lstm_confusion")
chapter.record(recurrent_accuracy=accuracy["lstm"], averaged_baseline_accuracy=accuracy["mean-mfcc-dense"])

# %%
chapter.say("""**What the figures show.** The curves are the LSTM's loss and accuracy per epoch on the
training and validation clips; the confusion matrix counts, for each true order of vowels (rows), the
predicted orders (columns) on unseen speakers. The LSTM reaches {recurrent_accuracy:.2f} test accuracy,
the time-averaged baseline {averaged_baseline_accuracy:.2f}: averaging the frames throws the order away,
and the order is the label. Off the diagonal are the LSTM's mistakes: which orders it confuses.""")

# %% [markdown]
# ## Noise, with and without denoising
#
# Mix white noise into every test clip at a given SNR, recompute the features
# (standardized with the *training* statistics), and evaluate the same LSTM;
# then denoise the noisy clips first (spectral gating, chapter 1).

# %%
def test_features(clips):
    """Standardized feature sequences of test clips (float64 audio in), with the training statistics."""
    return scaler.transform([clip_features(y.astype(np.float32), data.sr, config) for y in clips])


def accuracy_on(model, seqs):
    return run_epoch(model, BatchLoader(seqs, data.labels[test], batch_size=64), nn.cross_entropy)[1]


def distance_from_clean(seqs):
    """Root-mean-square difference from the clean clips' features, in standard deviations."""
    return float(np.mean([np.sqrt(np.mean((f - features[i]) ** 2)) for f, i in zip(seqs, test)]))


def with_noise(positions, snr_of):
    """Each clip at positions mixed with its own white noise at snr_of(clip index) dB. [float64 clips]"""
    return [mix_at_snr(data.clips[i].astype(np.float64), white_noise(len(data.clips[i]), rng=int(i)), snr_of(i))
            for i in positions]


snrs = [20, 10, 5] if QUICK else [30, 20, 10, 5, 0]
clean_trained = models["lstm"]
results = {"noisy": [], "denoised": []}  # per SNR: (accuracy, distance from the clean features)
noisy_sets = {snr: with_noise(test, lambda i, snr=snr: snr) for snr in snrs}
for snr, noisy in noisy_sets.items():
    for condition, clips in (("noisy", noisy), ("denoised", [audio.denoise(y) for y in noisy])):
        seqs = test_features(clips)
        results[condition].append((accuracy_on(clean_trained, seqs), distance_from_clean(seqs)))
    print(f"SNR {snr:>2} dB: accuracy noisy {results['noisy'][-1][0]:.3f}, denoised {results['denoised'][-1][0]:.3f}")
noisy_accuracy, noisy_distance = (list(v) for v in zip(*results["noisy"]))
denoised_accuracy, denoised_distance = (list(v) for v in zip(*results["denoised"]))
clean_denoised_distance = distance_from_clean(test_features([audio.denoise(data.clips[i]) for i in test]))
effect = float(np.mean(denoised_accuracy) - np.mean(noisy_accuracy))
chapter.record(snr_db=snrs, noisy_accuracy=noisy_accuracy, denoised_accuracy=denoised_accuracy,
               denoise_effect=effect, denoise_verdict="lowered" if effect < -0.02 else
               ("hardly changed" if effect <= 0.02 else "raised"),
               noisy_distance=noisy_distance, denoised_distance=denoised_distance,
               clean_denoised_distance=clean_denoised_distance)

# %%
chapter.say("""**Why denoising is no cure.** Averaged over the SNRs, denoising the input
{denoise_verdict} the LSTM's accuracy ({denoise_effect:+.2f}; at {snr_db[1]} dB: {noisy_accuracy[1]:.2f} noisy,
{denoised_accuracy[1]:.2f} denoised). The denoiser is not broken: chapter 1 measured its SNR gain. But the
model judges MFCCs, not SNR, and in feature space the denoised clips are *further* from the clean ones than
the noisy clips were: at {snr_db[1]} dB, {noisy_distance[1]:.2f} standard deviations (root mean square) for the
noisy features, {denoised_distance[1]:.2f} after denoising. Even a clean clip moves by {clean_denoised_distance:.2f}
when denoised (20 dB of noise: {noisy_distance[0]:.2f}). Those are the gate's own artefacts: bands switched on
and off from frame to frame, weak formants attenuated with the noise. The model was trained on clean
clips and has never met them.""")

# %% [markdown]
# ## What does help: training with noise
#
# A model is robust to the distortions it was trained on. We train the same
# LSTM on the clean training clips plus one noisy copy of each, at an SNR drawn
# from the range we test (data augmentation), and evaluate it on the same noisy test clips.

# %%
snr_rng = np.random.default_rng(7)
train_snr = {int(i): float(snr_rng.uniform(min(snrs), max(snrs))) for i in train}
noisy_train = scaler.transform([clip_features(y.astype(np.float32), data.sr, config)
                                for y in with_noise(train, train_snr.get)])
augmented = BatchLoader([features[i] for i in train] + noisy_train, np.concatenate([data.labels[train]] * 2),
                        batch_size=32, shuffle=True, seed=0)
minidl.manual_seed(0)
noise_trained = build_classifier("lstm", config.n_features, data.num_classes, hidden_size=64)
fit(noise_trained, augmented, nn.cross_entropy, optim.Adam(noise_trained.parameters(), lr=3e-3),
    epochs=10 if QUICK else 30, clip_norm=5.0, progress=False)
augmented_accuracy = [accuracy_on(noise_trained, test_features(noisy)) for noisy in noisy_sets.values()]
augmented_clean_accuracy = run_epoch(noise_trained, loader(test), nn.cross_entropy)[1]

fig, (ax, ax_distance) = plt.subplots(1, 2, figsize=(11, 3.8))
ax.plot(snrs, noisy_accuracy, "o-", label="trained clean, noisy input")
ax.plot(snrs, denoised_accuracy, "o-", label="trained clean, denoised input")
ax.plot(snrs, augmented_accuracy, "o-", label="trained with noise, noisy input")
ax.axhline(1 / data.num_classes, color="0.5", linestyle=":", label="chance")
ax.set(xlabel="SNR of added white noise (dB)", ylabel="test accuracy", title="LSTM under noise")
ax_distance.plot(snrs, noisy_distance, "o-", label="noisy")
ax_distance.plot(snrs, denoised_distance, "o-", label="denoised")
ax_distance.axhline(clean_denoised_distance, color="C1", linestyle=":", label="clean clip, denoised")
ax_distance.set(xlabel="SNR of added white noise (dB)", ylabel="RMS distance (standard deviations)",
                title="how far the features move from the clean clip's")
for axis in (ax, ax_distance):
    axis.invert_xaxis()
    axis.legend(fontsize=8)
save(fig, "07_noise")
chapter.record(augmented_accuracy=augmented_accuracy, augmented_clean_accuracy=augmented_clean_accuracy)

# %%
chapter.say("""**What the figure shows.** Left: the model trained with noise holds up best: at {snr_db[2]} dB it scores {augmented_accuracy[2]:.2f}, against
{noisy_accuracy[2]:.2f} for the clean-trained model on the same clips and {denoised_accuracy[2]:.2f} after
denoising. On clean clips it scores {augmented_clean_accuracy:.2f} (the clean-trained model:
{recurrent_accuracy:.2f}). Right: the distances behind the previous paragraph. Match training to what the
model will meet, rather than cleaning the input towards what it was trained on.""")

# %% [markdown]
# ## Real recordings: the Free Spoken Digit Dataset
#
# When FSDD is beside the project (or `FSDD=/path` is set), the three
# listings and the masked LSTM run on it with the official split (takes 0-4
# are the test set). `minidl train --data fsdd:DIR` does the latter in one line.

# %%
fsdd_accuracy, fsdd_keras = None, None
folder = fsdd_folder()
if folder is not None and not QUICK:
    digits = load_fsdd(folder)
    digit_features = extract_features(digits, config, progress=False)
    d_train_all, d_test = digits.indices("train"), digits.indices("test")
    d_kept, d_held = stratified_split(digits.labels[d_train_all], 0.1, seed=0)
    d_train, d_val = d_train_all[d_kept], d_train_all[d_held]
    digit_scaler = Standardizer().fit([digit_features[i] for i in d_train])
    digit_features = digit_scaler.transform(digit_features)
    fsdd_keras = seed_listings(digit_features, digits.labels, 10, d_train, d_val, d_test, epochs=10)
    minidl.manual_seed(0)
    digit_model = build_classifier("lstm", config.n_features, 10, hidden_size=64)
    fit(digit_model, BatchLoader([digit_features[i] for i in d_train], digits.labels[d_train], batch_size=32,
                                 shuffle=True), nn.cross_entropy, optim.Adam(digit_model.parameters(), lr=3e-3),
        epochs=30, clip_norm=5.0, progress=False)
    fsdd_accuracy = run_epoch(digit_model, BatchLoader([digit_features[i] for i in d_test], digits.labels[d_test]),
                              nn.cross_entropy)[1]
    print(f"FSDD LSTM (masked batches) test accuracy: {fsdd_accuracy:.3f}")

chapter.record(fsdd_lstm_accuracy=fsdd_accuracy, fsdd_keras_test_accuracy=fsdd_keras)

# %% [markdown]
# ## Summary
#
# * Features are standardized with training statistics only, and the test speakers are never heard in training.
# * The seed's Keras listings run unchanged on `minidl.keras`.
# * Averaging frames over time throws the order away; a recurrent net reading the frames in order
#   classifies what the average cannot. Padding with `lengths` changes nothing.
# * A model meets noise best when it was trained with noise. Denoising the input helps only a model
#   that knows the denoiser's artefacts: cleaning the input is not the same as matching the training data.

# %% [markdown]
# ## Exercises
# 1. Pad the Keras arrays at the end instead of the front. What happens to SimpleRNN's accuracy, and why?
# 2. Train `mean-mfcc-dense` with `deltas=0`. Is it closer to chance (1/6)? What did the averaged deltas give away?
# 3. Train on denoised noisy clips and test on denoised clips. Does meeting the denoiser's artefacts in training recover the accuracy that denoising cost?
# 4. Replace the LSTM by a bidirectional GRU (`build_classifier("gru", ..., bidirectional=True)`).

# %% [markdown]
# # Chapter 9 — Recognizing sequences: CTC
#
# **Learning goals.**
# 1. See why one label per clip cannot say what an utterance says, and what a transcript asks for instead.
# 2. Define alignments, the blank and the collapsing map $\mathcal{B}$; enumerate every alignment of a short labelling.
# 3. Compute $p(l \mid x)$ with the alpha recursion on the extended labelling $l'$, draw its lattice, and check it against brute-force enumeration.
# 4. Derive the gradient as posterior occupancy $\gamma_t(s)$ from alpha and beta; check it with finite differences and PyTorch.
# 5. Decode: the best path (greedy) against the prefix beam search, and a case where they disagree.
# 6. Train a bidirectional LSTM with `nn.ctc_loss` on synthetic vowel strings and read its spiky posteriors.
#
# ## A clip label is not a transcript
#
# Chapter 7 gave each clip one of six labels. An utterance of 1 to $L$ vowels
# drawn from $V = 7$ has $\sum_{n=1}^{L} V^n$ possible transcripts: as
# classes, most would never occur in any training set, and a classifier
# cannot name a class it never saw. A recognizer instead names one *token* at
# a time, and is trained from transcripts alone: "a i i", not "a from 0.10 s
# to 0.31 s". Where each vowel is, it must find by itself.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np

import audio.plot
import minidl
from audio.datasets import FeatureConfig, Standardizer, extract_features, synthetic_utterances
from kernels.ctc.reference import can_skip, extended_labels, log_alpha, log_beta, occupancy_gradient
from minidl import nn, optim
from minidl.cli.train_transcribe import spectrogram_db
from minidl.data import BatchLoader, stratified_split
from minidl.decode import beam_search, collapse, greedy_decode, token_error_rate
from minidl.plot import alignment_figure, training_curves
from minidl.recognizers import (BLANK, TOKEN_ERRORS, build_recognizer, ctc_batch_loss, ctc_forward,
                                decode_utterance, frame_log_probs, pad_transcripts)
from minidl.training import fit
from tutorial_support import QUICK, Chapter, save

chapter = Chapter("09_ctc")

max_length = 4 if QUICK else 6
data = synthetic_utterances(n_utterances=480 if QUICK else 2000, max_length=max_length, seed=0)
print(data.summary())
config = FeatureConfig(n_mfcc=13, deltas=2, hop_length=data.sr // 50)  # 20 ms: the shortest vowel spans several frames
hop = config.frame(data.sr)[1]
train_all, test = data.indices("train"), data.indices("test")

seen = {tuple(data.transcripts[i]) for i in train_all}
unseen = float(np.mean([tuple(data.transcripts[i]) not in seen for i in test]))
possible = sum(len(data.tokens) ** n for n in range(1, max_length + 1))
print(f"{possible} possible transcripts; {unseen:.0%} of the test transcripts never occur in training")

# an utterance with a repeated vowel: the pause between the two is all that tells "a a" from "a"
shown = next((k for k in range(len(data)) if len(data.transcripts[k]) >= 3
              and any(a == b for a, b in zip(data.transcripts[k], data.transcripts[k][1:]))), 0)
fig, (wave_ax, spec_ax) = plt.subplots(2, 1, figsize=(9, 5), layout="constrained")
audio.plot.waveform(data.clips[shown], data.sr, ax=wave_ax, title=f"transcript: {' '.join(data.transcripts[shown])}")
audio.plot.spectrogram(spectrogram_db(data.clips[shown], data.sr, config), sr=data.sr, hop_length=hop, ax=spec_ax,
                       title="mel spectrogram (20 ms frames)", ylabel="mel band", fmax=config.n_mels)
save(fig, "09_transcript")

# %% [markdown]
# ## Alignments and the blank
#
# The network emits a distribution $y_t$ over $C$ classes at each of $T$
# frames: the tokens and one extra class, the **blank** "-" ("no new token
# here"). A path $\pi = (\pi_1, \dots, \pi_T)$ picks one class per frame and
# reads as a labelling through the collapsing map $\mathcal{B}$: merge runs of
# a repeated class, then drop the blanks, e.g.
# $\mathcal{B}(\text{a a - b}) = \mathcal{B}(\text{a - b b}) = \text{ab}$.
# Every path whose collapse is $l$ is an **alignment** of $l$, and
#
# $$p(l \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T} y_t(\pi_t).$$
#
# Why the blank? Without it, "a a" always merges into "a": no path could
# spell a repeated token, nor say "nothing yet" over silence. Below, every
# path over $T = 4$ frames and the classes {-, a, b} is collapsed; "aa" keeps
# only the paths with a blank between its two a's.

# %%
names = {0: "-", 1: "a", 2: "b"}  # class 0 is the blank, as in minidl.recognizers


def alignments(labels, T, C=3):
    """Every path of T classes (of C) whose collapse is ``labels``: brute force over C**T paths."""
    return [path for path in itertools.product(range(C), repeat=T) if collapse(path, BLANK) == list(labels)]


alignment_counts = {}
for labels in ([1, 2], [1, 1]):
    spelled = "".join(names[k] for k in labels)
    paths = alignments(labels, 4)
    alignment_counts[spelled] = len(paths)
    print(f"{spelled}: {len(paths)} alignments in 4 frames: " + ", ".join("".join(names[k] for k in p) for p in paths))
no_blank = [p for p in itertools.product((1, 2), repeat=4) if collapse(p, BLANK) == [1, 1]]
print(f"paths without a blank that spell 'aa': {len(no_blank)}")

# %% [markdown]
# ## The alpha lattice
#
# Enumeration costs $C^T$ paths. The alignments of $l = (l_1, \dots, l_S)$
# are exactly the walks through the **extended labelling**
# $l' = (-, l_1, -, l_2, \dots, l_S, -)$ of length $S' = 2S + 1$ that move
# one frame at a time and, at each frame, stay on $s$, step to $s+1$, or skip
# the blank from $s-2$ to $s$, the skip allowed only onto a label that
# differs from the one two back ($l'_s \ne -$ and $l'_s \ne l'_{s-2}$):
# between two equal labels the blank is compulsory. The forward variable
# $\alpha_t(s)$, the total probability of the walks over frames $1..t$ that
# end on $s$, obeys
#
# $$\alpha_1(1) = y_1(-),\quad \alpha_1(2) = y_1(l_1),\qquad
# \alpha_t(s) = y_t(l'_s)\big[\alpha_{t-1}(s) + \alpha_{t-1}(s-1) + [\text{skip ok}]\,\alpha_{t-1}(s-2)\big],$$
#
# $$p(l \mid x) = \alpha_T(S') + \alpha_T(S'-1),$$
#
# $O(T S')$ work instead of $C^T$ (the code and the figures count $t$ and
# $s$ from 0). `kernels/ctc/reference.py` runs it on logarithms (sums become
# log-sum-exp), since the products underflow after a few hundred frames.
# The labelling "abb" over $T = 8$ random frames:

# %%
rng = np.random.default_rng(0)
T, label = 8, [1, 2, 2]
logits = rng.standard_normal((T, 1, 3))  # [T, N=1, C=3]
log_probs = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)  # log-softmax over the classes
ext = extended_labels(np.array(label), BLANK)  # l' = - a - b - b -
skip = can_skip(ext)
y = log_probs[:, 0, ext]  # [T, S'] log y_t(l'_s)
alpha, beta = log_alpha(y, skip), log_beta(y, skip)  # [T, S'] each
log_p = np.logaddexp(alpha[-1, -1], alpha[-1, -2])

brute = sum(np.exp(log_probs[np.arange(T), 0, path].sum()) for path in alignments(label, T))
brute_error = abs(np.log(brute) - log_p)
loss_error = abs(float(nn.ctc_loss(minidl.tensor(log_probs), [label], [T], [3], reduction="sum").item()) + log_p)
# beta mirrors alpha; both hold y_t(l'_s), so at every t: sum_s alpha_t(s) beta_t(s) / y_t(l'_s) = p(l|x)
identity_error = np.abs(np.logaddexp.reduce(alpha + beta - y, axis=1) - log_p).max()
print(f"{len(alignments(label, T))} alignments of 'abb' in {T} frames; p(l|x) = {np.exp(log_p):.6e}")
print(f"brute force vs alpha: {brute_error:.1e}; nn.ctc_loss vs alpha: {loss_error:.1e}; "
      f"alpha-beta identity at every t: {identity_error:.1e}")


def lattice(ax, values, colour_label, title):
    """values [T, S'] on the lattice (time across, l' down) with the moves that lie on a complete path."""
    on_path = np.isfinite(alpha + beta)  # [T, S']: some alignment passes through (t, s)
    image = ax.imshow(np.where(on_path, values, np.nan).T, aspect="auto", cmap="viridis")
    for t, s, step in itertools.product(range(T - 1), range(len(ext)), (0, 1, 2)):
        if s + step < len(ext) and on_path[t, s] and on_path[t + 1, s + step] and (step < 2 or skip[s + step]):
            ax.annotate("", xy=(t + 1, s + step), xytext=(t, s),
                        arrowprops={"arrowstyle": "->", "color": "0.85" if step < 2 else "tab:orange", "lw": 0.8})
    ax.set(yticks=range(len(ext)), yticklabels=[f"{s}: {names[k]}" for s, k in enumerate(ext)],
           xlabel="frame t", ylabel="s: l'_s", title=title)
    ax.figure.colorbar(image, ax=ax, label=colour_label)


fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
lattice(ax, alpha, "log alpha_t(s)", "alpha lattice of 'abb' (orange: skips over a blank; none between b and b)")
save(fig, "09_alpha_lattice")

# %% [markdown]
# ## The gradient is posterior occupancy
#
# $\alpha_t(s)\beta_t(s)/y_t(l'_s)$ is the probability of all alignments that
# pass through $s$ at frame $t$, so
#
# $$\gamma_t(s) = \frac{\alpha_t(s)\,\beta_t(s)}{y_t(l'_s)\; p(l \mid x)}$$
#
# is the posterior probability that frame $t$ sits on $s$ (each frame sits
# somewhere: $\sum_s \gamma_t(s) = 1$). $p(l \mid x)$ is a sum of products of
# $y$'s, and $\partial \prod / \partial \log y = \prod$, so with
# $L = -\log p(l \mid x)$
#
# $$\frac{\partial L}{\partial \log y_t(k)} = -\sum_{s:\, l'_s = k} \gamma_t(s),
# \qquad \frac{\partial L}{\partial u_t(k)} = y_t(k) - \sum_{s:\, l'_s = k} \gamma_t(s)$$
#
# through a log-softmax of the logits $u_t$: the prediction minus a soft
# target, as for cross-entropy, the target being where the alignments think
# frame $t$ is. We check it three ways, in float64: against minidl's
# autograd, against finite differences, and against PyTorch's `ctc_loss`.

# %%
gamma = np.exp(alpha + beta - y - log_p)  # [T, S'] occupancy of s at t
occupancy_sum_error = np.abs(gamma.sum(axis=1) - 1).max()
from_gamma = np.exp(log_probs[:, 0]) + occupancy_gradient(alpha, beta, y, log_p, ext, 3)  # [T, C] dL/du


def ctc_of_logits(u, targets=(label,), frames=(T,), target_lengths=(3,)):
    return nn.ctc_loss(u.log_softmax(axis=2), list(targets), list(frames), list(target_lengths), reduction="sum")


u = minidl.tensor(logits, requires_grad=True)
ctc_of_logits(u).backward()
autograd_error = np.abs(u.grad[:, 0] - from_gamma).max()
check = minidl.gradcheck(ctc_of_logits, logits)
print(f"occupancy sums to 1 within {occupancy_sum_error:.1e}; gamma vs autograd {autograd_error:.1e}; "
      f"finite differences: worst relative error {check.worst().max_rel_error:.1e}")

# PyTorch on a batch of sequences of different lengths
batch_logits = rng.standard_normal((12, 4, 5))  # [T, N, C]
frames, target_lengths = [12, 9, 7, 12], [4, 1, 3, 2]
targets = [list(rng.integers(1, 5, size=n)) + [1] * (4 - n) for n in target_lengths]  # padded to S = 4
u = minidl.tensor(batch_logits, requires_grad=True)
ctc_of_logits(u, targets, frames, target_lengths).backward()
try:
    import torch
except ImportError:  # the comparison needs the test extras; the chapter runs without them
    torch_error = None
else:
    tu = torch.tensor(batch_logits, requires_grad=True)
    torch.nn.functional.ctc_loss(tu.log_softmax(2), torch.tensor(targets), torch.tensor(frames),
                                 torch.tensor(target_lengths), reduction="sum").backward()
    torch_error = float(np.abs(u.grad - tu.grad.numpy()).max())
    print(f"gradient vs PyTorch over a batch of 4: max abs difference {torch_error:.1e}")

fig, (occ_ax, grad_ax) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
lattice(occ_ax, gamma, "gamma_t(s)", "occupancy gamma_t(s): where the alignments are")
image = grad_ax.imshow(from_gamma.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
grad_ax.set(yticks=range(3), yticklabels=[names[k] for k in range(3)], xlabel="frame t", ylabel="class k",
            title="dL/du_t(k) = y_t(k) - occupancy of k")
fig.colorbar(image, ax=grad_ax)
save(fig, "09_occupancy")

# %% [markdown]
# ## Decoding: greedy against beam
#
# The transcript we want is $l^* = \arg\max_l p(l \mid x)$, a sum over
# alignments. **Greedy** (best-path) decoding takes the most probable class
# of each frame and collapses it: it finds the best *alignment*, not the best
# labelling. When many weaker alignments share a labelling they can outweigh
# one strong path. Three frames, each with $y_t(-) = 0.6$, $y_t(\text{a}) = 0.4$:

# %%
two_class = np.log(np.tile([0.6, 0.4], (3, 1)))[:, None, :]  # [T=3, N=1, C=2]
exact = {}
for path in itertools.product(range(2), repeat=3):  # all 8 paths, grouped by labelling
    spelled = "".join(names[k] for k in collapse(path, BLANK)) or "(empty)"
    exact[spelled] = exact.get(spelled, 0.0) + float(np.exp(two_class[np.arange(3), 0, path].sum()))
greedy = greedy_decode(two_class, [3])[0]
beam, beam_score = beam_search(two_class, [3], beam_width=4, return_scores=True)
example = {"exact": exact, "greedy": "".join(names[k] for k in greedy), "beam": "".join(names[k] for k in beam[0]),
           "best_path_probability": 0.6 ** 3, "beam_probability": float(np.exp(beam_score[0]))}
print(example)

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.bar(list(exact), list(exact.values()), color=["tab:blue" if k == example["beam"] else "0.7" for k in exact])
ax.axhline(example["best_path_probability"], color="tab:red", linestyle="--", label="best path '- - -' (greedy)")
ax.set(ylabel="p(l | x)", title=f"every labelling of 3 frames: greedy says {example['greedy'] or '(empty)'}, "
                                    f"beam says {example['beam']!r}")
ax.legend()
save(fig, "09_greedy_vs_beam")

# %% [markdown]
# **The prefix beam search** grows labellings (prefixes) frame by frame and
# keeps, for each, the total probability of its alignments so far, split in
# two: $p_b$ (those ending in a blank) and $p_{nb}$ (ending in the prefix's
# last label $e$). The split matters because a repeat of $e$ extends the
# prefix only after a blank. At each frame:
#
# $$p_b(\ell) \mathrel{+}= (p_b + p_{nb})\,y_t(-), \qquad p_{nb}(\ell) \mathrel{+}= p_{nb}\,y_t(e),$$
# $$p_{nb}(\ell k) \mathrel{+}= (p_b + p_{nb})\,y_t(k) \;\; (k \ne e), \qquad p_{nb}(\ell e) \mathrel{+}= p_b\,y_t(e),$$
#
# and only the `beam_width` prefixes of highest $p_b + p_{nb}$ survive. With
# no pruning it is exact. On random frames, against the brute-force best
# labelling (every path collapsed and summed):

# %%
def best_labelling(lp):
    """argmax_l p(l|x) by brute force over every path of lp [T, C]."""
    totals = {}
    for path in itertools.product(range(lp.shape[1]), repeat=len(lp)):
        key = tuple(collapse(path, BLANK))
        totals[key] = np.logaddexp(totals.get(key, -np.inf), lp[np.arange(len(lp)), path].sum())
    return list(max(totals, key=totals.get))


trials = 10 if QUICK else 40
greedy_hits = beam_hits = 0
for trial in range(trials):
    scores = 2.0 * np.random.default_rng(100 + trial).standard_normal((6, 1, 4))  # [T=6, N=1, C=4], peaked
    lp = scores - np.logaddexp.reduce(scores, axis=2, keepdims=True)
    truth = best_labelling(lp[:, 0])
    greedy_hits += greedy_decode(lp, [6])[0] == truth
    beam_hits += beam_search(lp, [6], beam_width=8)[0] == truth
print(f"best labelling found in {trials} random cases: greedy {greedy_hits}, beam (width 8) {beam_hits}")

# %% [markdown]
# ## Training a recognizer on the synthetic vowels
#
# `minidl.recognizers` builds the model of `minidl train --task transcribe`:
# a bidirectional LSTM over the MFCC frames (with deltas, standardized with
# training statistics only) and a linear layer per frame to the seven vowels
# plus the blank, log-softmaxed, in CTC's layout [T, B, C]. `ctc_batch_loss`
# is `nn.ctc_loss` over a padded batch with `lengths`; `TOKEN_ERRORS`, the
# token error rate (edits over reference tokens) of greedy decoding, is
# what `fit` reports per epoch. The test speakers are never heard in training.

# %%
features = extract_features(data, config, progress=False)
kept, held = stratified_split(data.labels[train_all], 0.1, seed=0)
train, val = train_all[kept], train_all[held]
features = Standardizer().fit([features[i] for i in train]).transform(features)
targets = pad_transcripts([data.token_ids(k) for k in range(len(data))])  # [N, S_max], blank-padded


def loader(positions, shuffle=False):
    return BatchLoader([features[i] for i in positions], targets[positions], batch_size=32, shuffle=shuffle, seed=0)


minidl.manual_seed(0)
hidden, layers, epochs, lr = (32, 1, 30, 1e-2) if QUICK else (64, 2, 12, 5e-3)  # full: converged by epoch 8
model = build_recognizer("lstm", config.n_features, len(data.tokens), hidden_size=hidden, num_layers=layers)
history = fit(model, loader(train, shuffle=True), ctc_batch_loss, optim.Adam(model.parameters(), lr=lr),
              epochs=epochs, val_loader=loader(val), clip_norm=5.0, progress=False, forward=ctc_forward(model),
              metric=TOKEN_ERRORS)
train_seconds = sum(history.column("seconds"))
print(f"{epochs} epochs in {train_seconds:.0f} s; last validation token error rate "
      f"{history.rows[-1]['val_token_error_rate']:.3f}")
save(training_curves(history), "09_curves")

log_posteriors = frame_log_probs(model, loader(test))  # [T_i, C] per test utterance
truth = [data.token_ids(k) for k in test]
decoded = {width: [decode_utterance(lp, beam_width=width)[0] for lp in log_posteriors] for width in (1, 8)}
test_ter = {width: token_error_rate(truth, hyp) for width, hyp in decoded.items()}
sequence_accuracy = float(np.mean([d == t for d, t in zip(decoded[8], truth)]))
best = np.concatenate([lp.argmax(axis=1) for lp in log_posteriors])
blank_share = float(np.mean(best == BLANK))
print(f"test (held-out speakers): token error rate {test_ter[8]:.3f} with beam 8, {test_ter[1]:.3f} greedy; "
      f"sequence accuracy {sequence_accuracy:.3f}; the blank wins {blank_share:.0%} of the frames")

# %% [markdown]
# ## The spikes
#
# A CTC net learns to say "blank" almost everywhere and to fire each token
# for a few frames, inside the vowel: the loss only asks that *some*
# alignment spell the transcript, and a blank-heavy one is the cheapest to
# keep likely. Between two equal vowels the blank is what separates them.

# %%
j = next((j for j, t in enumerate(truth) if len(t) >= 3), 0)  # a test utterance of 3 tokens or more
k = int(test[j])
save(alignment_figure(spectrogram_db(data.clips[k], data.sr, config), np.exp(log_posteriors[j]),
                      ["blank", *data.tokens], decoded=" ".join(data.tokens[i] for i in decoded[8][j]),
                      truth=" ".join(data.transcripts[k]), hop_seconds=hop / data.sr,
                      title=f"held-out speaker {data.speakers[k]}"), "09_alignment")

chapter.record(possible_transcripts=possible, unseen_test_transcripts=unseen, alignment_counts=alignment_counts,
       no_blank_paths_for_aa=len(no_blank), brute_force_vs_alpha=float(brute_error), ctc_loss_vs_alpha=loss_error,
       alpha_beta_identity=float(identity_error), occupancy_sum_error=float(occupancy_sum_error),
       occupancy_vs_autograd=float(autograd_error), gradcheck_passed=bool(check),
       gradcheck_worst=float(check.worst().max_rel_error), gradient_vs_torch=torch_error,
       greedy_vs_beam=example, random_trials=trials, greedy_finds_best=int(greedy_hits),
       beam_finds_best=int(beam_hits), epochs=epochs, train_seconds=train_seconds,
       test_token_error_rate=test_ter[8], test_token_error_rate_greedy=test_ter[1],
       test_sequence_accuracy=sequence_accuracy, blank_frame_share=blank_share)

# %% [markdown]
# ## Summary
#
# A transcript names tokens in order but not where they are. CTC sums over
# every alignment that collapses to it, with the blank as "nothing new" and
# the separator of repeats; the alpha recursion on $l'$ does the sum in
# $O(TS')$, and alpha with beta gives the gradient as occupancy: prediction
# minus where the alignments sit. Greedy decoding finds the best path, the
# prefix beam search (nearly) the best labelling. Trained this way, a small
# BiLSTM transcribes unheard speakers, firing one spike per vowel.
#
# ## Exercises
# 1. Count the alignments of a labelling of $S$ distinct tokens in $T$ frames with `alignments`; guess the formula, then check it for a labelling with repeats.
# 2. Remove the skip condition $l'_s \ne l'_{s-2}$ from `can_skip` (in a copy). Which check above fails, and by how much?
# 3. Write the alpha recursion on probabilities (products and sums instead of sums and log-sum-exp) and run it for $T = 2000$ random frames. At which frame does it underflow to 0?
# 4. In the three-frame example, write $p(\text{a})$ as a function of $y_t(-)$. From which $y_t(-)$ on is greedy wrong?
# 5. Train with a unidirectional LSTM (`build_recognizer(..., bidirectional=False)`). Where do the spikes move, and why?
# 6. `minidl train --task transcribe --data digits:../shared/data/fsdd` runs the same recipe on connected spoken digits.

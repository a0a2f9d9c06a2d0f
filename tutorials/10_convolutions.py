# %% [markdown]
# # Chapter 10 — Convolutions over time
#
# **Learning goals.**
# 1. Write a 1-D convolution as the sum it is, and check it against `nn.Conv1d` and NumPy's `np.correlate`.
# 2. Derive its backward: the input gradient is a full convolution with the kernel (a transposed convolution), the weight gradient a correlation of the input with the output gradient; check both against autograd and finite differences.
# 3. Compute the receptive field of a stack, $1 + \sum_i (K_i - 1) d_i$, measure it from gradients, and see dilation grow it exponentially with depth.
# 4. Train a CRNN and an LSTM of about the same size on the same clips and compare accuracy, epochs and time.
# 5. Read the filters the first convolution learned, as images and as frequency responses.
#
# A recurrent net reads a clip one frame at a time and carries what it needs
# in its state. A convolution reads a short window of frames with one set of
# weights slid along the whole clip: every frame is treated alike, all at
# once, and what one layer cannot see, the next (or a recurrent layer on
# top) combines. You have met one: the deltas of chapter 3 are a convolution
# over time with a fixed kernel. Here the kernels are learned.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minidl
from audio.datasets import FeatureConfig, Standardizer, extract_features, synthetic_vowels
from audio.delta import delta
from kernels.conv.reference import conv1d_forward
from minidl import nn, optim
from minidl.classifiers import build_classifier
from minidl.conv_classifiers import POOL, TCNClassifier
from minidl.data import BatchLoader, stratified_split
from minidl.training import fit, run_epoch
from tutorial_support import QUICK, Chapter, save

chapter = Chapter("10_convolutions")
minidl.manual_seed(0)  # the layers' initial weights
rng = np.random.default_rng(0)  # the data of the examples

# %% [markdown]
# ## The convolution is a sum
#
# A layer with $C_{in}$ input channels, $C_{out}$ output channels and a
# kernel of $K$ taps holds weights $w[o, c, k]$ and biases $b[o]$. With
# dilation $d$ (taps $d$ frames apart; $d = 1$ is the ordinary case), output
# channel $o$ at frame $t$ is
#
# $$y[o, t] = b[o] + \sum_{c=0}^{C_{in}-1} \sum_{k=0}^{K-1} w[o, c, k]\, x[c, t + k d],
# \qquad t = 0, \dots, L - d(K-1) - 1.$$
#
# Each output is a dot product of the kernel with a window of the input.
# Strictly this is a *cross-correlation*: signal processing's convolution
# flips the kernel, $x[t - k]$. Deep-learning libraries (PyTorch, minidl) do
# not flip; the kernel is learned, so it only changes which end is tap 0.
# Below, the sum is written out with four loops and compared, in float64,
# with `nn.conv1d` (by default chapter 8's Numba kernels, `kernels/conv/cpu.py`)
# and with `kernels/conv/reference.py`, which loops over taps only.

# %%
def conv_by_hand(x, w, b, dilation=1):
    """y[o, t] = b[o] + sum_c sum_k w[o, c, k] x[c, t + k d], every term written out. x [C_in, L] -> [C_out, L_out]"""
    C_out, C_in, K = w.shape
    L_out = x.shape[1] - dilation * (K - 1)  # the last window must fit inside the input
    y = np.zeros((C_out, L_out))
    for o in range(C_out):
        for t in range(L_out):
            total = b[o]
            for c in range(C_in):
                for k in range(K):
                    total += w[o, c, k] * x[c, t + k * dilation]
            y[o, t] = total
    return y


C_in, C_out, K, L = 3, 2, 4, 12
x = rng.standard_normal((1, C_in, L))  # [N=1, C_in, L]
layer = nn.Conv1d(C_in, C_out, K, dtype=np.float64)
w, b = layer.weight.data, layer.bias.data  # [C_out, C_in, K], [C_out]
hand_error = max(np.abs(conv_by_hand(x[0], w, b, dilation=d) - other[0]).max() for d in (1, 2)
                 for other in (nn.conv1d(minidl.tensor(x), layer.weight, layer.bias, dilation=d).numpy(),
                               conv1d_forward(x, w, b, 1, (0, 0), d, 1)))  # stride 1, no padding, one group

# one channel, no bias: NumPy's correlate is the same sum; its convolve flips the kernel first
x0, w0 = x[0, 0], w[0, 0]
by_hand = conv_by_hand(x0[None], w0[None, None], [0.0])[0]
correlate_error = np.abs(np.correlate(x0, w0, "valid") - by_hand).max()
flipped_error = np.abs(np.convolve(x0, w0[::-1], "valid") - by_hand).max()
unflipped_difference = np.abs(np.convolve(x0, w0, "valid") - by_hand).max()

# the delta of chapter 3 (width 9) is a correlation with the taps k / 60, k = -4..4, away from the edges
sequence = rng.standard_normal(40)
delta_error = np.abs(delta(sequence, width=9)[4:-4] - np.correlate(sequence, np.arange(-4, 5) / 60, "valid")).max()
chapter.record(hand_loop_vs_conv1d=float(hand_error), correlate_vs_hand=float(correlate_error),
               flipped_convolve_vs_hand=float(flipped_error), unflipped_convolve_difference=float(unflipped_difference),
               delta_as_correlation=float(delta_error))
chapter.say("""The four loops, `nn.conv1d` and the reference agree to {hand_loop_vs_conv1d:.0e} (dilation 1 and 2);
`np.correlate` computes the same sum ({correlate_vs_hand:.0e}), and `np.convolve` does too once the kernel
is flipped ({flipped_convolve_vs_hand:.0e}); without the flip it differs by up to {unflipped_convolve_difference:.2f}.
The delta features are a correlation with the taps $k/60$ away from the clip's edges ({delta_as_correlation:.0e}).""")

# %% [markdown]
# ## The backward is a convolution too
#
# Take one channel, no dilation, $y[t] = \sum_k w[k]\,x[t + k]$, and let
# $g[t] = \partial L / \partial y[t]$ arrive from above. Input frame $j$
# meets tap $k$ in output $t = j - k$, so
#
# $$\frac{\partial L}{\partial x[j]} = \sum_{k} w[k]\, g[j - k],
# \qquad \frac{\partial L}{\partial w[k]} = \sum_t g[t]\, x[t + k],
# \qquad \frac{\partial L}{\partial b} = \sum_t g[t].$$
#
# The first is a *full* convolution of $g$ with $w$ (every overlap: $g$ padded
# with $K - 1$ zeros each side; as a correlation, with the flipped kernel), $L$
# values. The second is a valid correlation of the input with $g$, which
# plays the kernel: $K$ values. With channels, each pair $(o, c)$ adds its
# own term, $\partial L / \partial x[c] = \sum_o g[o] * w[o, c]$, and
# $\partial L / \partial w[o, c]$ correlates $x[c]$ with $g[o]$. Against autograd:

# %%
xt = minidl.tensor(x, requires_grad=True)
y = layer(xt)  # [1, C_out, L_out]
g = rng.standard_normal(y.shape)  # any upstream gradient dL/dy
y.backward(g)
grad_x = np.array([sum(np.convolve(g[0, o], w[o, c], "full") for o in range(C_out)) for c in range(C_in)])
grad_w = np.array([[np.correlate(x[0, c], g[0, o], "valid") for c in range(C_in)] for o in range(C_out)])
input_grad_error = np.abs(grad_x - xt.grad[0]).max()
weight_grad_error = np.abs(grad_w - layer.weight.grad).max()
bias_grad_error = np.abs(g.sum(axis=(0, 2)) - layer.bias.grad).max()

# %% [markdown]
# **Why "transposed".** A convolution is linear in $x$: $y = W x$, with $W$
# ($L_{out} \times L$) the kernel shifted one frame further on each row, a
# banded (Toeplitz) matrix whose column $j$ is the response to an impulse at
# frame $j$. The backward of $y = Wx$ is $W^\top g$: the input gradient is the
# *transposed convolution*. With stride $s$ the rows of $W$ step $s$ frames,
# and $W^\top g$ puts each $g[t]$ back at frame $ts$: it inserts $s - 1$ zeros
# between the values of $g$, then convolves in full. Decoders use it to *upsample*.

# %%
def conv_matrix(kernel, length, stride=1):
    """W [L_out, length] with W @ x = conv1d(x, kernel, stride): column j is the response to an impulse at frame j."""
    impulses = minidl.tensor(np.eye(length)[:, None, :])  # [length, 1, length]: one impulse per batch entry
    return nn.conv1d(impulses, minidl.tensor(kernel[None, None]), stride=stride).numpy()[:, 0, :].T


W = conv_matrix(w0, L)
g0 = rng.standard_normal(len(W))
matrix_error = max(np.abs(W @ x0 - by_hand).max(), np.abs(W.T @ g0 - np.convolve(g0, w0, "full")).max())

W_strided = conv_matrix(w0, L, stride=2)
x1 = minidl.tensor(x0[None, None], requires_grad=True)
g1 = rng.standard_normal(len(W_strided))
nn.conv1d(x1, minidl.tensor(w0[None, None]), stride=2).backward(g1[None, None])
strided_error = np.abs(W_strided.T @ g1 - x1.grad[0, 0]).max()
check = minidl.gradcheck(lambda x, w, b: nn.conv1d(x, w, b, stride=2, padding=1, dilation=2), x, w, b)
chapter.record(input_grad_vs_autograd=float(input_grad_error), weight_grad_vs_autograd=float(weight_grad_error),
               bias_grad_vs_autograd=float(bias_grad_error), matrix_view_error=float(matrix_error),
               strided_transposed_vs_autograd=float(strided_error), gradcheck_passed=bool(check),
               gradcheck_worst=float(check.worst().max_rel_error))

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
for ax, matrix, title in zip(axes, (W, W.T, W_strided.T),
                             ("W: y = W x (K = 4, stride 1)", "W^T: dL/dx = W^T g", "W^T with stride 2: upsamples g")):
    limit = np.abs(matrix).max()
    ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=title, xlabel="column", ylabel="row", xticks=range(0, matrix.shape[1], 2))
save(fig, "10_conv_matrix")

# %%
chapter.say("""**What the figure shows.** The convolution as a matrix, the kernel along a diagonal band; its
transpose, the same kernel read the other way (the flip), is the backward. The gradients by hand agree with
autograd to {input_grad_vs_autograd:.0e} (input) and {weight_grad_vs_autograd:.0e} (weight), the matrix view to
{matrix_view_error:.0e}, and with stride 2, $W^\\top g$ to {strided_transposed_vs_autograd:.0e}.
Finite differences through stride, padding and dilation at once: worst relative error {gradcheck_worst:.0e}.""")

# %% [markdown]
# ## Receptive fields and dilation
#
# An output frame of one layer sees $d(K - 1) + 1$ input frames: its
# **receptive field**. Each tap of a second layer sees a window of the first,
# $d_2$ frames further per tap: the field grows by $(K_2 - 1)d_2$. After $n$ layers
#
# $$r = 1 + \sum_{i=1}^{n} (K_i - 1)\, d_i \, J_i, \qquad J_i = \prod_{j < i} s_j,$$
#
# where the jump $J_i$, the product of the strides (pooling included) below
# layer $i$, is how many input frames one step of layer $i$'s input spans.
# With $K = 3$ and no dilation the field grows by 2 frames a layer: 50 layers
# to see a second of 10 ms frames. Doubling the dilation at every layer
# ($d = 1, 2, 4, 8, \dots$) doubles the field instead, $r = 2^{n+1} - 1$,
# skipping no frame inside it. We measure fields with the gradient: the input
# frames that reach one output frame's gradient are those it depends on.

# %%
def receptive_field(layers):
    """1 + sum_i (K_i - 1) d_i J_i for layers [(K, d, s), ...] from the input up."""
    field, jump = 1, 1
    for K, d, s in layers:
        field += (K - 1) * d * jump
        jump *= s  # a step of the next layer's input is s steps of this one's
    return field


def gradient_reach(stack, channels=2, length=96, frame=48):
    """|dy[:, frame] / dx| summed over channels: how much each input frame moves output frame ``frame``. [length]"""
    xs = minidl.tensor(rng.standard_normal((1, channels, length)), requires_grad=True)
    h = stack(xs)
    seed = np.zeros(h.shape)
    seed[0, :, frame] = 1.0
    h.backward(seed)
    return np.abs(xs.grad[0]).sum(axis=0)


def span(reach):
    touched = np.flatnonzero(reach)  # the input frames the gradient reaches
    return int(touched[-1] - touched[0] + 1)


dilations = (1, 2, 4, 8)
stacks = {"no dilation": [nn.Conv1d(2, 2, 3, padding="same", dtype=np.float64) for _ in dilations],
          "dilated": [nn.Conv1d(2, 2, 3, padding="same", dilation=d, dtype=np.float64) for d in dilations],
          "causal": [nn.CausalConv1d(2, 2, 3, dilation=d, dtype=np.float64) for d in dilations]}
reach, fields = {}, {}
for name, convs in stacks.items():
    steps = [1] * 4 if name == "no dilation" else dilations
    reach[name] = [gradient_reach(nn.Sequential(*convs[:n])) for n in range(1, 5)]  # depth 1 .. 4
    fields[name] = {"measured": [span(r) for r in reach[name]], "touched": [int((r > 0).sum()) for r in reach[name]],
                    "formula": [receptive_field([(3, d, 1) for d in steps[:n]]) for n in range(1, 5)]}

fig, axes = plt.subplots(3, 1, figsize=(9, 6.5), sharex=True, layout="constrained")
for ax, (name, rows) in zip(axes, reach.items()):
    shown = np.array([np.where(r > 0, np.log10(np.maximum(r, 1e-300) / r.max()), np.nan) for r in rows])
    image = ax.imshow(shown, aspect="auto", cmap="viridis", vmin=-4, vmax=0, extent=(-48.5, 47.5, 4.5, 0.5))
    title = name if name == "no dilation" else f"{name} 1, 2, 4, 8"
    ax.set(yticks=range(1, 5), ylabel="layers", xlim=(-35, 35), title=f"{title}: fields of {fields[name]['measured']}")
fig.colorbar(image, ax=axes, label="log10 |dy_t / dx| (relative)")
axes[-1].set(xlabel="input frame relative to the output frame t")
save(fig, "10_receptive_fields")

# %% [markdown]
# The formula reads the models of `minidl.conv_classifiers`: a TCN block holds
# two causal convolutions of dilation $2^k$; the CRNN's front end, two of $K = 5$,
# each followed by a max pool of 2, stride 2. The gradient checks the TCN too.

# %%
tcn = TCNClassifier(13, 8, 6, receptive_field=250).double()
tcn_layers = [(3, 2 ** k, 1) for k in range(len(tcn.blocks)) for _ in range(2)]
tcn_reach = gradient_reach(lambda xs: tcn.blocks(tcn.input(xs)), channels=13, length=300, frame=299)  # the last frame
crnn_layers = [(5, 1, 1), (POOL["kernel_size"], 1, POOL["stride"])] * 2  # conv, pool, conv, pool
chapter.record(receptive_fields=fields, tcn_blocks=len(tcn.blocks), tcn_field_model=tcn.receptive_field,
               tcn_field_formula=receptive_field(tcn_layers), tcn_field_measured=span(tcn_reach),
               crnn_front_field=receptive_field(crnn_layers))
chapter.say("""**What the figure shows.** Each row is one output frame's dependence on the input after 1 to 4
layers of $K = 3$: without dilation the field grows by 2 frames a layer ({receptive_fields[no dilation][measured]}),
with dilations 1, 2, 4, 8 it doubles ({receptive_fields[dilated][measured]}, every frame inside reached:
{receptive_fields[dilated][touched]}), and the causal stack sees as many frames, all in the past. The measured fields
equal the formula's {receptive_fields[dilated][formula]}. The TCN stacks {tcn_blocks} blocks to see
{tcn_field_formula} frames (the model says {tcn_field_model}, the gradient reaches {tcn_field_measured}). The CRNN's
convolutions see only {crnn_front_field} frames; its GRU reads the rest of the clip.""")

# %% [markdown]
# ## A CRNN against an LSTM on the same clips
#
# Chapter 7's clips (six orders of the vowels a, i, u; test speakers never
# heard in training) as 13 MFCCs per 10 ms frame, without deltas: a convolution
# learns its own filtering over time. `build_classifier` makes two models of
# about the same size: the CRNN (32 channels, two conv blocks that each halve
# time, a bidirectional GRU, the mean of its outputs) and an LSTM of 64 units
# that classifies from its last state. Same data, optimizer and epochs.

# %%
data = synthetic_vowels(n_clips=480 if QUICK else 2400, seed=0)
config = FeatureConfig(n_mfcc=13)
features = extract_features(data, config, progress=False)
train_all, test = data.indices("train"), data.indices("test")
kept, held = stratified_split(data.labels[train_all], 0.1, seed=0)
train, val = train_all[kept], train_all[held]
features = Standardizer().fit([features[i] for i in train]).transform(features)  # training statistics only


def loader(positions, shuffle=False):
    return BatchLoader([features[i] for i in positions], data.labels[positions], batch_size=32, shuffle=shuffle, seed=0)


epochs = 10 if QUICK else 15
results, histories, models = {}, {}, {}
for kind, hidden in (("crnn", 32), ("lstm", 64)):
    minidl.manual_seed(0)
    models[kind] = build_classifier(kind, config.n_features, data.num_classes, hidden_size=hidden)
    if kind == "crnn":
        initial_filters = models[kind].blocks[0].conv.weight.data.copy()  # [32, 13, 5], for the last section
    histories[kind] = fit(models[kind], loader(train, shuffle=True), nn.cross_entropy,
                          optim.Adam(models[kind].parameters(), lr=3e-3), epochs=epochs, val_loader=loader(val),
                          clip_norm=5.0, progress=False)
    val_accuracy = histories[kind].column("val_accuracy")
    reached = next((e for e, a in zip(histories[kind].column("epoch"), val_accuracy) if a >= 0.9), None)
    results[kind] = {"parameters": sum(p.size for p in models[kind].parameters()),
                     "test_accuracy": run_epoch(models[kind], loader(test), nn.cross_entropy)[1],
                     "seconds_per_epoch": float(np.median(histories[kind].column("seconds"))),  # median: JIT, load
                     "val_accuracy": val_accuracy, "epochs_to_90": reached,
                     "reached_90": f"at epoch {reached}" if reached else f"in none of the {epochs} epochs"}
chapter.record(epochs=epochs, chance=1 / data.num_classes, crnn=results["crnn"], lstm=results["lstm"])

fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
for kind, history in histories.items():
    label = f"{kind.upper()} ({results[kind]['parameters']:,} parameters)"
    by_epoch.plot(history.column("epoch"), history.column("val_accuracy"), "o-", label=label)
    by_time.plot(np.cumsum(history.column("seconds")), history.column("val_accuracy"), "o-", label=label)
for ax, xlabel in ((by_epoch, "epoch"), (by_time, "training seconds (cumulative)")):
    ax.axhline(1 / data.num_classes, color="0.5", linestyle=":", label="chance")
    ax.set(xlabel=xlabel, ylabel="validation accuracy", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend()
save(fig, "10_crnn_vs_lstm")

# %%
chapter.say("""**What the figure shows.** Validation accuracy by epoch (left) and by seconds spent (right).
After {epochs} epochs the CRNN ({crnn[parameters]:,} parameters) scores {crnn[test_accuracy]:.3f} on unheard
speakers, the LSTM ({lstm[parameters]:,}) {lstm[test_accuracy]:.3f}; chance is {chance:.3f}. Validation accuracy first
reached 0.9 for the CRNN {crnn[reached_90]}, for the LSTM {lstm[reached_90]}. An epoch (training and validation)
took {crnn[seconds_per_epoch]:.2f} s and {lstm[seconds_per_epoch]:.2f} s (medians; they vary with machine and load).""")

# %% [markdown]
# Why might the CRNN learn faster? Its convolutions hand the GRU a sequence
# about four times shorter, each frame a summary of a window of the clip:
# fewer steps to carry information across and for the gradient to come back.
# But this is no controlled experiment: the CRNN's GRU is also bidirectional,
# and averages its outputs where the LSTM keeps its last state (exercise 4).
#
# ## What the first layer learned
#
# The first convolution holds 32 filters, each a $13 \times 5$ patch (MFCC
# coefficient by tap). Along its taps a filter is a small FIR filter over
# time; its frequency response, summed over the 13 input channels, says which
# rates of change it passes, from 0 Hz (a constant) to half the frame rate
# (alternating frames). Random taps spread the power evenly: on average a
# quarter of it lies in the lowest quarter of the band.

# %%
trained_filters = models["crnn"].blocks[0].conv.weight.data  # [32, 13, 5]
frame_rate = data.sr / config.frame(data.sr)[1]  # frames per second
modulation = np.fft.rfftfreq(256, d=1 / frame_rate)  # Hz, 0 .. frame_rate / 2


def power_response(filters):
    """|DFT of the taps|^2 summed over input channels, each filter's normalized to sum 1. [filters, frequencies]"""
    power = (np.abs(np.fft.rfft(filters, n=256, axis=2)) ** 2).sum(axis=1)
    return power / power.sum(axis=1, keepdims=True)


responses = {"at initialization": power_response(initial_filters), "trained": power_response(trained_filters)}
low_share = {name: float(r[:, modulation < frame_rate / 8].sum(axis=1).mean()) for name, r in responses.items()}
delta_response = power_response(np.arange(-4, 5)[None, None] / 60)[0]

fig, axes = plt.subplots(2, 8, figsize=(12, 4.2), sharex=True, sharey=True, layout="constrained")
limit = np.abs(trained_filters[:16]).max()
for k, ax in enumerate(axes.flat):
    image = ax.imshow(trained_filters[k], aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=f"filter {k}", xticks=[0, 4], yticks=[0, 12])
fig.supxlabel("tap (frame)")
fig.supylabel("MFCC coefficient")
fig.colorbar(image, ax=axes, label="weight")
save(fig, "10_filters")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), layout="constrained")
for ax, (name, response) in zip(axes, responses.items()):
    order = np.argsort(response @ modulation)  # filters from low-pass to high-pass
    ax.imshow(response[order], aspect="auto", cmap="magma", extent=(0, frame_rate / 2, len(order) - 0.5, -0.5))
    ax.set(title=f"{name}: power by filter", xlabel="modulation frequency (Hz)", ylabel="filter (sorted)")
    axes[2].plot(modulation, response.mean(axis=0), label=f"{name} (mean)")
axes[2].plot(modulation, delta_response, "--", color="0.4", label="delta (chapter 3)")
axes[2].set(xlabel="modulation frequency (Hz)", ylabel="share of power", title="mean response")
axes[2].legend()
save(fig, "10_filter_responses")
change = low_share["trained"] - low_share["at initialization"]
chapter.record(low_frequency_share=low_share, low_cutoff_hz=frame_rate / 8,
               low_frequency_verdict="rose" if change > 0.02 else ("fell" if change < -0.02 else "hardly changed"),
               filter_change=float(np.linalg.norm(trained_filters - initial_filters) / np.linalg.norm(initial_filters)))

# %%
chapter.say("""**What the figures show.** Sixteen of the trained filters, then the power response of all 32
before and after training, sorted from low- to high-pass. Training moved the filters by {filter_change:.2f} of
their initial norm. The share of power below {low_cutoff_hz:g} Hz {low_frequency_verdict}:
{low_frequency_share[at initialization]:.2f} at initialization, {low_frequency_share[trained]:.2f} after training.
The delta kernel, for comparison, passes nothing at 0 Hz: it responds to change, not level.""")

# %% [markdown]
# ## Summary
#
# A 1-D convolution sums, over input channels and taps, a window sliding along
# time (unflipped: a correlation). Its backward is two more: the input gradient,
# a full convolution of the output gradient with the kernel ($W^\top g$, the
# transposed convolution, which upsamples when the forward strides), and the
# weight gradient, a correlation of the input with the output gradient. A stack
# sees $1 + \sum (K_i - 1) d_i J_i$ frames, exponential in depth when the dilation doubles per layer.
# On the same clips, a CRNN and an LSTM of equal size compare by epoch and by second, and learned filters read as FIR filters over time.
#
# ## Exercises
# 1. Extend `conv_by_hand` with a `stride` and check it against `nn.Conv1d(..., stride=3)`. Then check that `W_strided.T @ g1` equals `np.convolve(u, w0)`, where `u` is `g1` with a zero between neighbouring values (pad the result with zeros to length `L`).
# 2. Show that a convolution with dilation $d$ equals an undilated one whose kernel has $d - 1$ zeros between its taps. How many multiplications does each spend?
# 3. Build the CRNN's front end (two `nn.Conv1d(..., 5, padding="same")`, each followed by `nn.AvgPool1d(**POOL)`) and measure its receptive field with `gradient_reach`; compare with `receptive_field(crnn_layers)`. Then use `nn.MaxPool1d(**POOL)`, as the CRNN does, and measure several output frames. Why does the gradient often reach fewer frames than the field?
# 4. Take the CRNN's head start apart: train the LSTM bidirectional (`build_classifier("lstm", ..., bidirectional=True)`), then the LSTM on chapter 7's features with deltas (`FeatureConfig(n_mfcc=13, deltas=2)`). Which closes more of the gap?
# 5. Train `build_classifier("cnn", ...)` (three blocks, a receptive field of 13 frames, then the mean over time). Can it tell "a-i-u" from "u-i-a"? Predict first: what can a 13-frame window see that an average of frames cannot?
# 6. How many blocks does a TCN with $K = 5$ need to see a 2-second clip at a 10 ms hop? Check with `minidl.conv_classifiers.tcn_depth`.

# %% [markdown]
# # Worked answers — Chapter 10, Convolutions over time
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import minidl
from audio.datasets import FeatureConfig, Standardizer, extract_features, synthetic_vowels
from minidl import nn, optim
from minidl.classifiers import build_classifier
from minidl.conv_classifiers import POOL, tcn_depth
from minidl.data import BatchLoader
from minidl.training import fit, run_epoch

minidl.manual_seed(0)  # the layers' initial weights
rng = np.random.default_rng(0)  # the data of the examples

# %% [markdown]
# ## Exercise 1: stride, and the transposed convolution that upsamples
#
# With stride $s$, output $t$ starts its window at input frame $ts$:
# $y[o, t] = b[o] + \sum_c \sum_k w[o, c, k]\, x[c, ts + kd]$, and there are
# $\lfloor (L - d(K-1) - 1)/s \rfloor + 1$ outputs. Its input gradient puts
# each $g[t]$ back at frame $ts$: $g$ with $s - 1$ zeros between its values,
# convolved in full with the kernel, and zeros for the frames at the end
# that no window reached.

# %%
def conv_by_hand(x, w, b, stride=1, dilation=1):
    """y[o, t] = b[o] + sum_c sum_k w[o, c, k] x[c, t s + k d]. x [C_in, L] -> [C_out, L_out]"""
    C_out, C_in, K = w.shape
    L_out = (x.shape[1] - dilation * (K - 1) - 1) // stride + 1
    y = np.zeros((C_out, L_out))
    for o in range(C_out):
        for t in range(L_out):
            y[o, t] = b[o] + sum(w[o, c, k] * x[c, t * stride + k * dilation] for c in range(C_in) for k in range(K))
    return y


x = rng.standard_normal((1, 3, 20))
layer = nn.Conv1d(3, 2, 4, stride=3, dtype=np.float64)
stride_error = np.abs(conv_by_hand(x[0], layer.weight.data, layer.bias.data, stride=3)
                      - layer(minidl.tensor(x)).numpy()[0]).max()

kernel, L, s = rng.standard_normal(4), 12, 2
x1 = minidl.tensor(rng.standard_normal((1, 1, L)), requires_grad=True)
y1 = nn.conv1d(x1, minidl.tensor(kernel[None, None]), stride=s)  # [1, 1, L_out]
g1 = rng.standard_normal(y1.shape[2])
y1.backward(g1[None, None])
upsampled = np.zeros(s * (len(g1) - 1) + 1)
upsampled[::s] = g1  # s - 1 zeros between neighbours
transposed = np.convolve(upsampled, kernel, "full")
transposed = np.pad(transposed, (0, L - len(transposed)))
upsampling_error = np.abs(transposed - x1.grad[0, 0]).max()
print(f"stride 3 by hand vs nn.Conv1d: {stride_error:.1e}; zero-stuffed full convolution vs autograd: "
      f"{upsampling_error:.1e}")
assert stride_error < 1e-12 and upsampling_error < 1e-12

# %% [markdown]
# ## Exercise 2: dilation is a kernel with holes
#
# Tap $k$ of a dilated kernel meets $x[t + kd]$, which is tap $kd$ of an
# undilated kernel of length $d(K-1) + 1$ that is zero everywhere else. Both
# give the same outputs; the dilated one spends $K$ multiplications per output
# and channel pair, the holey one $d(K-1) + 1$, of which all but $K$ are by zero.

# %%
K, d = 3, 4
w = rng.standard_normal((2, 3, K))
holey = np.zeros((2, 3, d * (K - 1) + 1))
holey[:, :, ::d] = w
x = minidl.tensor(rng.standard_normal((1, 3, 40)))
dilated = nn.conv1d(x, minidl.tensor(w), dilation=d).numpy()
with_holes = nn.conv1d(x, minidl.tensor(holey)).numpy()
print(f"dilation {d} vs holey kernel: {np.abs(dilated - with_holes).max():.1e}; multiplications per output "
      f"and channel pair: {K} vs {holey.shape[2]}")
assert np.abs(dilated - with_holes).max() < 1e-12

# %% [markdown]
# ## Exercise 3: the CRNN's front end, with average and with max pooling
#
# The formula gives $1 + 4 + 1 + 4 \cdot 2 + 1 \cdot 2 = 16$ frames. An
# average pool passes gradient to both frames of its window, so the gradient
# reaches the whole field. A max pool passes it only to the frame that won;
# which frames win depends on the input, so one output's gradient reaches the
# full 16 frames only when the winners sit at the edges. The receptive field
# is what *could* matter; a max pool's gradient shows what did, for this input.

# %%
def field_of(pool, frame, length=96):
    """Frames from first to last that output ``frame``'s gradient reaches, through conv-pool-conv-pool."""
    stack = nn.Sequential(nn.Conv1d(2, 2, 5, padding="same", dtype=np.float64), pool(**POOL),
                          nn.Conv1d(2, 2, 5, padding="same", dtype=np.float64), pool(**POOL))
    xs = minidl.tensor(rng.standard_normal((1, 2, length)), requires_grad=True)
    h = stack(xs)
    seed = np.zeros(h.shape)
    seed[0, :, frame] = 1.0
    h.backward(seed)
    touched = np.flatnonzero(np.abs(xs.grad[0]).sum(axis=0))
    return int(touched[-1] - touched[0] + 1)


frames = range(6, 18)
average = [field_of(nn.AvgPool1d, f) for f in frames]
maximum = [field_of(nn.MaxPool1d, f) for f in frames]
print(f"average pooling: {average}\nmax pooling:     {maximum}")
assert set(average) == {16} and max(maximum) <= 16 and min(maximum) < 16

# %% [markdown]
# ## Exercise 5: can a CNN with a 13-frame field tell the orders apart?
#
# Yes, partly. Three blocks of $K = 5$ see $1 + 3 \cdot 4 = 13$ frames, and
# the mean over time then forgets *where* each window was. But a window that
# straddles a vowel boundary sees the transition, "a into i" or "i into a",
# and the set of transitions in a clip tells the orders apart. The average of
# the frames keeps no order at all. A short run on chapter 7's clips:

# %%
data = synthetic_vowels(n_clips=480, seed=0)
config = FeatureConfig(n_mfcc=13)
features = extract_features(data, config, progress=False)
train, test = data.indices("train"), data.indices("test")
features = Standardizer().fit([features[i] for i in train]).transform(features)
accuracy = {}
for kind in ("cnn", "mean-mfcc-dense"):
    minidl.manual_seed(0)
    model = build_classifier(kind, config.n_features, data.num_classes, hidden_size=32)
    fit(model, BatchLoader([features[i] for i in train], data.labels[train], batch_size=32, shuffle=True, seed=0),
        nn.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), epochs=10, clip_norm=5.0, progress=False)
    accuracy[kind] = run_epoch(model, BatchLoader([features[i] for i in test], data.labels[test]), nn.cross_entropy)[1]
print(f"test accuracy after 10 epochs: {accuracy}; chance {1 / data.num_classes:.3f}")
assert accuracy["cnn"] > accuracy["mean-mfcc-dense"] + 0.1

# %% [markdown]
# ## Exercise 6: a TCN for two seconds
#
# Two seconds at a 10 ms hop is 200 frames. With $K = 5$, $n$ blocks of two
# convolutions each (dilations $1, 2, \dots, 2^{n-1}$) see
# $1 + 2 \cdot 4 \cdot (2^n - 1)$ frames: 121 for $n = 4$, 249 for $n = 5$.

# %%
blocks = tcn_depth(200, 5)
fields = {n: 1 + 2 * 4 * (2 ** n - 1) for n in (blocks - 1, blocks)}
print(f"tcn_depth(200, 5) = {blocks} blocks; fields: {fields}")
assert blocks == 5 and fields[blocks] >= 200 > fields[blocks - 1]

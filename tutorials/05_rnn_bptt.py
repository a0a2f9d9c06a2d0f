# %% [markdown]
# # Chapter 5 — Recurrent nets and backpropagation through time
#
# **Learning goals.**
# 1. Write the RNN of the seed document and run it one step at a time.
# 2. Derive backpropagation through time (BPTT) by hand.
# 3. Implement BPTT with `step_forward` / `step_backward` and check it against the layer, the autograd twin and finite differences.
# 4. Understand truncated BPTT and check that it is exactly "chunks with the state detached".
#
# ## The equations
#
# The seed document writes the simple RNN as
#
# $$h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h), \qquad y_t = W_{hy} h_t + b_y.$$
#
# minidl follows PyTorch's names: $W_{xh}$ is `weight_ih`, $W_{hh}$ is
# `weight_hh`, and the bias is split into `bias_ih + bias_hh`.
#
# ## BPTT by hand
#
# Let $a_t = W_{hh} h_{t-1} + W_{xh} x_t + b$ and $h_t = \tanh a_t$. The loss
# depends on $h_t$ directly (through $y_t$) and through $h_{t+1}$, so the
# gradient flowing into $h_t$ is
#
# $$\delta_t = \frac{\partial L}{\partial h_t} = \underbrace{g_t}_{\text{from } y_t} + W_{hh}^\top\big(\delta_{t+1} \odot (1 - h_{t+1}^2)\big),$$
#
# computed for $t = T, T-1, \dots, 1$. Each weight's gradient is a sum over
# time: $\partial L / \partial W_{hh} = \sum_t (\delta_t \odot (1-h_t^2))\, h_{t-1}^\top$.
# `step_backward` is exactly one term of this recursion.

# %%
import numpy as np
import matplotlib.pyplot as plt

import minidl
from minidl import nn
from minidl.nn.recurrent.checks import check_bptt
from tutorial_support import QUICK, Chapter, save

chapter = Chapter("05_rnn_bptt")

T, B, I, H = (12 if QUICK else 40), 3, 4, 5
rng = np.random.default_rng(0)
minidl.manual_seed(0)
cell = nn.RNNCell(I, H, dtype=np.float64)
xs = rng.standard_normal((T, B, I))
upstream = rng.standard_normal((T, B, H))  # g_t = dL/dh_t from the outputs: L = sum_t <g_t, h_t>

# forward: keep each step's cache
h = np.zeros((B, H))
caches = []
for t in range(T):
    (h,), cache = cell.step_forward(xs[t], (h,))
    caches.append(cache)

# backward: walk time in reverse, carrying delta = dL/dh_t
delta = np.zeros((B, H))
grads = {name: np.zeros_like(p.data) for name, p in cell.named_parameters()}
dxs = np.zeros_like(xs)
for t in reversed(range(T)):
    delta = delta + upstream[t]
    dxs[t], (delta,), step_grads = cell.step_backward((delta,), caches[t])
    for name in grads:
        grads[name] += step_grads[name]

# %% [markdown]
# ## Three checks
#
# **The layer.** `nn.RNN` is one autograd node whose backward is the same
# recursion over all layers and directions. Loading the cell's weights into a
# one-layer RNN must give the same gradients.

# %%
layer = nn.RNN(I, H, dtype=np.float64)
layer.load_state_dict({f"{name}_l0": p.data for name, p in cell.named_parameters()})
x_tensor = minidl.tensor(xs, requires_grad=True)
out, _ = layer(x_tensor)
(out * upstream).sum().backward()
layer_error = max(np.abs(grads[name] - getattr(layer, f"{name}_l0").grad).max() for name in grads)
layer_error = max(layer_error, np.abs(dxs - x_tensor.grad).max())
print(f"hand-written loop vs nn.RNN: max abs difference {layer_error:.1e}")
chapter.record(hand_loop_vs_layer=float(layer_error))

# %% [markdown]
# **The autograd twin and every time step.** `check_bptt` runs the layer's
# BPTT and a copy of the cell written with tensor operations only (so
# autograd differentiates it), and compares $\partial L / \partial x_t$ at every
# step. Since errors travel backwards, the *latest* wrong step is where to look.

# %%
lstm = nn.LSTM(I, H, num_layers=2, bidirectional=True, dtype=np.float64)
report = check_bptt(lstm, rng.standard_normal((T, B, I)), lengths=np.array([T, T // 2, 1]))
print(report)
fig, ax = plt.subplots(figsize=(7, 3))
ax.semilogy(np.maximum(report.step_errors, 1e-18), "o-")
ax.set(xlabel="time step t", ylabel="error of dL/dx_t", title="LSTM BPTT vs autograd twin, per step")
save(fig, "05_bptt_per_step")
chapter.record(lstm_bptt_passed=bool(report), worst_step_error=float(report.step_errors.max()))

# %%
chapter.say("""**What the figure shows.** At every time step the layer's hand-written BPTT and the
autograd twin agree on $\\partial L/\\partial x_t$ to at most {worst_step_error:.0e}: rounding error of float64.
A bug in one step's backward would show as a jump at that step and at every earlier one.""")

# %% [markdown]
# **Finite differences.** `minidl gradcheck all` (or the function behind it)
# perturbs every input, state and weight of the cells and of a two-layer
# bidirectional layer with a masked batch.

# %%
from minidl.nn.recurrent.checks import check_recurrent  # noqa: E402

rows = check_recurrent("rnn")
worst = max(rows, key=lambda r: r.max_rel_error)
print(f"{len(rows)} RNN gradients checked; worst: {worst.subject} {worst.name} {worst.max_rel_error:.1e}")

# %% [markdown]
# ## Truncated BPTT
#
# For long sequences we can stop the backward recursion every $k$ steps:
# run chunks of $k$ steps, carry the state forward, but *detach* it between
# chunks so no gradient crosses the boundary. `bptt_truncate=k` does this
# inside one layer call; it must equal the explicit chunked loop exactly.

# %%
k = 4
truncated = nn.RNN(I, H, dtype=np.float64, bptt_truncate=k)
truncated.load_state_dict(layer.state_dict())
x1 = minidl.tensor(xs, requires_grad=True)
out, _ = truncated(x1)
(out * upstream).sum().backward()

chunked = nn.RNN(I, H, dtype=np.float64)
chunked.load_state_dict(layer.state_dict())
x2 = minidl.tensor(xs, requires_grad=True)
state, loss = None, 0.0
for start in range(0, T, k):
    piece, state = chunked(x2[start:start + k], state)
    loss = loss + (piece * upstream[start:start + k]).sum()
    state = state.detach()  # no gradient crosses a chunk boundary
loss.backward()
truncation_error = max(np.abs(truncated.weight_hh_l0.grad - chunked.weight_hh_l0.grad).max(),
                       np.abs(x1.grad - x2.grad).max())
print(f"bptt_truncate={k} vs chunked loop: max difference {truncation_error:.1e}")

chapter.record(gradcheck_worst=worst.max_rel_error, truncated_vs_chunked=float(truncation_error))

# %% [markdown]
# ## Summary
#
# * BPTT is one recursion: the gradient into $h_t$ is what $y_t$ sends plus what $h_{t+1}$ sends
#   back through $W_{hh}^\top$ and the tanh's derivative; weight gradients sum over time.
# * `step_forward` / `step_backward` are one step of it; the layer runs the same loop.
# * Three independent checks agree: the layer, the autograd twin at every step, and finite differences.
# * Truncated BPTT is exactly the chunked loop with the state detached between chunks.

# %% [markdown]
# ## Exercises
# 1. Add the output layer $y_t = W_{hy} h_t + b_y$ with a squared loss and derive $g_t$.
# 2. Change one sign in the hand-written loop (e.g. `delta - upstream[t]`). Which check notices, and at which step?
# 3. With `bptt_truncate=1`, what is left of the recurrent weight's gradient?
# 4. Run `check_bptt` on a GRU with `lengths` containing 1. Why is that case worth testing?

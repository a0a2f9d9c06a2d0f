# %% [markdown]
# # Worked answers — Chapter 6, Vanishing and exploding gradients
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import minidl
from minidl import nn

# %% [markdown]
# ## Exercise 2: the cell path alone, at initialization
#
# Through $c_t = f_t \odot c_{t-1} + \dots$ the gradient is multiplied by $f_t \approx \sigma(b_f)$
# per step, so after $T - 1 = 29$ steps about $\sigma(b_f)^{29}$ is left. The chapter's measured
# shares differ from these: $\partial L/\partial h_t$ also travels through $h$ and through the
# gates (and starts at the output gate, $h_t = o_t \odot \tanh c_t$), and the random weights make
# $f_t$ scatter around $\sigma(b_f)$. The order of magnitude, and how fast it grows with the
# bias, is what the estimate gets right.

# %%
for bias in (0.0, 1.0, 3.0):
    forget = 1 / (1 + np.exp(-bias))
    print(f"b_f = {bias:.0f}: f = {forget:.3f}, f^29 = {forget ** 29:.1e}")

# %% [markdown]
# ## Exercise 4: truncated BPTT with $k = 20$ at $T = 100$
#
# With `bptt_truncate=20` no gradient crosses more than 20 steps. The first marked number is in
# the first half, at least 50 steps before the answer, so the loss at the last step cannot send
# any gradient to it: the model cannot learn to remember it. The gradient with respect to the
# inputs before step 80 is exactly zero:

# %%
T, k = 100, 20
minidl.manual_seed(0)
lstm = nn.LSTM(2, 8, bptt_truncate=k, dtype=np.float64)
x = minidl.tensor(np.random.default_rng(0).random((T, 4, 2)), requires_grad=True)
out, _ = lstm(x)
out[-1].sum().backward()
reach = np.abs(x.grad).sum(axis=(1, 2))  # [T]
print(f"steps with a nonzero gradient: {np.flatnonzero(reach).min()} .. {T - 1}; "
      f"largest gradient before step {T - k}: {reach[:T - k].max()}")

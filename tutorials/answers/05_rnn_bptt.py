# %% [markdown]
# # Worked answers — Chapter 5, Recurrent nets and BPTT
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import minidl
from minidl import nn

# %% [markdown]
# ## Exercise 3: what `bptt_truncate=1` leaves of the recurrent weight's gradient
#
# With chunks of one step, no gradient crosses a step boundary: $\delta_t = g_t$, the gradient from
# step $t$'s own output. What is left of $\partial L/\partial W_{hh}$ is the sum of the local terms,
#
# $$\frac{\partial L}{\partial W_{hh}} = \sum_t \big(g_t \odot (1 - h_t^2)\big)\, h_{t-1}^\top,$$
#
# with every $h_{t-1}$ still computed by the full forward pass. Checked against the layer:

# %%
T, B, I, H = 6, 2, 3, 4
rng = np.random.default_rng(0)
minidl.manual_seed(0)
layer = nn.RNN(I, H, dtype=np.float64, bptt_truncate=1)
xs, upstream = rng.standard_normal((T, B, I)), rng.standard_normal((T, B, H))
out, _ = layer(minidl.tensor(xs))
(out * upstream).sum().backward()

h = out.numpy()  # [T, B, H]
previous = np.concatenate([np.zeros((1, B, H)), h[:-1]])  # h_{t-1}, with h_{-1} = 0
local = np.einsum("tbh,tbk->hk", upstream * (1 - h**2), previous)  # sum over t and the batch
print("max difference from the layer's gradient:", np.abs(local - layer.weight_hh_l0.grad).max())

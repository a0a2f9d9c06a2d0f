# %% [markdown]
# # Chapter 6 — Vanishing and exploding gradients; LSTM and GRU
#
# **Learning goals.**
# 1. See from the BPTT recursion why gradients shrink or grow geometrically with distance in time.
# 2. Measure $\lVert \partial L / \partial h_t \rVert$ against $t$ for RNN, LSTM and GRU.
# 3. Use gradient clipping against explosions.
# 4. Reproduce the *adding problem*: at $T \ge 100$ the LSTM and GRU learn it, the tanh RNN does not.
#
# ## Why gradients vanish
#
# From chapter 5, $\delta_{t} = W_{hh}^\top (\delta_{t+1} \odot (1 - h_{t+1}^2)) + g_t$.
# Going back $k$ steps multiplies by $k$ Jacobians $W_{hh}^\top \mathrm{diag}(1-h^2)$.
# If their norms stay below 1 the product vanishes like $\rho^k$; above 1 it explodes.
# The LSTM's cell state $c_t = f_t \odot c_{t-1} + i_t \odot g_t$ gives a path whose
# Jacobian is $\mathrm{diag}(f_t)$: with forget gates near 1, the gradient passes
# nearly unchanged (the *constant error carousel*). The GRU's update
# $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$ does the same through $z_t$.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minidl
from minidl import nn, optim
from tutorial_support import QUICK, record, save

LAYERS = {"RNN (tanh)": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
T_norms = 50 if QUICK else 100
rng = np.random.default_rng(0)
x = minidl.tensor(rng.standard_normal((T_norms, 16, 8)).astype(np.float32))
fig, ax = plt.subplots(figsize=(7, 4))
ratios = {}
for name, make in LAYERS.items():
    minidl.manual_seed(0)
    layer = make(8, 32, record_grad_norms=True)
    out, _ = layer(x)
    out[-1].sum().backward()  # the loss sees only the last step
    norms = layer.grad_norms[0, 0]  # [T]: ||dL/dh_t|| for layer 0, forward direction
    ratios[name] = float(norms[0] / norms[-1])
    ax.semilogy(norms, label=name)
ax.set(xlabel="time step t", ylabel="||dL/dh_t||", title="gradient reaching each step from a loss at the last step")
ax.legend()
save(fig, "06_gradient_norms")
for name, r in ratios.items():
    print(f"{name:<11} ||dL/dh_0|| / ||dL/dh_T|| = {r:.2e}")

# %% [markdown]
# ## Exploding gradients and clipping
#
# Scale the RNN's recurrent weights up and the same product explodes.
# `clip_grad_norm_` rescales all gradients together so that their global norm
# is at most `max_norm`: the direction is kept, the step size is bounded.

# %%
minidl.manual_seed(1)
wild = nn.RNN(8, 32)
wild.weight_hh_l0.data *= 6.0
out, _ = wild(x)
out[-1].sum().backward()
before = optim.clip_grad_norm_(wild.parameters(), max_norm=1.0)
after = float(np.sqrt(sum((p.grad.astype(np.float64) ** 2).sum() for p in wild.parameters())))
print(f"global gradient norm {before:.3e} -> {after:.3f} after clipping")

# %% [markdown]
# ## The adding problem
#
# Hochreiter & Schmidhuber (1997), as run by Le, Jaitly & Hinton (2015):
# each input step holds a random number in $[0, 1]$ and a marker; exactly two
# steps are marked, one in each half of the sequence. The target is the sum
# of the two marked numbers. Always answering 1 gives a mean squared error of
# $\mathrm{Var}(u_1 + u_2) = 2/12 \approx 0.167$; to do better a model must
# carry a number across about $T/2$ steps.

# %%
def adding_batch(batch, T, rng):
    values = rng.random((T, batch))
    markers = np.zeros((T, batch))
    first = rng.integers(0, T // 2, batch)
    second = rng.integers(T // 2, T, batch)
    markers[first, np.arange(batch)] = 1.0
    markers[second, np.arange(batch)] = 1.0
    x = np.stack([values, markers], axis=2).astype(np.float32)  # [T, B, 2]
    y = (values[first, np.arange(batch)] + values[second, np.arange(batch)]).astype(np.float32)
    return x, y[:, None]


class Adder(nn.Module):
    def __init__(self, make, hidden):
        super().__init__()
        self.recurrent = make(2, hidden)
        self.readout = nn.Linear(hidden, 1)
        if make is nn.LSTM:  # start with forget gates open (Gers et al. 2000; Jozefowicz et al. 2015)
            self.recurrent.bias_ih_l0.data[hidden:2 * hidden] = 1.0  # gate order i, f, g, o

    def forward(self, x):
        out, _ = self.recurrent(x)
        return self.readout(out[-1])


T_add = 30 if QUICK else 100
steps = 400 if QUICK else 3000
hidden = 32 if QUICK else 64
test_x, test_y = adding_batch(1000, T_add, np.random.default_rng(123))
curves, final_mse = {}, {}
for name, make in LAYERS.items():
    minidl.manual_seed(0)
    model = Adder(make, hidden)
    opt = optim.Adam(model.parameters(), lr=1e-2 if QUICK else 3e-3)
    data_rng = np.random.default_rng(0)
    curve = []
    for step in range(1, steps + 1):
        xb, yb = adding_batch(64, T_add, data_rng)
        opt.zero_grad()
        loss = nn.mse_loss(model(minidl.tensor(xb)), yb)
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % max(1, steps // 25) == 0 or step == steps:
            with minidl.no_grad():
                mse = float(nn.mse_loss(model(minidl.tensor(test_x)), test_y).item())
            curve.append((step, mse))
    curves[name], final_mse[name] = curve, curve[-1][1]
    print(f"{name:<11} test MSE after {steps} steps: {final_mse[name]:.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
for name, curve in curves.items():
    ax.plot(*zip(*curve), label=name)
ax.axhline(2 / 12, color="0.5", linestyle="--", label="always answer 1 (0.167)")
ax.axhline(0.01, color="0.5", linestyle=":", label="0.01")
ax.set(yscale="log", xlabel="training step", ylabel="test MSE", title=f"the adding problem, T = {T_add}")
ax.legend()
save(fig, "06_adding_problem")

record("06_vanishing_gradients", T=T_add, steps=steps, gradient_ratio_first_over_last=ratios,
       clip_norm_before=before, clip_norm_after=after,
       final_mse={name: round(v, 5) for name, v in final_mse.items()})

# %% [markdown]
# ## Exercises
# 1. Initialize the RNN's `weight_hh_l0` as the identity and use `nonlinearity="relu"` (the IRNN of Le et al. 2015). Does it learn the adding problem?
# 2. Set the LSTM's forget-gate biases to +3 before training. How do the gradient norms change?
# 3. Remove gradient clipping. What happens to the RNN's loss curve at T = 100?
# 4. Why does truncated BPTT with k = 20 make the adding problem unsolvable at T = 100?

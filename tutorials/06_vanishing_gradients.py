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
#
# *Near 1* is the catch. A freshly initialized gate computes
# $f_t = \sigma(W x_t + U h_{t-1} + b)$ with small random weights, so
# $f_t \approx \sigma(0) = 1/2$: the carousel halves the gradient at every step,
# and $2^{-k}$ vanishes almost as fast as the RNN's product. The carousel is a
# path the network *can* open (a forget-gate bias of $+1$ starts it at
# $\sigma(1) \approx 0.73$, training can push it to 1), not one that is open
# from the start. We measure all three: at initialization, with the bias, after training.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minidl
from minidl import nn, optim
from tutorial_support import QUICK, Chapter, save

chapter = Chapter("06_vanishing_gradients")
LAYERS = {"RNN (tanh)": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}

# %% [markdown]
# ## The task: the adding problem
#
# Hochreiter & Schmidhuber (1997), as run by Le, Jaitly & Hinton (2015):
# each input step holds a random number in $[0, 1]$ and a marker; exactly two
# steps are marked, one in each half of the sequence. The target is the sum
# of the two marked numbers. Always answering 1 gives a mean squared error of
# $\mathrm{Var}(u_1 + u_2) = 2/12 \approx 0.167$; to do better a model must
# carry a number across about $T/2$ steps, so the gradient must reach back that far.

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


T_add = 30 if QUICK else 100
hidden = 32 if QUICK else 64
probe = minidl.tensor(adding_batch(16, T_add, np.random.default_rng(5))[0].astype(np.float64))  # [T, 16, 2]


def forget_bias(lstm, value):
    """Set the forget-gate rows of an LSTM's input bias (PyTorch's gate order i, f, g, o)."""
    lstm.bias_ih_l0.data[lstm.hidden_size:2 * lstm.hidden_size] = value
    return lstm


def gradient_reach(layer):
    """||dL/dh_t|| for every t of the probe batch, L = sum of the last step's output; float64 so nothing underflows."""
    layer = layer.double()
    layer.record_grad_norms = True
    out, _ = layer(probe)
    out[-1].sum().backward()
    norms = layer.grad_norms[0, 0]  # [T]: layer 0, forward direction
    return norms / norms[-1]  # relative to the step the loss sees directly


# %% [markdown]
# ## Measuring the gradient at each step
#
# Every recurrent layer can record $\lVert \partial L / \partial h_t \rVert$ during
# its backward pass (`record_grad_norms=True`). We put the loss on the last step
# only, so whatever reaches step $t$ has travelled $T - t$ steps back. The
# computation is in float64: in float32 the RNN's curve would fall below the
# smallest representable number and vanish from a log plot altogether.

# %%
at_init = {}
for name, make in LAYERS.items():
    minidl.manual_seed(0)
    at_init[name] = gradient_reach(make(2, hidden))
for bias in (1.0, 3.0):
    minidl.manual_seed(0)
    at_init[f"LSTM, forget bias +{bias:.0f}"] = gradient_reach(forget_bias(nn.LSTM(2, hidden), bias))

fig, ax = plt.subplots(figsize=(7, 4))
for name, reach in at_init.items():
    ax.semilogy(reach, label=name, linestyle="--" if "bias" in name else "-")
ax.set(xlabel="time step t", ylabel="||dL/dh_t|| / ||dL/dh_T||",
       title=f"gradient reaching each step at initialization (T = {T_add}, float64)")
ax.legend()
save(fig, "06_gradient_norms")
chapter.record(T=T_add, reach_at_init={name: float(reach[0]) for name, reach in at_init.items()})

# %%
chapter.say("""**What the figure shows.** At initialization only {reach_at_init[LSTM]:.1e} of the gradient
reaches step 0 in the LSTM and {reach_at_init[GRU]:.1e} in the GRU; the tanh RNN passes on
{reach_at_init[RNN (tanh)]:.1e}. All three fall geometrically, because the gates sit near 1/2 and the carousel leaks. Opening the forget
gate is what makes the difference: a bias of +1 lets {reach_at_init[LSTM, forget bias +1]:.1e} through,
+3 lets {reach_at_init[LSTM, forget bias +3]:.1e} through, over the same {T} steps.""")

# %% [markdown]
# ## Exploding gradients and clipping
#
# Scale the RNN's recurrent weights up and the same product explodes.
# `clip_grad_norm_` rescales all gradients together so that their global norm
# is at most `max_norm`: the direction is kept, the step size is bounded.

# %%
minidl.manual_seed(1)
wild = nn.RNN(2, hidden)
wild.weight_hh_l0.data *= 6.0
out, _ = wild(probe.astype(np.float32))
out[-1].sum().backward()
before = optim.clip_grad_norm_(wild.parameters(), max_norm=1.0)
after = float(np.sqrt(sum((p.grad.astype(np.float64) ** 2).sum() for p in wild.parameters())))
chapter.record(clip_norm_before=before, clip_norm_after=after)
chapter.say("The global gradient norm was {clip_norm_before:.3g}; after clipping it is {clip_norm_after:.3f}.")

# %% [markdown]
# ## Training on the adding problem
#
# Each model reads the sequence and a linear layer reads its last state. The
# LSTM starts with forget biases at +1 (Gers et al. 2000; Jozefowicz et al.
# 2015), the common default in practice; all three train with Adam and
# gradient clipping at norm 1.

# %%
class Adder(nn.Module):
    def __init__(self, make, hidden):
        super().__init__()
        self.recurrent = make(2, hidden)
        self.readout = nn.Linear(hidden, 1)
        if make is nn.LSTM:
            forget_bias(self.recurrent, 1.0)

    def forward(self, x):
        out, _ = self.recurrent(x)
        return self.readout(out[-1])


steps = 400 if QUICK else 3000
test_x, test_y = adding_batch(1000, T_add, np.random.default_rng(123))
curves, final_mse, trained = {}, {}, {}
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
    curves[name], final_mse[name], trained[name] = curve, curve[-1][1], model.recurrent
    print(f"{name:<11} test MSE after {steps} steps: {final_mse[name]:.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
for name, curve in curves.items():
    ax.plot(*zip(*curve), label=name)
ax.axhline(2 / 12, color="0.5", linestyle="--", label="always answer 1 (0.167)")
ax.axhline(0.01, color="0.5", linestyle=":", label="0.01")
ax.set(yscale="log", xlabel="training step", ylabel="test MSE", title=f"the adding problem, T = {T_add}")
ax.legend()
save(fig, "06_adding_problem")
chapter.record(steps=steps, final_mse={name: round(v, 5) for name, v in final_mse.items()})

# %%
chapter.say("""**What the figure shows.** After {steps} steps the LSTM's test error is
{final_mse[LSTM]:.4f} and the GRU's {final_mse[GRU]:.4f}, against {final_mse[RNN (tanh)]:.4f} for the tanh
RNN; always answering 1 scores 0.167. The gated models learn to carry the first marked number
across the sequence; the RNN's error stays near the trivial answer's.""")

# %% [markdown]
# ## What training did to the gradient
#
# Now measure the trained models on the same probe batch as before (cast to
# float64) and set them beside their untrained selves (for the LSTM, the
# start with forget biases at +1).

# %%
after_training = {name: gradient_reach(layer) for name, layer in trained.items()}
starts = {**at_init, "LSTM": at_init["LSTM, forget bias +1"]}  # where each trained model began
fig, ax = plt.subplots(figsize=(7, 4))
for k, name in enumerate(LAYERS):
    start = "at initialization" + (", forget bias +1" if name == "LSTM" else "")
    ax.semilogy(starts[name], color=f"C{k}", linestyle=":", label=f"{name}, {start}")
    ax.semilogy(after_training[name], color=f"C{k}", label=f"{name}, trained")
ax.set(xlabel="time step t", ylabel="||dL/dh_t|| / ||dL/dh_T||",
       title="gradient reaching each step, before and after training (float64)")
ax.legend(fontsize=8)
save(fig, "06_gradient_norms_trained")
chapter.record(reach_after_training={name: float(reach[0]) for name, reach in after_training.items()})

# %%
chapter.say("""**What the figure shows.** Training opened the carousel: the share of the gradient that
reaches step 0 went from {reach_at_init[LSTM, forget bias +1]:.1e} to {reach_after_training[LSTM]:.1e} for the LSTM
(started with forget biases at +1) and from
{reach_at_init[GRU]:.1e} to {reach_after_training[GRU]:.1e} for the GRU, while the tanh RNN, which did not learn
the task, ends at {reach_after_training[RNN (tanh)]:.1e}. This is the constant error carousel of the
introduction, measured: gates that learned to stay open.""")

# %% [markdown]
# ## Summary
#
# * Backpropagation through time multiplies one Jacobian per step, so the
#   gradient shrinks or grows geometrically with distance in time.
# * The LSTM's cell and the GRU's update give an additive path whose factor is
#   a gate; it carries the gradient only where the gate is near 1. At
#   initialization it is near 1/2, so a forget-gate bias of +1 and training matter.
# * Clipping bounds exploding gradients without changing their direction.
# * On the adding problem the gated models learn to carry information over
#   the sequence and the tanh RNN does not.

# %% [markdown]
# ## Exercises
# 1. Initialize the RNN's `weight_hh_l0` as the identity and use `nonlinearity="relu"` (the IRNN of Le et al. 2015). Does it learn the adding problem?
# 2. At initialization a forget gate is about $\sigma(b_f)$. Predict the share of the gradient that reaches step 0 through the cell path alone after $T = 30$ steps for $b_f = 0, 1, 3$, and compare with the first figure.
# 3. Remove gradient clipping. What happens to the RNN's loss curve at T = 100?
# 4. Why does truncated BPTT with k = 20 make the adding problem unsolvable at T = 100?

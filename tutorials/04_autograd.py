# %% [markdown]
# # Chapter 4 — Autograd from scratch
#
# **Learning goals.**
# 1. Read a computation as a graph of operations and apply the chain rule backwards through it.
# 2. See why backward must visit operations in reverse topological order.
# 3. Undo broadcasting in backward.
# 4. Check any backward with finite differences, and watch a gradient check catch a planted bug.
#
# ## A graph and the chain rule
#
# $L = \sum_i \tanh(w_i x_i + b)$ is a chain of small operations. Each knows
# its local derivative; backward multiplies them from the output to the
# inputs (the chain rule): for $z = w x + b$ and $h = \tanh z$,
#
# $$\frac{\partial L}{\partial w_i} = \frac{\partial L}{\partial h_i}\,(1 - h_i^2)\,x_i.$$

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

import minidl
from minidl.autograd import topological_order
from tutorial_support import QUICK, Chapter, save

chapter = Chapter("04_autograd")

rng = np.random.default_rng(0)
x = minidl.tensor(rng.standard_normal(5))
w = minidl.tensor(rng.standard_normal(5), requires_grad=True)
b = minidl.tensor(0.3, requires_grad=True, dtype=np.float64)
h = (w * x + b).tanh()
L = h.sum()
L.backward()
by_hand = (1 - h.numpy() ** 2) * x.numpy()
print("dL/dw by autograd:", w.grad)
print("dL/dw by hand:    ", by_hand)
print("dL/db = sum(1 - h^2):", b.grad, (1 - h.numpy() ** 2).sum())

# %% [markdown]
# ## Topological order
#
# A tensor remembers the `Function` that made it (`_creator`). Backward must
# not process an operation before every operation that uses its output has
# passed its gradient back, so it visits the graph in reverse topological
# order. minidl finds that order with an explicit stack (no recursion, so a
# 10 000-step RNN graph does not overflow Python's stack):

# %%
print(inspect.getsource(topological_order))
print("operations from inputs to L:", [type(fn).__name__ for fn in topological_order(L._creator)])

# %% [markdown]
# ## Broadcasting in backward
#
# Adding a bias `b` of shape [3] to a batch `X` of shape [4, 3] copies `b`
# four times. The copy is an operation too: its backward *sums* the incoming
# gradient over the copied axis. Forgetting it is the most common autograd bug.

# %%
X = minidl.tensor(rng.standard_normal((4, 3)))
bias = minidl.tensor(np.zeros(3), requires_grad=True)
(X + bias).sum().backward()
print("gradient of a broadcast bias:", bias.grad, "(each entry was used 4 times)")

# %% [markdown]
# ## Numerical gradients and relative error
#
# The central difference $\frac{f(x+\varepsilon) - f(x-\varepsilon)}{2\varepsilon}$
# has truncation error $O(\varepsilon^2)$ and rounding error $O(u/\varepsilon)$
# ($u \approx 10^{-16}$ in float64). We compare with the relative error
# $\frac{|a-n|}{\max(10^{-8}, |a|+|n|)}$, which is meaningful at any scale.

# %%
f = lambda v: (v.tanh() * v).sum()  # noqa: E731
point = rng.standard_normal(4)
v = minidl.tensor(point, requires_grad=True)
f(v).backward()
epsilons = np.logspace(-12, -1, 12 if QUICK else 23)
errors = []
for eps in epsilons:
    numeric = minidl.numerical_grad(f, point, eps=eps)[0]
    errors.append(float(np.max(np.abs(v.grad - numeric) / np.maximum(1e-8, np.abs(v.grad) + np.abs(numeric)))))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(epsilons, errors, "o-")
ax.set(xlabel="epsilon", ylabel="max relative error", title="finite differences: rounding vs truncation")
save(fig, "04_epsilon")
chapter.record(best_epsilon=float(epsilons[int(np.argmin(errors))]), best_error=float(min(errors)))

# %%
chapter.say("""**What the figure shows.** Right of the minimum, larger steps mean more truncation error,
$O(\\varepsilon^2)$; left of it, smaller steps mean more rounding error, $O(u/\\varepsilon)$. The best step here
is $\\varepsilon$ = {best_epsilon:.0e}, with a relative error of {best_error:.0e}; `minidl.gradcheck`'s default
step, $10^{{-6}}$, sits in this valley, and only in float64: in float32 $u$ is about $5 \\cdot 10^8$ times larger.""")

# %% [markdown]
# ## A gradient check that catches a planted bug
#
# Here is a custom operation, the softplus $\log(1 + e^x)$, whose derivative
# is the sigmoid. The second version has a planted bug: it forgets the
# chain rule's upstream factor `grad`. `minidl.gradcheck` compares backward
# with finite differences and says which input is wrong, and where.

# %%
class Softplus(minidl.Function):
    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, grad):  # d/dx log(1 + e^x) = sigmoid(x)
        return grad / (1.0 + np.exp(-self.x))


class BuggySoftplus(Softplus):
    def backward(self, grad):
        return 1.0 / (1.0 + np.exp(-self.x))  # BUG: the upstream gradient is dropped


values = rng.standard_normal((3, 4))
good = minidl.gradcheck(lambda t: Softplus.apply(t) * 2.0, values)
bad = minidl.gradcheck(lambda t: BuggySoftplus.apply(t) * 2.0, values)
print(good)
print(bad)

chapter.record(correct_passes=bool(good), planted_bug_caught=not bool(bad),
               correct_max_relative_error=good.worst().max_rel_error, bug_max_relative_error=bad.worst().max_rel_error)
chapter.say("""The correct softplus passes (worst relative error {correct_max_relative_error:.0e}); the buggy
one fails with a relative error of {bug_max_relative_error:.2f}: its backward ignores the upstream gradient
(the factor 2, times the random output weights gradcheck uses).""")

# %% [markdown]
# ## Summary
#
# * Backward applies the chain rule from the output to the inputs, one operation at a time,
#   in reverse topological order (found with a stack, not recursion).
# * Broadcasting in forward is a sum in backward.
# * Central differences check any backward; float64 and a step near $10^{-6}$ keep both
#   truncation and rounding error small.
# * A gradient check with random output weights catches a backward that drops its upstream gradient.

# %% [markdown]
# ## Exercises
# 1. `gradcheck` reduces a tensor output to $\sum_i w_i y_i$ with random $w$. Which bug, like the one above, would a plain `sum()` (all $w_i = 1$) miss?
# 2. Write `Function`s for $\sin$ and for matrix multiplication; gradcheck both.
# 3. Plant a broadcasting bug (return `grad` without summing) in an add of shapes [4, 3] and [3]. What does gradcheck report?
# 4. From the epsilon figure, estimate $u$ and explain the slope on each side of the minimum.

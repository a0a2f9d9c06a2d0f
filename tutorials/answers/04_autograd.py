# %% [markdown]
# # Worked answers — Chapter 4, Autograd from scratch
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import numpy as np

import minidl

# %% [markdown]
# ## Exercise 1: the bug a plain `sum()` misses
#
# A backward that ignores its upstream gradient `grad` (the chapter's planted bug) is right
# exactly when `grad` is all ones, and `sum()` sends all ones. With random weights $w_i$ the
# upstream gradient is $w$ and the bug shows. Here with $x^2$, whose backward forgets `grad`:

# %%
class ForgetfulSquare(minidl.Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad):
        return 2 * self.x  # BUG: should be grad * 2x


rng = np.random.default_rng(0)
values, weights = rng.standard_normal(5), rng.standard_normal(5)
for name, w in (("plain sum", np.ones(5)), ("random weights", weights)):
    x = minidl.tensor(values, requires_grad=True)
    (ForgetfulSquare.apply(x) * w).sum().backward()
    print(f"{name:<15} max error of the gradient: {np.abs(x.grad - 2 * values * w).max():.2e}")

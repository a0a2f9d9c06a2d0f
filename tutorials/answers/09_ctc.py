# %% [markdown]
# # Worked answers — Chapter 9, Recognizing sequences: CTC
#
# For teachers. Each answer is computed, so it stays true when the library changes.

# %%
import itertools
import math

import numpy as np

from minidl.decode import collapse

BLANK = 0

# %% [markdown]
# ## Exercise 1: how many alignments?
#
# An alignment of a labelling of $S$ tokens in $T$ frames is a path that
# collapses to it. For distinct neighbours the count is $\binom{T+S}{2S}$:
# choose where each token's run starts and ends among the $T$ frames plus
# the blanks' room. Each adjacent repeat needs a blank between its two runs,
# which uses up one frame of freedom, so with $r$ adjacent repeats the count
# is $\binom{T+S-r}{2S}$. Checked by brute force:

# %%
def count_alignments(labels, T):
    classes = max(labels) + 1
    return sum(1 for path in itertools.product(range(classes), repeat=T) if collapse(path, BLANK) == list(labels))


def formula(labels, T):
    S = len(labels)
    repeats = sum(a == b for a, b in zip(labels, labels[1:]))
    return math.comb(T + S - repeats, 2 * S)  # math.comb is 0 when T + S - r < 2S: no alignment fits


mismatches = [(labels, T) for T in range(1, 7)
              for labels in ([1], [1, 2], [1, 2, 3], [1, 1], [1, 1, 2], [1, 2, 1], [1, 1, 1], [2, 2, 1, 1])
              if count_alignments(labels, T) != formula(labels, T)]
print("labellings and lengths where the formula is wrong:", mismatches)
assert not mismatches

# %% [markdown]
# ## Exercise 3: the recursion on probabilities underflows
#
# Without logs, alpha is a product of one probability per frame: about
# $(1/C)^T$ for uninformative frames. float64 ends near $10^{-308}$ (and
# subnormals near $10^{-324}$), so a few hundred frames are enough:

# %%
rng = np.random.default_rng(0)
T, C = 2000, 29
probs = rng.dirichlet(np.ones(C), size=T)  # [T, C]: random frames
extended = [BLANK, 1, BLANK, 2, BLANK, 3, BLANK]  # l' of "1 2 3"
alpha = np.zeros(len(extended))
alpha[:2] = probs[0, extended[:2]]
first_zero = None
for t in range(1, T):
    previous = alpha.copy()
    for s, label in enumerate(extended):
        total = previous[s] + (previous[s - 1] if s >= 1 else 0.0)
        if s >= 2 and label != BLANK and label != extended[s - 2]:
            total += previous[s - 2]
        alpha[s] = total * probs[t, label]
    if not alpha.any():
        first_zero = t
        break
print(f"alpha on probabilities is all zero from frame t = {first_zero} of {T}")
assert first_zero is not None and first_zero < T

# %% [markdown]
# ## Exercise 4: when is greedy wrong in the three-frame example?
#
# Two classes, the blank with probability $b$ in every frame and "a" with
# $1 - b$. Greedy picks the blank in every frame once $b > 1/2$ and outputs
# nothing, with probability $b^3$. The labelling "a" sums six paths (one run
# of a's: a--, -a-, --a, aa-, -aa, aaa):
#
# $$p(\text{a}) = 3b^2(1-b) + 2b(1-b)^2 + (1-b)^3.$$
#
# Greedy is wrong wherever $b > 1/2$ and $p(\text{a}) > b^3$:

# %%
b = np.linspace(0.5, 1.0, 50001)[1:]
p_a = 3 * b**2 * (1 - b) + 2 * b * (1 - b) ** 2 + (1 - b) ** 3
wrong = b[p_a > b**3]
print(f"greedy is wrong for {wrong.min():.4f} < b < {wrong.max():.4f} (the chapter's b = 0.6 lies inside)")
assert wrong.min() < 0.6 < wrong.max()

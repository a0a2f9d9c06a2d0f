"""The gate math of one RNN/LSTM/GRU time step, in plain NumPy (the textbook version).

Matrix products are not here: the caller computes the input projection
``gx = x_t W_ih^T + b`` and the hidden projection ``gh = h_{t-1} W_hh^T``
with BLAS, and these functions do everything elementwise that follows —
activations, the cell update, and their derivatives. Gate blocks are laid
out along the last axis in PyTorch's order: LSTM [i | f | g | o], GRU
[r | z | n]. Shapes: B = batch rows, H = hidden size.

The compiled copies in ``cpu.py`` (Numba) and ``gpu.py`` (CuPy) compute
exactly this and are tested against it; ``loop.py`` runs the ``cpu.py``
copies inside a compiled loop over time.
"""
from __future__ import annotations

import numpy as np


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# ---------------------------------------------------------------- Elman RNN
def rnn_forward(gx, gh, nonlinearity: str = "tanh"):
    """h_t = act(gx + gh), with act = tanh or relu.

    Parameters
    ----------
    gx, gh : [B, H]  input and hidden projections (biases included in gx)

    Returns
    -------
    h : [B, H]
    """
    pre = gx + gh
    return np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)


def rnn_backward(dh, h, nonlinearity: str = "tanh"):
    """d pre-activation = dh * act'(pre), with act' written in terms of h.

    tanh' = 1 - h^2;  relu' = 1 where h > 0, else 0.

    Returns
    -------
    d_pre : [B, H]  (the gradient of gx and of gh alike)
    """
    # HINT: multiply dh by the activation's derivative, written with the output h: tanh' = 1 - h^2, relu' = [h > 0]
    # BEGIN SOLUTION 2.1
    return dh * (1 - h * h) if nonlinearity == "tanh" else dh * (h > 0)
    # END SOLUTION


# ---------------------------------------------------------------- LSTM
def lstm_forward(gx, gh, c_prev):
    """One LSTM step after the matrix products.

    .. math::
        i = \\sigma(a_i),\\; f = \\sigma(a_f),\\; g = \\tanh(a_g),\\; o = \\sigma(a_o)

        c_t = f \\odot c_{t-1} + i \\odot g, \\qquad h_t = o \\odot \\tanh(c_t)

    Parameters
    ----------
    gx, gh : [B, 4H]  projections; a = gx + gh
    c_prev : [B, H]

    Returns
    -------
    h, c : [B, H]
    gates : [B, 4H]  activated gates [i | f | g | o], kept for backward
    tanh_c : [B, H]  tanh(c), kept for backward
    """
    H = c_prev.shape[1]
    a = gx + gh
    i = sigmoid(a[:, 0 * H:1 * H])
    f = sigmoid(a[:, 1 * H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:4 * H])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, np.concatenate([i, f, g, o], axis=1), tanh_c


def lstm_backward(dh, dc, gates, c_prev, tanh_c):
    """Backward of :func:`lstm_forward`.

    With dc the gradient reaching c_t from step t+1, the total gradient of
    c_t adds the path through h_t = o tanh(c_t):

        dc_t = dc + dh * o * (1 - tanh(c_t)^2)

    then each gate gets dc_t times what it multiplied, through its
    activation's derivative (sigma' = s(1-s), tanh' = 1 - t^2).

    Returns
    -------
    d_a : [B, 4H]   gradient of the pre-activations (= of gx and of gh)
    dc_prev : [B, H]
    """
    H = c_prev.shape[1]
    i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
    # HINT: add the path through h_t = o tanh(c_t) to dc, then give each gate dc times what it multiplied, through sigma' = s(1-s) or tanh' = 1-t^2; dc_{t-1} = dc f
    # BEGIN SOLUTION 2.2
    dc = dc + dh * o * (1 - tanh_c * tanh_c)
    d_i = dc * g * i * (1 - i)
    d_f = dc * c_prev * f * (1 - f)
    d_g = dc * i * (1 - g * g)
    d_o = dh * tanh_c * o * (1 - o)
    return np.concatenate([d_i, d_f, d_g, d_o], axis=1), dc * f
    # END SOLUTION


# ---------------------------------------------------------------- GRU
def gru_forward(gx, gh, h_prev):
    """One GRU step after the matrix products (PyTorch's formulation).

    .. math::
        r = \\sigma(x_r + h_r), \\quad z = \\sigma(x_z + h_z)

        n = \\tanh(x_n + r \\odot h_n), \\quad h_t = (1 - z) \\odot n + z \\odot h_{t-1}

    The reset gate multiplies the hidden projection *including* its bias,
    so ``gh`` must hold h_{t-1} W_hh^T + b_hh.

    Parameters
    ----------
    gx, gh : [B, 3H]  projections, blocks [r | z | n]
    h_prev : [B, H]

    Returns
    -------
    h : [B, H]
    cache : [B, 4H]  [r | z | n | h_n], kept for backward
    """
    H = h_prev.shape[1]
    r = sigmoid(gx[:, 0 * H:1 * H] + gh[:, 0 * H:1 * H])
    z = sigmoid(gx[:, 1 * H:2 * H] + gh[:, 1 * H:2 * H])
    h_n = gh[:, 2 * H:3 * H]
    n = np.tanh(gx[:, 2 * H:3 * H] + r * h_n)
    h = (1 - z) * n + z * h_prev
    return h, np.concatenate([r, z, n, h_n], axis=1)


def gru_backward(dh, cache, h_prev):
    """Backward of :func:`gru_forward`.

    Returns
    -------
    d_gx : [B, 3H]  gradient of the input projection
    d_gh : [B, 3H]  gradient of the hidden projection (its n block is r times d_gx's)
    dh_prev : [B, H]  the part of dL/dh_{t-1} through z (the part through gh
        is d_gh @ W_hh, for the caller)
    """
    H = h_prev.shape[1]
    r, z, n, h_n = (cache[:, k * H:(k + 1) * H] for k in range(4))
    # HINT: h_t = (1-z) n + z h_{t-1}: differentiate through n = tanh(x_n + r h_n) first; the n block of d_gh is r times d_gx's
    # BEGIN SOLUTION 2.3
    d_n = dh * (1 - z) * (1 - n * n)
    d_r = d_n * h_n * r * (1 - r)
    d_z = dh * (h_prev - n) * z * (1 - z)
    d_gx = np.concatenate([d_r, d_z, d_n], axis=1)
    d_gh = np.concatenate([d_r, d_z, d_n * r], axis=1)
    return d_gx, d_gh, dh * z
    # END SOLUTION

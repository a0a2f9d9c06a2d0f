"""The recurrent layers ``RNN``, ``LSTM`` and ``GRU``, PyTorch-compatible.

Constructor arguments, defaults, parameter names and shapes, gate order,
equations and initialization are PyTorch's, so a PyTorch ``state_dict``
converted to arrays loads unchanged. Each call is one autograd node
(:class:`RecurrentFunction`): forward runs the time loop of every layer and
direction (``bptt.run_forward``); backward is hand-written BPTT through
time, directions and layers (``bptt.run_backward``).
"""
from __future__ import annotations

import numpy as np

import kernels
import kernels.recurrent
from minidl.function import Function
from minidl.nn import init
from minidl.nn.bptt import active_counts, reverse_index, run_backward, run_forward
from minidl.nn.dropout import check_probability
from minidl.nn.linear import check_positive_int
from minidl.nn.module import Module, Parameter
from minidl.nn.recurrent_steps import GRUStep, LSTMStep, RNNStep
from minidl.random import generator
from minidl.tensor import Tensor, as_tensor


class RecurrentFunction(Function):
    """All layers and directions of a recurrent layer as one autograd node.

    Inputs: x [T, B, I], the initial state(s) [L*D, B, H] (h, and c for
    LSTM), then the weights in PyTorch's order. Outputs: the output
    sequence [T, B, D*H] and the final state(s) [L*D, B, H].
    """

    def forward(self, x, *arrays, layer=None, lengths=None, training=False):
        self.layer, step = layer, layer.step
        L, D = layer.num_layers, layer.num_directions
        T, B, _ = x.shape
        states0 = arrays[: step.n_states]
        self.weights = _group_weights(arrays[step.n_states:], L, D, layer.bias)
        self.k = kernels.recurrent.for_arrays(x)
        xp = kernels.array_module(x)
        # sort by length, longest first, so running sequences are a prefix of the batch
        if lengths is None:
            self.order = None
            sorted_lengths = np.full(B, T)
        else:
            self.order = np.argsort(-lengths, kind="stable")
            sorted_lengths = lengths[self.order]
            x = x[:, self.order]
            states0 = tuple(s[:, self.order] for s in states0)
        self.active = active_counts(sorted_lengths, T)
        self.reverse_index = reverse_index(sorted_lengths, T) if D == 2 else None
        self.tapes, self.masks = {}, {}
        finals = [[None] * (L * D) for _ in range(step.n_states)]
        inputs = x
        for l in range(L):
            outs = []
            for d in range(D):
                seq = inputs if d == 0 else self._reverse(inputs)
                state0 = tuple(s[l * D + d] for s in states0)
                out, final, tape = run_forward(step, self.k, seq, state0, self.weights[l][d], self.active)
                self.tapes[l, d] = tape
                outs.append(out if d == 0 else self._reverse(out))
                for kind, s in enumerate(final):
                    finals[kind][l * D + d] = s
            inputs = outs[0] if D == 1 else xp.concatenate(outs, axis=2)  # [T, B, D*H]
            if training and layer.dropout > 0 and l < L - 1:
                keep = generator().random(inputs.shape) >= layer.dropout
                self.masks[l] = xp.asarray(keep, dtype=x.dtype) / x.dtype.type(1 - layer.dropout)
                inputs = inputs * self.masks[l]
        finals = tuple(xp.stack(f) for f in finals)
        if self.order is not None:
            inverse = np.argsort(self.order)
            inputs = inputs[:, inverse]
            finals = tuple(f[:, inverse] for f in finals)
        return (inputs, *finals)

    def backward(self, d_output, *d_finals):
        layer, step = self.layer, self.layer.step
        L, D, H = layer.num_layers, layer.num_directions, layer.hidden_size
        xp = kernels.array_module(d_output)
        if self.order is not None:
            d_output = d_output[:, self.order]
            d_finals = tuple(d[:, self.order] for d in d_finals)
        T = d_output.shape[0]
        record = layer.record_grad_norms
        norms = np.zeros((L, D, T)) if record else None
        d_states0 = [xp.zeros_like(d) for d in d_finals]
        d_weights = [[None] * D for _ in range(L)]
        d_inputs = d_output
        for l in reversed(range(L)):
            if l in self.masks:
                d_inputs = d_inputs * self.masks[l]
            d_below = 0
            for d in range(D):
                d_out = d_inputs[:, :, d * H:(d + 1) * H]
                if d == 1:
                    d_out = self._reverse(d_out)
                d_final = tuple(df[l * D + d] for df in d_finals)
                dx, d_state0, d_weights[l][d] = run_backward(
                    step, self.k, d_out, d_final, self.weights[l][d], self.active, self.tapes[l, d],
                    truncate=layer.bptt_truncate, norms=None if norms is None else norms[l, d],
                    need_dx=l > 0 or self.needs_input_grad[0],
                )
                if dx is not None:
                    d_below = d_below + (dx if d == 0 else self._reverse(dx))
                for kind, ds in enumerate(d_state0):
                    d_states0[kind][l * D + d] = ds
            d_inputs = d_below  # 0 when the bottom layer's input needs no gradient
        if record:
            layer.grad_norms = norms
        if not self.needs_input_grad[0]:
            d_inputs = None
        if self.order is not None:
            inverse = np.argsort(self.order)
            if d_inputs is not None:
                d_inputs = d_inputs[:, inverse]
            d_states0 = [d[:, inverse] for d in d_states0]
        flat = [g for per_layer in d_weights for per_dir in per_layer for g in per_dir if g is not None]
        return (d_inputs, *d_states0, *flat)

    def _reverse(self, seq):
        """Each sequence reversed within its own length: [T, B, F] -> [T, B, F]."""
        return seq[self.reverse_index, np.arange(seq.shape[1])[None, :]]


def _group_weights(flat, L: int, D: int, bias: bool):
    """Flat PyTorch-ordered weights -> weights[layer][direction] = (w_ih, w_hh, b_ih, b_hh)."""
    per = 4 if bias else 2
    grouped, i = [], 0
    for _ in range(L):
        row = []
        for _ in range(D):
            w = flat[i:i + per]
            row.append((w[0], w[1], w[2], w[3]) if bias else (w[0], w[1], None, None))
            i += per
        grouped.append(row)
    return grouped


class RecurrentLayer(Module):
    """Shared machinery of RNN, LSTM and GRU (see their docstrings)."""

    def __init__(self, step, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 *, bptt_truncate: int = 0, record_grad_norms: bool = False, dtype=np.float32):
        super().__init__()
        self.step = step
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = check_probability("dropout", dropout)
        self.num_directions = 2 if bidirectional else 1
        if isinstance(bptt_truncate, bool) or not isinstance(bptt_truncate, int) or bptt_truncate < 0:
            raise ValueError(f"bptt_truncate must be a non-negative integer (0: full BPTT), got {bptt_truncate!r}")
        if bptt_truncate and bidirectional:
            raise ValueError("bptt_truncate needs bidirectional=False: chunks of a reversed pass are not defined")
        self.bptt_truncate = bptt_truncate
        self.record_grad_norms = bool(record_grad_norms)
        self.grad_norms = None  # [num_layers, num_directions, T] after backward, when recorded
        H, G = self.hidden_size, step.n_gates
        bound = init.fan_in_bound(H)
        for l in range(self.num_layers):
            for d in range(self.num_directions):
                suffix = f"_l{l}" + ("_reverse" if d else "")
                in_size = self.input_size if l == 0 else H * self.num_directions
                setattr(self, "weight_ih" + suffix, Parameter(init.uniform((G * H, in_size), bound, dtype)))
                setattr(self, "weight_hh" + suffix, Parameter(init.uniform((G * H, H), bound, dtype)))
                if self.bias:
                    setattr(self, "bias_ih" + suffix, Parameter(init.uniform((G * H,), bound, dtype)))
                    setattr(self, "bias_hh" + suffix, Parameter(init.uniform((G * H,), bound, dtype)))

    def forward(self, input, hx=None, *, lengths=None):
        x = as_tensor(input)
        if x.ndim != 3:
            raise ValueError(
                f"{self.step.name} expects input of 3 axes "
                f"[{'batch, time' if self.batch_first else 'time, batch'}, features], got shape {x.shape}"
            )
        if self.batch_first:
            x = x.permute(1, 0, 2)  # [B, T, I] -> [T, B, I]
        T, B, features = x.shape
        if features != self.input_size:
            raise ValueError(f"{self.step.name}: input has {features} features, expected input_size={self.input_size}")
        lengths = self._check_lengths(lengths, T, B)
        states = self._initial_states(hx, B, x)
        outputs = RecurrentFunction.apply(
            x, *states, *self.parameters(), layer=self, lengths=lengths, training=self.training
        )
        out, finals = outputs[0], outputs[1:]
        if self.batch_first:
            out = out.permute(1, 0, 2)
        return out, (finals[0] if self.step.n_states == 1 else tuple(finals))

    def _check_lengths(self, lengths, T: int, B: int):
        if lengths is None:
            return None
        lengths = np.asarray(lengths.numpy() if isinstance(lengths, Tensor) else lengths)
        if lengths.ndim != 1 or lengths.shape[0] != B or lengths.dtype.kind not in "iu":
            raise ValueError(
                f"lengths must be {B} integers (one per batch element), got {lengths.dtype} array of shape {lengths.shape}"
            )
        if lengths.min() < 1 or lengths.max() > T:
            bad = lengths[(lengths < 1) | (lengths > T)][0]
            raise ValueError(f"lengths must lie in [1, {T}] (the sequence length), got {bad}")
        return lengths.astype(np.int64)

    def _initial_states(self, hx, B: int, x: Tensor):
        shape = (self.num_layers * self.num_directions, B, self.hidden_size)
        n = self.step.n_states
        if hx is None:
            return [Tensor(x.xp.zeros(shape, dtype=x.dtype)) for _ in range(n)]
        given = [hx] if n == 1 else list(hx) if isinstance(hx, (tuple, list)) else None
        if given is None or len(given) != n:
            raise ValueError(f"{self.step.name} expects the initial state as (h_0, c_0), got {type(hx).__name__}")
        states = [as_tensor(s) for s in given]
        for name, s in zip(("h_0", "c_0"), states):
            if s.shape != shape:
                raise ValueError(f"{self.step.name}: {name} has shape {s.shape}, expected {shape}")
        return states

    def extra_repr(self) -> str:
        extras = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            extras.append(f"num_layers={self.num_layers}")
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                extras.append(f"{name}={getattr(self, name)}")
        return ", ".join(extras)


class RNN(RecurrentLayer):
    """Elman RNN layer: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int, default 1
    nonlinearity : {"tanh", "relu"}
    bias, batch_first, dropout, bidirectional
        As in PyTorch.
    bptt_truncate : int, keyword-only
        0 (default) for full BPTT; k > 0 for truncated BPTT over chunks of k steps.
    record_grad_norms : bool, keyword-only
        After backward, ``grad_norms[layer, direction, t]`` = ||dL/dh_t||.

    Call ``rnn(x, h_0=None, lengths=None)`` with x [T, B, I] ([B, T, I] if
    batch_first) and h_0 [L*D, B, H]; returns (output [T, B, D*H], h_n [L*D, B, H]).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, **options):
        super().__init__(RNNStep(nonlinearity), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, **options)
        self.nonlinearity = nonlinearity


class LSTM(RecurrentLayer):
    """LSTM layer (gates i, f, g, o), PyTorch's equations and parameters.

    Same arguments as :class:`RNN` (no ``nonlinearity``). Call
    ``lstm(x, (h_0, c_0)=None, lengths=None)``; returns
    (output [T, B, D*H], (h_n, c_n) each [L*D, B, H]).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, **options):
        super().__init__(LSTMStep(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, **options)


class GRU(RecurrentLayer):
    """GRU layer (gates r, z, n; reset applied to W_hn h + b_hn), PyTorch's equations.

    Same arguments and call as :class:`RNN` (no ``nonlinearity``).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, **options):
        super().__init__(GRUStep(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, **options)

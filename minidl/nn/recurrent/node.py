"""The autograd node of a recurrent layer: every layer and direction in one node.

The layer (``layers.py``) hands the node what it needs and nothing more:

- a :class:`LayerSettings`, a frozen dataclass (the step, the sizes,
  dropout, truncation) that the node reads and cannot change;
- the input, the initial state(s) and the weights as arrays, the weights
  by name (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...);

and the node hands back its outputs, its gradients and, when asked, the
gradient norms ||dL/dh_t|| (to the ``on_grad_norms`` callback, since they
only exist once backward has run). Forward runs the time loop of every
layer and direction (``run_forward``); backward is hand-written BPTT
through time, directions and layers (``run_backward``). The loop is
``bptt.py``'s, the readable one, or on the ``numba`` backend the same two
functions of ``compiled.py``, which compile the whole loop over time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import kernels
import kernels.recurrent
from minidl.function import Function
from minidl.nn.recurrent import bptt, compiled
from minidl.nn.recurrent.bptt import active_counts, reverse_index
from minidl.nn.recurrent.steps import Step
from minidl.nn.recurrent.weights import CellWeights, parameter_suffix
from minidl.random import generator


@dataclass(frozen=True)
class LayerSettings:
    """What the node of a recurrent layer needs to know about the layer, fixed for one call."""

    step: Step               # RNNStep, LSTMStep or GRUStep
    num_layers: int          # L
    num_directions: int      # D: 1, or 2 when bidirectional
    hidden_size: int         # H
    dropout: float = 0.0     # on the outputs of every layer but the last, in training
    bptt_truncate: int = 0   # 0: full BPTT; else the chunk length of truncated BPTT


class RecurrentFunction(Function):
    """All layers and directions of a recurrent layer as one autograd node.

    Inputs: x [T, B, I], the initial state(s) [L*D, B, H] (h, and c for
    LSTM), then the weights named by ``weight_names``. Outputs: the output
    sequence [T, B, D*H] and the final state(s) [L*D, B, H].
    """

    def forward(self, x, *arrays, settings: LayerSettings, weight_names: tuple, lengths=None, training=False,
                on_grad_norms=None):
        """Run every layer and direction forward.

        Parameters
        ----------
        x : array [T, B, I]
        *arrays : the initial state(s) [L*D, B, H], then the weights in ``weight_names`` order
        settings : LayerSettings
        weight_names : tuple of str
            The name of each weight array, e.g. ("weight_ih_l0", "weight_hh_l0", ...).
        lengths : int array [B] or None
            Each sequence's length (None: all T).
        training : bool
            Apply dropout between layers.
        on_grad_norms : callable or None
            Called by backward with ||dL/dh_t|| [L, D, T].

        Returns
        -------
        (output [T, B, D*H], *final_states [L*D, B, H])
        """
        self.settings, self.weight_names, self.on_grad_norms = settings, weight_names, on_grad_norms
        step, L, D = settings.step, settings.num_layers, settings.num_directions
        T, B, _ = x.shape
        states0 = arrays[:step.n_states]
        by_name = dict(zip(weight_names, arrays[step.n_states:]))
        self.weights = {  # (layer_index, direction) -> CellWeights
            (layer_index, direction): CellWeights.from_named(by_name, parameter_suffix(layer_index, direction))
            for layer_index in range(L) for direction in range(D)
        }
        self.kernel = kernels.recurrent.for_arrays(x)
        # the time loop: compiled whole on the numba backend, else the readable one (bptt.py)
        self.loop = compiled if compiled.usable(step, x) else bptt
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
        finals = [[None] * (L * D) for _ in range(step.n_states)]  # finals[state_index][layer_index * D + direction]
        inputs = x
        for layer_index in range(L):
            outs = []
            for direction in range(D):
                seq = inputs if direction == 0 else self._reverse(inputs)
                state0 = tuple(s[layer_index * D + direction] for s in states0)
                out, final, self.tapes[layer_index, direction] = self.loop.run_forward(
                    step, self.kernel, seq, state0, self.weights[layer_index, direction], self.active)
                outs.append(out if direction == 0 else self._reverse(out))
                for state_index, s in enumerate(final):
                    finals[state_index][layer_index * D + direction] = s
            inputs = outs[0] if D == 1 else xp.concatenate(outs, axis=2)  # [T, B, D*H]
            if training and settings.dropout > 0 and layer_index < L - 1:
                keep = generator().random(inputs.shape) >= settings.dropout
                self.masks[layer_index] = xp.asarray(keep, dtype=x.dtype) / x.dtype.type(1 - settings.dropout)
                inputs = inputs * self.masks[layer_index]
        finals = tuple(xp.stack(f) for f in finals)  # each [L*D, B, H]
        if self.order is not None:
            inverse = np.argsort(self.order)
            inputs = inputs[:, inverse]
            finals = tuple(f[:, inverse] for f in finals)
        return (inputs, *finals)

    def backward(self, d_output, *d_finals):
        """BPTT through layers (top first), directions and time.

        Parameters
        ----------
        d_output : array [T, B, D*H]
        *d_finals : arrays [L*D, B, H], one per state

        Returns
        -------
        (dx [T, B, I] or None, *d_states0 [L*D, B, H], *d_weights in ``weight_names`` order)
        """
        settings = self.settings
        L, D, H = settings.num_layers, settings.num_directions, settings.hidden_size
        xp = kernels.array_module(d_output)
        if self.order is not None:
            d_output = d_output[:, self.order]
            d_finals = tuple(d[:, self.order] for d in d_finals)
        T = d_output.shape[0]
        record_norms = self.on_grad_norms is not None
        norms = np.zeros((L, D, T)) if record_norms else None
        d_states0 = [xp.zeros_like(d) for d in d_finals]
        d_weights = {}  # name -> gradient
        d_inputs = d_output
        for layer_index in reversed(range(L)):
            if layer_index in self.masks:
                d_inputs = d_inputs * self.masks[layer_index]
            d_below = 0
            for direction in range(D):
                d_out = d_inputs[:, :, direction * H:(direction + 1) * H]  # [T, B, H]
                if direction == 1:
                    d_out = self._reverse(d_out)
                d_final = tuple(d[layer_index * D + direction] for d in d_finals)
                dx, d_state0, d_cell_weights, cell_norms = self.loop.run_backward(
                    settings.step, self.kernel, d_out, d_final, self.weights[layer_index, direction], self.active,
                    self.tapes[layer_index, direction], truncate=settings.bptt_truncate, record_norms=record_norms,
                    need_dx=layer_index > 0 or self.needs_input_grad[0],
                )
                d_weights.update(d_cell_weights.named(parameter_suffix(layer_index, direction)))
                if record_norms:
                    norms[layer_index, direction] = cell_norms
                if dx is not None:
                    d_below = d_below + (dx if direction == 0 else self._reverse(dx))
                for state_index, d_state in enumerate(d_state0):
                    d_states0[state_index][layer_index * D + direction] = d_state
            d_inputs = d_below  # 0 when the bottom layer's input needs no gradient
        if record_norms:
            self.on_grad_norms(norms)
        if not self.needs_input_grad[0]:
            d_inputs = None
        if self.order is not None:
            inverse = np.argsort(self.order)
            if d_inputs is not None:
                d_inputs = d_inputs[:, inverse]
            d_states0 = [d[:, inverse] for d in d_states0]
        return (d_inputs, *d_states0, *(d_weights[name] for name in self.weight_names))

    def _reverse(self, seq):
        """Each sequence reversed within its own length: [T, B, F] -> [T, B, F]."""
        return seq[self.reverse_index, np.arange(seq.shape[1])[None, :]]

"""Assignment 2 (recurrent): the graded tests, one pytest marker per task.

Tasks 2.1-2.3 check a cell's ``step_backward`` at every time step of a
sequence against central differences (teacher-forced: see
``minidl.classroom.time_checks``). Task 2.4 checks the BPTT loop
``minidl.nn.recurrent.bptt.run_backward`` driving two small test cells defined here,
so that it is graded independently of tasks 2.1-2.3. Everything runs in
float64 on the NumPy backend, i.e. on the student's own code.
"""
from __future__ import annotations

import numpy as np
import pytest

import kernels
from minidl.classroom.time_checks import check_bptt_loop, check_cell_steps
from minidl.nn import GRUCell, LSTMCell, RNNCell
from minidl.nn.recurrent.steps import Step


@pytest.fixture(autouse=True)
def _numpy_backend():
    with kernels.use("numpy"):
        yield


def assert_passes(record_property, check):
    check.record(record_property)
    assert check.passed, check.describe()


# ---------------------------------------------------------------- tasks 2.1-2.3: one step at a time
@pytest.mark.task2_1
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_step_backward(record_property, nonlinearity, bias):
    cell = RNNCell(3, 4, bias=bias, nonlinearity=nonlinearity, dtype=np.float64)
    assert_passes(record_property, check_cell_steps(cell))


@pytest.mark.task2_2
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_step_backward(record_property, bias):
    assert_passes(record_property, check_cell_steps(LSTMCell(3, 4, bias=bias, dtype=np.float64)))


@pytest.mark.task2_3
@pytest.mark.parametrize("bias", [True, False])
def test_gru_step_backward(record_property, bias):
    assert_passes(record_property, check_cell_steps(GRUCell(3, 4, bias=bias, dtype=np.float64)))


# ---------------------------------------------------------------- task 2.4: the loop
class SineStep(Step):
    """A test cell with one state: h_t = sin(gx + s gh) + h_{t-1} / 2 (not one of the tasks).

    With s != 1 the hidden bias stays with gh and d_gh differs from d_gx,
    as for the GRU, so both paths of the loop are exercised.
    """

    name = "SINE"
    n_gates = 1
    n_states = 1

    def __init__(self, hidden_scale: float = 1.0):
        self.scale = hidden_scale
        self.hidden_bias_in_gx = hidden_scale == 1.0

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        (h_prev,) = state
        gh = h_prev @ w_hh_t
        if b_hh is not None:
            gh = gh + b_hh
        pre = gx + self.scale * gh
        return (np.sin(pre) + 0.5 * h_prev,), pre

    def backward(self, kernel, d_state, pre, w_hh):
        (grad_h,) = d_state
        grad_pre = grad_h * np.cos(pre)
        grad_gh = grad_pre if self.scale == 1.0 else self.scale * grad_pre
        return grad_pre, grad_gh, (grad_gh @ w_hh + 0.5 * grad_h,)


class LeakyStep(Step):
    """A test cell with two states: c_t = c_{t-1} / 2 + sin(gx + gh), h_t = tanh(c_t)."""

    name = "LEAKY"
    n_gates = 1
    n_states = 2

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        h_prev, c_prev = state
        pre = gx + h_prev @ w_hh_t
        c = 0.5 * c_prev + np.sin(pre)
        h = np.tanh(c)
        return (h, c), (pre, h)

    def backward(self, kernel, d_state, cache, w_hh):
        grad_h, grad_c = d_state
        pre, h = cache
        grad_c_total = grad_c + grad_h * (1 - h ** 2)
        grad_pre = grad_c_total * np.cos(pre)
        return grad_pre, grad_pre, (grad_pre @ w_hh, 0.5 * grad_c_total)


LOOP_CASES = {
    "one state": dict(step=SineStep()),
    "one state, hidden bias apart": dict(step=SineStep(hidden_scale=0.8)),
    "one state, no bias": dict(step=SineStep(), bias=False),
    "two states": dict(step=LeakyStep()),
    "variable lengths": dict(step=SineStep(hidden_scale=0.8), lengths=(5, 3, 1)),
    "two states, variable lengths": dict(step=LeakyStep(), lengths=(6, 6, 2, 1)),
    "truncated": dict(step=LeakyStep(), lengths=(7, 7), truncate=3),
    "truncated, variable lengths": dict(step=SineStep(), lengths=(7, 4, 2), truncate=2),
}


@pytest.mark.task2_4
@pytest.mark.parametrize("case", list(LOOP_CASES))
def test_bptt_loop(record_property, case):
    assert_passes(record_property, check_bptt_loop(**LOOP_CASES[case]))

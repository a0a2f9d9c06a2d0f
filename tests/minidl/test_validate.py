"""minidl.validate: one validator per kind of argument, errors that name the value and what was expected."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import minidl
from minidl import nn, optim, validate
from minidl.data import BatchLoader, pad_sequences, stratified_split
from minidl.training import fit


@pytest.mark.parametrize(("check", "good", "cleaned"), [
    (validate.positive_int, np.int64(3), 3),
    (validate.non_negative_int, 0, 0),
    (validate.non_negative, math.inf, math.inf),
    (validate.probability, 1, 1.0),
    (validate.decay_rate, 0.0, 0.0),
    (validate.fraction, 0.5, 0.5),
])
def test_good_values_come_back_as_plain_python_numbers(check, good, cleaned):
    value = check("x", good)
    assert value == cleaned and type(value) is type(cleaned)


@pytest.mark.parametrize(("check", "bad", "expected"), [
    (validate.positive_int, 0, "a positive integer"),
    (validate.positive_int, 2.0, "a positive integer"),
    (validate.positive_int, True, "a positive integer"),
    (validate.non_negative_int, -1, "a non-negative integer"),
    (validate.non_negative, math.nan, "a non-negative number"),
    (validate.non_negative, "0.1", "a non-negative number"),
    (validate.probability, 1.5, r"a probability in \[0, 1\]"),
    (validate.decay_rate, 1.0, r"in \[0, 1\)"),
    (validate.fraction, 0.0, r"lie in \(0, 1\)"),
])
def test_bad_values_are_named_with_what_was_expected(check, bad, expected):
    with pytest.raises(ValueError, match=rf"^lr must .*{expected}, got {re.escape(repr(bad))}$"):
        check("lr", bad)


def test_choice_lists_the_options():
    assert validate.choice("kind", "lstm", ("lstm", "gru")) == "lstm"
    with pytest.raises(ValueError, match=r"kind must be one of \('lstm', 'gru'\), got 'cnn'"):
        validate.choice("kind", "cnn", ("lstm", "gru"))


def test_public_entry_points_use_the_shared_validators():
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        BatchLoader([np.ones((2, 1))], [0], batch_size=0)
    with pytest.raises(ValueError, match="maxlen must be a positive integer, got -2"):
        pad_sequences([np.ones((2, 1))], maxlen=-2)
    with pytest.raises(ValueError, match="fraction must lie in \\(0, 1\\), got 1.5"):
        stratified_split([0, 0, 1, 1], 1.5)
    with pytest.raises(ValueError, match="manual_seed seed must be a non-negative integer, got -3"):
        minidl.manual_seed(-3)
    with pytest.raises(ValueError, match="lr must be a non-negative number, got nan"):
        optim.SGD(nn.Linear(2, 1).parameters(), lr=math.nan)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")
    loader = BatchLoader([np.ones((2, 1))], [0], batch_size=1)
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        fit(model, loader, nn.mse_loss, optim.SGD(model.parameters()), epochs=0)
    with pytest.raises(ValueError, match="patience must be a positive integer or None, got 0"):
        fit(model, loader, nn.mse_loss, optim.SGD(model.parameters()), epochs=1, val_loader=loader, patience=0)

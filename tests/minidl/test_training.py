"""Integration: a two-layer MLP learns two interleaved spirals."""
from __future__ import annotations

import numpy as np

import minidl
from minidl import nn, optim


def two_spirals(n_per_class: int, rng: np.random.Generator):
    t = np.sqrt(rng.random(n_per_class)) * 3 * np.pi  # angle, denser near the centre
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    x = np.concatenate([arm, -arm]) + rng.normal(0, 0.02, (2 * n_per_class, 2))
    y = np.concatenate([np.zeros(n_per_class, int), np.ones(n_per_class, int)])
    return x.astype(np.float32), y


def train_spirals(seed: int) -> float:
    rng = np.random.default_rng(seed)
    x_train, y_train = two_spirals(500, rng)
    x_test, y_test = two_spirals(250, rng)
    minidl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _epoch in range(300):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 100):
            batch = order[start:start + 100]
            opt.zero_grad()
            nn.cross_entropy(model(minidl.tensor(x_train[batch])), y_train[batch]).backward()
            opt.step()
    with minidl.no_grad():
        predicted = model(minidl.tensor(x_test)).argmax(axis=1).numpy()
    return float((predicted == y_test).mean())


def test_mlp_learns_two_spirals_deterministically():
    accuracy = train_spirals(seed=0)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} < 0.95"
    assert train_spirals(seed=0) == accuracy, "same seed must give the same result"

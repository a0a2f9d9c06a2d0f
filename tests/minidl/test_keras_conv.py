"""minidl.keras's Conv1D, MaxPooling1D, GlobalAveragePooling1D and BatchNormalization: the same numbers
as minidl's modules on the transposed layout (and PyTorch's), Keras's initializers and momentum, saving."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.keras.layers import (
    BatchNormalization, Conv1D, Dense, GlobalAveragePooling1D, Masking, MaxPooling1D,
)
from minidl.keras.models import Sequential, load_model

STEPS, CHANNELS = 11, 3


def batch(n=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, STEPS, CHANNELS)).astype(np.float32)


def channels_first(x):
    return np.ascontiguousarray(np.asarray(x).transpose(0, 2, 1))  # [B, steps, C] <-> [B, C, steps]


@pytest.mark.parametrize("options, steps_out", [
    (dict(), 9), (dict(padding="same"), 11), (dict(padding="causal", dilation_rate=2), 11),
    (dict(strides=2), 5), (dict(padding="causal", strides=2), 6), (dict(dilation_rate=3, use_bias=False), 5),
])
def test_conv1d_is_nn_conv1d_on_channels_first_and_pytorch_agrees(options, steps_out):
    minidl.manual_seed(0)
    layer = Conv1D(4, 3, activation="relu", input_shape=(STEPS, CHANNELS), **options)
    model = Sequential([layer])
    x = batch()
    y = model.predict(x)
    assert y.shape == (4, steps_out, 4) and model.layers[0].output_shape((STEPS, CHANNELS)) == (steps_out, 4)
    direct = layer.conv(minidl.tensor(channels_first(x))).relu().numpy()  # the module itself, [B, C, steps]
    np.testing.assert_array_equal(y, channels_first(direct))
    torch = pytest.importorskip("torch")
    span = options.get("dilation_rate", 1) * 2
    pad = {"same": (span // 2, span - span // 2), "causal": (span, 0)}.get(options.get("padding"), (0, 0))
    xt = torch.nn.functional.pad(torch.from_numpy(channels_first(x)).double(), pad)
    bias = None if layer.conv.bias is None else torch.from_numpy(layer.conv.bias.numpy()).double()
    reference = torch.nn.functional.conv1d(xt, torch.from_numpy(layer.conv.weight.numpy()).double(), bias,
                                           stride=options.get("strides", 1), dilation=options.get("dilation_rate", 1))
    np.testing.assert_allclose(y, channels_first(reference.relu().numpy()), rtol=0, atol=1e-5)


def test_conv1d_starts_with_keras_initializers_and_refuses_what_it_cannot_do():
    minidl.manual_seed(3)
    layer = Conv1D(64, 5, input_shape=(STEPS, 32))
    Sequential([layer])
    limit = np.sqrt(6.0 / (5 * 32 + 5 * 64))  # Glorot with Keras's fans: kernel_size times channels
    weight = layer.conv.weight.numpy()
    assert weight.shape == (64, 32, 5) and np.abs(weight).max() <= limit and np.abs(weight).max() > 0.9 * limit
    assert not layer.conv.bias.numpy().any()
    with pytest.raises(ValueError, match="strides=1"):
        Conv1D(2, 3, strides=2, padding="same")
    with pytest.raises(ValueError, match="padding"):
        MaxPooling1D(2, padding="same")
    with pytest.raises(ValueError, match="axis=-1"):
        BatchNormalization(axis=1)


def test_pools_are_the_modules_and_the_average_skips_masked_steps():
    x = batch()
    pooled = Sequential([MaxPooling1D(3, strides=2, input_shape=(STEPS, CHANNELS))]).predict(x)
    expected = nn.MaxPool1d(3, stride=2)(minidl.tensor(channels_first(x))).numpy()
    np.testing.assert_array_equal(pooled, channels_first(expected))
    assert Sequential([MaxPooling1D(input_shape=(STEPS, CHANNELS))]).predict(x).shape == (4, 5, CHANNELS)
    np.testing.assert_allclose(Sequential([GlobalAveragePooling1D(input_shape=(STEPS, CHANNELS))]).predict(x),
                               x.mean(axis=1), rtol=1e-6)
    padded = x.copy()
    padded[0, 7:] = 0.0  # Keras's padding: steps of zeros, which Masking turns into lengths
    padded[1, 2:] = 0.0
    model = Sequential([Masking(0.0, input_shape=(STEPS, CHANNELS)), GlobalAveragePooling1D()])
    expected = [padded[0, :7].mean(axis=0), padded[1, :2].mean(axis=0), x[2].mean(axis=0), x[3].mean(axis=0)]
    np.testing.assert_allclose(model.predict(padded), np.stack(expected), rtol=1e-6)


def test_lengths_follow_conv_and_pool_steps_to_the_average():
    minidl.manual_seed(4)
    x = batch()
    x[0, 6:] = 0.0
    model = Sequential([Masking(0.0, input_shape=(STEPS, CHANNELS)), Conv1D(2, 3), MaxPooling1D(2),
                        GlobalAveragePooling1D()])
    conv, pool = model.layers[1], model.layers[2]
    h = pool.pool(conv.conv(minidl.tensor(channels_first(x[:1, :6])))).numpy()  # the clip alone: 6 -> 4 -> 2
    np.testing.assert_allclose(model.predict(x)[0], h[0].mean(axis=1), rtol=1e-6)


def test_batch_normalization_uses_keras_momentum_on_nn_batchnorm1d():
    x = batch(8)
    layer = BatchNormalization(momentum=0.9, epsilon=1e-3, input_shape=(STEPS, CHANNELS))
    model = Sequential([layer])
    assert layer.norm.momentum == pytest.approx(0.1) and layer.norm.eps == 1e-3
    reference = nn.BatchNorm1d(CHANNELS, eps=1e-3, momentum=0.1)
    model.train()
    y = model(minidl.tensor(x)).numpy()
    expected = reference(minidl.tensor(channels_first(x))).numpy()
    np.testing.assert_allclose(y, channels_first(expected), rtol=1e-6, atol=1e-6)
    # Keras: moving <- 0.9 moving + 0.1 batch, from zeros
    np.testing.assert_allclose(layer.norm.running_mean.numpy(), 0.1 * x.mean(axis=(0, 1)), rtol=1e-5, atol=1e-7)
    flat = Sequential([BatchNormalization(input_shape=(CHANNELS,))])
    assert flat.layers[0].norm.momentum == pytest.approx(0.01)
    assert flat.predict(x[:, 0]).shape == (8, CHANNELS)


def test_a_conv_model_saves_and_loads_with_every_layer_and_buffer(tmp_path):
    minidl.manual_seed(5)
    model = Sequential([Conv1D(6, 3, padding="causal", dilation_rate=2, activation="relu",
                               input_shape=(STEPS, CHANNELS)),
                        BatchNormalization(momentum=0.8), MaxPooling1D(2), Conv1D(5, 2, strides=2),
                        GlobalAveragePooling1D(), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = batch(16), np.eye(3, dtype=np.float32)[np.arange(16) % 3]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "conv.keras")
    loaded = load_model(tmp_path / "conv.keras")
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]
    np.testing.assert_array_equal(loaded.layers[1].norm.running_var.numpy(), model.layers[1].norm.running_var.numpy())
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))

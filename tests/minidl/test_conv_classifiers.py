"""The cnn, crnn and tcn clip classifiers: padding never changes a clip's answer; causality; depth."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn
from minidl.classifiers import build_classifier
from minidl.conv_classifiers import TCNClassifier, tcn_depth

KINDS = ("cnn", "crnn", "tcn")


def padded_batch(lengths, features=7, value=5.0, dtype=np.float64, seed=0):
    """x [B, T, F] with random valid frames and ``value`` (not zero: a test of the masks) in the padding."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((len(lengths), max(lengths), features)).astype(dtype)
    x[np.arange(max(lengths))[None, :] >= np.asarray(lengths)[:, None]] = value
    return x


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_a_padded_batch_gives_each_clip_the_logits_it_gets_alone(kind, dtype, atol):
    minidl.manual_seed(0)
    model = build_classifier(kind, 7, 4, hidden_size=6, num_layers=2 if kind == "crnn" else 1).to(dtype)
    model.eval()
    lengths = [9, 1, 30, 2, 17, 3, 4]  # odd, even, shorter than the pools and kernels
    x = padded_batch(lengths, dtype=dtype)
    together = model(minidl.tensor(x), lengths=lengths).numpy()  # [B, C]
    for i, length in enumerate(lengths):
        alone = model(minidl.tensor(x[i:i + 1, :length]), lengths=[length]).numpy()[0]
        np.testing.assert_allclose(together[i], alone, rtol=0, atol=atol, err_msg=f"{kind}, clip {i}")


@pytest.mark.parametrize("kind", KINDS)
def test_lengths_none_means_every_frame_and_gradients_reach_every_parameter(kind):
    minidl.manual_seed(1)
    model = build_classifier(kind, 5, 3, hidden_size=4)
    x = padded_batch([12, 12], features=5, dtype=np.float32)
    np.testing.assert_allclose(model(minidl.tensor(x)).numpy(), model(minidl.tensor(x), lengths=[12, 12]).numpy())
    nn.cross_entropy(model(minidl.tensor(x), lengths=[12, 5]), np.array([0, 2])).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad).all(), name


def test_bad_lengths_are_refused_with_the_model_named():
    model = build_classifier("cnn", 5, 3, hidden_size=4)
    with pytest.raises(ValueError, match="CNNClassifier: lengths"):
        model(minidl.tensor(padded_batch([4, 4], features=5, dtype=np.float32)), lengths=[4, 9])


def test_causal_convolution_and_tcn_outputs_ignore_later_frames():
    minidl.manual_seed(2)
    conv = nn.CausalConv1d(3, 2, kernel_size=3, dilation=4).double()
    x = np.random.default_rng(3).standard_normal((1, 3, 20))
    later = x.copy()
    later[..., 12:] += 10.0
    y, y_later = conv(minidl.tensor(x)).numpy(), conv(minidl.tensor(later)).numpy()
    assert y.shape == (1, 2, 20)
    np.testing.assert_array_equal(y[..., :12], y_later[..., :12])
    assert not np.allclose(y[..., 12:], y_later[..., 12:])
    torch = pytest.importorskip("torch")  # left padding by hand, then PyTorch's valid convolution
    padded = torch.nn.functional.pad(torch.from_numpy(x), (8, 0))
    reference = torch.nn.functional.conv1d(padded, torch.from_numpy(conv.weight.numpy()),
                                           torch.from_numpy(conv.bias.numpy()), dilation=4)
    np.testing.assert_allclose(y, reference.numpy(), rtol=0, atol=1e-12)


def test_the_tcn_receptive_field_covers_the_longest_fsdd_clip():
    assert [tcn_depth(field, 3) for field in (5, 6, 13, 250)] == [1, 2, 2, 6]
    model = TCNClassifier(4, 3, 2)
    assert model.receptive_field == 253 >= 229 and len(model.blocks) == 6
    assert [block.first.conv.dilation[0] for block in model.blocks] == [1, 2, 4, 8, 16, 32]

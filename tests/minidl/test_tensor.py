"""The engine's contract: creation, backward semantics, errors."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl.errors import BackwardError, DTypeMismatchError, ShapeError


def test_tensor_defaults_follow_pytorch():
    assert minidl.tensor([1.0, 2.0]).dtype == np.float32
    assert minidl.tensor(np.zeros(3)).dtype == np.float64  # arrays keep their dtype
    assert minidl.tensor([1, 2]).dtype.kind == "i"
    assert minidl.tensor([1.0], dtype=np.float64).dtype == np.float64
    x = np.ones(3)
    t = minidl.tensor(x)
    x[0] = 5.0
    assert t.data[0] == 1.0, "tensor() must copy its input"


def test_attributes_and_conversion():
    t = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.size == 4 and t.device == "cpu"
    assert t.is_leaf and t.grad is None
    assert isinstance(t.numpy(), np.ndarray)
    d = t.detach()
    assert not d.requires_grad and d.data is t.data
    assert minidl.tensor([3.5]).item() == 3.5
    assert "requires_grad=True" in repr(t)


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="floating"):
        minidl.tensor([1, 2], requires_grad=True)


def test_leaves_keep_grad_intermediates_do_not():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert y.grad is None


def test_gradients_accumulate_across_backward_calls_and_paths():
    x = minidl.tensor([2.0], requires_grad=True, dtype=np.float64)
    (x * x + x).sum().backward()  # d/dx (x^2 + x) = 2x + 1 = 5
    np.testing.assert_allclose(x.grad, [5.0], rtol=0, atol=0)
    (x * 4.0).sum().backward()
    np.testing.assert_allclose(x.grad, [9.0], rtol=0, atol=0)


def test_long_chain_does_not_hit_recursion_limit():
    x = minidl.tensor([1.0], requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001**10_000], rtol=1e-9)


def test_diamond_graph_visits_each_node_once():
    x = minidl.tensor([1.5], requires_grad=True, dtype=np.float64)
    a = x.exp()
    b, c = a * 2.0, a * 3.0
    (b + c).sum().backward()
    np.testing.assert_allclose(x.grad, [5.0 * np.exp(1.5)], rtol=1e-14)


def test_no_grad_records_nothing():
    x = minidl.tensor([1.0], requires_grad=True)
    with minidl.no_grad():
        y = x * 2.0
        assert not minidl.is_grad_enabled()
    assert minidl.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(BackwardError, match="does not require grad"):
        y.backward()


def test_backward_on_non_scalar_needs_a_gradient():
    x = minidl.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2.0
    with pytest.raises(BackwardError, match=r"shape \(1, 2\) needs a gradient"):
        y.backward()
    with pytest.raises(BackwardError, match=r"grad has shape \(3,\), expected \(1, 2\)"):
        y.backward(np.ones(3))
    y.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0]])


def test_unused_output_of_multi_output_function_gets_zero_gradient():
    class SplitTwo(minidl.Function):
        def forward(self, x):
            return x * 2, x * 3

        def backward(self, g2, g3):
            return 2 * g2 + 3 * g3

    x = minidl.tensor([1.0, 1.0], requires_grad=True)
    two, _three = SplitTwo.apply(x)
    two.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_custom_function_backward_shape_is_checked():
    class Wrong(minidl.Function):
        def forward(self, x):
            return x.sum()

        def backward(self, grad):
            return grad  # forgot to broadcast back to x's shape

    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(BackwardError, match=r"gradient of shape \(\) for an input of shape \(2,\)"):
        Wrong.apply(x).backward()


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = minidl.zeros(2, 3), minidl.zeros(4, 5)
    with pytest.raises(ShapeError, match=r"\(2, 3\) and \(4, 5\)"):
        a @ b


def test_dtype_mixing_is_a_clear_error():
    a = minidl.tensor([1.0], dtype=np.float32)
    b = minidl.tensor([1.0], dtype=np.float64)
    with pytest.raises(DTypeMismatchError, match="float32.*float64"):
        a + b
    # Python numbers and integer tensors adopt the float dtype
    assert (a + 1).dtype == np.float32
    assert (a * minidl.tensor([2])).dtype == np.float32


def test_unknown_device_and_missing_gpu_are_clear_errors():
    import kernels

    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        minidl.tensor([1.0], device="tpu")
    if "cupy" not in kernels.available():
        with pytest.raises(kernels.BackendUnavailableError, match="cupy"):
            minidl.tensor([1.0], device="cuda")


def test_reshape_errors_name_the_shapes():
    with pytest.raises(ShapeError, match=r"shape \(2, 3\).*\(4,\)"):
        minidl.zeros(2, 3).reshape(4)


def test_manual_seed_makes_draws_reproducible():
    minidl.manual_seed(3)
    a = minidl.randn(4).numpy()
    minidl.manual_seed(3)
    np.testing.assert_array_equal(a, minidl.randn(4).numpy())
    with pytest.raises(ValueError, match="non-negative integer"):
        minidl.manual_seed(-1)


def test_empty_reductions_and_concat_errors():
    with pytest.raises(ValueError, match="empty"):
        minidl.zeros(0).max()
    with pytest.raises(ValueError, match="at least one tensor"):
        minidl.concat([])
    with pytest.raises(ShapeError, match="differ off that axis"):
        minidl.concat([minidl.zeros(2, 3), minidl.zeros(2, 4)], axis=0)
    with pytest.raises(ValueError, match="out of range"):
        minidl.zeros(2, 3).sum(axis=5)


def test_function_without_backward_names_the_missing_method():
    class ForwardOnly(minidl.Function):
        def forward(self, x):
            return x * 2

    y = ForwardOnly.apply(minidl.tensor([1.0], requires_grad=True))
    with pytest.raises(TypeError, match=r"ForwardOnly must define backward"):
        y.sum().backward()

"""``Tensor``: an array that remembers how it was computed.

A tensor wraps one array — NumPy on the CPU, CuPy on the GPU — in ``.data``.
When it is the output of an op on tensors that require gradients, it also
remembers the op (``_creator``), so ``loss.backward()`` can walk the graph
back and leave ``d loss / d leaf`` in each leaf's ``.grad``.

Every operator here is a one-line call to a ``Function`` in ``minidl.ops``;
the math, forward beside backward, lives there.
"""
from __future__ import annotations

import numpy as np

import kernels
from kernels import DEVICES
from minidl.errors import BackwardError


class Tensor:
    """An n-dimensional array with automatic differentiation.

    Create tensors with :func:`minidl.tensor`; this constructor takes an
    array as it is.

    Attributes
    ----------
    data : numpy.ndarray or cupy.ndarray
        The values.
    grad : array or None
        After ``backward()``, d(output)/d(this tensor), same shape and backend.
    requires_grad : bool
        Whether gradients flow to this tensor.
    """

    # Make ``ndarray + tensor`` call Tensor.__radd__ instead of NumPy's loop.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False):
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {data.dtype}"
            )
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._creator = None  # the Function whose output this is (None: a leaf)
        self._output_index = 0  # which output of _creator

    # ------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple:
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def device(self) -> str:
        return "cuda" if kernels.is_cupy_array(self.data) else "cpu"

    @property
    def xp(self):
        """The array module of ``.data``: numpy or cupy."""
        return kernels.array_module(self.data)

    @property
    def is_leaf(self) -> bool:
        return self._creator is None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        dev = ", device='cuda'" if self.device == "cuda" else ""
        values = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        dtype = "" if self.dtype == np.float32 else f", dtype={self.dtype}"
        return f"tensor({values}{dtype}{grad}{dev})"

    # ------------------------------------------------------------ conversion
    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (copied from the GPU if needed)."""
        return self.data.get() if self.device == "cuda" else self.data

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def item(self) -> float:
        """The single value of a one-element tensor, as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.reshape(()).item()

    def detach(self) -> Tensor:
        """The same values, cut from the graph (no gradient flows through)."""
        return Tensor(self.data)

    def astype(self, dtype) -> Tensor:
        """A copy in another dtype; a differentiable cast, as PyTorch's ``.to(dtype)``.

        To a floating dtype the copy stays in the graph: its gradient flows
        back to ``self`` in ``self``'s own dtype. To an integer or bool dtype
        the copy is cut from the graph (no gradient is defined there).

        Examples
        --------
        >>> x = minidl.tensor([1.5, 2.0], dtype=np.float64, requires_grad=True)
        >>> (x.astype(np.float32) * 2).sum().backward()
        >>> x.grad, x.grad.dtype
        (array([2., 2.]), dtype('float64'))
        """
        if np.dtype(dtype).kind != "f":
            return Tensor(self.data.astype(dtype))
        return pointwise.Cast.apply(self, dtype=np.dtype(dtype))

    def to(self, device: str) -> Tensor:
        """This tensor on ``device`` ("cpu" or "cuda").

        Returns ``self`` when it is already there, else a copy that is a new
        leaf with the same ``requires_grad``.
        """
        moved = as_tensor(self, device=device)
        if moved is not self:
            moved.requires_grad = self.requires_grad and moved.dtype.kind == "f"
        return moved

    # ------------------------------------------------------------ backward
    def backward(self, grad=None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires a gradient.

        Parameters
        ----------
        grad : array-like, optional
            d(loss)/d(self), same shape as ``self``. May be omitted only when
            ``self`` holds one element (a scalar loss): it is then 1.
        """
        from minidl.autograd import backward as run_backward

        if not self.requires_grad:
            raise BackwardError(
                "backward() on a tensor that does not require grad: no input of "
                "the computation had requires_grad=True (or it ran under no_grad())"
            )
        if grad is None:
            if self.size != 1:
                raise BackwardError(
                    f"backward() on a tensor of shape {self.shape} needs a gradient "
                    "argument of that shape; only one-element outputs get the implicit 1"
                )
            grad = self.xp.ones(self.data.shape, dtype=self.dtype)
        else:
            grad = as_tensor(grad, dtype=self.dtype, device=self.device).data
            if grad.shape != self.data.shape:
                raise BackwardError(
                    f"backward(grad): grad has shape {grad.shape}, expected {self.shape}"
                )
        run_backward(self, grad)

    def zero_grad(self) -> None:
        self.grad = None

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other): return arithmetic.Add.apply(self, other)
    def __radd__(self, other): return arithmetic.Add.apply(other, self)
    def __sub__(self, other): return arithmetic.Sub.apply(self, other)
    def __rsub__(self, other): return arithmetic.Sub.apply(other, self)
    def __mul__(self, other): return arithmetic.Mul.apply(self, other)
    def __rmul__(self, other): return arithmetic.Mul.apply(other, self)
    def __truediv__(self, other): return arithmetic.Div.apply(self, other)
    def __rtruediv__(self, other): return arithmetic.Div.apply(other, self)
    def __pow__(self, other): return arithmetic.Pow.apply(self, other)
    def __rpow__(self, other): return arithmetic.Pow.apply(other, self)
    def __neg__(self): return arithmetic.Neg.apply(self)
    def __matmul__(self, other): return arithmetic.MatMul.apply(self, other)
    def __rmatmul__(self, other): return arithmetic.MatMul.apply(other, self)

    # comparisons give boolean tensors, outside the graph
    def __lt__(self, other): return Tensor(self.data < _data(other))
    def __le__(self, other): return Tensor(self.data <= _data(other))
    def __gt__(self, other): return Tensor(self.data > _data(other))
    def __ge__(self, other): return Tensor(self.data >= _data(other))

    # ------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims=False): return reduction.Sum.apply(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return reduction.Mean.apply(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return reduction.Max.apply(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return reduction.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None) -> Tensor:
        """Index of the largest value (no gradient)."""
        return Tensor(self.data.argmax(axis=axis))

    # ------------------------------------------------------------ shapes
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return shape_ops.Reshape.apply(self, shape=shape)

    def flatten(self):
        return self.reshape(-1)

    def unsqueeze(self, axis: int):
        axis = axis if axis >= 0 else axis + self.ndim + 1
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def squeeze(self, axis: int):
        if self.shape[axis] != 1:
            raise ValueError(f"squeeze({axis}): that axis has size {self.shape[axis]}, expected 1")
        axis = axis % self.ndim
        return self.reshape(self.shape[:axis] + self.shape[axis + 1:])

    def permute(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return shape_ops.Permute.apply(self, axes=axes)

    def transpose(self, axis0: int = -2, axis1: int = -1):
        """Swap two axes (PyTorch's ``transpose(dim0, dim1)``; default: the last two)."""
        axes = list(range(self.ndim))
        axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
        return self.permute(axes)

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.ndim))))

    def __getitem__(self, index):
        return shape_ops.GetItem.apply(self, index=_data_index(index))

    # ------------------------------------------------------------ pointwise
    def exp(self): return pointwise.Exp.apply(self)
    def log(self): return pointwise.Log.apply(self)
    def sqrt(self): return pointwise.Sqrt.apply(self)
    def abs(self): return pointwise.Abs.apply(self)
    def clip(self, min=None, max=None): return pointwise.Clip.apply(self, low=min, high=max)
    def tanh(self): return pointwise.Tanh.apply(self)
    def sigmoid(self): return pointwise.Sigmoid.apply(self)
    def relu(self): return pointwise.ReLU.apply(self)
    def softmax(self, axis=-1): return softmax.Softmax.apply(self, axis=axis)
    def log_softmax(self, axis=-1): return softmax.LogSoftmax.apply(self, axis=axis)


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _data_index(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, tuple):
        return tuple(_data(i) for i in index)
    return _data(index)


def as_tensor(x, *, dtype=None, device=None) -> Tensor:
    """``x`` as a Tensor on ``device`` with ``dtype``, without copying when it already is one.

    A Tensor that must change dtype or device comes back as a new leaf
    (no gradient flows through a conversion).
    """
    if isinstance(x, Tensor):
        same_dtype = dtype is None or x.dtype == np.dtype(dtype)
        if same_dtype and (device is None or x.device == device):
            return x
        x = x.data
    if device is None:
        device = "cuda" if kernels.is_cupy_array(x) else "cpu"
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; expected one of {DEVICES}")
    if device == "cuda":
        kernels.require("cupy")
        import cupy as xp
    else:
        xp = np
        if kernels.is_cupy_array(x):
            x = x.get()
    return Tensor(xp.asarray(x, dtype=dtype))


def tensor(data, *, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """Create a tensor, PyTorch-style.

    Parameters
    ----------
    data : array-like
        Numbers, nested lists, a NumPy or CuPy array. The values are copied.
    requires_grad : bool
        Record operations on this tensor for backward.
    dtype : dtype, optional
        Defaults to the dtype of an array, and to float32 for Python floats
        (int64 for Python ints, bool for bools), as in PyTorch.
    device : {"cpu", "cuda"}, optional
        Defaults to where ``data`` lives.

    Examples
    --------
    >>> x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is None and not hasattr(data, "dtype"):
        dtype = np.asarray(data).dtype
        if dtype.kind == "f":
            dtype = np.float32
    out = as_tensor(data, dtype=dtype, device=device)
    # always a fresh array: the caller may keep mutating theirs
    out = Tensor(out.data.copy() if out.data is _data(data) else out.data)
    if requires_grad and out.dtype.kind != "f":
        raise TypeError(
            f"requires_grad=True needs a floating dtype, got {out.dtype}; pass dtype=np.float32"
        )
    out.requires_grad = bool(requires_grad)
    return out


# The ops import Tensor from this module, so they are imported after it is defined.
from minidl.ops import arithmetic, pointwise, reduction, softmax  # noqa: E402
from minidl.ops import shape as shape_ops  # noqa: E402

"""``Function``: one differentiable operation, forward and backward side by side.

Every op in minidl is a subclass::

    class Cube(Function):
        def forward(self, x):
            self.x = x
            return x ** 3

        def backward(self, grad):          # d x^3/dx = 3 x^2
            return grad * 3 * self.x ** 2

``forward`` receives plain arrays (NumPy or CuPy) and returns an array, or a
tuple of arrays for an op with several outputs. ``backward`` receives the
gradient of the loss with respect to each output and returns the gradient
with respect to each input (``None`` for an input that needs none). What
backward needs, forward stores on ``self``.

``Op.apply(*inputs, **options)`` runs forward on tensors and, when any
input requires a gradient, records the call in the graph.
"""
from __future__ import annotations

from minidl.errors import DeviceMismatchError, DTypeMismatchError
from minidl.grad_mode import is_grad_enabled
from minidl.tensor import Tensor, as_tensor


class Function:
    """Base class of differentiable operations (see the module docstring).

    A subclass that forgets forward or backward gets a TypeError naming the
    method; NotImplementedError is kept for the classroom kit's student stubs.
    """

    def forward(self, *arrays, **options):
        raise TypeError(f"{type(self).__name__} must define forward(self, *arrays)")

    def backward(self, *grads):
        raise TypeError(f"{type(self).__name__} must define backward(self, *grads)")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on tensors (or array-likes) and record it for backward."""
        tensors = _as_operands(cls.__name__, inputs)
        fn = cls()
        outputs = fn.forward(*(t.data for t in tensors), **options)
        record = is_grad_enabled() and any(t.requires_grad for t in tensors)
        if record:
            fn.inputs = tensors
            # Lets backward skip work for inputs nobody needs a gradient of.
            fn.needs_input_grad = tuple(t.requires_grad for t in tensors)
        several = isinstance(outputs, tuple)
        arrays = outputs if several else (outputs,)
        fn.n_outputs = len(arrays)
        # backward hands a zero gradient to outputs the loss does not use
        fn.output_specs = [(a.shape, a.dtype) for a in arrays]
        wrapped = tuple(_wrap(a, fn, i, record) for i, a in enumerate(arrays))
        return wrapped if several else wrapped[0]


def _wrap(array, fn: Function, index: int, record: bool) -> Tensor:
    out = Tensor(array, requires_grad=record)
    if record:
        out._creator = fn
        out._output_index = index
    return out


def _as_operands(op_name: str, inputs) -> list[Tensor]:
    """Turn the inputs of one op into tensors of one device and one dtype.

    Tensors must agree on device and on floating dtype (no silent promotion:
    a float32 model fed float64 data is a bug worth hearing about). Python
    numbers and raw arrays adopt the dtype of the tensors beside them.
    """
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    devices = {t.device for t in tensors}
    if len(devices) > 1:
        raise DeviceMismatchError(
            f"{op_name}: inputs are on different devices {sorted(devices)}; "
            "move them to one device with .to(device) first"
        )
    float_dtypes = {t.dtype for t in tensors if t.dtype.kind == "f"}
    if len(float_dtypes) > 1:
        names = sorted(str(d) for d in float_dtypes)
        raise DTypeMismatchError(
            f"{op_name}: inputs have different dtypes {names}; "
            "convert a tensor with x.astype(np.float32), or a model with "
            "model.double() / model.float() / model.to(np.float64), so both match"
        )
    dtype = float_dtypes.pop() if float_dtypes else None
    device = devices.pop() if devices else "cpu"
    # Integer tensors (masks, counts) and raw numbers are cast to the float
    # dtype; they never carry gradients, so nothing is lost by the cast.
    return [
        x
        if isinstance(x, Tensor) and (dtype is None or x.dtype == dtype)
        else as_tensor(x, dtype=dtype, device=device)
        for x in inputs
    ]

"""``Module``: a piece of a model that owns parameters and sub-modules.

Assigning a ``Parameter`` or a ``Module`` to an attribute registers it, in
order, so ``named_parameters()`` can list every weight with a dotted name
(``"0.weight"``, ``"rnn.weight_hh_l0"``) — the names ``state_dict`` uses.
A buffer (``register_buffer``) is state that is not trained, such as batch
norm's running statistics: saved in ``state_dict`` and moved by ``.to()``
like a parameter, but never handed to an optimizer.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from minidl.errors import StateDictError
from minidl.tensor import Tensor, as_tensor


class Parameter(Tensor):
    """A tensor that is a weight of a module: a leaf that requires grad."""

    def __init__(self, data, requires_grad: bool = True):
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter(" + super().__repr__()[len("tensor("):]


def _floating_dtype(dtype) -> np.dtype:
    """The numpy dtype for ``Module.to(dtype)``: a floating one, else ValueError naming it."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"Module.to expects a device (\"cpu\", \"cuda\") or a floating dtype, "
                         f"got {dtype!r}") from None
    if dtype.kind != "f":
        raise ValueError(f"Module.to: parameters must stay floating point, got dtype {dtype}; "
                         "expected np.float32 or np.float64")
    return dtype


class Module:
    """Base class of layers and models; subclasses define ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if name in self._buffers:  # assigning to a buffer replaces its value, it stays a buffer
            value = None if value is None else as_tensor(value)
            self._buffers[name] = value
            object.__setattr__(self, name, value)
            return
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ traversal
    def named_children(self):
        yield from self._modules.items()

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = ""):
        """(name, module) for this module and every descendant, depth first."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = ""):
        """(dotted name, parameter) pairs; a shared parameter is listed once."""
        seen = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self):
        for _, param in self.named_parameters():
            yield param

    def register_buffer(self, name: str, value) -> None:
        """Register state that is saved and moved with the module but not trained, as PyTorch's.

        ``value`` is an array or Tensor (kept as a Tensor that needs no
        gradient) or None (a buffer not in use: left out of ``state_dict``).

        Examples
        --------
        >>> m = nn.Module()
        >>> m.register_buffer("count", np.zeros(1, dtype=np.int64))
        >>> list(m.state_dict())
        ['count']
        """
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"register_buffer: name must be a non-empty string without '.', got {name!r}")
        if name in self._parameters or name in self._modules:
            raise ValueError(f"register_buffer: {name!r} is already a parameter or a sub-module")
        self._buffers[name] = None
        setattr(self, name, value)

    def named_buffers(self, prefix: str = ""):
        """(dotted name, buffer Tensor) pairs of this module and every descendant; None buffers are skipped."""
        for module_name, module in self.named_modules(prefix):
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self):
        for _, buffer in self.named_buffers():
            yield buffer

    # ------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off); returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        for param in self.parameters():
            param.grad = None

    def to(self, device_or_dtype=None, *, device=None, dtype=None) -> Module:
        """Move every parameter to a device and/or a floating dtype, in place; returns self.

        As PyTorch's ``Module.to``: ``model.to("cuda")``, ``model.to(np.float64)``,
        ``model.to(device="cpu", dtype=np.float32)``.

        The Parameter objects stay the same, so an optimizer made before the
        call still holds them; their arrays are replaced. Given a ``device``,
        the gradients are dropped; given a ``dtype``, they are converted. Raises
        ``BackendUnavailableError`` for "cuda" without a GPU, and ValueError
        for a dtype that is not floating (weights must stay differentiable).

        Examples
        --------
        >>> layer = nn.Linear(2, 1).to(np.float64)
        >>> layer.weight.dtype
        dtype('float64')
        """
        if isinstance(device_or_dtype, str):
            device = device_or_dtype
        elif device_or_dtype is not None:
            dtype = device_or_dtype
        if dtype is not None:
            dtype = _floating_dtype(dtype)
            for param in self.parameters():
                param.data = param.data.astype(dtype, copy=False)
                param.grad = None if param.grad is None else param.grad.astype(dtype, copy=False)
            for buffer in self.buffers():  # counters such as num_batches_tracked stay integers
                if buffer.dtype.kind == "f":
                    buffer.data = buffer.data.astype(dtype, copy=False)
        if device is not None:
            tensors = list(self.parameters()) + list(self.buffers())
            moved = [as_tensor(t.data, device=device).data for t in tensors]  # all or nothing
            for tensor, data in zip(tensors, moved):
                tensor.data = data
                tensor.grad = None
        return self

    def double(self) -> Module:
        """Every parameter in float64, in place (``self.to(np.float64)``); returns self."""
        return self.to(dtype=np.float64)

    def float(self) -> Module:
        """Every parameter in float32, in place (``self.to(np.float32)``); returns self."""
        return self.to(dtype=np.float32)

    # ------------------------------------------------------------ state
    def _named_state(self) -> OrderedDict:
        """Name -> Tensor of every parameter and buffer, each module's parameters then its buffers (PyTorch's order)."""
        state, seen = OrderedDict(), set()
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, tensor in list(module._parameters.items()) + list(module._buffers.items()):
                if tensor is not None and id(tensor) not in seen:
                    seen.add(id(tensor))
                    state[prefix + name] = tensor
        return state

    def state_dict(self) -> OrderedDict:
        """Name -> copy of each parameter's and buffer's array."""
        return OrderedDict((name, t.data.copy()) for name, t in self._named_state().items())

    def load_state_dict(self, state, strict: bool = True) -> None:
        """Copy arrays into the parameters and buffers, by name.

        Every mismatch is reported at once, before anything is changed:
        missing keys, unexpected keys (with ``strict=True``) and keys whose
        shape differs from the parameter's.

        Parameters
        ----------
        state : mapping of str to array-like
            For example ``{k: v.numpy() for k, v in torch_model.state_dict().items()}``.
        strict : bool
            Whether missing and unexpected keys are errors.
        """
        own = self._named_state()
        problems = []
        if strict:
            missing = [k for k in own if k not in state]
            unexpected = [k for k in state if k not in own]
            if missing:
                problems.append(f"missing keys: {missing}")
            if unexpected:
                problems.append(f"unexpected keys: {unexpected}")
        values = {}
        for name, param in own.items():
            if name not in state:
                continue
            value = state[name]
            value = value.numpy() if hasattr(value, "numpy") else as_tensor(value, device="cpu").data
            if tuple(value.shape) != param.shape:
                problems.append(
                    f"key {name!r}: shape {tuple(value.shape)} in the state_dict, "
                    f"{param.shape} in the model"
                )
            values[name] = value
        if problems:
            raise StateDictError(
                f"load_state_dict into {type(self).__name__} failed:\n  " + "\n  ".join(problems)
            )
        for name, value in values.items():
            param = own[name]
            param.data = param.xp.asarray(value, dtype=param.dtype).copy()

    # ------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in self._modules.items():
            child_lines = repr(child).split("\n")
            lines.append(f"  ({name}): " + "\n  ".join(child_lines))
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"

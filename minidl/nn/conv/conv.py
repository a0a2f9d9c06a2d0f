"""``Conv1d`` and ``conv1d``: 1-D convolution with PyTorch's arguments, layout [N, C, L] and names.

The sums are written out in ``kernels/conv/reference.py``; this module
checks the arguments and the input, turns ``padding`` ("same", "valid",
an int) into the pair (p_l, p_r), picks the kernel for the backend and
wraps it in one autograd node, whose backward is the two convolutions
that give dL/dx and dL/dw (and dL/db = sum of dL/dy over n and t).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernels import conv as conv_kernels
from minidl import validate
from minidl.function import Function
from minidl.nn import init
from minidl.nn.module import Module, Parameter
from minidl.tensor import Tensor, as_tensor

PADDING_MODES = {"zeros": None, "reflect": "reflect", "replicate": "edge", "circular": "wrap"}  # -> np.pad mode


def single(name: str, value, *, allow_zero: bool = False) -> int:
    """An int, or a 1-tuple of one as PyTorch also accepts (``kernel_size=(3,)``); checked positive."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple for a 1-D layer, got {value!r}")
        value = value[0]
    return validate.non_negative_int(name, value) if allow_zero else validate.positive_int(name, value)


def padding_pair(padding, kernel_size: int, stride: int, dilation: int, where: str) -> tuple[int, int]:
    """(p_l, p_r) from ``padding``: an int (both sides), "valid" (none) or "same" (L_out = L).

    "same" pads d (K - 1) in all, the extra one on the right when that is
    odd, as PyTorch does; with stride > 1 no padding keeps L, so it is an
    error (PyTorch's too).
    """
    if isinstance(padding, str):
        validate.choice(f"{where}: padding", padding, ("same", "valid"))
        if padding == "valid":
            return 0, 0
        if stride != 1:
            raise ValueError(f"{where}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride}); use an int padding or stride=1")
        total = dilation * (kernel_size - 1)
        return total // 2, total - total // 2
    p = single(f"{where}: padding", padding, allow_zero=True)
    return p, p


@dataclass(frozen=True)
class ConvSettings:
    """What the node needs besides arrays."""

    stride: int
    padding: tuple  # (p_l, p_r)
    dilation: int
    groups: int


class Conv1dFunction(Function):
    """y = conv(x, w) + b; dL/dx and dL/dw are convolutions of dL/dy (see ``kernels/conv/reference.py``)."""

    def forward(self, x, weight, bias=None, *, settings: ConvSettings):
        self.kernels = conv_kernels.for_arrays(x, weight)  # reference, Numba or CUDA, by backend
        self.x, self.weight, self.settings = x, weight, settings
        s = settings
        return self.kernels.conv1d_forward(x, weight, bias, s.stride, s.padding, s.dilation, s.groups)

    def backward(self, grad):  # grad [N, C_out, L_out]
        s, needs = self.settings, self.needs_input_grad
        options = (s.stride, s.padding, s.dilation, s.groups)
        grad_x = self.kernels.conv1d_backward_input(grad, self.weight, self.x.shape[2], *options) if needs[0] else None
        grad_w = self.kernels.conv1d_backward_weight(grad, self.x, self.weight.shape[2], *options) if needs[1] else None
        if len(needs) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, (grad.sum(axis=(0, 2)) if needs[2] else None)


def check_input(x: Tensor, channels: int, where: str) -> None:
    """x must be floating, batched [N, C, L] or one sequence [C, L], with C = ``channels``."""
    if x.ndim not in (2, 3):
        raise ValueError(f"{where} expects input [N, C, L] or [C, L], got shape {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"{where} expects floating-point input, got dtype {x.dtype}")
    if x.shape[-2] != channels:
        raise ValueError(f"{where} expects {channels} input channels (axis -2), got {x.shape[-2]} "
                         f"in input of shape {x.shape}")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (cross-correlation) over the last axis, as ``torch.nn.functional.conv1d``.

    Parameters
    ----------
    input : Tensor [N, C_in, L] or [C_in, L]
    weight : Tensor [C_out, C_in / groups, K]
    bias : Tensor [C_out] or None
    stride, dilation, groups : int
    padding : int, "same" or "valid"
        Zeros on both sides; "same" keeps L (stride 1 only).

    Returns
    -------
    Tensor [N, C_out, L_out] (or [C_out, L_out]), L_out = floor((L + p_l + p_r - d (K - 1) - 1) / s) + 1

    Examples
    --------
    >>> x = minidl.tensor(np.arange(5.0).reshape(1, 1, 5), dtype=np.float64)
    >>> w = minidl.tensor(np.ones((1, 1, 3)), dtype=np.float64)
    >>> nn.conv1d(x, w, padding="same").numpy()  # moving sums of 3
    array([[[1., 3., 6., 9., 7.]]])
    """
    where = "conv1d"
    input, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim != 3:
        raise ValueError(f"{where}: weight must be [C_out, C_in / groups, K], got shape {weight.shape}")
    C_out, cg, K = weight.shape
    groups = single(f"{where}: groups", groups)
    stride, dilation = single(f"{where}: stride", stride), single(f"{where}: dilation", dilation)
    if C_out % groups:
        raise ValueError(f"{where}: out_channels={C_out} is not divisible by groups={groups}")
    check_input(input, cg * groups, where)
    if bias is not None and tuple(as_tensor(bias).shape) != (C_out,):
        raise ValueError(f"{where}: bias must be [C_out] = ({C_out},), got shape {as_tensor(bias).shape}")
    settings = ConvSettings(stride, padding_pair(padding, K, stride, dilation, where), dilation, groups)
    return convolve(input, weight, bias, settings, where)


def convolve(x: Tensor, weight: Tensor, bias, settings: ConvSettings, where: str) -> Tensor:
    """The node on checked arguments; refuses a kernel longer than the padded input, naming the sizes."""
    K, L, pad = weight.shape[2], x.shape[-1], settings.padding
    span = settings.dilation * (K - 1) + 1
    if span > L + sum(pad):
        raise ValueError(f"{where}: the kernel spans {span} frames (kernel_size={K}, dilation={settings.dilation}), "
                         f"longer than the padded input's {L + sum(pad)} (L={L}, padding={pad})")
    batched = x if x.ndim == 3 else x.unsqueeze(0)  # [N, C_in, L]
    operands = (batched, weight) if bias is None else (batched, weight, bias)
    y = Conv1dFunction.apply(*operands, settings=settings)  # [N, C_out, L_out]
    return y if x.ndim == 3 else y.squeeze(0)


class Conv1d(Module):
    """1-D convolution layer with PyTorch's arguments, defaults, initialization and parameter names.

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
    stride, dilation, groups : int
        ``groups`` must divide both channel counts: each group of
        in_channels / groups inputs feeds out_channels / groups outputs.
    padding : int, "same" or "valid"
    bias : bool
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
    dtype : numpy dtype, default float32

    Shapes: input [N, in_channels, L] (or [in_channels, L]) -> [N, out_channels, L_out].
    ``weight`` is [out_channels, in_channels / groups, kernel_size], ``bias``
    [out_channels]; both drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = in_channels / groups * kernel_size (PyTorch's
    ``kaiming_uniform_(a=sqrt(5))`` for the weight works out to this bound).

    Examples
    --------
    >>> layer = nn.Conv1d(2, 4, kernel_size=5, padding="same")
    >>> layer(minidl.zeros(3, 2, 50)).shape
    (3, 4, 50)
    >>> layer.weight.shape
    (4, 2, 5)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", *, dtype=np.float32):
        super().__init__()
        self.in_channels = validate.positive_int("in_channels", in_channels)
        self.out_channels = validate.positive_int("out_channels", out_channels)
        self.kernel_size = (single("kernel_size", kernel_size),)
        self.stride, self.dilation = (single("stride", stride),), (single("dilation", dilation),)
        self.groups = validate.positive_int("groups", groups)
        for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
            if count % groups:
                raise ValueError(f"Conv1d: {name}={count} is not divisible by groups={groups}")
        self.padding_mode = validate.choice("padding_mode", padding_mode, tuple(PADDING_MODES))
        pad = padding_pair(padding, self.kernel_size[0], self.stride[0], self.dilation[0], "Conv1d")
        self.padding = padding if isinstance(padding, str) else (pad[0],)
        self.settings = ConvSettings(self.stride[0], pad, self.dilation[0], self.groups)
        bound = init.fan_in_bound(in_channels // groups * self.kernel_size[0])
        self.weight = Parameter(init.uniform((out_channels, in_channels // groups, self.kernel_size[0]), bound, dtype))
        self.bias = Parameter(init.uniform((out_channels,), bound, dtype)) if bias else None

    def forward(self, x):
        x = as_tensor(x)
        check_input(x, self.in_channels, "Conv1d")
        settings = self.settings
        if self.padding_mode != "zeros" and any(settings.padding):  # padded here, so the node pads nothing
            x, settings = self._pad_by_mode(x), ConvSettings(settings.stride, (0, 0), settings.dilation, self.groups)
        return convolve(x, self.weight, self.bias, settings, "Conv1d")

    def _pad_by_mode(self, x):
        """x with its frames reflected, repeated or wrapped into the padding; differentiable (an index gather)."""
        L, (left, right) = x.shape[-1], self.settings.padding
        limit = L if self.padding_mode == "circular" else L - 1  # reflect never repeats the edge frame
        if self.padding_mode != "replicate" and max(left, right) > limit:
            raise ValueError(f"Conv1d: padding_mode={self.padding_mode!r} needs padding <= {limit} for an "
                             f"input of L={L} frames, got padding ({left}, {right})")
        frames = np.pad(np.arange(L), (left, right), mode=PADDING_MODES[self.padding_mode])  # [L + p_l + p_r]
        return x[..., frames]

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        extras = [("padding", self.padding, (0,)), ("dilation", self.dilation, (1,)), ("groups", self.groups, 1),
                  ("padding_mode", self.padding_mode, "zeros")]
        text += "".join(f", {name}={value!r}" for name, value, default in extras if value != default)
        return text + ("" if self.bias is not None else ", bias=False")


class CausalConv1d(Conv1d):
    """A ``Conv1d`` padded with d (K - 1) zeros on the left only, so y[t] depends on x[<= t] alone.

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
    stride, dilation, groups : int
    bias : bool
    dtype : numpy dtype, default float32

    Shapes: [N, in_channels, L] -> [N, out_channels, floor((L - 1) / stride) + 1] (L_out = L at stride 1).
    Frames appended after a sequence's end (padding of a batch) therefore
    never change its outputs: what the temporal convolutional networks of
    Bai et al. (2018) and Keras's ``padding="causal"`` rely on. Parameters,
    names and initialization are ``Conv1d``'s.

    Examples
    --------
    >>> layer = nn.CausalConv1d(1, 1, kernel_size=2, bias=False)
    >>> layer.weight.data[:] = 1.0
    >>> layer(minidl.tensor([[[1.0, 2.0, 4.0]]])).numpy()  # x[t - 1] + x[t]
    array([[[1., 3., 6.]]], dtype=float32)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, dilation=1, groups: int = 1,
                 bias: bool = True, *, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, dilation=dilation, groups=groups,
                         bias=bias, dtype=dtype)
        left = self.dilation[0] * (self.kernel_size[0] - 1)  # the whole receptive field before t
        self.settings = ConvSettings(self.stride[0], (left, 0), self.dilation[0], self.groups)
        self.padding = "causal"


__all__ = ["CausalConv1d", "Conv1d", "conv1d"]

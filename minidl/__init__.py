"""minidl: a small deep-learning framework you can read.

Autograd (``Tensor``, ``Function``, ``backward``), neural-network modules
(``minidl.nn``), optimizers (``minidl.optim``) and gradient checking, all in
plain NumPy on the CPU and CuPy on the GPU.
"""
# tensor first: the ops it imports need Tensor to exist (see tensor.py's tail)
from minidl.tensor import Tensor, as_tensor, tensor  # noqa: I001
from minidl.function import Function
from minidl.grad_mode import is_grad_enabled, no_grad
from minidl.random import manual_seed
from minidl.gradcheck import GradcheckReport, gradcheck, numerical_grad
from minidl.ops.shape import concat, stack, where
from minidl.creation import ones, rand, randn, zeros
from minidl.serialization import load, save
from minidl import nn, optim  # noqa: E402
from minidl import decode  # noqa: E402  (after nn: it uses nn.ctc's input checks)

__version__ = "0.1.0"


def exp(x): return as_tensor(x).exp()
def log(x): return as_tensor(x).log()
def sqrt(x): return as_tensor(x).sqrt()
def tanh(x): return as_tensor(x).tanh()
def sigmoid(x): return as_tensor(x).sigmoid()
def relu(x): return as_tensor(x).relu()
def softmax(x, axis=-1): return as_tensor(x).softmax(axis)
def log_softmax(x, axis=-1): return as_tensor(x).log_softmax(axis)


__all__ = [
    "Function", "GradcheckReport", "Tensor", "as_tensor", "concat", "decode", "exp",
    "gradcheck", "is_grad_enabled", "load", "log", "log_softmax", "manual_seed",
    "nn", "no_grad", "numerical_grad", "ones", "optim", "rand", "randn", "relu",
    "save", "sigmoid", "softmax", "sqrt", "stack", "tanh", "tensor", "where", "zeros",
]

"""minidl.optim: update rules that match torch.optim step for step."""
from minidl.optim.optimizer import Optimizer  # noqa: I001
from minidl.optim.sgd import SGD
from minidl.optim.adam import Adam, AdamW
from minidl.optim.rmsprop import Adagrad, RMSprop
from minidl.optim.clip import clip_grad_norm_, clip_grad_value_
from minidl.optim.schedule import CosineAnnealingLR

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "CosineAnnealingLR", "Optimizer", "RMSprop", "clip_grad_norm_", "clip_grad_value_"]

"""Switching graph recording off: ``with minidl.no_grad(): ...``."""
from __future__ import annotations

import contextlib
import contextvars

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _enabled.get()


@contextlib.contextmanager
def no_grad():
    """Run the block without recording operations (evaluation, optimizer steps).

    Tensors computed inside have ``requires_grad=False`` and no history, so
    they cost no memory for backward.
    """
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)

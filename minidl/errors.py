"""Errors raised by minidl. Each subclasses the builtin that fits."""


class ShapeError(ValueError):
    """Operand shapes do not fit together (the message names both shapes)."""


class DTypeMismatchError(TypeError):
    """Two tensors of different floating dtypes met in one operation."""


class DeviceMismatchError(TypeError):
    """Tensors on different devices (cpu / cuda) met in one operation."""


class BackwardError(RuntimeError):
    """backward() was called where no gradient can be computed."""


class StateDictError(KeyError):
    """A state_dict does not match the module it is loaded into.

    ``KeyError`` quotes its message with repr(); ``__str__`` is overridden so
    the multi-line explanation prints as written.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CheckpointError(ValueError):
    """A checkpoint file is truncated, corrupt or was not written by minidl."""


class UsageError(ValueError):
    """A bad command line for ``minidl``: reported in one line, exit status 2."""


class AssignmentError(ValueError):
    """A malformed solution region, an unknown assignment, or a student copy that cannot be made."""

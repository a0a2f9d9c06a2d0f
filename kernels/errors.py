"""Errors raised by the kernels layer."""


class BackendUnavailableError(RuntimeError):
    """A backend was asked for explicitly but cannot run here.

    The message names the backend, what is missing, and the backends that
    are available, so the user can pick one instead. ``kernels`` never falls
    back silently to another backend.
    """

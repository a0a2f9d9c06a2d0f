"""``--device cpu|cuda``: the one option every command that computes takes, checked before any work."""
from __future__ import annotations

import kernels
from kernels.errors import BackendUnavailableError
from minidl.errors import UsageError


def add_device_option(parser) -> None:
    """Add ``--device`` (default cpu) to a sub-command's parser."""
    parser.add_argument("--device", choices=kernels.DEVICES, default="cpu",
                        help="where the model and the features are computed (default cpu; cuda needs CuPy and a GPU)")


def check_device(device: str) -> str:
    """``device`` if it can run here; a UsageError naming the reason otherwise (before any work is done)."""
    try:
        return kernels.require_device(device)
    except (ValueError, BackendUnavailableError) as exc:
        raise UsageError(f"--device {device}: {exc}") from None

"""Whether the engine's bookkeeping runs in C (``autograd/_native.c``) or in the Python that specifies it.

``value.py`` and ``backward.py`` are written in Python to be read; the C module does the same steps, node
for node and bit for bit, and is used whenever it was built (``pip install`` compiles it; without a C
compiler the install still succeeds and the Python runs). Set ``MICRO_AUTOGRAD_PURE_PYTHON=1`` before
importing ``autograd`` to run the Python, e.g. to step through the engine in a debugger.

A compiled module that was built from another ``_native.c`` than the one beside it (a failed rebuild leaves
the old one in place) is never used silently: it is set aside with a ``StaleAcceleratorWarning`` naming the
fix, and the Python runs. ``IMPLEMENTATION`` says which one runs, and why.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from types import ModuleType

__all__ = ["ACCELERATED", "IMPLEMENTATION", "PURE_PYTHON_VARIABLE", "StaleAcceleratorWarning", "native"]

PURE_PYTHON_VARIABLE = "MICRO_AUTOGRAD_PURE_PYTHON"
REBUILD = "pip install -e . (from the project's folder; it needs a C compiler and the Python headers)"


class StaleAcceleratorWarning(RuntimeWarning):
    """The compiled accelerator does not match the ``_native.c`` beside it, so the Python runs instead."""


def _source_digest(module: ModuleType) -> str | None:
    """The SHA-256 of the ``_native.c`` beside the compiled module; None where no source ships (a wheel)."""
    source = Path(module.__file__ or "").with_name("_native.c")
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return None


def _check_built_from_this_source(module: ModuleType) -> None:
    """Refuse (ImportError, after a warning) a compiled module built from another ``_native.c``."""
    built_from = getattr(module, "SOURCE_SHA256", "unknown")
    beside = _source_digest(module)
    if beside is not None and built_from != beside:
        name = Path(module.__file__ or "").name
        warnings.warn(
            f"autograd: the compiled accelerator {name} was built from another autograd/_native.c than the one "
            f"beside it (built from {built_from[:12]}, the source is {beside[:12]}), so the Python "
            f"implementation runs instead. Rebuild it: {REBUILD}.",
            StaleAcceleratorWarning,
            stacklevel=4,
        )
        raise ImportError("the compiled accelerator is stale: rebuild it")


IMPLEMENTATION: str
"""Which implementation runs, and why: ``"C accelerator (...)"`` or ``"Python (...)"``."""

try:
    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        raise ImportError(f"{PURE_PYTHON_VARIABLE} is set")
    from . import _native as native

    _check_built_from_this_source(native)
    IMPLEMENTATION = f"C accelerator ({Path(native.__file__ or '').name})"
except ImportError as why:  # not compiled, stale, or not wanted
    native = None  # type: ignore[assignment]
    IMPLEMENTATION = f"Python ({why})"

ACCELERATED: bool = native is not None
"""True when the engine runs on the C accelerator; ``native`` is then the C module."""

"""Whether the engine's bookkeeping runs in C (``autograd/_native.c``) or in the Python that specifies it.

``value.py`` and ``backward.py`` are written in Python to be read; the C module does the same steps, node
for node and bit for bit, and is used whenever it was built (``pip install`` compiles it; without a C
compiler the install still succeeds and the Python runs). Set ``MICRO_AUTOGRAD_PURE_PYTHON=1`` before
importing ``autograd`` to run the Python, e.g. to step through the engine in a debugger.
"""

from __future__ import annotations

import os

__all__ = ["ACCELERATED", "PURE_PYTHON_VARIABLE", "native"]

PURE_PYTHON_VARIABLE = "MICRO_AUTOGRAD_PURE_PYTHON"

try:
    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        raise ImportError(f"{PURE_PYTHON_VARIABLE} is set: the Python implementation runs")
    from . import _native as native
except ImportError:  # not compiled, or not wanted
    native = None  # type: ignore[assignment]

ACCELERATED: bool = native is not None
"""True when the engine runs on the C accelerator; ``native`` is then the C module."""

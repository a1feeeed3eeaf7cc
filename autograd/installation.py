"""Is the ``autograd`` being imported micro-autograd's, whole and alone? And which implementation runs?

micro-autograd's import package is called ``autograd``, like HIPS autograd's (PyPI ``autograd``). pip
installs both into the same ``site-packages/autograd/`` folder without a word, and the one installed last
owns ``__init__.py``: HIPS code (``from autograd import grad``) then breaks, or this package does. Nothing
can make the two share one environment, so the clash is detected and explained, with the fix: separate
virtual environments.
"""

from __future__ import annotations

import platform
import warnings
from importlib import metadata
from pathlib import Path

from .accelerator import ACCELERATED, IMPLEMENTATION

PACKAGE = Path(__file__).resolve().parent
# Files of HIPS autograd's package that micro-autograd has none of.
HIPS_FILES = ("tracer.py", "core.py", "wrap_util.py", "differential_operators.py")
FIX = (
    "Fix: install micro-autograd and HIPS autograd in separate virtual environments "
    "(python -m venv), e.g. `pip uninstall -y autograd micro-autograd && pip install micro-autograd` here, "
    "and HIPS autograd in a venv of its own."
)


class InstallationClashWarning(UserWarning):
    """Another distribution's files share micro-autograd's ``autograd`` package folder."""


def version() -> str:
    """micro-autograd's installed version, or ``"unknown"`` when it runs from a source tree without metadata."""
    try:
        return metadata.version("micro-autograd")
    except metadata.PackageNotFoundError:
        return "unknown"


def clash() -> str | None:
    """What is wrong when HIPS autograd's files share this package's folder; None when nothing is."""
    foreign = sorted(name for name in HIPS_FILES if (PACKAGE / name).exists())
    if not foreign:
        return None
    try:
        other = f"HIPS autograd {metadata.version('autograd')} (PyPI 'autograd')"
    except metadata.PackageNotFoundError:
        other = "another package named 'autograd' (HIPS autograd?)"
    return (
        f"{other} is installed into the same folder as micro-autograd's package, {PACKAGE}: both name their "
        f"import package 'autograd', so pip merged their files ({', '.join(foreign)} are not micro-autograd's) "
        f"and whichever was installed last owns autograd/__init__.py. {FIX}"
    )


def warn_if_clashing() -> None:
    """Called once at import: say so when another distribution's files share this package."""
    problem = clash()
    if problem is not None:
        warnings.warn(f"micro-autograd: {problem}", InstallationClashWarning, stacklevel=3)


def summary() -> str:
    """One line for ``micro-autograd --version``: the version, which engine runs, and Python's version."""
    engine = "C accelerator" if ACCELERATED else "pure Python"
    return f"micro-autograd {version()} ({engine} engine; Python {platform.python_version()})"


def describe() -> str:
    """What ``micro-autograd info`` prints: the version, the implementation that runs, Python, any clash."""
    lines = [
        f"micro-autograd {version()}",
        f"engine: {IMPLEMENTATION}",
        f"Python {platform.python_version()} ({platform.python_implementation()}), {PACKAGE}",
    ]
    problem = clash()
    lines.append(f"installation: {problem}" if problem else "installation: ok (no other package named autograd here)")
    return "\n".join(lines)

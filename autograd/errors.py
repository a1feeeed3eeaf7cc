"""The engine's documented errors.

Each one also subclasses the built-in exception a Python user would expect
(``math.log(-1)`` raises ValueError, ``1 / 0`` raises ZeroDivisionError), so
existing ``except`` clauses keep working, while ``except AutogradError``
catches everything the engine itself raises.
"""

from __future__ import annotations


class AutogradError(Exception):
    """Base class of every error the engine raises on purpose."""


class DomainError(AutogradError, ValueError):
    """An operation was asked for a value outside its domain, e.g. ``log(-1)``."""


class DivisionByZeroError(AutogradError, ZeroDivisionError):
    """An operation divided by zero, e.g. ``x / 0`` or ``0 ** -1``."""


class NumericOverflowError(AutogradError, OverflowError):
    """An operation's result does not fit in a float, e.g. ``exp(1000)``."""


class GraphError(AutogradError, RuntimeError):
    """A graph-level request that cannot be honoured, e.g. differentiating a non-Value."""


class AnomalyError(AutogradError, FloatingPointError):
    """Raised under ``detect_anomaly()`` where an operation first produces NaN or infinity."""


class GradcheckError(AutogradError, AssertionError):
    """The engine's gradients disagree with finite differences."""

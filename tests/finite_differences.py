"""Finite differences: derivatives computed from function values alone, independent of the engine."""

from collections.abc import Callable


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """df/dx at x by the central difference (f(x+h) - f(x-h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def second_difference(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """d2f/dx2 at x by (f(x+h) - 2f(x) + f(x-h)) / h^2."""
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)

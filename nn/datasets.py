"""Four small two-class datasets of points in the plane, to watch a network learn (TensorFlow Playground's).

Each ``make_*`` returns an ``nn.Dataset`` of ``n_samples`` points ``(x1, x2)`` with class targets 0 and 1,
half of each (class 0 gets the extra point when ``n_samples`` is odd), class 0 first. ``noise`` is the
standard deviation of the Gaussian noise added to both coordinates; ``seed`` makes it (and any random
placement) the same on every run: ``random.Random(seed)``, as everywhere in ``nn``.

- ``make_moons``: two interleaving half-circles (scikit-learn's): no straight line separates them.
- ``make_circles``: a ring around a disc: the boundary must close.
- ``make_xor``: the four quadrants, class 1 where x1 and x2 differ in sign: one neuron cannot do it.
- ``make_spiral``: two arms winding around each other: the hardest, needing many neurons.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable

from .data import Dataset, Seed, _rng

Point = tuple[float, float]


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Two half-circles of radius 1: class 0 the upper, centred at (0, 0); class 1 the lower, at (1, 0.5)."""
    n_0, n_1, rng = _start("make_moons", n_samples, noise, seed)
    upper = [(math.cos(angle), math.sin(angle)) for angle in _spread(0.0, math.pi, n_0)]
    lower = [(1.0 - math.cos(angle), 0.5 - math.sin(angle)) for angle in _spread(0.0, math.pi, n_1)]
    return _noisy(upper, lower, noise, rng)


def make_circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0) -> Dataset:
    """Class 0 on the circle of radius 1, class 1 on the circle of radius ``factor`` (0 < factor < 1) inside it."""
    n_0, n_1, rng = _start("make_circles", n_samples, noise, seed)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"make_circles: factor (the inner circle's radius) must be between 0 and 1, got {factor!r}")
    outer = [(math.cos(angle), math.sin(angle)) for angle in _around(n_0)]
    inner = [(factor * math.cos(angle), factor * math.sin(angle)) for angle in _around(n_1)]
    return _noisy(outer, inner, noise, rng)


def make_xor(n_samples: int = 200, noise: float = 0.05, seed: Seed = 0) -> Dataset:
    """Points drawn uniformly in the four quadrants of [-1, 1]^2, 0.1 clear of the axes: class 0 where x1 and x2
    have the same sign, class 1 where they differ; each class split evenly between its two quadrants."""
    n_0, n_1, rng = _start("make_xor", n_samples, noise, seed)

    def quadrants(count: int, signs: tuple[Point, Point]) -> list[Point]:
        return [_in_quadrant(rng, signs[i % 2]) for i in range(count)]

    same = quadrants(n_0, ((1.0, 1.0), (-1.0, -1.0)))
    different = quadrants(n_1, ((1.0, -1.0), (-1.0, 1.0)))
    return _noisy(same, different, noise, rng)


def make_spiral(n_samples: int = 200, noise: float = 0.05, turns: float = 1.5, seed: Seed = 0) -> Dataset:
    """Two arms of an Archimedean spiral (radius growing from 0.05 to 1 over ``turns`` turns): class 1's arm is
    class 0's turned half a turn."""
    n_0, n_1, rng = _start("make_spiral", n_samples, noise, seed)
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not 0 < turns <= 5:
        raise ValueError(f"make_spiral: turns must be a number in (0, 5], got {turns!r}")

    def arm(count: int, offset: float) -> list[Point]:
        return [
            (
                radius * math.cos(2 * math.pi * turns * radius + offset),
                radius * math.sin(2 * math.pi * turns * radius + offset),
            )
            for radius in _spread(0.05, 1.0, count)
        ]

    return _noisy(arm(n_0, 0.0), arm(n_1, math.pi), noise, rng)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
}
"""The datasets by name (the ``micro-autograd playground`` command's choices)."""


def _start(name: str, n_samples: object, noise: object, seed: Seed) -> tuple[int, int, random.Random]:
    """The two classes' sizes and the generator, after checking the arguments every dataset takes."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 4:
        raise ValueError(f"{name}: n_samples must be a whole number >= 4 (two per class at least), got {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < math.inf:
        raise ValueError(f"{name}: noise (a standard deviation) must be a finite number >= 0, got {noise!r}")
    n_1 = n_samples // 2
    return n_samples - n_1, n_1, _rng(seed)


def _spread(start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced numbers from ``start`` to ``stop``, both included (numpy's linspace)."""
    return [start + (stop - start) * i / (count - 1) for i in range(count)]


def _around(count: int) -> list[float]:
    """``count`` angles evenly around a circle, 0 included, 2 pi not (it is 0 again)."""
    return [2 * math.pi * i / count for i in range(count)]


def _in_quadrant(rng: random.Random, signs: Point) -> Point:
    return (signs[0] * rng.uniform(0.1, 1.0), signs[1] * rng.uniform(0.1, 1.0))


def _noisy(class_0: list[Point], class_1: list[Point], noise: float, rng: random.Random) -> Dataset:
    points = [(x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)) for x, y in (*class_0, *class_1)]
    return Dataset(points, [0] * len(class_0) + [1] * len(class_1))

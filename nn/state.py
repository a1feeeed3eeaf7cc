"""State that replaces a model's or an optimiser's numbers is checked whole before any of it is used.

``Module.load_state_dict``, ``Optimizer.load_state_dict`` and ``nn.load``
read numbers that came from outside (a dict, a JSON file). Every check here
runs before anything changes, so a bad state leaves the model as it was.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from autograd import AutogradError


class CheckpointError(AutogradError, ValueError):
    """A state dict or checkpoint file that cannot be loaded: says what is wrong (and, for a file, which)."""


def mapping(value: object, what: str) -> Mapping[str, Any]:
    """``value`` itself, when it is a mapping with string keys."""
    if not isinstance(value, Mapping):
        raise CheckpointError(f"{what} must be a mapping of names, not {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise CheckpointError(f"{what} has a key that is not a string: {key!r}")
    return value


def same_names(given: Collection[str], expected: Collection[str], what: str, noun: str) -> None:
    """Raise unless ``given`` holds exactly the ``expected`` names: no ``noun`` missing, none extra."""
    missing = [name for name in expected if name not in given]
    extra = [name for name in given if name not in expected]
    if missing:
        raise CheckpointError(f"{what} lacks {noun} {_some(missing)}")
    if extra:
        raise CheckpointError(f"{what} has unexpected {noun} {_some(extra)}")


def finite_number(value: object, what: str) -> float:
    """``value`` as a float, when it is a finite real number (bool is not a number here)."""
    if isinstance(value, list | tuple | Mapping):
        raise CheckpointError(f"{what} has the wrong shape: a single number is needed, not {_shape(value)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CheckpointError(f"{what} is not a number: {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise CheckpointError(f"{what} is too large for a float: {value!r}") from None
    if not math.isfinite(number):
        raise CheckpointError(f"{what} is {number!r}; it must be finite")
    return number


def finite_numbers(value: object, what: str, length: int) -> list[float]:
    """``value`` as a list of ``length`` finite floats (one per parameter, for example)."""
    if not isinstance(value, list | tuple):
        raise CheckpointError(f"{what} has the wrong shape: a list of {length} numbers is needed, not {_shape(value)}")
    if len(value) != length:
        raise CheckpointError(f"{what} has the wrong shape: {len(value)} numbers where {length} are needed")
    return [finite_number(item, f"{what}[{index}]") for index, item in enumerate(value)]


def whole_number(value: object, what: str) -> int:
    """``value`` when it is a non-negative int (a step counter)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CheckpointError(f"{what} must be a whole number >= 0, not {value!r}")
    return value


def _shape(value: object) -> str:
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def _some(names: list[str]) -> str:
    shown = ", ".join(map(repr, names[:3]))
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{shown}{more}"

"""Gradients as return values: ``grad`` (first and second order) and ``gradcheck``."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, overload

from .backward import edges, topological_order
from .errors import DivisionByZeroError, DomainError, GradcheckError, GraphError, NumericOverflowError
from .grad_mode import current_mode, no_grad, set_grad_enabled
from .value import Local, Value, _as_number, local_grads_as_values, not_values


@overload
def grad(
    output: Value, inputs: Sequence[Value], create_graph: Literal[False] = False, allow_unused: bool = False
) -> list[float]: ...
@overload
def grad(
    output: Value, inputs: Sequence[Value], create_graph: Literal[True], allow_unused: bool = False
) -> list[Value]: ...
@overload
def grad(
    output: Value, inputs: Sequence[Value], create_graph: bool, allow_unused: bool = False
) -> list[float] | list[Value]: ...


def grad(
    output: Value, inputs: Sequence[Value], create_graph: bool = False, allow_unused: bool = False
) -> list[float] | list[Value]:
    """d(output)/d(input) for each input, without touching any ``.grad``.

    Nothing accumulates: the result is returned, not stored. An input that is
    not in the output's graph raises GraphError naming it, as in
    ``torch.autograd.grad`` (often a sign of the wrong Value); with
    ``allow_unused=True`` it gets 0. With ``create_graph=True`` the results
    are Values recorded in a new graph, so they can be differentiated again
    (second derivatives); the local derivatives are then rebuilt as Values
    from each operation's own formula.
    """
    if not isinstance(output, Value):
        raise GraphError(f"grad() differentiates a Value, not {type(output).__name__}: {output!r}")
    if not_values(inputs):
        raise GraphError(f"grad() inputs {not_values(inputs)}")
    inputs = list(inputs)
    for position, value in enumerate(inputs):
        if not isinstance(value, Value):
            raise GraphError(f"grad() inputs must be Values; input {position} is {type(value).__name__}: {value!r}")
    if not isinstance(allow_unused, bool):
        raise TypeError(f"grad(): allow_unused must be True or False, got {allow_unused!r}")
    order = topological_order(output)
    if not allow_unused:
        _check_used(order, inputs)
    check = current_mode().check_gradients
    if check is not None:  # under detect_anomaly(): a NaN or infinite gradient raises here
        check(order, False)
    gradients: dict[Value, Local] = {output: Value(1.0) if create_graph else 1.0}
    with set_grad_enabled(create_graph):
        for _ in edges(order, gradients, local_grads_as_values if create_graph else None):
            pass
    if create_graph:
        return [_as_value(gradients.get(value, 0.0)) for value in inputs]
    return [float(gradients.get(value, 0.0)) for value in inputs]


def _check_used(order: list[Value], inputs: list[Value]) -> None:
    """Refuse, naming it, an input the output does not depend on (not in its graph)."""
    in_graph = set(map(id, order))
    for position, value in enumerate(inputs):
        if id(value) not in in_graph:
            name = f" ({value.label!r})" if value.label else ""
            raise GraphError(
                f"grad(): input {position}{name} is not in the output's graph, so the output does not depend on "
                "it; pass allow_unused=True for a gradient of 0 there"
            )


def _as_value(local: Local) -> Value:
    return local if isinstance(local, Value) else Value(local)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    raise_exception: bool = True,
) -> bool:
    """Compare the engine's gradients of ``f`` at ``inputs`` with central finite differences.

    ``f`` takes one Value per input and returns a Value. Returns True when
    every partial derivative agrees within ``atol + rtol * |numeric|``;
    otherwise raises GradcheckError naming the input and both numbers (or
    returns False when ``raise_exception`` is False).

    The inputs must be finite, ``eps`` a finite number > 0 that moves every
    input, ``atol`` and ``rtol`` finite numbers >= 0. Anything else raises,
    naming it, before ``f`` is called (TypeError for a non-number, ValueError
    for a bad value), so the engine is never blamed for the check's own arithmetic.
    Likewise a step of the finite differences that leaves f's domain (``log`` at
    ``x - eps`` < 0) raises a ValueError naming the input and the point stepped to.
    """
    _setting("eps", eps, positive=True)
    _setting("atol", atol, positive=False)
    _setting("rtol", rtol, positive=False)
    point = _point(inputs)
    for i, x in enumerate(point):
        if not math.isfinite(x):
            raise ValueError(f"gradcheck: input {i} is {x!r}; finite differences need a finite point")
        step = (x + eps) - (x - eps)
        if not (math.isfinite(step) and step > 0.0):
            raise ValueError(f"gradcheck: eps={eps!r} does not move input {i} ({x!r}) by a finite, non-zero step")
    leaves = [Value(x, f"x{i}") for i, x in enumerate(point)]
    output = f(*leaves)
    if not isinstance(output, Value):
        raise GraphError(f"gradcheck: f must return a Value, not {type(output).__name__}")
    analytic = grad(output, leaves, allow_unused=True)  # an input f ignores has slope 0, as differences say

    def evaluate(at: list[float], i: int, side: str) -> float:
        try:
            with no_grad():
                return f(*(Value(x) for x in at)).data
        except (DomainError, DivisionByZeroError, NumericOverflowError) as error:  # the check's point, not the caller's
            raise ValueError(
                f"gradcheck: f fails at input {i} {side} eps = {at[i]!r}, a step of the finite differences: {error}; "
                "try a smaller eps, or a point farther from the edge of f's domain"
            ) from error

    for i, engine_value in enumerate(analytic):
        above, below = list(point), list(point)
        above[i] += eps
        below[i] -= eps
        numeric = (evaluate(above, i, "+") - evaluate(below, i, "-")) / (2.0 * eps)
        if not math.isclose(engine_value, numeric, rel_tol=rtol, abs_tol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck: d f/d input {i} at {point}: engine {engine_value!r}, finite differences {numeric!r}"
                )
            return False
    return True


def _point(inputs: object) -> list[float]:
    """The inputs as floats, converted and refused as ``Value(...)`` does, naming the position."""
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Iterable):
        raise TypeError(f"gradcheck: inputs must be a sequence of numbers, not {type(inputs).__name__}: {inputs!r}")
    point = []
    for position, value in enumerate(inputs):
        number = _as_number(value, f"gradcheck: input {position}")
        if number is None:
            raise TypeError(
                f"gradcheck: input {position} must be an int or a float, not {type(value).__name__}: {value!r}"
            )
        point.append(number)
    return point


def _setting(name: str, value: object, positive: bool) -> None:
    """Refuse, by name, a gradcheck step or tolerance that is not a finite number > 0 (``positive``) or >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"gradcheck: {name} must be a number, not {type(value).__name__}: {value!r}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"gradcheck: {name} must be a finite number {bound}, not {value!r}")

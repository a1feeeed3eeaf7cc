"""Optimisers: turn each parameter's gradient into a step."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from autograd import AnomalyError, Value, is_anomaly_enabled

from .state import CheckpointError, finite_number, finite_numbers, mapping, same_names, whole_number


class Optimizer:
    """Holds the parameters; ``zero_grad()`` resets their gradients, ``step()`` updates them.

    A rule names its state, so one ``state_dict``/``load_state_dict`` serves every rule:
    ``settings`` are constructor arguments, ``buffers`` hold one number per
    parameter, ``counters`` are whole numbers.
    """

    settings: ClassVar[tuple[str, ...]] = ("lr",)
    buffers: ClassVar[tuple[str, ...]] = ()
    counters: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parameters: Iterable[Value], lr: float) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError(f"{type(self).__name__} got no parameters to optimise")
        for position, parameter in enumerate(self.parameters):
            if not isinstance(parameter, Value):
                raise TypeError(f"parameter {position} is a {type(parameter).__name__}, not a Value")
        self.lr = _positive("lr", lr)

    def zero_grad(self) -> None:
        for parameter in self.parameters:
            parameter.grad = 0.0

    def step(self) -> None:
        """Move every parameter by the rule's update: all of them, or none.

        The rule computes every update and its new state aside first. Under
        ``autograd.detect_anomaly()`` a NaN or infinite gradient, or an update
        that would make a parameter non-finite, raises AnomalyError naming the
        parameter, and nothing moves. An interrupt (Ctrl-C) or an error while
        the new numbers are written undoes the writes: the parameters and the
        rule's state (momentum, moments, step count) are all the old ones, or
        (arriving on the way out) all the new ones.
        """
        grads = [parameter.grad for parameter in self.parameters]
        checking = is_anomaly_enabled()
        if checking:
            self._check_finite("gradient", grads)
        updates, state = self._rule(grads)
        new_data = [parameter.data - update for parameter, update in zip(self.parameters, updates, strict=True)]
        if checking:
            self._check_finite("updated value", new_data)
        old_data = [parameter.data for parameter in self.parameters]
        old_state = {name: getattr(self, name) for name in state}
        try:
            self._write(new_data, state)
        except BaseException:
            self._write(old_data, old_state)
            raise

    def _write(self, data: list[float], state: dict[str, Any]) -> None:
        for parameter, number in zip(self.parameters, data, strict=True):
            parameter.data = number
        for name, value in state.items():
            setattr(self, name, value)

    def _rule(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        """Each parameter's update, and the rule's new state by attribute name (not yet stored)."""
        raise NotImplementedError

    def _check_finite(self, what: str, numbers: list[float]) -> None:
        for position, (parameter, number) in enumerate(zip(self.parameters, numbers, strict=True)):
            if not math.isfinite(number):
                name = f" ({parameter.label!r})" if parameter.label else ""
                raise AnomalyError(
                    f"detect_anomaly: {type(self).__name__}.step: the {what} of parameter {position}{name}"
                    f" is {number!r}; no parameter was changed"
                )

    def state_dict(self) -> dict[str, Any]:
        """The rule's name, settings and running state, as plain numbers and lists (JSON-ready)."""
        state: dict[str, Any] = {"type": type(self).__name__}
        for name in self.settings:
            value = getattr(self, name)
            state[name] = list(value) if isinstance(value, tuple) else value
        state.update({name: list(getattr(self, name)) for name in self.buffers})
        state.update({name: getattr(self, name) for name in self.counters})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` gave; on any problem CheckpointError says what, and nothing changes."""
        kind = type(self).__name__
        state = mapping(state, f"the {kind} state")
        same_names(state, ("type", *self.settings, *self.buffers, *self.counters), f"the {kind} state", "entry")
        if state["type"] != kind:
            raise CheckpointError(f"the state's type says it is for a {state['type']!r} optimiser, not {kind}")
        settings = {name: _setting(state[name], f"{kind} {name}") for name in self.settings}
        try:  # the constructor's own checks decide which settings are valid
            type(self)(self.parameters, **settings)
        except ValueError as error:
            raise CheckpointError(f"the {kind} state has an invalid setting: {error}") from None
        checked: dict[str, Any] = dict(settings)
        for name in self.buffers:
            checked[name] = finite_numbers(state[name], f"{kind} {name}", len(self.parameters))
        for name in self.counters:
            checked[name] = whole_number(state[name], f"{kind} {name}")
        for name, value in checked.items():
            setattr(self, name, value)


class SGD(Optimizer):
    """Gradient descent, ``w -= lr * dE/dw``, with optional momentum (PyTorch's form)."""

    settings = ("lr", "momentum")
    buffers = ("velocity",)

    def __init__(self, parameters: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not isinstance(momentum, int | float) or not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD momentum must be in [0, 1) (one number), got {momentum!r}")
        self.momentum = momentum
        self.velocity = [0.0] * len(self.parameters)

    def _rule(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        if not self.momentum:
            return [self.lr * grad for grad in grads], {}
        velocity = [self.momentum * v + grad for v, grad in zip(self.velocity, grads, strict=True)]
        return [self.lr * v for v in velocity], {"velocity": velocity}


class Adam(Optimizer):
    """Adam (Kingma and Ba), with bias-corrected first and second moment estimates."""

    settings = ("lr", "betas", "eps")
    buffers = ("first_moment", "second_moment")
    counters = ("steps",)

    def __init__(
        self,
        parameters: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(parameters, lr)
        pair = isinstance(betas, tuple | list) and len(betas) == 2
        if not pair or not all(isinstance(beta, int | float) and 0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"Adam betas must be in [0, 1), two numbers, got {betas!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _positive("eps", eps)
        self.steps = 0
        self.first_moment = [0.0] * len(self.parameters)
        self.second_moment = [0.0] * len(self.parameters)

    def _rule(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        beta1, beta2 = self.betas
        steps = self.steps + 1
        m = [beta1 * m + (1.0 - beta1) * grad for m, grad in zip(self.first_moment, grads, strict=True)]
        v = [beta2 * v + (1.0 - beta2) * grad * grad for v, grad in zip(self.second_moment, grads, strict=True)]
        m_scale, v_scale = 1.0 - beta1**steps, 1.0 - beta2**steps
        updates = [
            self.lr * (m_i / m_scale) / (math.sqrt(v_i / v_scale) + self.eps) for m_i, v_i in zip(m, v, strict=True)
        ]
        return updates, {"first_moment": m, "second_moment": v, "steps": steps}


def _setting(value: object, what: str) -> Any:
    """A saved setting: a finite number, or a list of them (Adam's betas) as a tuple."""
    if isinstance(value, list):
        return tuple(finite_number(item, f"{what}[{index}]") for index, item in enumerate(value))
    return finite_number(value, what)


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)

"""Optimisers: turn each parameter's gradient into a step."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value


class Optimizer:
    """Holds the parameters; ``zero_grad()`` resets their gradients, ``step()`` updates them."""

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
        """Move every parameter by the rule's update, all at once."""
        updates = [self._update(i, parameter.grad) for i, parameter in enumerate(self.parameters)]
        for parameter, update in zip(self.parameters, updates, strict=True):
            parameter.data -= update

    def _update(self, index: int, grad: float) -> float:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, ``w -= lr * dE/dw``, with optional momentum (PyTorch's form)."""

    def __init__(self, parameters: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.velocity = [0.0] * len(self.parameters)

    def _update(self, index: int, grad: float) -> float:
        if self.momentum:
            grad = self.velocity[index] = self.momentum * self.velocity[index] + grad
        return self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma and Ba), with bias-corrected first and second moment estimates."""

    def __init__(
        self,
        parameters: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(parameters, lr)
        for beta in betas:
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam betas must be in [0, 1), got {betas!r}")
        self.betas = betas
        self.eps = _positive("eps", eps)
        self.steps = 0
        self.first_moment = [0.0] * len(self.parameters)
        self.second_moment = [0.0] * len(self.parameters)

    def step(self) -> None:
        self.steps += 1
        super().step()

    def _update(self, index: int, grad: float) -> float:
        beta1, beta2 = self.betas
        m = self.first_moment[index] = beta1 * self.first_moment[index] + (1.0 - beta1) * grad
        v = self.second_moment[index] = beta2 * self.second_moment[index] + (1.0 - beta2) * grad * grad
        m_hat = m / (1.0 - beta1**self.steps)
        v_hat = v / (1.0 - beta2**self.steps)
        return self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)

"""Training through a compiled replay: trace the loss once, then every step replays it.

``compile_loss(loss, parameters)`` is to ``autograd.compile`` what
``loss.backward()`` is to ``autograd.grad``: each call returns the loss's
number and *adds* d(loss)/d(parameter) into every parameter's ``.grad``, so
an optimiser steps exactly as after ``backward()``::

    step = compile_loss(lambda: mse_loss([model(x) for x in xs], ys), model.parameters())
    for epoch in range(100):
        optimizer.zero_grad()
        loss = step()
        optimizer.step()

The replay reads the parameters' current numbers on every call. What it
assumes (no Python branch on ``.data`` in ``loss``; data other than the
parameters fixed) is written in ``autograd/compile.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import autograd
from autograd import CompiledGradient, Value


class CompiledLoss:
    """A loss traced once; calling it replays the loss and fills the parameters' ``.grad``."""

    def __init__(self, loss: Callable[[], Value], parameters: Iterable[Value], check: bool = False) -> None:
        self.parameters = list(parameters)
        self.replay: CompiledGradient = autograd.compile(loss, self.parameters, check=check)

    @property
    def source(self) -> str:
        """The generated Python code, forward and backward."""
        return self.replay.source

    def __call__(self) -> float:
        loss, grads = self.replay()
        for parameter, grad in zip(self.parameters, grads, strict=True):
            parameter.grad += grad
        return loss


def compile_loss(loss: Callable[[], Value], parameters: Iterable[Value], check: bool = False) -> CompiledLoss:
    """Trace ``loss()`` once; each call of the result replays it like ``loss().backward()``, returning its number."""
    return CompiledLoss(loss, parameters, check)

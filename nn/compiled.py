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

The replay reads the parameters' current numbers on every call; the data
are written into it, fixed. ``compiled_step(model, loss)`` is the batch step
of ``fit(..., compiled=True)`` instead: one sample's loss is traced once per
shape, with the sample as data, and replayed sample after sample, so its
code does not grow with the dataset. What a replay assumes (no Python
branch on ``.data`` in the model or the loss) is written in
``autograd/replay/compile.py``.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import autograd
from autograd import CompiledGradient, Value
from autograd.backward import accumulate

from .data import Dataset


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
        loss: float
        loss, grads = self.replay()
        for parameter, grad in zip(self.parameters, grads, strict=True):
            parameter.grad += grad
        return loss


def compile_loss(loss: Callable[[], Value], parameters: Iterable[Value], check: bool = False) -> CompiledLoss:
    """Trace ``loss()`` once; each call of the result replays it like ``loss().backward()``, returning its number."""
    return CompiledLoss(loss, parameters, check)


class CompiledStep:
    """``eager_step``'s twin through replays: the same numbers, bit for bit, without building a graph.

    A batch step is the mean of the samples' losses and its gradients. Each
    sample's loss, ``loss(model(x), target)``, is traced once per *shape*: the
    length of ``x`` and, when the target is a class index (an int), the class
    (it picks which logit the loss reads); a float target is data like ``x``.
    Then every sample replays its shape's trace with ``seed`` = 1/B, the
    gradient the mean passes to each sample's loss, adding into the batch's
    running totals edge by edge as ``backward()`` of the mean would
    (``CompiledGradient.accumulate``). ``trace_seconds`` is the time spent
    tracing so far.
    """

    def __init__(self, model: Any, loss: Callable[[Any, Any], Value], check: bool = False) -> None:
        self.model, self.loss, self.check = model, loss, check
        self.parameters: list[Value] = list(model.parameters())
        self.replays: dict[tuple[int, int | None], tuple[CompiledGradient, bool]] = {}
        self.trace_seconds = 0.0

    def __call__(self, batch: Dataset) -> tuple[float, list[Any]]:
        """The batch's mean loss and every sample's output; d(mean loss)/d(parameter) added into ``.grad``."""
        if not len(batch):
            raise ValueError("a batch step needs at least one sample")
        seed = 1.0 / len(batch)  # what the mean's division passes to each sample's loss: (1.0 / B) * 1.0
        # -0.0: "no gradient yet". -0.0 + g is g, bit for bit, as the sweep assigns a first contribution.
        totals: Sequence[float] = [-0.0] * len(self.parameters)
        numbers = None
        losses: list[float] = []
        outputs: list[Any] = []
        unreached: frozenset[int] | None = None
        for x, target in zip(batch.inputs, batch.targets, strict=True):
            replay, single = self.replay_for(x, target)
            if numbers is None:
                numbers = replay.numbers()  # the parameters' numbers, read and checked once per batch
            data = [*x, target] if self._target_is_data(target) else x
            loss, totals, aux = replay.accumulate(totals, numbers=numbers, data=data, seed=seed)
            losses.append(loss)
            outputs.append(aux[0] if single else aux)
            unreached = replay.unreached if unreached is None else unreached & replay.unreached
        total = losses[0]
        for loss in losses[1:]:  # the eager mean: ((l1 + l2) + l3) ... / B
            total = total + loss
        for position, (parameter, gradient) in enumerate(zip(self.parameters, totals, strict=True)):
            if unreached is None or position not in unreached:  # as backward(), which leaves the rest alone
                parameter.grad = accumulate(parameter.grad, gradient)  # into .grad as backward() adds
        return total / len(batch), outputs

    def evaluate(self, data: Dataset) -> tuple[list[float], list[Any]]:
        """Every sample's loss and output, as the model gives them now (the eager ``evaluate``'s numbers)."""
        numbers = None
        losses: list[float] = []
        outputs: list[Any] = []
        for x, target in zip(data.inputs, data.targets, strict=True):
            replay, single = self.replay_for(x, target)
            if numbers is None:
                numbers = replay.numbers()
            loss, aux = replay.output(numbers=numbers, data=[*x, target] if self._target_is_data(target) else x)
            losses.append(loss)
            outputs.append(aux[0] if single else aux)
        return losses, outputs

    def replay_for(self, x: Sequence[float], target: Any) -> tuple[CompiledGradient, bool]:
        """The replay of this sample's shape (traced now, at this sample, if it is the first of its shape), and
        whether the model returns a single Value rather than a list."""
        if self._target_is_data(target):
            shape: tuple[int, int | None] | None = (len(x), None)
        else:
            shape = (len(x), target) if type(target) is int else None
        found = self.replays.get(shape) if shape is not None else None
        if found is None:
            start = time.perf_counter()
            found = self._trace(x, target)
            self.trace_seconds += time.perf_counter() - start
            if shape is not None:
                self.replays[shape] = found
        return found

    @staticmethod
    def _target_is_data(target: Any) -> bool:
        """A real number that is not whole (a float) is data like ``x``; a class index (an int) shapes the
        graph. Anything else (numpy's ints, bools, labels) goes to the loss as it is, traced at every sample
        and never shared with an int's trace, so the loss says what it says in eager training."""
        return isinstance(target, numbers.Real) and not isinstance(target, numbers.Integral)

    def _trace(self, x: Sequence[float], target: Any) -> tuple[CompiledGradient, bool]:
        inputs = [Value(number, f"x{i + 1}") for i, number in enumerate(x)]
        data = list(inputs)
        target_value: Any = target
        if self._target_is_data(target):
            target_value = Value(target, "target")
            data.append(target_value)
        single = False

        def sample_loss() -> tuple[Value, list[Value]]:
            nonlocal single
            output = self.model(inputs)
            single = isinstance(output, Value)
            return self.loss(output, target_value), [output] if single else list(output)

        replay = autograd.compile(sample_loss, self.parameters, data=data, has_aux=True, check=self.check)
        return replay, single


def compiled_step(model: Any, loss: Callable[[Any, Any], Value], check: bool = False) -> CompiledStep:
    """The batch step of ``fit(..., compiled=True)``: ``eager_step``'s numbers, replayed (see ``CompiledStep``)."""
    return CompiledStep(model, loss, check)

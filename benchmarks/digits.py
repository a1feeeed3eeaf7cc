"""Workload E: one epoch of MLP(64, [32, 10]) on the handwritten digits, cross-entropy, minibatches of 32.

The data are scikit-learn's 8x8 digits through ``nn`` (``load_digits``, the
seeded ``train_test_split`` and ``minibatches``), so every engine trains on the
same minibatches in the same order: the training part, 1,437 images, 45
minibatches. Each engine starts from the same weights (``nn.MLP``'s, seed 0)
and makes one SGD step per minibatch on the mean cross-entropy, computed the
stable way (the largest logit subtracted as a constant). A run returns the last
minibatch's loss and every parameter after the epoch, in micrograd's order.

micrograd 0.1.0 has no ``exp`` or ``log``: ``micrograd_with_exp_and_log``
adds them to its Value here, written the way its ``relu`` is. micrograd and
torch scalars take seconds per minibatch, so they are timed on the epoch's
first minibatch (``PART``) and divided by that minibatch's operations, which
have the same shape as every other minibatch's.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from .workloads import Run, Workload, graph_ops

HIDDEN, CLASSES, INPUTS = 32, 10, 64
BATCH, LR, SEED = 32, 0.1, 0
PART = 1  # micrograd and torch scalars are timed on the epoch's first minibatch

Batch = list[tuple[tuple[float, ...], int]]


@functools.cache
def batches(batch: int = BATCH) -> list[Batch]:
    """The epoch's minibatches: (64 pixels scaled to 0-1, digit) pairs, in ``nn``'s seeded order."""
    from nn import load_digits, minibatches, train_test_split

    train, _test = train_test_split(load_digits(), 0.2, seed=SEED)
    return [list(zip(part.inputs, part.targets, strict=True)) for part in minibatches(train, batch, seed=SEED)]


@functools.cache
def weights() -> tuple[float, ...]:
    """Every parameter of ``nn.MLP(64, [32, 10], seed=0)``, in micrograd's order (per neuron: weights, bias)."""
    return tuple(p.data for p in _model()[1])


def _model() -> tuple[Any, list[Any]]:
    from nn import MLP

    model = MLP(INPUTS, [HIDDEN, CLASSES], seed=SEED)
    return model, model.parameters()


def _matrices(params: Sequence[Any]) -> list[tuple[list[list[Any]], list[Any]]]:
    """(weight rows, biases) of the two layers."""
    layers, position = [], 0
    for n_in, n_out in ((INPUTS, HIDDEN), (HIDDEN, CLASSES)):
        rows, biases = [], []
        for _ in range(n_out):
            rows.append(list(params[position : position + n_in]))
            biases.append(params[position + n_in])
            position += n_in + 1
        layers.append((rows, biases))
    return layers


def _mean(losses: list[Any]) -> Any:
    return sum(losses[1:], losses[0]) / len(losses)


# --- the engines -----------------------------------------------------------------------------------


def digits_autograd(count: int, batch: int = BATCH) -> Run:
    """What a user writes with ``nn``: the model, ``nn.cross_entropy`` per sample, their mean, SGD."""
    from nn import SGD, cross_entropy

    model, params = _model()
    optimizer = SGD(params, lr=LR)
    data = batches(batch)[:count]

    def run() -> list[float]:
        for p, w in zip(params, weights(), strict=True):
            p.data = w
        for part in data:
            optimizer.zero_grad()
            loss = _mean([cross_entropy(model(x), target) for x, target in part])
            loss.backward()
            optimizer.step()
        return [loss.data, *(p.data for p in params)]

    return run


def _datasets(count: int, batch: int) -> list[Any]:
    from nn import Dataset

    return [Dataset([x for x, _ in part], [t for _, t in part]) for part in batches(batch)[:count]]


def digits_compiled(count: int, batch: int = BATCH) -> Run:
    """The same epoch through the replay (``nn.fit(..., compiled=True)``'s step): one sample's loss traced
    once per shape (here per target class), the pixels passed as data; the eager engine's numbers, bit for bit."""
    from nn import SGD, compiled_step, cross_entropy

    model, params = _model()
    optimizer = SGD(params, lr=LR)
    step = compiled_step(model, cross_entropy)
    data = _datasets(count, batch)

    def run() -> list[float]:
        for p, w in zip(params, weights(), strict=True):
            p.data = w
        for part in data:
            optimizer.zero_grad()
            loss, _outputs = step(part)
            optimizer.step()
        return [loss, *(p.data for p in params)]

    return run


def digits_trace(batch: int = BATCH) -> Callable[[], Any]:
    """A job that traces and generates what one epoch replays: one sample's loss for each of the ten classes."""
    from nn import compiled_step, cross_entropy

    model, _params = _model()
    one_per_class = {target: x for part in batches(batch) for x, target in part}

    def trace() -> Any:
        step = compiled_step(model, cross_entropy)
        for target, x in sorted(one_per_class.items()):
            step.replay_for(x, target)
        return step

    return trace


def micrograd_with_exp_and_log() -> Any:
    """micrograd's Value, given ``exp`` and ``log`` written the way its ``relu`` is (0.1.0 has neither)."""
    from micrograd.engine import Value  # type: ignore[import-untyped]

    if not hasattr(Value, "exp"):

        def exp(self: Any) -> Any:
            out = Value(math.exp(self.data), (self,), "exp")

            def _backward() -> None:
                self.grad += out.data * out.grad

            out._backward = _backward
            return out

        def log(self: Any) -> Any:
            out = Value(math.log(self.data), (self,), "log")

            def _backward() -> None:
                self.grad += (1 / self.data) * out.grad

            out._backward = _backward
            return out

        Value.exp, Value.log = exp, log
    return Value


def _data(z: Any) -> float:
    return float(z.data)


def _exp(z: Any) -> Any:
    return z.exp()


def _log(z: Any) -> Any:
    return z.log()


def _cross_entropy(logits: list[Any], target: int, number: Callable[[Any], float], exp: Any, log: Any) -> Any:
    """The stable cross-entropy in any engine's scalars: log(sum(exp(z - max))) - (z[target] - max),
    the largest logit subtracted as a plain number, as ``nn.cross_entropy`` does."""
    peak = max(number(z) for z in logits)
    shifted = [z - peak for z in logits]
    exps = [exp(z) for z in shifted]
    return log(sum(exps[1:], exps[0])) - shifted[target]


def digits_micrograd(count: int, batch: int = BATCH) -> Run:
    """micrograd's MLP (relu, linear output) and its Values, with the exp and log added above."""
    micrograd_with_exp_and_log()
    from micrograd.nn import MLP  # type: ignore[import-untyped]

    model = MLP(INPUTS, [HIDDEN, CLASSES])
    params = model.parameters()
    data = batches(batch)[:count]

    def run() -> list[float]:
        for p, w in zip(params, weights(), strict=True):
            p.data = w
        for part in data:
            loss = _mean([_cross_entropy(model(list(x)), t, _data, _exp, _log) for x, t in part])
            model.zero_grad()
            loss.backward()
            for p in params:
                p.data -= LR * p.grad
        return [loss.data, *(p.data for p in params)]

    return run


def _item(z: Any) -> float:
    return float(z.item())


def digits_torch(count: int, batch: int = BATCH) -> Run:
    """Every number a 0-dim float64 tensor, the network written neuron by neuron, as for micrograd."""
    import torch

    data = batches(batch)[:count]

    def run() -> list[float]:
        params: list[Any] = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights()]
        layers = _matrices(params)
        for part in data:
            losses = []
            for x, target in part:
                inputs: Sequence[Any] = x
                for i, (rows, biases) in enumerate(layers):
                    z = [
                        sum((w * v for w, v in zip(row, inputs, strict=True)), b)
                        for row, b in zip(rows, biases, strict=True)
                    ]
                    inputs = z if i == len(layers) - 1 else [torch.relu(v) for v in z]
                losses.append(_cross_entropy(list(inputs), target, _item, torch.exp, torch.log))
            loss = _mean(losses)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad
                    p.grad = None
        return [loss.item(), *(p.item() for p in params)]

    return run


def digits_torch_batched(count: int, batch: int = BATCH) -> Run:
    """What a torch user writes: weight matrices, a minibatch as one tensor, ``F.cross_entropy``."""
    import torch
    import torch.nn.functional as F

    data = [
        (torch.tensor([x for x, _ in part], dtype=torch.float64), torch.tensor([t for _, t in part]))
        for part in batches(batch)[:count]
    ]
    start = [
        (torch.tensor(rows, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
        for rows, b in _matrices(weights())
    ]

    def run() -> list[float]:
        params: list[Any] = [tensor.clone().requires_grad_() for layer in start for tensor in layer]
        w1, b1, w2, b2 = params
        for inputs, targets in data:
            loss: Any = F.cross_entropy(torch.relu(inputs @ w1.T + b1) @ w2.T + b2, targets)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad
                    p.grad = None
        flat = torch.cat([torch.cat([w1, b1[:, None]], 1).flatten(), torch.cat([w2, b2[:, None]], 1).flatten()])
        return [loss.item(), *flat.tolist()]

    return run


def digits_numpy(count: int, batch: int = BATCH) -> Run:
    """The forward and backward passes written by hand on float64 arrays, a minibatch at a time: the floor."""
    import numpy as np

    data = [(np.array([x for x, _ in part]), np.array([t for _, t in part])) for part in batches(batch)[:count]]
    start = [(np.array(rows), np.array(b)) for rows, b in _matrices(weights())]

    def run() -> list[float]:
        (w1, b1), (w2, b2) = start
        for inputs, targets in data:
            n, rows = len(targets), np.arange(len(targets))
            z1 = inputs @ w1.T + b1
            a1 = np.maximum(z1, 0.0)
            z2 = a1 @ w2.T + b2
            shifted = z2 - z2.max(axis=1, keepdims=True)
            exps = np.exp(shifted)
            totals = exps.sum(axis=1)
            loss = float(np.mean(np.log(totals) - shifted[rows, targets]))
            d_z2 = exps / totals[:, None]
            d_z2[rows, targets] -= 1.0
            d_z2 /= n
            d_z1 = (d_z2 @ w2) * (z1 > 0.0)
            w2, b2 = w2 - LR * (d_z2.T @ a1), b2 - LR * d_z2.sum(axis=0)
            w1, b1 = w1 - LR * (d_z1.T @ inputs), b1 - LR * d_z1.sum(axis=0)
        flat = np.concatenate([np.column_stack([w1, b1]).ravel(), np.column_stack([w2, b2]).ravel()])
        return [loss, *flat.tolist()]

    return run


def digits_floats(count: int, batch: int = BATCH) -> Run:
    """Sample by sample on lists of floats, in the tightest plain Python: locals, comprehensions,
    ``sum(map(mul, ...))`` for every dot product; each weight's gradient one dot product over the minibatch."""
    mul, exp, log = operator.mul, math.exp, math.log
    data = [([x for x, _ in part], [t for _, t in part]) for part in batches(batch)[:count]]

    def run() -> list[float]:
        (w1, b1), (w2, b2) = _matrices(weights())
        for inputs, targets in data:
            n = len(targets)
            w2_columns = _columns(w2)
            a1s, d_z1s, d_z2s = [], [], []
            total = 0.0
            for x, target in zip(inputs, targets, strict=True):
                z1 = [sum(map(mul, row, x), b) for row, b in zip(w1, b1, strict=True)]
                a1 = [z if z > 0.0 else 0.0 for z in z1]
                z2 = [sum(map(mul, row, a1), b) for row, b in zip(w2, b2, strict=True)]
                peak = max(z2)
                exps = [exp(z - peak) for z in z2]
                norm = sum(exps)
                total += log(norm) - (z2[target] - peak)
                d_z2 = [e / norm / n for e in exps]
                d_z2[target] -= 1.0 / n
                a1s.append(a1)
                d_z2s.append(d_z2)
                d_z1s.append([sum(map(mul, c, d_z2)) if z > 0.0 else 0.0 for c, z in zip(w2_columns, z1, strict=True)])
            loss = total / n
            layers = []
            for (rows, biases), below, d_columns in (
                ((w1, b1), _columns(inputs), _columns(d_z1s)),
                ((w2, b2), _columns(a1s), _columns(d_z2s)),
            ):
                layers.append(
                    (
                        [
                            [w - LR * sum(map(mul, d_column, a)) for w, a in zip(row, below, strict=True)]
                            for row, d_column in zip(rows, d_columns, strict=True)
                        ],
                        [b - LR * sum(d_column) for b, d_column in zip(biases, d_columns, strict=True)],
                    )
                )
            (w1, b1), (w2, b2) = layers
        return [loss, *(v for rows, biases in layers for row, b in zip(rows, biases, strict=True) for v in (*row, b))]

    return run


def _columns(rows: Sequence[Sequence[float]]) -> list[tuple[float, ...]]:
    """Equal rows, transposed."""
    return list(zip(*rows, strict=True))


# --- operations ----------------------------------------------------------------------------------


@functools.cache
def batch_ops(size: int) -> int:
    """Graph nodes the eager engine makes for one minibatch of ``size`` samples (its shape fixes them)."""
    from nn import cross_entropy

    model, _ = _model()
    sample = batches(BATCH)[0][0]
    return graph_ops(_mean([cross_entropy(model(sample[0]), sample[1]) for _ in range(size)]))


def ops(count: int, batch: int = BATCH) -> int:
    """Graph nodes the eager engine makes in the first ``count`` minibatches."""
    return sum(batch_ops(len(part)) for part in batches(batch)[:count])


def workload(quick: bool, batch: int = BATCH) -> Workload:
    """E at the issue's size: the whole epoch, micrograd and torch scalars on its first minibatch."""
    count = len(batches(batch))
    size = 4 if quick else count
    with_batch = {
        "micro-autograd": digits_autograd,
        "compiled": digits_compiled,
        "micrograd": digits_micrograd,
        "torch": digits_torch,
        "torch-batched": digits_torch_batched,
        "floats": digits_floats,
        "numpy": digits_numpy,
    }
    return Workload(
        "E",
        f"digits: MLP(64,[32,10]) relu, cross-entropy, one epoch of {count} minibatches of {batch}, SGD",
        "op",
        size,
        {engine: functools.partial(prepare, batch=batch) for engine, prepare in with_batch.items()},
        ops=functools.partial(ops, batch=batch),
        period=("epoch", ops(count, batch)),
        parts={"micrograd": PART, "torch": PART},
        part=f"the epoch's first minibatch ({batch} samples, {ops(PART, batch):,} operations)",
        trace=functools.partial(digits_trace, batch),
        trace_ops=10 * batch_ops(1),  # ten traced graphs of one sample each
    )

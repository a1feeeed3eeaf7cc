"""The workloads, each written once per engine.

Every engine gets a ``prepare`` function that does the setup (models, data)
and returns ``run``: one call does the whole measured job (build the graph,
backward, update, let the graph go) and returns the numbers the job
produced, so the runner can check every engine agrees before it times any.

Engines: ``micro-autograd`` (the eager engine, through ``nn`` where the job
is a model), ``compiled`` (``autograd.compile`` replaying the same job; for
B and E one sample's loss, traced once per label or class with the sample
passed as data, replayed sample by sample),
``micrograd`` (karpathy's, 0.1.0), ``torch`` (0-dim float64 tensors, one
thread), ``torch-batched`` (the same job on batched tensors: what a user
would pick instead, E only), ``floats`` (the job hand-written in the tightest
plain Python: local variables, arithmetic inline, ``sum(map(mul, ...))`` for
dot products; Python's limit), and two floors below Python: ``numpy``
(batched arrays, written by hand) and ``C`` (A's step compiled at benchmark
time, see native.py). E lives in digits.py.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Run = Callable[[], list[float]]


def micro_autograd_value() -> Any:
    from autograd import Value

    return Value


def micrograd_value() -> Any:
    from micrograd.engine import Value  # type: ignore[import-untyped]

    return Value


ENGINES = ("micro-autograd", "compiled", "micrograd", "torch", "torch-batched", "floats", "numpy", "C")
LIMIT = "floats"  # every engine's results are checked against it, and its time is Python's limit
FLOORS = ("numpy", "C")  # not Python: where the machine itself stands


class Unavailable(Exception):
    """An engine cannot run here (no C compiler...): the results name the reason instead of a time."""


@dataclass
class Workload:
    """One job, written once per engine; ``prepare[engine](size)`` sets it up and returns the run to time."""

    key: str
    title: str
    unit: str  # what the time is divided by: "step" or "op" (graph nodes the eager engine makes)
    size: int  # steps (A), epochs (B), chain steps (C), products (D), minibatches (E)
    prepare: dict[str, Callable[[int], Run]]
    ops: Callable[[int], int]  # units in a run of a given size
    period: tuple[str, int] = ("run", 0)  # break-even counted in these ("epoch", units in one), 0: one run
    trace: Callable[[], Callable[[], object]] | None = None  # makes a job that traces and generates the replay
    trace_ops: int = 0  # operations in the traced graph
    parts: dict[str, int] = field(default_factory=dict)  # engines timed on a smaller size (too slow for all)
    part: str = ""  # what such a part is, "the first {n} minibatches"
    missing: dict[str, str] = field(default_factory=dict)  # engines left out, and why

    def size_for(self, engine: str) -> int:
        return self.parts.get(engine, self.size)


# --- A. the article's step -------------------------------------------------------

ARTICLE_WEIGHTS = (0.11, 0.21, 0.12, 0.08, 0.14, 0.15)
I1, I2, TARGET, LR = 2.0, 3.0, 1.0, 0.05


def article_error(w: Sequence[Any]) -> Any:
    """The article's forward pass and error, in any engine's scalars."""
    w1, w2, w3, w4, w5, w6 = w
    h1 = I1 * w1 + I2 * w2
    h2 = I1 * w3 + I2 * w4
    out = h1 * w5 + h2 * w6
    return 0.5 * (out - TARGET) ** 2


def article_eager(value_class: Callable[[], Any]) -> Callable[[int], Run]:
    """The article's step on an engine of Values with ``.data``, ``.grad`` and ``backward()``."""

    def prepare(steps: int) -> Run:
        value = value_class()

        def run() -> list[float]:
            w = [value(x) for x in ARTICLE_WEIGHTS]
            for _ in range(steps):
                error = article_error(w)
                error.backward()
                for p in w:
                    p.data -= LR * p.grad
                    p.grad = 0.0
            return [error.data, *(p.data for p in w)]

        return run

    return prepare


def article_trace() -> Callable[[], Any]:
    """A job that traces the article's error and generates its replay (what ``compiled`` pays once)."""
    import autograd
    from autograd import Value

    leaves = [Value(x) for x in ARTICLE_WEIGHTS]
    return lambda: autograd.compile(lambda: article_error(leaves), leaves)


def article_compiled(steps: int) -> Run:
    """The replay called on the six weights, and the floats' own update: the same SGD as tightly written."""
    error_and_grads = article_trace()()

    def run() -> list[float]:
        lr = LR
        w1, w2, w3, w4, w5, w6 = ARTICLE_WEIGHTS
        error = 0.0
        for _ in range(steps):
            error, (g1, g2, g3, g4, g5, g6) = error_and_grads(w1, w2, w3, w4, w5, w6)
            w1 -= lr * g1
            w2 -= lr * g2
            w3 -= lr * g3
            w4 -= lr * g4
            w5 -= lr * g5
            w6 -= lr * g6
        return [error, w1, w2, w3, w4, w5, w6]

    return run


def article_torch(steps: int) -> Run:
    import torch

    def run() -> list[float]:
        w = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in ARTICLE_WEIGHTS]
        for _ in range(steps):
            error = article_error(w)
            error.backward()
            _torch_sgd_step(w, LR)
        return [error.item(), *(p.item() for p in w)]

    return run


def _torch_sgd_step(params: list[Any], lr: float) -> None:
    """Plain gradient descent on torch leaves, the same update the other engines make."""
    import torch

    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def article_floats(steps: int) -> Run:
    """The step written inline on local floats, the gradients by hand: the tightest plain Python (the limit)."""

    def run() -> list[float]:
        i1, i2, target, lr = I1, I2, TARGET, LR
        w1, w2, w3, w4, w5, w6 = ARTICLE_WEIGHTS
        error = 0.0
        for _ in range(steps):
            h1 = i1 * w1 + i2 * w2
            h2 = i1 * w3 + i2 * w4
            delta = h1 * w5 + h2 * w6 - target
            error = 0.5 * delta * delta
            d_h1 = delta * w5
            d_h2 = delta * w6
            w1 -= lr * (d_h1 * i1)
            w2 -= lr * (d_h1 * i2)
            w3 -= lr * (d_h2 * i1)
            w4 -= lr * (d_h2 * i2)
            w5 -= lr * (delta * h1)
            w6 -= lr * (delta * h2)
        return [error, w1, w2, w3, w4, w5, w6]

    return run


def article_c(steps: int) -> Run:
    """The same inline step in C, compiled now with the system's compiler (a floor, not Python)."""
    from .native import article_in_c

    step = article_in_c()

    def run() -> list[float]:
        return step(ARTICLE_WEIGHTS, steps)

    return run


# --- B. micrograd's moons demo: one full-batch epoch ---------------------------------

SIZES = (2, 16, 16, 1)
ALPHA, MOONS_LR = 1e-4, 1.0  # micrograd's demo: L2 weight 1e-4, first step's learning rate 1.0


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles, like sklearn's make_moons, with labels -1 and +1."""
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        t = math.pi * (i // 2) / (n // 2 - 1)
        if i % 2:
            x, y, label = 1.0 - math.cos(t), 0.5 - math.sin(t), 1.0
        else:
            x, y, label = math.cos(t), math.sin(t), -1.0
        points.append([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)])
        labels.append(label)
    return points, labels


def moons_weights(seed: int = 1) -> list[float]:
    """Every parameter in micrograd's order (per neuron: its weights, then its bias)."""
    rng = random.Random(seed)
    weights: list[float] = []
    for n_in, n_out in itertools.pairwise(SIZES):
        for _ in range(n_out):
            weights += [rng.uniform(-1.0, 1.0) for _ in range(n_in)] + [0.0]
    return weights


SAMPLES = 100
X, Y = moons(SAMPLES)
W = moons_weights()


def _moons_model() -> tuple[Any, list[Any]]:
    """micro-autograd's MLP for B, its parameters at W."""
    from nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=0)
    params = model.parameters()
    for p, x in zip(params, W, strict=True):
        p.data = x
    return model, params


def _moons_loss(model: Any, params: list[Any], samples: int) -> Any:
    from nn import hinge_loss, l2_penalty

    return hinge_loss([model(x) for x in X[:samples]], Y[:samples]) + l2_penalty(params, ALPHA)


def moons_autograd(epochs: int, samples: int = SAMPLES) -> Run:
    from nn import SGD

    model, params = _moons_model()
    optimizer = SGD(params, lr=MOONS_LR)

    def run() -> list[float]:
        for p, x in zip(params, W, strict=True):
            p.data = x
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = _moons_loss(model, params, samples)
            loss.backward()
            optimizer.step()
        return [loss.data, *(p.data for p in params)]

    return run


def _moons_replays(model: Any, params: list[Any]) -> tuple[dict[float, Any], Any]:
    """B's loss as the replay takes it: one sample's hinge loss, traced once per label (-1, +1: the label
    is a number the loss checks, so it is the graph's shape), its point passed as data; and the L2 penalty."""
    import autograd
    from autograd import Value
    from nn import hinge_loss, l2_penalty

    point = [Value(0.0, "x1"), Value(0.0, "x2")]
    per_label = {
        label: autograd.compile(lambda label=label: hinge_loss([model(point)], [label]), params, data=point)
        for label in (-1.0, 1.0)
    }
    return per_label, autograd.compile(lambda: l2_penalty(params, ALPHA), params)


def moons_trace() -> Callable[[], Any]:
    """A job that traces and generates what an epoch of B replays: one sample's loss per label, and the penalty."""
    model, params = _moons_model()
    return lambda: _moons_replays(model, params)


def moons_compiled(epochs: int, samples: int = SAMPLES) -> Run:
    """The same epoch through the replay, sample by sample with the point as data: each sample's gradient,
    times 1/samples (what the mean passes back), added into the running totals, then the penalty's."""
    model, params = _moons_model()
    per_label, penalty = _moons_replays(model, params)
    seed = 1.0 / samples
    data = list(zip(X[:samples], Y[:samples], strict=True))

    def run() -> list[float]:
        w = list(W)
        for _ in range(epochs):
            totals, hinge = [-0.0] * len(w), 0.0  # -0.0: "no gradient yet"
            for x, label in data:
                sample_loss, totals = per_label[label].accumulate(totals, numbers=w, data=x, seed=seed)
                hinge += sample_loss
            l2, totals = penalty.accumulate(totals, numbers=w)
            loss = hinge / samples + l2
            w = [p - MOONS_LR * g for p, g in zip(w, totals, strict=True)]
        return [loss, *w]

    return run


def moons_trace_ops() -> int:
    """Graph nodes made by operations in what B's replay traces: one sample's loss per label, and the penalty."""
    from nn import hinge_loss, l2_penalty

    model, params = _moons_model()
    return sum(graph_ops(hinge_loss([model(X[0])], [label])) for label in (-1.0, 1.0)) + graph_ops(
        l2_penalty(params, ALPHA)
    )


def moons_micrograd(epochs: int, samples: int = SAMPLES) -> Run:
    from micrograd.nn import MLP  # type: ignore[import-untyped]

    model = MLP(SIZES[0], list(SIZES[1:]))
    params = model.parameters()
    xs, ys = X[:samples], Y[:samples]

    def run() -> list[float]:
        for p, x in zip(params, W, strict=True):
            p.data = x
        for _ in range(epochs):  # micrograd's demo, as written there
            scores = list(map(model, xs))
            losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = ALPHA * sum(p * p for p in params)
            total_loss = data_loss + reg_loss
            model.zero_grad()
            total_loss.backward()
            for p in params:
                p.data -= MOONS_LR * p.grad
        return [total_loss.data, *(p.data for p in params)]

    return run


def moons_torch(epochs: int, samples: int = SAMPLES) -> Run:
    import torch

    xs, ys = X[:samples], Y[:samples]

    def run() -> list[float]:
        params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in W]
        layers = _layers(params)
        for _ in range(epochs):
            scores = []
            for x in xs:
                inputs: list[Any] = x
                for i, layer in enumerate(layers):
                    last = i == len(layers) - 1
                    acts = [sum((w * xi for w, xi in zip(ws, inputs, strict=True)), b) for ws, b in layer]
                    inputs = acts if last else [torch.relu(a) for a in acts]
                scores.append(inputs[0])
            losses = [torch.relu(1 + -yi * s) for yi, s in zip(ys, scores, strict=True)]
            total_loss: Any = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
            total_loss.backward()
            _torch_sgd_step(params, MOONS_LR)
        return [total_loss.item(), *(p.item() for p in params)]

    return run


def _layers(params: list[Any]) -> list[list[tuple[list[Any], Any]]]:
    """Parameters in micrograd's order, as layers of (weights, bias) per neuron."""
    layers, position = [], 0
    for n_in, n_out in itertools.pairwise(SIZES):
        layer = []
        for _ in range(n_out):
            layer.append((params[position : position + n_in], params[position + n_in]))
            position += n_in + 1
        layers.append(layer)
    return layers


def moons_floats(epochs: int, samples: int = SAMPLES) -> Run:
    """Forward and backward by hand on lists of floats, in the tightest plain Python: locals, comprehensions,
    ``sum(map(mul, ...))`` for every dot product; each weight's gradient one dot product over the samples."""
    mul = operator.mul
    xs, ys = X[:samples], Y[:samples]

    def run() -> list[float]:
        params = list(W)
        n, alpha, lr = len(xs), ALPHA, MOONS_LR
        for _ in range(epochs):
            (w1, b1), (w2, b2), (w3, b3) = _matrices(params)
            w3_row, b3_value = w3[0], b3[0]
            w2_columns = _columns(w2)
            # per sample whose margin is positive: the inputs of each layer and the gradients reaching it
            inputs, a1s, a2s, d_z1s, d_z2s, d_scores = [], [], [], [], [], []
            data_loss = 0.0
            for (x0, x1), label in zip(xs, ys, strict=True):
                z1 = [u * x0 + v * x1 + b for (u, v), b in zip(w1, b1, strict=True)]
                a1 = [z if z > 0.0 else 0.0 for z in z1]
                z2 = [sum(map(mul, row, a1), b) for row, b in zip(w2, b2, strict=True)]
                a2 = [z if z > 0.0 else 0.0 for z in z2]
                margin = 1.0 - label * sum(map(mul, w3_row, a2), b3_value)
                if margin <= 0.0:
                    continue
                data_loss += margin
                d_score = -label / n
                d_z2 = [d_score * w if z > 0.0 else 0.0 for w, z in zip(w3_row, z2, strict=True)]
                d_z1 = [sum(map(mul, c, d_z2)) if z > 0.0 else 0.0 for c, z in zip(w2_columns, z1, strict=True)]
                inputs.append((x0, x1))
                a1s.append(a1)
                a2s.append(a2)
                d_z1s.append(d_z1)
                d_z2s.append(d_z2)
                d_scores.append(d_score)
            loss = data_loss / n + alpha * sum(p * p for p in params)
            grads: list[float] = [] if inputs else [0.0] * len(params)
            layers = (
                (_columns(inputs), _columns(d_z1s)),
                (_columns(a1s), _columns(d_z2s)),
                (_columns(a2s), [d_scores]),
            )
            for below, d_columns in layers if inputs else ():
                for d_column in d_columns:  # one neuron's upstream gradient, sample by sample
                    grads += [sum(map(mul, d_column, a)) for a in below]
                    grads.append(sum(d_column))
            params = [p - lr * (g + 2.0 * alpha * p) for p, g in zip(params, grads, strict=True)]
        return [loss, *params]

    return run


def _columns(rows: list[Any]) -> list[tuple[float, ...]]:
    """A list of equal rows, transposed."""
    return list(zip(*rows, strict=True))


def _matrices(params: Sequence[float]) -> list[tuple[list[list[float]], list[float]]]:
    """Parameters in micrograd's order, as (weight rows, biases) per layer."""
    return [([ws for ws, _ in layer], [b for _, b in layer]) for layer in _layers(list(params))]


def moons_numpy(epochs: int, samples: int = SAMPLES) -> Run:
    """The whole batch at once, forward and backward written by hand on float64 arrays: a floor below Python."""
    import numpy as np

    inputs, labels = np.array(X[:samples]), np.array(Y[:samples])

    def run() -> list[float]:
        layers = [(np.array(w), np.array(b)) for w, b in _matrices(W)]
        n = len(labels)
        for _ in range(epochs):
            (w1, b1), (w2, b2), (w3, b3) = layers
            z1 = inputs @ w1.T + b1
            a1 = np.maximum(z1, 0.0)
            z2 = a1 @ w2.T + b2
            a2 = np.maximum(z2, 0.0)
            margin = 1.0 - labels * (a2 @ w3[0] + b3[0])
            params_squared = sum(float(np.sum(w * w) + np.sum(b * b)) for w, b in layers)
            loss = float(np.sum(np.maximum(margin, 0.0))) / n + ALPHA * params_squared
            d_score = np.where(margin > 0.0, -labels / n, 0.0)
            d_z2 = np.outer(d_score, w3[0]) * (z2 > 0.0)
            d_z1 = (d_z2 @ w2) * (z1 > 0.0)
            grads = [
                (d_z1.T @ inputs, d_z1.sum(axis=0)),
                (d_z2.T @ a1, d_z2.sum(axis=0)),
                ((d_score @ a2)[None, :], np.array([d_score.sum()])),
            ]
            layers = [
                (w - MOONS_LR * (g_w + 2.0 * ALPHA * w), b - MOONS_LR * (g_b + 2.0 * ALPHA * b))
                for (w, b), (g_w, g_b) in zip(layers, grads, strict=True)
            ]
        return [loss, *np.concatenate([np.column_stack([w, b]).ravel() for w, b in layers]).tolist()]

    return run


# --- C. a deep chain: x = x*1.0001 + 0.0001 ---------------------------------------------


def chain_with(value: Callable[[float], Any], steps: int) -> Any:
    x = value(1.0)
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    y.backward()
    return x, y


def chain_eager(value_class: Callable[[], Any]) -> Callable[[int], Run]:
    def prepare(steps: int) -> Run:
        value = value_class()

        def run() -> list[float]:
            x, y = chain_with(value, steps)
            return [y.data, x.grad]

        return run

    return prepare


def chain_trace(steps: int) -> Callable[[], Any]:
    """A job that traces the chain and generates its replay."""
    import autograd
    from autograd import Value

    x = Value(1.0)

    def f() -> Value:
        y = x
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        return y

    return lambda: autograd.compile(f, [x])


def chain_compiled(steps: int) -> Run:
    replay = chain_trace(steps)()

    def run() -> list[float]:
        y, (dx,) = replay(1.0)
        return [y, dx]

    return run


def chain_torch(steps: int) -> Run:
    import torch

    def run() -> list[float]:
        x, y = chain_with(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), steps)
        return [y.item(), x.grad.item()]

    return run


def chain_floats(steps: int) -> Run:
    def run() -> list[float]:
        y, dy = 1.0, 1.0
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
            dy *= 1.0001
        return [y, dy]

    return run


# --- D. the sum of products a_i * b_i ---------------------------------------------------


def dot_data(n: int) -> tuple[list[float], list[float]]:
    rng = random.Random(n)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


def dot_with(
    value: Callable[[float], Any], n: int, data: tuple[list[float], list[float]] | None = None
) -> tuple[Any, list[Any], list[Any]]:
    """Wrap the numbers as leaves, sum the products, backpropagate; returns (total, a, b).
    ``data`` is made beforehand by the timed runs, so drawing random numbers is not timed."""
    xs, ys = data or dot_data(n)
    a = [value(x) for x in xs]
    b = [value(y) for y in ys]
    total = a[0] * b[0]
    for i in range(1, n):
        total = total + a[i] * b[i]
    total.backward()
    return total, a, b


def dot_eager(value_class: Callable[[], Any]) -> Callable[[int], Run]:
    def prepare(n: int) -> Run:
        value = value_class()
        data = dot_data(n)

        def run() -> list[float]:
            total, a, b = dot_with(value, n, data)
            return [total.data, *(v.grad for v in a), *(v.grad for v in b)]

        return run

    return prepare


def dot_torch(n: int) -> Run:
    import torch

    data = dot_data(n)

    def run() -> list[float]:
        total, a, b = dot_with(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), n, data)
        return [total.item(), *(v.grad.item() for v in a), *(v.grad.item() for v in b)]

    return run


def dot_floats(n: int) -> Run:
    """The sum in one ``sum(map(mul, ...))`` (left to right, as the engines add); each gradient is the other factor."""
    xs, ys = dot_data(n)

    def run() -> list[float]:
        return [sum(map(operator.mul, xs, ys)), *ys, *xs]

    return run


def graph_ops(root: Any) -> int:
    """Graph nodes made by operations, counted on the eager engine's own graph."""
    from autograd import topological_order

    return sum(1 for node in topological_order(root) if not node.is_leaf)


@functools.cache
def moons_op_count(samples: int = SAMPLES) -> int:
    """Graph nodes made by operations in one epoch of B."""
    return graph_ops(_moons_loss(*_moons_model(), samples))


def article_op_count() -> int:
    from autograd import Value

    return graph_ops(article_error([Value(x) for x in ARTICLE_WEIGHTS]))


CHAIN_STEPS = 450  # micrograd's deepest chain at its default recursion limit


def workloads(quick: bool, tiny: bool = False) -> list[Workload]:
    """A-E at the issue's sizes (smaller with ``quick``; ``tiny``: B on 10 samples, E on minibatches of 2,
    for the tests)."""
    from .digits import BATCH
    from .digits import workload as digits

    steps = 200 if quick else 2000
    samples = 10 if tiny else SAMPLES
    moons_engines: dict[str, Callable[..., Run]] = {
        "micro-autograd": moons_autograd,
        "compiled": moons_compiled,
        "micrograd": moons_micrograd,
        "torch": moons_torch,
        "floats": moons_floats,
        "numpy": moons_numpy,
    }
    return [
        Workload(
            "A",
            "the article's step (forward, backward, SGD update)",
            "step",
            steps,
            {
                "micro-autograd": article_eager(micro_autograd_value),
                "compiled": article_compiled,
                "micrograd": article_eager(micrograd_value),
                "torch": article_torch,
                "floats": article_floats,
                "C": article_c,
            },
            ops=lambda steps: steps,
            period=("step", 1),
            trace=article_trace,
            trace_ops=article_op_count(),
        ),
        Workload(
            "B",
            f"moons demo: MLP(2,[16,16,1]) relu, {samples} samples, hinge + L2, one full-batch epoch",
            "op",
            1,
            {engine: functools.partial(prepare, samples=samples) for engine, prepare in moons_engines.items()},
            ops=lambda epochs: epochs * moons_op_count(samples),
            period=("epoch", moons_op_count(samples)),
            trace=moons_trace,
            trace_ops=moons_trace_ops(),
        ),
        Workload(
            "C",
            f"deep chain x = x*1.0001 + 0.0001, {CHAIN_STEPS} steps (micrograd's deepest at its default recursion"
            " limit)",
            "op",
            CHAIN_STEPS,
            {
                "micro-autograd": chain_eager(micro_autograd_value),
                "compiled": chain_compiled,
                "micrograd": chain_eager(micrograd_value),
                "torch": chain_torch,
                "floats": chain_floats,
            },
            ops=lambda steps: 2 * steps,
            period=("run", 2 * CHAIN_STEPS),
            trace=lambda: chain_trace(CHAIN_STEPS),
            trace_ops=2 * CHAIN_STEPS,
        ),
        Workload(
            "D",
            "sum of products a_i*b_i, then backward",
            "op",
            5_000 if quick else 20_000,
            {
                "micro-autograd": dot_eager(micro_autograd_value),
                "micrograd": dot_eager(micrograd_value),
                "torch": dot_torch,
                "floats": dot_floats,
            },
            ops=lambda n: 2 * n - 1,
            missing={"compiled": "D builds and differentiates its graph once: there is nothing to replay"},
        ),
        digits(quick, 2 if tiny else BATCH),
    ]

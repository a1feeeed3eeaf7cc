"""The workloads, each written once per engine.

Every engine gets a ``prepare`` function that does the setup (models, data)
and returns ``run``: one call does the whole measured job (build the graph,
backward, update, let the graph go) and returns the numbers the job
produced, so the runner can check every engine agrees before it times any.

Engines: ``micro-autograd`` (the eager engine, through ``nn`` where the job
is a model), ``compiled`` (``autograd.compile`` replaying the same job),
``micrograd`` (karpathy's, 0.1.0), ``torch`` (0-dim float64 tensors, one
thread) and ``floats`` (the same job hand-written on Python floats: the limit).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Run = Callable[[], list[float]]


def micro_autograd_value() -> Any:
    from autograd import Value

    return Value


def micrograd_value() -> Any:
    from micrograd.engine import Value

    return Value


ENGINES = ("micro-autograd", "compiled", "micrograd", "torch", "floats")


@dataclass
class Workload:
    key: str
    title: str
    unit: str  # "step" or "op"
    size: int  # steps (A), epochs (B), chain steps (C), products (D)
    prepare: dict[str, Callable[[int], Run]]

    def ops(self, size: int) -> int:
        """The number the time is divided by: steps for A, graph nodes made by operations otherwise."""
        return OPS[self.key](size)


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


def article_compiled(steps: int) -> Run:
    import autograd
    from autograd import Value

    leaves = [Value(x) for x in ARTICLE_WEIGHTS]
    return _descend(autograd.compile(lambda: article_error(leaves), leaves), steps)


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


def article_by_hand(w1: float, w2: float, w3: float, w4: float, w5: float, w6: float) -> tuple[float, list[float]]:
    """The article's error and its six gradients, derived by hand (the article's own formulas)."""
    h1 = I1 * w1 + I2 * w2
    h2 = I1 * w3 + I2 * w4
    out = h1 * w5 + h2 * w6
    delta = out - TARGET
    d_h1, d_h2 = delta * w5, delta * w6
    return 0.5 * delta**2, [d_h1 * I1, d_h1 * I2, d_h2 * I1, d_h2 * I2, delta * h1, delta * h2]


def article_floats(steps: int) -> Run:
    """The same step as ``compiled``: one call for the error and gradients, then the same update."""
    return _descend(article_by_hand, steps)


def _descend(error_and_grads: Callable[..., tuple[float, list[float]]], steps: int) -> Run:
    """Gradient descent on plain floats, from a function giving the error and the gradients."""

    def run() -> list[float]:
        w = list(ARTICLE_WEIGHTS)
        for _ in range(steps):
            error, grads = error_and_grads(*w)
            w = [p - LR * g for p, g in zip(w, grads, strict=True)]
        return [error, *w]

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


X, Y = moons()
W = moons_weights()


def moons_autograd(epochs: int) -> Run:
    from nn import MLP, SGD, hinge_loss, l2_penalty

    model = MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=0)
    params = model.parameters()
    optimizer = SGD(params, lr=MOONS_LR)

    def run() -> list[float]:
        for p, x in zip(params, W, strict=True):
            p.data = x
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = hinge_loss([model(x) for x in X], Y) + l2_penalty(params, ALPHA)
            loss.backward()
            optimizer.step()
        return [loss.data, *(p.data for p in params)]

    return run


def moons_compiled(epochs: int) -> Run:
    from nn import MLP, SGD, compile_loss, hinge_loss, l2_penalty

    model = MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=0)
    params = model.parameters()
    for p, x in zip(params, W, strict=True):
        p.data = x
    optimizer = SGD(params, lr=MOONS_LR)
    loss_and_grads = compile_loss(lambda: hinge_loss([model(x) for x in X], Y) + l2_penalty(params, ALPHA), params)

    def run() -> list[float]:
        for p, x in zip(params, W, strict=True):
            p.data = x
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = loss_and_grads()
            optimizer.step()
        return [loss, *(p.data for p in params)]

    return run


def moons_micrograd(epochs: int) -> Run:
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]))
    params = model.parameters()

    def run() -> list[float]:
        for p, x in zip(params, W, strict=True):
            p.data = x
        for _ in range(epochs):  # micrograd's demo, as written there
            scores = list(map(model, X))
            losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores, strict=True)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = ALPHA * sum(p * p for p in params)
            total_loss = data_loss + reg_loss
            model.zero_grad()
            total_loss.backward()
            for p in params:
                p.data -= MOONS_LR * p.grad
        return [total_loss.data, *(p.data for p in params)]

    return run


def moons_torch(epochs: int) -> Run:
    import torch

    def run() -> list[float]:
        params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in W]
        layers = _layers(params)
        for _ in range(epochs):
            scores = []
            for x in X:
                inputs: list[Any] = x
                for i, layer in enumerate(layers):
                    last = i == len(layers) - 1
                    acts = [sum((w * xi for w, xi in zip(ws, inputs, strict=True)), b) for ws, b in layer]
                    inputs = acts if last else [torch.relu(a) for a in acts]
                scores.append(inputs[0])
            losses = [torch.relu(1 + -yi * s) for yi, s in zip(Y, scores, strict=True)]
            total_loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
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


def moons_floats(epochs: int) -> Run:
    """Forward and backward by hand, neuron by neuron, on lists of floats."""

    def run() -> list[float]:
        params = list(W)
        n = len(X)
        for _ in range(epochs):
            layers = _layers(params)
            grads = [[([0.0] * len(ws), [0.0]) for ws, _ in layer] for layer in layers]
            data_loss = 0.0
            for x, label in zip(X, Y, strict=True):
                activations, pre = [x], []
                for i, layer in enumerate(layers):
                    z = []
                    for ws, b in layer:
                        s = b
                        for w, a in zip(ws, activations[-1], strict=True):
                            s += w * a
                        z.append(s)
                    pre.append(z)
                    last = i == len(layers) - 1
                    activations.append(z if last else [v if v > 0.0 else 0.0 for v in z])
                margin = 1.0 - label * activations[-1][0]
                if margin <= 0.0:
                    continue
                data_loss += margin
                upstream = [-label / n]
                for i in range(len(layers) - 1, -1, -1):
                    last = i == len(layers) - 1
                    dz = upstream if last else [d if v > 0.0 else 0.0 for d, v in zip(upstream, pre[i], strict=True)]
                    below = activations[i]
                    upstream = [0.0] * len(below)
                    for (ws, _), (dws, db), d in zip(layers[i], grads[i], dz, strict=True):
                        if d == 0.0:
                            continue
                        db[0] += d
                        for k, a in enumerate(below):
                            dws[k] += d * a
                            upstream[k] += d * ws[k]
            loss = data_loss / n + ALPHA * sum(p * p for p in params)
            flat = [g for layer in grads for dws, db in layer for g in (*dws, db[0])]
            params = [p - MOONS_LR * (g + 2.0 * ALPHA * p) for p, g in zip(params, flat, strict=True)]
        return [loss, *params]

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


def chain_compiled(steps: int) -> Run:
    import autograd
    from autograd import Value

    x = Value(1.0)

    def f() -> Value:
        y = x
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        return y

    replay = autograd.compile(f, [x])

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
    xs, ys = dot_data(n)

    def run() -> list[float]:
        total = xs[0] * ys[0]
        for i in range(1, n):
            total += xs[i] * ys[i]
        return [total, *ys, *xs]

    return run


OPS: dict[str, Callable[[int], int]] = {
    "A": lambda steps: steps,
    "B": lambda epochs: epochs * moons_op_count(),
    "C": lambda steps: 2 * steps,
    "D": lambda n: 2 * n - 1,
}


def moons_op_count() -> int:
    """Graph nodes made by operations in one epoch of B, counted on the eager engine's own graph."""
    from autograd import topological_order
    from nn import MLP, hinge_loss, l2_penalty

    model = MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=0)
    loss = hinge_loss([model(x) for x in X], Y) + l2_penalty(model.parameters(), ALPHA)
    return sum(1 for node in topological_order(loss) if not node.is_leaf)


def workloads(quick: bool) -> list[Workload]:
    """A-D at the issue's sizes (smaller with ``quick``)."""
    return [
        Workload(
            "A",
            "the article's step (forward, backward, SGD update)",
            "step",
            200 if quick else 2000,
            {
                "micro-autograd": article_eager(micro_autograd_value),
                "compiled": article_compiled,
                "micrograd": article_eager(micrograd_value),
                "torch": article_torch,
                "floats": article_floats,
            },
        ),
        Workload(
            "B",
            "moons demo: MLP(2,[16,16,1]) relu, 100 samples, hinge + L2, one full-batch epoch",
            "op",
            1,
            {
                "micro-autograd": moons_autograd,
                "compiled": moons_compiled,
                "micrograd": moons_micrograd,
                "torch": moons_torch,
                "floats": moons_floats,
            },
        ),
        Workload(
            "C",
            "deep chain x = x*1.0001 + 0.0001, 450 steps (micrograd's deepest at its default recursion limit)",
            "op",
            450,
            {
                "micro-autograd": chain_eager(micro_autograd_value),
                "compiled": chain_compiled,
                "micrograd": chain_eager(micrograd_value),
                "torch": chain_torch,
                "floats": chain_floats,
            },
        ),
        Workload(
            "D",
            "sum of products a_i*b_i, then backward",
            "op",
            10_000 if quick else 100_000,
            {
                "micro-autograd": dot_eager(micro_autograd_value),
                "micrograd": dot_eager(micrograd_value),
                "torch": dot_torch,
                "floats": dot_floats,
            },
        ),
    ]

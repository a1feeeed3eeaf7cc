"""The measurements beside the time table: memory per node, the deepest chain, and scaling."""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from .workloads import chain_with, dot_with

Say = Callable[[str], None]


def _leaf(engine: str) -> Callable[[float], Any]:
    if engine == "micro-autograd":
        from autograd import Value

        return Value
    if engine == "micrograd":
        from micrograd.engine import Value as MicrogradValue  # type: ignore[import-untyped]

        return MicrogradValue  # type: ignore[no-any-return]
    import torch

    return lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)


GRAPH_ENGINES = ("micro-autograd", "micrograd", "torch")


def _build_chain(leaf: Callable[[float], Any], steps: int) -> Any:
    y = x = leaf(1.0)
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    return x, y


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        import os

        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory_per_node(engines: Sequence[str], say: Say) -> dict[str, tuple[float, str]]:
    """Bytes each node of a built chain graph (before backward) keeps alive.

    Python engines: tracemalloc, exact. torch allocates outside Python's
    allocator, so its figure is the growth of the resident set, measured first
    thing on a large chain.
    """
    found: dict[str, tuple[float, str]] = {}
    steps = 50_000
    for engine in sorted((e for e in engines if e in GRAPH_ENGINES), key=lambda e: e != "torch"):
        leaf = _leaf(engine)
        gc.collect()
        gc.disable()
        try:
            if engine == "torch":
                _build_chain(leaf, 100)  # warm up the allocator and autograd
                before = _rss()
                graph = _build_chain(leaf, steps)
                found[engine] = ((_rss() - before) / (2 * steps), f"resident-set growth, chain of {2 * steps:,} nodes")
            else:  # the growth from a chain of 1,000 steps to one of ``steps``: fixed costs cancel out
                tracemalloc.start()
                before = tracemalloc.get_traced_memory()[0]
                short = _build_chain(leaf, 1_000)
                middle = tracemalloc.get_traced_memory()[0]
                graph = _build_chain(leaf, steps)
                after = tracemalloc.get_traced_memory()[0]
                tracemalloc.stop()
                per_node = ((after - middle) - (middle - before)) / (2 * (steps - 1_000))
                found[engine] = (per_node, f"tracemalloc, chains of {2 * steps:,} and 2,000 nodes")
                del short
            del graph
        finally:
            gc.enable()
        gc.collect()
        say(f"memory: {engine} {found[engine][0]:.0f} B per node")
    return found


def _survives(leaf: Callable[[float], Any], steps: int) -> str | None:
    """None if a chain of ``steps`` builds, differentiates and frees; else what went wrong."""
    try:
        x, y = chain_with(leaf, steps)
        del x, y
        gc.collect()
        return None
    except RecursionError:
        return "RecursionError"
    except MemoryError:
        return "MemoryError"


def deepest_chains(engines: Sequence[str], quick: bool, say: Say) -> list[str]:
    """The longest chain each engine handles, at Python's default recursion limit and, for micrograd, raised."""
    ladder = [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    most = {"micro-autograd": ladder[-1], "micrograd": 100_000, "torch": 100_000}  # the peers: time and memory
    lines = ["| engine | recursion limit | steps tried (2 nodes each) | outcome |", "|---|---|---|---|"]
    raised = sys.getrecursionlimit()
    for engine in (e for e in GRAPH_ENGINES if e in engines):
        leaf = _leaf(engine)
        for limit in (1000, raised) if engine == "micrograd" else (1000,):
            sys.setrecursionlimit(limit)
            try:
                tried, failure = [], None
                for steps in (s for s in ladder if s <= most[engine]):
                    start = time.perf_counter()
                    failure = _survives(leaf, steps)
                    if failure:
                        break
                    tried.append(f"{steps:,} ({time.perf_counter() - start:.1f} s)")
                if failure:
                    low, high = (int(tried[-1].split()[0].replace(",", "")) if tried else 0), steps
                    while high - low > 1:  # bisect for the exact length where it starts failing
                        middle = (low + high) // 2
                        low, high = (middle, high) if _survives(leaf, middle) is None else (low, middle)
                    outcome = f"fails from {high:,} steps: {failure}"
                else:
                    outcome = "all survive"
            finally:
                sys.setrecursionlimit(raised)
            lines.append(f"| {engine} | {limit:,} | {', '.join(tried) or 'none'} | {outcome} |")
            say(lines[-1])
    lines.append("")
    lines.append(
        "micrograd's `backward()` recurses once per graph level; with the limit raised (and a 512 MB thread"
        " stack) it goes deeper. micro-autograd's order is iterative. The peers are tried up to 100,000 steps,"
        " to keep the run short."
    )
    return lines


def scaling(quick: bool, say: Say) -> list[str]:
    """Per-operation cost of the eager engine from 1,000 to 1,000,000 operations: flat means linear."""
    sizes = [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    header = [
        "chain: build + backward + free",
        "the same, collector off",
        "chain: topological order",
        "chain: second backward (accumulating)",
        "sum of products: build + backward + free",
        "the same, collector off",
        "zero_grad (per parameter)",
        "draw_graph source (per node)",
    ]
    lines = ["| operations | " + " | ".join(header) + " |", "|---|" + "---|" * len(header)]
    rows = []
    for ops in sizes:
        rows.append(_scaling_row(ops))
        lines.append(f"| {ops:,} | " + " | ".join(rows[-1]) + " |")
        say(lines[-1])
    spreads = []
    for column in zip(*rows, strict=True):
        numbers = [float(cell.split()[0]) for cell in column if cell != "—"]
        spreads.append(max(numbers) / min(numbers))
    lines.append("")
    lines.append(
        "Microseconds per operation (per node for drawing, per parameter for zero_grad), median [min-max] of"
        " 3 samples; the collector is on except where the column says otherwise. From the smallest size to the largest,"
        f" the cost per operation of a column changes by at most {max(spreads):.1f}x (column by column:"
        f" {', '.join(f'{x:.1f}x' for x in spreads)}), where a quadratic step would multiply it by"
        f" {sizes[-1] // sizes[0]:,}. What does grow is the memory hierarchy's share (a graph past the"
        " caches costs more per node to touch) and, on the Python implementation, CPython's cycle"
        " collector, whose full collections walk every live node (the C node is not tracked by it):"
        " compare the collector-off columns."
    )
    return lines


def _scaling_row(ops: int) -> list[str]:
    from autograd import Value, topological_order

    steps = ops // 2
    cells = [_per(lambda: chain_with(Value, steps), ops), _collector_off(lambda: chain_with(Value, steps), ops)]
    graph = _build_chain(Value, steps)
    root = graph[1]
    root.backward()
    cells.append(_per(lambda: topological_order(root), ops))
    cells.append(_per(root.backward, ops))
    cells.append(_per(lambda: dot_with(Value, ops // 2), ops))
    cells.append(_collector_off(lambda: dot_with(Value, ops // 2), ops))
    cells.append(_zero_grad(ops))
    cells.append(_drawing(ops) if ops <= 100_000 else "—")
    return cells


def _collector_off(job: Callable[[], object], ops: int) -> str:
    """The engine's own cost: the same job with CPython's automatic cycle collection off."""
    gc.disable()
    try:
        return _per(job, ops)
    finally:
        gc.enable()


def _per(job: Callable[[], object], ops: int, repeats: int = 3) -> str:
    """Time per operation, median [min-max]; a sample repeats the job until it lasts 50 ms, then collects."""
    start = time.perf_counter()
    job()
    inner = max(1, int(0.05 / max(time.perf_counter() - start, 1e-6)))
    times = []
    gc.collect()
    gc.freeze()  # what is alive now stays out of the collections being timed
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(inner):
                job()
            gc.collect()
            times.append((time.perf_counter() - start) / inner)
    finally:
        gc.unfreeze()
    low, median, high = (t / ops * 1e6 for t in (min(times), statistics.median(times), max(times)))
    return f"{median:.3f} [{low:.3f}-{high:.3f}]"


def _zero_grad(ops: int) -> str:
    from autograd import Value
    from nn import SGD

    optimizer = SGD([Value(0.0) for _ in range(ops)], lr=0.1)
    return _per(optimizer.zero_grad, ops)


def _drawing(ops: int) -> str:
    try:
        from autograd.views.draw import draw_graph
    except ImportError:
        return "—"
    from autograd import Value

    _x, y = _build_chain(Value, ops // 2)
    return _per(lambda: draw_graph(y, render_limit=None).source, ops)

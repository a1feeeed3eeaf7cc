"""What tracing costs at the least, per operation: why ``compile`` does not reach 5 us per operation here.

    python -m benchmarks.tracing_floor [--repeats N]

Issue 12 asked that tracing and generating a replay cost at most 5 us per
traced operation (issue 18: at most 10 us the first time a structure is
traced). A replay is written as Python source, a statement per node kept
and per gradient written (each parameter's total in the returned list),
from the one sweep (``backward.edges``), and CPython then compiles that
source. On the graphs the benchmark traces
(A, B, C, E), this measures, per traced operation, the parts no such writer
can avoid, each timed alone:

- f: running ``f`` on the engine, which records the graph;
- the sweep: ``backward.edges()`` over that graph on the recorded floats,
  without records and writing nothing (the writer iterates it so, on
  symbols, which costs more);
- CPython's compile() of the very source the trace generated, and of
  functions of as many statements, each the shortest a replay could have
  (``t3 = t2 * t1``): what the same number of statements costs however
  briefly they are written.

These are floors for the code's present shape (a statement per node kept
and per gradient written); they add up to what no writer of that shape can go
below, not to what a writer of another shape could reach.

Median [min-max] over the repeats, with ``autograd.compile`` as a whole (the code cache emptied before
each run: every structure written and compiled, as the first time); each repeat runs a part
as often as fills 0.05 s, as the benchmark's samples do.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import autograd
from autograd import topological_order
from autograd.backward import edges
from autograd.replay.cache import code_cache

from .run import time_spread
from .timing import Spread, _sources_compiled, sample
from .workloads import workloads


@contextmanager
def _functions_traced() -> Iterator[list[tuple[Callable[[], Any], bool]]]:
    """Every ``(f, has_aux)`` handed to ``autograd.compile`` meanwhile: the trace's graphs, to be built again."""
    calls: list[tuple[Callable[[], Any], bool]] = []
    compile_ = autograd.compile

    def recording(f: Callable[[], Any], *arguments: Any, **options: Any) -> Any:
        calls.append((f, bool(options.get("has_aux", False))))
        return compile_(f, *arguments, **options)

    autograd.compile = recording
    try:
        yield calls
    finally:
        autograd.compile = compile_


def _times(job: Callable[[], object], repeats: int, seconds: float = 0.05) -> list[float]:
    """``repeats`` wall times of one run of ``job``, each from a benchmark sample (``timing.sample``: as many
    runs as fill about ``seconds``, and the collection of what they left behind)."""
    start = time.perf_counter()
    job()
    runs = max(1, round(seconds / max(time.perf_counter() - start, 1e-9)))
    return [sample(job, runs)[0] / runs for _ in range(repeats)]


def _statements(source: str) -> int:
    """The simple statements (not ``def``, ``if``, ``try``) in the functions a source defines."""
    compound = (ast.FunctionDef, ast.If, ast.Try)
    return sum(isinstance(node, ast.stmt) and not isinstance(node, compound) for node in ast.walk(ast.parse(source)))


def _shortest(statements: int) -> str:
    """A function of ``statements`` statements as short as Python has: ``tk = ti * tj``."""
    lines = [f"    t{k} = t{k - 1} * t{k - 2}" for k in range(2, statements + 2)]
    return "def replay(t0, t1):\n" + "\n".join(lines) + "\n"


def _outputs(f: Callable[[], Any], has_aux: bool) -> Any:
    result = f()
    return result[0] if has_aux else result


def floors(key: str, trace: Callable[[], object], ops: int, repeats: int) -> list[str]:
    """One table row: a workload's trace and its floors, per traced operation."""
    code_cache.clear()  # the first trace: its code written and compiled, not found in the cache
    with _sources_compiled() as sources, _functions_traced() as functions:
        trace()
    roots = [_outputs(f, has_aux) for f, has_aux in functions]
    orders = [topological_order(root) for root in roots]
    counts = [_statements(source) for source, _, _ in sources]
    statements = sum(counts)
    shortest = [_shortest(count) for count in counts]  # function by function: compile() grows faster than linearly

    def sweep() -> None:
        for order in orders:
            for _ in edges(order, {order[-1]: 1.0}, records=False):  # as the writer iterates it
                pass

    def first_trace() -> None:
        code_cache.clear()
        trace()

    parts = {
        "autograd.compile": first_trace,
        "f": lambda: [_outputs(f, has_aux) for f, has_aux in functions],
        "sweep": sweep,
        "compile() of the source": lambda: [builtins.compile(*arguments) for arguments in sources],
        "compile() of shortest": lambda: [builtins.compile(source, "<shortest>", "exec") for source in shortest],
    }
    gc.freeze()  # as the benchmark does: what is alive now stays out of the collections being timed
    try:
        per_op = {name: Spread.of([t / ops for t in _times(job, repeats)]) for name, job in parts.items()}
        per_statement = Spread.of([t / statements for t in _times(parts["compile() of shortest"], repeats)])
    finally:
        gc.unfreeze()
    cells = [time_spread(spread) for spread in per_op.values()]
    return [f"| {key} | {ops:,} | {statements / ops:.2f} | " + " | ".join(cells) + f" | {time_spread(per_statement)} |"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracing_floor", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="times each part is timed (default 7)")
    repeats = parser.parse_args(argv).repeats
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; per traced operation, median [min-max]")
    print(f"over {repeats} repeats (`python -m benchmarks.tracing_floor --repeats {repeats}`)\n")
    print(
        "| workload | operations traced | statements per operation | autograd.compile | f | the sweep "
        "| compile() of the source | compile() of as many shortest statements | a shortest statement |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for workload in workloads(quick=False):
        if workload.trace is not None:
            for row in floors(workload.key, workload.trace(), workload.trace_ops, repeats):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

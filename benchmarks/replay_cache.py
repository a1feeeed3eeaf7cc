"""The replay's cost by its purpose: the first trace of a structure, the trace again (code cached), and when each pays.

    python -m benchmarks.replay_cache [--turns N] [--workloads A,B,C,E] [--quick]

For each workload the benchmark traces (A, B, C, E), times in the same turns: the eager engine's period
(a step, an epoch, a run), the compiled replay's, ``autograd.compile`` with the code cache emptied first
(every structure written and compiled: the first trace) and with the cache warm (the same structures again:
a new model of one architecture, a notebook cell run again, ``compile(data=...)`` per sample shape), and
CPython's ``compile()`` of the source the first trace wrote. Per traced operation, median [min-max] over the
turns; pays off after: the trace's time over what one period of the replay saves against the eager engine,
turn by turn. The machine is shared: read the spreads.
"""

from __future__ import annotations

import argparse
import os

from .run import _break_even_text, time_spread
from .timing import COMPILED, EAGER, PYTHON_COMPILE, REPEAT_TRACE, TRACE, measure, prepare
from .workloads import workloads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replay_cache", description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=7, help="turns, each timing every part once (default 7)")
    parser.add_argument("--workloads", default="A,B,C,E", help="which traced workloads (default A,B,C,E)")
    parser.add_argument("--quick", action="store_true", help="the smaller sizes (the trace is the same)")
    args = parser.parse_args(argv)
    keys = args.workloads.split(",")
    chosen = [w for w in workloads(quick=args.quick) if w.key in keys and w.trace is not None]
    prepared = [prepare(w, [EAGER, COMPILED], lambda _: None, 0.05) for w in chosen]
    measurement = measure(prepared, args.turns, lambda _: None)
    load = ", ".join(f"{a:.1f}-{b:.1f}" for a, b in zip(measurement.load_start, measurement.load_end, strict=True))
    print(f"load average {load}; {args.turns} turns; `python -m benchmarks.replay_cache --turns {args.turns}`\n")
    print(
        "| workload | operations traced | first trace, per operation | of which CPython's compile() "
        "| pays off after | traced again, per operation | pays off after |"
    )
    print("|---|---|---|---|---|---|---|")
    for timing in measurement.timings:
        w = timing.workload
        first, python, again = (timing.trace_per_op(part) for part in (TRACE, PYTHON_COMPILE, REPEAT_TRACE))
        first_even, again_even = timing.break_even(TRACE), timing.break_even(REPEAT_TRACE)
        if first is None or python is None or again is None or first_even is None or again_even is None:
            continue
        print(
            f"| {w.key} | {w.trace_ops:,} | {time_spread(first)} | {time_spread(python)}"
            f" | {_break_even_text(first_even, w.period[0])} | {time_spread(again)}"
            f" | {_break_even_text(again_even, w.period[0])} |"
        )
    print(f"\n(load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

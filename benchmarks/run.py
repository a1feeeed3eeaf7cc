"""Run every workload on every engine, side by side in one process, and print the table.

    python -m benchmarks            # the full run (a few minutes on 2 cores)
    python -m benchmarks --quick    # smaller sizes, fewer repeats: a smoke run
    python -m benchmarks --write benchmarks/RESULTS.md

How it times, so the numbers mean the same thing for every engine:

- Engines take turns: repeat 1 times each engine once, then repeat 2, ...;
  the table shows medians. A timed sample repeats an engine's run until it
  lasts about 0.25 s, so fast and slow engines meet the machine's other work
  alike. torch runs on one thread, in float64.
- Before timing, each engine's result (output, updated weights or
  gradients) is checked equal to the hand-written floats' to 1e-9.
- The time to free each graph counts: the garbage collector stays on, and
  every timed sample ends with ``gc.collect()``. Objects alive before timing
  (modules, models, data) are frozen out of the collector (``gc.freeze()``),
  so a collection only walks what the workload itself made.
- Everything runs in a thread with a 512 MB stack and a raised recursion
  limit, because micrograd's backward recurses once per graph level; the
  deepest-chain test runs at the default limit as well.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import workloads
from .measures import deepest_chains, memory_per_node, scaling
from .workloads import ENGINES, Run, Workload

LIMIT = "floats"
BASELINE = "micrograd"


@dataclass
class Timing:
    workload: Workload
    per_unit: dict[str, float] = field(default_factory=dict)  # median seconds per step or per op
    setup: dict[str, float] = field(default_factory=dict)
    inner: dict[str, int] = field(default_factory=dict)  # runs per timed sample


def sample(run: Run, inner: int) -> float:
    """One timed sample: ``inner`` runs and the collection of whatever they left behind."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(inner):
        run()
    gc.collect()
    return time.perf_counter() - start


def check_equal(key: str, results: dict[str, list[float]]) -> None:
    reference = results[LIMIT]
    for engine, result in results.items():
        if len(result) != len(reference) or not all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(result, reference, strict=True)
        ):
            worst = max(range(len(reference)), key=lambda i: abs(result[i] - reference[i]))
            raise AssertionError(
                f"{key}: {engine} disagrees with hand-written floats at result {worst}: "
                f"{result[worst]!r} != {reference[worst]!r}"
            )


def time_workloads(
    chosen: Sequence[Workload],
    engines: Sequence[str],
    repeats: int,
    say: Callable[[str], None],
    min_sample: float = 0.25,
    freeze: bool = True,
) -> list[Timing]:
    """Check every engine agrees, then time them in turns. A sample repeats an engine's run until it
    lasts about ``min_sample`` seconds, so a fast engine and a slow one meet the machine's other work alike.
    With ``freeze``, what is alive before timing is frozen out of the collector; without it, every
    collection also walks the rest of the process (torch's modules included), as in a user's process."""
    timings = []
    runs: dict[str, dict[str, Run]] = {}
    for workload in chosen:
        timing = Timing(workload)
        runs[workload.key] = {}
        results = {}
        for engine in engines:
            if engine not in workload.prepare:
                continue
            start = time.perf_counter()
            run = workload.prepare[engine](workload.size)
            timing.setup[engine] = time.perf_counter() - start
            runs[workload.key][engine] = run
            start = time.perf_counter()
            results[engine] = run()
            timing.inner[engine] = max(1, round(min_sample / (time.perf_counter() - start)))
        check_equal(workload.key, results)
        say(f"{workload.key}: all {len(results)} engines agree to 1e-9")
        timings.append(timing)
    gc.collect()
    if freeze:
        gc.freeze()
    try:
        for timing in timings:
            workload = timing.workload
            samples: dict[str, list[float]] = {engine: [] for engine in runs[workload.key]}
            for _ in range(repeats):
                for engine, run in runs[workload.key].items():
                    samples[engine].append(sample(run, timing.inner[engine]) / timing.inner[engine])
            units = workload.ops(workload.size)
            timing.per_unit = {engine: statistics.median(s) / units for engine, s in samples.items()}
            say(f"{workload.key}: " + ", ".join(f"{e} {_us(t)}" for e, t in timing.per_unit.items()))
    finally:
        if freeze:
            gc.unfreeze()
    return timings


def _us(seconds: float) -> str:
    micro = seconds * 1e6
    return f"{micro:.3g} us" if micro < 1000 else f"{micro:,.0f} us"


def _ratio(x: float) -> str:
    return f"{x:.3g}x" if x < 100 else f"{x:,.0f}x"


def table(timings: list[Timing], engines: Sequence[str]) -> list[str]:
    """Per-unit medians, with each engine's speed-up over micrograd and its slowdown against the limit."""
    lines = [
        "| workload | " + " | ".join(engines) + " |",
        "|---|" + "---|" * len(engines),
    ]
    for timing in timings:
        cells = []
        base = timing.per_unit.get(BASELINE)
        limit = timing.per_unit.get(LIMIT)
        for engine in engines:
            t = timing.per_unit.get(engine)
            if t is None:
                cells.append("—")
                continue
            notes = []
            if base and engine not in (BASELINE, LIMIT):
                notes.append(f"{_ratio(base / t)} micrograd")
            if limit and engine != LIMIT:
                notes.append(f"{_ratio(t / limit)} limit")
            cells.append(_us(t) + (f" ({', '.join(notes)})" if notes else ""))
        w = timing.workload
        lines.append(f"| {w.key}. {w.title}, per {w.unit} | " + " | ".join(cells) + " |")
    return lines


# The targets: (workload, engine, compared with, bound, "at least" or "at most").
TARGETS = [
    ("A", "micro-autograd", BASELINE, 5.0, "faster"),
    ("B", "micro-autograd", BASELINE, 20.0, "faster"),
    ("C", "micro-autograd", BASELINE, 5.0, "faster"),
    ("D", "micro-autograd", BASELINE, 15.0, "faster"),
    ("A", "compiled", LIMIT, 2.0, "slower"),
    ("B", "compiled", LIMIT, 2.0, "slower"),
]


def targets(timings: list[Timing], memory: dict[str, tuple[float, str]]) -> list[str]:
    """Each target of the issue beside this run's figure, met or not."""
    lines = ["", "### Against the targets", "", "| target | this run | met |", "|---|---|---|"]
    by_key = {t.workload.key: t.per_unit for t in timings}
    for key, engine, other, bound, direction in TARGETS:
        per_unit = by_key.get(key, {})
        if engine not in per_unit or other not in per_unit:
            continue
        if direction == "faster":
            ratio, wanted = (
                per_unit[other] / per_unit[engine],
                f"{key}: {engine} at least {bound:g}x faster than {other}",
            )
            met = ratio >= bound
        else:
            ratio, wanted = (
                per_unit[engine] / per_unit[other],
                f"{key}: {engine} within {bound:g}x of the {other} limit",
            )
            met = ratio <= bound
        lines.append(f"| {wanted} | {_ratio(ratio)} | {'yes' if met else 'no'} |")
    if "micro-autograd" in memory:
        used = memory["micro-autograd"][0]
        lines.append(
            f"| memory: micro-autograd at most 120 B per node | {used:.0f} B | {'yes' if used <= 120 else 'no'} |"
        )
    return lines


def versions() -> list[str]:
    from importlib.metadata import version

    import micrograd  # noqa: F401
    import torch

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()};"
        f" load average at the start {load} (other work shared the machine)",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- micro-autograd {version('micro-autograd')}, micrograd {version('micrograd')}, torch {torch.__version__}"
        f" ({torch.get_num_threads()} thread)",
        f"- micro-autograd's engine: {engine_implementation()}",
    ]


def engine_implementation() -> str:
    """Which implementation of micro-autograd's engine ran (autograd/accelerator.py)."""
    from autograd.accelerator import ACCELERATED, PURE_PYTHON_VARIABLE

    if ACCELERATED:
        return "the C accelerator, autograd/_native.c (the steps of value.py and backward.py, written again in C)"
    return f"the Python implementation ({PURE_PYTHON_VARIABLE} set, or the C accelerator not compiled)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and 3 repeats: a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed samples per engine (default 5; quick 3)")
    parser.add_argument("--only", default="ABCD", help="which workloads, e.g. --only AB")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    parser.add_argument("--no-extras", action="store_true", help="skip memory, deepest chain and scaling")
    parser.add_argument("--write", metavar="PATH", help="also write the results as Markdown to PATH")
    parser.add_argument("--readme", metavar="PATH", help="also copy the time table into PATH between its markers")
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    for engine in engines:
        if engine not in ENGINES:
            parser.error(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    repeats = args.repeats or (3 if args.quick else 5)
    outcome: dict[str, Any] = {}

    command = " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)])

    def body() -> None:
        outcome["report"] = report(args, engines, repeats, command)

    import torch

    torch.set_num_threads(1)
    default_limit = sys.getrecursionlimit()
    threading.stack_size(512 * 1024 * 1024)
    sys.setrecursionlimit(1_000_000)
    try:
        worker = threading.Thread(target=body)
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(default_limit)
    if "report" not in outcome:
        return 1
    text = outcome["report"]
    if args.write:
        with open(args.write, "w") as out:
            out.write(text)
    if args.readme:
        quote_table(text, args.readme)
    return 0


START, END = "<!-- benchmarks: time table -->", "<!-- /benchmarks -->"


def time_table(results: str) -> list[str]:
    """The time table of a results text: the Markdown table under "## Time"."""
    section = results.split("## Time", 1)[1].splitlines()
    return [
        line
        for line in section[: next(i for i, line in enumerate(section) if line.startswith("Workload"))]
        if line.startswith("|")
    ]


def quote_table(results: str, readme_path: str) -> None:
    """Replace the table between the README's markers with this run's time table."""
    with open(readme_path) as readme:
        text = readme.read()
    if START not in text or END not in text:
        raise SystemExit(f"{readme_path} has no {START} ... {END} markers to put the table between")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    with open(readme_path, "w") as readme:
        readme.write(before + START + "\n" + "\n".join(time_table(results)) + "\n" + END + after)


def report(args: argparse.Namespace, engines: Sequence[str], repeats: int, command: str) -> str:
    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    chosen = [w for w in workloads.workloads(args.quick) if w.key in args.only.upper()]
    lines = ["# Benchmarks", "", f"Produced by `{command}` ({repeats} repeats, medians).", ""]
    lines += versions()
    lines += [
        "",
        "How: the engines take turns (one sample each, then again), the table shows medians; a sample"
        " repeats an engine's run until it lasts about 0.25 s, so every engine meets the machine's other"
        " work alike. Before anything is timed, every engine's results (output, updated weights or"
        " gradients) are checked equal to the hand-written floats' to 1e-9. The collector stays on and"
        " each sample ends with `gc.collect()`, so freeing the graphs counts; what was alive before"
        " timing (modules, models, data) is frozen out of the collector (`gc.freeze()`), so collections"
        " walk only what the workload made. In a process holding many other objects every collection"
        " also walks those, which raises every engine's cost on large graphs (D most).",
    ]
    memory = {} if args.no_extras else memory_per_node(engines, say)
    timings = time_workloads(chosen, engines, repeats, say, 0.05 if args.quick else 0.25)
    lines += ["", "## Time", ""]
    lines += [
        "Per step (A) or per operation (B-D: graph nodes the eager engine makes; the same count divides every"
        " engine's time). In brackets: how many times faster than micrograd, and how many times slower than"
        " the hand-written floats (the limit).",
        "",
    ]
    lines += table(timings, engines)
    lines += ["", "Workload sizes: " + "; ".join(f"{t.workload.key}: {_size(t.workload)}" for t in timings) + "."]
    compile_times = [f"{t.workload.key} {t.setup['compiled']:.2f} s" for t in timings if "compiled" in t.setup]
    if compile_times:
        lines.append(
            "One-time tracing and compiling for `compiled` (not in the times above): " + ", ".join(compile_times) + "."
        )
    lines += targets(timings, memory)
    if not args.quick:
        gc.collect()
        tracked = len(gc.get_objects())
        plain = time_workloads(chosen, engines, repeats, say, 0.25, freeze=False)
        lines += ["", "## Time in a process as it is", ""]
        lines += [
            "The same workloads with nothing frozen: every collection the workloads trigger also walks the"
            f" {tracked:,} objects the process already tracks (torch, micrograd, the benchmark's data), as it"
            " would in a user's notebook. Large graphs pay the most, and so does the engine whose own"
            " cost per operation is smallest.",
            "",
        ]
        lines += table(plain, engines)
        lines += targets(plain, {})
    if memory:
        lines += ["", "## Memory per graph node", ""]
        lines += ["| engine | bytes per node | how measured |", "|---|---|---|"]
        lines += [f"| {engine} | {bytes_:.0f} | {how} |" for engine, (bytes_, how) in memory.items()]
        lines += [
            "",
            "The graph of C (x = x*1.0001 + 0.0001), built and not yet differentiated. micrograd wraps each"
            " plain number in a Value of its own, which its figure includes; micro-autograd folds them into"
            " the node.",
        ]
    if not args.no_extras:
        lines += ["", "## Deepest chain", ""]
        lines += deepest_chains(engines, args.quick, say)
        lines += ["", "## Cost as the work grows (micro-autograd, eager)", ""]
        lines += scaling(args.quick, say)
    text = "\n".join(lines) + "\n"
    print(text)
    return text


def _size(workload: Workload) -> str:
    ops = workload.ops(workload.size)
    what = {"A": f"{workload.size} steps per run", "B": f"{ops:,} operations per epoch"}
    return what.get(workload.key, f"{ops:,} operations per run")


if __name__ == "__main__":
    sys.exit(main())

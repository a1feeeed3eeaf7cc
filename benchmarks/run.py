"""Run every workload on every engine, side by side in one process, until two runs agree; print the tables.

    python -m benchmarks            # the full run
    python -m benchmarks --quick    # smaller sizes, fewer turns: a smoke run
    python -m benchmarks --write benchmarks/RESULTS.md --readme README.md
    MICRO_AUTOGRAD_PURE_PYTHON=1 python -m benchmarks --no-extras --turns 5 \
        --write benchmarks/RESULTS-python.md --readme README.md    # the Python implementation's figures

The whole measurement is repeated until a fresh run reproduces every figure
published: its median lies within the figure's stated spread [min-max] and
within 20% of the figure's median. The
figures are the earlier runs' turns pooled (so their spread shows how runs
differ, too); the last run only checks them (at most ``--runs`` runs). The
results say which figures, if any, the last run did not reproduce.
How each run times is in timing.py. Everything runs in a thread with a 512 MB
stack and a raised recursion limit, because micrograd's backward recurses
once per graph level; the deepest-chain test runs at the default limit too.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import threading
from collections.abc import Sequence
from typing import Any

from . import native, workloads
from .measures import deepest_chains, memory_per_node, scaling
from .timing import (
    BASELINE,
    COMPILED,
    EAGER,
    MOVED,
    PYTHON_COMPILE,
    REPEAT_TRACE,
    TRACE,
    Measurement,
    Prepared,
    Spread,
    Timing,
    measure,
    moved,
    prepare,
    published,
    unreproduced,
)
from .workloads import ENGINES, LIMIT

START, END = "<!-- benchmarks: time table -->", "<!-- /benchmarks -->"
PYTHON_START = "<!-- benchmarks: Python implementation -->"  # the pure-Python run's range, in the README

# The README's table: (engine, its column's heading).
COLUMNS = [
    (BASELINE, "micrograd (time)"),
    (EAGER, "micro-autograd"),
    (COMPILED, "compiled"),
    (TRACE, "trace + generate (pays off after)"),
    ("torch", "torch scalars"),
    ("torch-batched", "torch batched"),
    (LIMIT, "floats: Python's limit"),
    ("numpy", "numpy: floor"),
    ("C", "C: floor"),
]


def _scale(seconds: float) -> tuple[float, str]:
    """The unit that reads best for a time."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return scale, unit
    return 1e-9, "ns"


def _digits(x: float) -> str:
    """Three significant digits (whole numbers from 100 on); "never" for infinity."""
    if math.isinf(x):
        return "never"
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def time_text(seconds: float) -> str:
    scale, unit = _scale(seconds)
    return f"{_digits(seconds / scale)} {unit}"


def ratio_text(x: float) -> str:
    return _digits(x) if math.isinf(x) else _digits(x) + "x"


def time_spread(spread: Spread) -> str:
    """``median unit [min-max]``, all three in the median's unit."""
    scale, unit = _scale(spread.median)
    return f"{_digits(spread.median / scale)} {unit} [{_digits(spread.low / scale)}-{_digits(spread.high / scale)}]"


def ratio_spread(spread: Spread) -> str:
    return f"{ratio_text(spread.median)} [{_digits(spread.low)}-{_digits(spread.high)}]"


def _break_even_text(spread: Spread, period: str) -> str:
    if math.isinf(spread.median):
        return "never"
    return f"{_digits(spread.median)} {period}s [{_digits(spread.low)}-{_digits(spread.high)}]"


def _part_marker(timing: Timing, engine: str) -> str:
    return "*" if engine in timing.workload.parts else ""


def columns(timings: Sequence[Timing], engines: Sequence[str]) -> list[tuple[str, str]]:
    """The README table's columns that this run has something to put in."""
    wanted = set(engines) | ({TRACE} if COMPILED in engines else set())
    used = {e for t in timings for e in (*t.wall, *t.prepared.missing)}
    return [(engine, heading) for engine, heading in COLUMNS if engine in wanted and engine in used]


def table(timings: Sequence[Timing], engines: Sequence[str]) -> list[str]:
    """The README's table: micrograd's time, and every other engine's speed-up over it (turn by turn)."""
    shown = columns(timings, engines)
    lines = ["| workload | " + " | ".join(heading for _, heading in shown) + " |", "|---|" + "---|" * len(shown)]
    for timing in timings:
        cells = []
        for engine, _ in shown:
            if engine == TRACE:
                trace, even = timing.time(TRACE), timing.break_even()
                cell = (
                    f"{time_spread(trace)}; {_break_even_text(even, timing.workload.period[0])}"
                    if trace and even
                    else ""
                )
            elif engine in timing.prepared.missing:
                cell = "—"
            elif engine == BASELINE:
                spread = timing.time(engine)
                cell = time_spread(spread) + _part_marker(timing, engine) if spread else ""
            else:
                spread = timing.faster_than_baseline(engine)
                cell = ratio_spread(spread) + _part_marker(timing, engine) if spread else ""
            cells.append(cell)
        w = timing.workload
        lines.append(f"| {w.key}. {w.title}, per {w.unit} | " + " | ".join(cells) + " |")
    return lines


def table_notes(timings: Sequence[Timing], turns: int) -> list[str]:
    notes = [
        f"micrograd's column: its wall time per step (A) or per graph operation (B-E: nodes the eager engine"
        f" makes, the same count dividing every engine's time), median [min-max] over {turns} turns. Every"
        " other engine: how many times faster than micrograd, median [min-max] of the turn-by-turn ratios."
        " trace + generate: the one-time cost of `autograd.compile` (not in `compiled`'s time), and how many"
        " epochs, steps or runs of the replay pay it back against the eager engine."
    ]
    for timing in timings:
        w = timing.workload
        if w.parts:
            timed = ", ".join(sorted(e for e in w.parts if e in timing.wall))
            notes.append(f"\\* {w.key}: {timed} timed on {w.part}.")
    left_out = [f"{t.workload.key} {engine}: {why}" for t in timings for engine, why in t.prepared.missing.items()]
    if left_out:
        notes.append("— left out: " + "; ".join(left_out) + ".")
    return [line for note in notes for line in ("", note)][1:]  # a paragraph each


def _span(timings: Sequence[Timing], engine: str) -> str | None:
    """An engine's speed-ups over micrograd across the table: lowest to highest median, and single turns."""
    present = [(t.workload.key, s) for t in timings if (s := t.faster_than_baseline(engine)) is not None]
    if not present:
        return None
    low = min(present, key=lambda pair: pair[1].median)
    high = max(present, key=lambda pair: pair[1].median)
    lows, highs = min(s.low for _, s in present), max(s.high for _, s in present)
    span = f"{ratio_text(low[1].median)} ({low[0]})"
    if len(present) > 1:
        span += f" to {ratio_text(high[1].median)} ({high[0]})"
    return f"{span} faster than micrograd (medians; single turns {ratio_text(lows)} to {ratio_text(highs)})"


def ranges(timings: Sequence[Timing], engines: Sequence[str]) -> list[str]:
    """The table's ranges, engine by engine: the only ranges the README may quote."""
    lines = [
        f"- {heading}: {span}"
        for engine, heading in columns(timings, engines)
        if engine not in (BASELINE, TRACE) and (span := _span(timings, engine))
    ]
    return ["In this table:", "", *lines] if lines else []


def python_sentence(timings: Sequence[Timing], command: str, path: str) -> list[str]:
    """What the README says of the Python implementation, between its own markers: one range, its source."""
    span = _span(timings, EAGER)
    if span is None:
        return []
    return [f"On the Python alone, the eager engine is {span} in [`{path}`]({path}), from `{command}`."]


def quoted_block(
    measurements: Sequence[Measurement], engines: Sequence[str], turns: int, command: str, path: str
) -> list[str]:
    """What the README quotes, between its markers: the command, the table, its notes, ranges and reruns."""
    figures = published(measurements)
    timings = figures.timings
    turns *= max(1, len(measurements) - 1)  # the published figures pool every run but the last
    load = ", ".join(f"{x:.1f}" for x in figures.load_start)
    spans = ranges(timings, engines)
    return [
        "```sh",
        command,
        "```",
        "",
        f"(load average {load} at the start; wall and CPU times, every ratio's spread and the machine are in"
        f" [`{path}`]({path}))",
        "",
        *table(timings, engines),
        "",
        *table_notes(timings, turns),
        "",
        *([*spans, ""] if spans else []),
        agreement(measurements),
    ]


def every_engine(timings: Sequence[Timing]) -> list[str]:
    """Wall and CPU time of every engine, and every ratio, each with its spread."""
    lines = [
        "| workload | engine | timed on | wall per unit | CPU per unit | x faster than micrograd"
        " | x the floats' time |",
        "|---|---|---|---|---|---|---|",
    ]
    for timing in timings:
        w = timing.workload
        for engine in timing.engines():
            units = timing.prepared.units[engine]
            size = f"{units:,} {w.unit}s" + (" (part)" if engine in w.parts else "")
            cells = [
                time_spread(s) if (s := timing.time(engine)) else "",
                time_spread(s) if (s := timing.time(engine, cpu=True)) else "",
                ratio_spread(s) if (s := timing.faster_than_baseline(engine)) else "",
                ratio_spread(s) if (s := timing.against_limit(engine)) else "",
            ]
            lines.append(f"| {w.key} | {engine} | {size} | " + " | ".join(cells) + " |")
    return lines


def compile_table(timings: Sequence[Timing]) -> list[str]:
    """Tracing and generating each replay: its time, per operation (CPython's compile() apart), and when it
    pays for itself."""
    rows = []
    for timing in timings:
        trace, per_op, even = timing.time(TRACE), timing.trace_per_op(), timing.break_even()
        own, python = timing.trace_per_op("own"), timing.trace_per_op(PYTHON_COMPILE)
        if trace is None or per_op is None or even is None or own is None or python is None:
            continue
        cpu = timing.time(TRACE, cpu=True)
        w = timing.workload
        again, again_even = timing.trace_per_op(REPEAT_TRACE), timing.break_even(REPEAT_TRACE)
        rows.append(
            f"| {w.key} | {w.trace_ops:,} | {time_spread(trace)} | {time_spread(cpu) if cpu else ''}"
            f" | {time_spread(per_op)} | {time_spread(own)} | {time_spread(python)}"
            f" | {_break_even_text(even, w.period[0])}"
            f" | {time_spread(again) if again else ''}"
            f" | {_break_even_text(again_even, w.period[0]) if again_even else ''} |"
        )
    if not rows:
        return []
    return [
        "| workload | operations traced | trace + generate (wall) | CPU | per operation | of which micro-autograd's"
        " own (trace and write) | of which CPython's compile() | pays off after | traced again, per operation"
        " | pays off after, traced again |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Per operation: the whole of `autograd.compile`, then its two parts, turn by turn: CPython's `compile()`"
        " timed on the very source text the trace generated (in the same turns), and the rest, micro-autograd's"
        " own tracing and writing. Pays off after: the trace's time over what one epoch (B), step (A) or run (C)"
        " of the replay saves against the eager engine, turn by turn. The first trace of a structure writes its"
        " code; traced again (the same structures: a new model of one architecture, a cell run again), the code"
        " comes from the cache (`autograd/replay/cache.py`) and only the trace and the lookup remain.",
    ]


# The targets: (workload, engine, compared with, bound, "faster" = at least bound times faster,
# "within" = at most bound times the other's time).
TARGETS = [
    ("A", EAGER, BASELINE, 5.0, "faster"),
    ("B", EAGER, BASELINE, 20.0, "faster"),
    ("C", EAGER, BASELINE, 5.0, "faster"),
    ("D", EAGER, BASELINE, 15.0, "faster"),
    ("E", EAGER, BASELINE, 60.0, "faster"),
    ("A", COMPILED, LIMIT, 2.5, "within"),  # issue 18 (issue 12's was 2x, set when the floats returned lists)
    ("B", COMPILED, LIMIT, 2.0, "within"),
]
TRACE_PER_OP = 5e-6
FIRST_TRACE_PER_OP, REPEAT_TRACE_PER_OP = 10e-6, 2.5e-6  # issue 18, on B-sized and larger graphs (B, E)
EPOCHS, OVER_EPOCHS = 10, 150.0  # E through the replay, trace included, over 10 epochs: 150x micrograd


def targets(timings: Sequence[Timing], memory: dict[str, tuple[float, str]]) -> list[str]:
    """Each target of the issues beside this run's figure, met (on the median) or not."""
    lines = ["| target | median [min-max] | met |", "|---|---|---|"]
    by_key = {t.workload.key: t for t in timings}
    for key, engine, other, bound, kind in TARGETS:
        timing = by_key.get(key)
        spread = timing.paired(other, engine) if kind == "faster" and timing else None
        if kind == "within" and timing:
            spread = timing.paired(engine, other)
        if spread is None:
            continue
        reached = spread.median >= bound if kind == "faster" else spread.median <= bound
        wanted = (
            f"{key}: {engine} at least {bound:g}x faster than {other}"
            if kind == "faster"
            else f"{key}: {engine} within {bound:g}x of the hand-written floats"
        )
        lines.append(f"| {wanted} | {ratio_spread(spread)} | {'yes' if reached else 'no'} |")
    digits = by_key.get("E")
    if digits and all(digits.wall.get(e) for e in (TRACE, COMPILED, BASELINE)):
        epoch = digits.workload.period[1]
        spread = Spread.of(
            [
                m * epoch * EPOCHS / (t + r * epoch * EPOCHS)
                for t, r, m in zip(*(digits.wall[e] for e in (TRACE, COMPILED, BASELINE)), strict=True)
            ]
        )
        met = "yes" if spread.median >= OVER_EPOCHS else "no"
        lines.append(
            f"| E: {COMPILED}, trace included, over {EPOCHS} epochs at least {OVER_EPOCHS:g}x faster than"
            f" micrograd | {ratio_spread(spread)} | {met} |"
        )
    per_operation = [  # (part of the trace, bound, the target, the workloads it is set for: None for all)
        ("own", TRACE_PER_OP, "tracing and generating at most {} us per operation (micro-autograd's own work)", None),
        (
            TRACE,
            TRACE_PER_OP,
            "tracing and generating at most {} us per operation (with CPython's compile() of the code)",
            None,
        ),
        (TRACE, FIRST_TRACE_PER_OP, "traced first, at most {} us per operation", ("B", "E")),
        (REPEAT_TRACE, REPEAT_TRACE_PER_OP, "traced again, at most {} us per operation", ("B", "E")),
    ]
    for timing in timings:
        for part, bound, wanted, keys in per_operation:
            per_op = timing.trace_per_op(part)
            if per_op is not None and (keys is None or timing.workload.key in keys):
                met = "yes" if per_op.median <= bound else "no"
                target = wanted.format(f"{bound * 1e6:g}")
                lines.append(f"| {timing.workload.key}: {target} | {time_spread(per_op)} | {met} |")
    if EAGER in memory:
        used = memory[EAGER][0]
        met = "yes" if used <= 120 else "no"
        lines.append(f"| memory: micro-autograd at most 120 B per node | {used:.0f} B | {met} |")
    return lines


def _figure_text(name: str, number: float) -> str:
    if "break-even" in name:
        return _digits(number)
    return time_text(number) if "time" in name or "per operation" in name else ratio_text(number)


def reruns(measurements: Sequence[Measurement]) -> list[str]:
    """Each run's load and length; which published figures the run before did not reproduce; what moved."""
    lines = ["| run | load average at the start (1, 5, 15 min) | at the end | seconds |", "|---|---|---|---|"]
    for number, m in enumerate(measurements, 1):
        load = (", ".join(f"{x:.1f}" for x in avg) for avg in (m.load_start, m.load_end))
        lines.append(f"| {number} | {next(load)} | {next(load)} | {m.seconds:.0f} |")
    lines += ["", agreement(measurements)]
    if len(measurements) < 2:
        return lines
    runs, figures = len(measurements), published(measurements)
    missed = unreproduced(measurements[-1], figures)
    if missed:
        lines += ["", f"Not reproduced: run {runs}'s median outside the published spread:", ""]
        lines += [
            f"- {name}: {_figure_text(name, spread.median)} [{_figure_text(name, spread.low)}-"
            f"{_figure_text(name, spread.high)}]; run {runs}: {_figure_text(name, other)}"
            for name, spread, other in missed
        ]
    shifted = moved(measurements[-1], figures)
    lines += [
        "",
        f"Medians that moved by more than {MOVED - 1:.0%} from the published figures to run {runs}'s (each still"
        " within the published spread unless listed above): " + ("" if shifted else "none."),
        *([""] if shifted else []),
    ]
    for name, a, b in shifted:
        lines.append(f"- {name}: {_figure_text(name, a)} -> {_figure_text(name, b)}")
    return lines


def agreement(measurements: Sequence[Measurement]) -> str:
    """Whether a fresh run reproduced the published figures, in one sentence: reproduced is its median within the
    figure's stated spread AND within 20% of the published median (a figure may fail either, or both)."""
    runs = len(measurements)
    if runs < 2:
        return "Only one run was made (`--runs 1`): no second run has checked these figures."
    figures = published(measurements)
    missed, shifted = unreproduced(measurements[-1], figures), moved(measurements[-1], figures)
    count = len(figures.figures())
    made = "run 1's" if runs == 2 else f"runs 1-{runs - 1}'s turns pooled"
    failed = len({item[0] for item in missed} | {item[0] for item in shifted})
    if not failed:
        return (
            f"These figures are {made}; a fresh run, run {runs}, reproduced all {count}: each of its medians lies"
            f" within the published spread [min-max] and within {MOVED - 1:.0%} of the published median."
        )
    return (
        f"These figures are {made}; a fresh run, run {runs}, reproduced {count - failed} of the {count}: {failed}"
        f" did not ({len(missed)} with its median outside the stated spread, {len(shifted)} more than"
        f" {MOVED - 1:.0%} from the published median; listed under Runs in the results)."
    )


def versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    import torch

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    found = []
    for package in ("micro-autograd", "micrograd", "numpy", "scikit-learn"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} not installed")
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; the load average"
        " of each run is under Runs",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- {', '.join(found)}, torch {torch.__version__} ({torch.get_num_threads()} thread, float64);"
        f" numpy's BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}",
        f"- micro-autograd's engine: {engine_implementation()}",
        f"- the C floor: {native.describe()}",
    ]


def engine_implementation() -> str:
    """Which implementation of micro-autograd's engine ran (autograd/accelerator.py)."""
    from autograd.accelerator import ACCELERATED, PURE_PYTHON_VARIABLE

    if ACCELERATED:
        return "the C accelerator, autograd/_native.c (the steps of value.py and backward.py, written again in C)"
    return f"the Python implementation ({PURE_PYTHON_VARIABLE} set, or the C accelerator not compiled)"


def time_table(results: str, start: str = START) -> list[str]:
    """The block a results text (or the README) holds between ``start`` and the end marker."""
    return results.split(start, 1)[1].split(END, 1)[0].strip("\n").splitlines()


def quote_table(results: str, readme_path: str) -> None:
    """Replace what the README holds between its markers with this run's block (the Python
    implementation's run: its sentence, between its own markers)."""
    start = START if START in results else PYTHON_START
    with open(readme_path) as readme:
        text = readme.read()
    if start not in text or END not in text.split(start, 1)[-1]:
        raise SystemExit(f"{readme_path} has no {start} ... {END} markers to put the results between")
    before, rest = text.split(start, 1)
    after = rest.split(END, 1)[1]
    with open(readme_path, "w") as readme:
        readme.write(before + start + "\n" + "\n".join(time_table(results, start)) + "\n" + END + after)


def report(args: argparse.Namespace, engines: Sequence[str], turns: int, command: str) -> str:
    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    chosen = [w for w in workloads.workloads(args.quick) if w.key in args.only.upper()]
    memory = {} if args.no_extras else memory_per_node([e for e in engines if e in (EAGER, BASELINE, "torch")], say)
    min_sample = 0.05 if args.quick else 0.1
    prepared: list[Prepared] = [prepare(w, engines, say, min_sample) for w in chosen]
    measurements = [measure(prepared, turns, say)]
    while len(measurements) < args.runs:
        measurements.append(measure(prepared, turns, say))
        missed = unreproduced(measurements[-1], published(measurements))
        shifted = moved(measurements[-1], published(measurements))
        say(f"run {len(measurements)}: {len(missed)} figures outside their spread, {len(shifted)} moved over 20%")
        if not missed and not shifted:
            break
    timings = published(measurements).timings
    from autograd.accelerator import ACCELERATED

    path = args.write or ("benchmarks/RESULTS.md" if ACCELERATED else "benchmarks/RESULTS-python.md")
    if ACCELERATED:
        block = [START, *quoted_block(measurements, engines, turns, command, path), END]
    else:  # the README quotes the accelerated run's table; of this one, a sentence
        block = [*quoted_block(measurements, engines, turns, command, path), "", PYTHON_START]
        block += [*python_sentence(timings, command, path), END]
    lines = ["# Benchmarks", "", *versions(), ""]
    lines += [
        "How: every engine's results (output, updated weights or gradients) are checked equal to the"
        " hand-written floats' to 1e-9 before anything is timed. Engines take turns (each turn times every"
        " engine once, starting one engine further along each time); a sample repeats an engine's run until it"
        f" lasts about {min_sample:g} s and ends with `gc.collect()`, so freeing the graphs counts, with what"
        " was alive before timing frozen out of the collector (`gc.freeze()`). Wall time is `perf_counter`,"
        " CPU time the process's `process_time`: on a shared machine, wall time above CPU time is waiting for a"
        " core. Ratios are taken turn by turn (both numbers met the same load). The whole measurement is"
        " repeated until a fresh run reproduces every published figure: its median lies within the figure's stated"
        f" spread [min-max] and within {MOVED - 1:.0%} of its median. The figures are the earlier runs' turns"
        " pooled, so their spread includes how runs differ; the last run only checks them (at most"
        f" {args.runs} runs; see Runs).",
        "",
        "## Time",
        "",
        *block,
        "",
        "Workload sizes: " + "; ".join(f"{t.workload.key}: {_size(t)}" for t in timings) + ".",
        "",
        "### Every engine: wall and CPU time, with every ratio",
        "",
        "Per unit (step or operation), median [min-max] over the turns; x the floats' time: above 1, that many"
        " times slower than the tightest plain Python; below 1, faster (the floors).",
        "",
        *every_engine(timings),
    ]
    compiled = compile_table(timings)
    if compiled:
        lines += ["", "### Tracing and generating the replay", "", *compiled]
    lines += ["", "### Against the targets", "", *targets(timings, memory), ""]
    lines += [
        'The "within 2x of the hand-written floats" target (B) dates from before issue 12, when the floats'
        " were a function returning lists; the floats are now the step written inline on local variables, the"
        " tightest plain Python; issue 18 set A's at 2.5x against them. The 5 us tracing target is issue 12's;"
        " issue 18's are 10 us the first time a structure is traced and 2.5 us again (B and E). Tracing's 5 us"
        " target is shown twice: for micro-autograd's own work (recording the"
        " graph and writing the code) and for all of `autograd.compile`, which adds CPython's own `compile()`"
        " of the written code (see the tracing table).",
    ]
    lines += ["", "## Runs", "", *reruns(measurements)]
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


def _size(timing: Timing) -> str:
    w = timing.workload
    ops = w.ops(w.size)
    if w.key == "A":
        return f"{w.size} steps per run"
    name, units = w.period
    if name == "epoch":
        return f"{units:,} operations per epoch"
    return f"{ops:,} operations per run"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 turns, 2 runs: a smoke run")
    parser.add_argument("--turns", type=int, default=None, help="timed samples per engine per run (default 7; quick 3)")
    parser.add_argument("--runs", type=int, default=None, help="at most this many runs (default 4; quick 2)")
    parser.add_argument("--only", default="ABCDE", help="which workloads, e.g. --only AB")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    parser.add_argument("--no-extras", action="store_true", help="skip memory, deepest chain and scaling")
    parser.add_argument("--write", metavar="PATH", help="also write the results as Markdown to PATH")
    parser.add_argument("--readme", metavar="PATH", help="also copy the time table into PATH between its markers")
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    for engine in engines:
        if engine not in ENGINES:
            parser.error(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if BASELINE not in engines:
        parser.error(f"every figure is taken against {BASELINE}: keep it among --engines")
    turns = args.turns or (3 if args.quick else 7)
    args.runs = args.runs or (2 if args.quick else 4)
    if turns < 1 or args.runs < 1:
        parser.error("--turns and --runs must be at least 1")
    outcome: dict[str, Any] = {}
    command = " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)])
    from autograd.accelerator import PURE_PYTHON_VARIABLE

    if os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        command = f"{PURE_PYTHON_VARIABLE}={os.environ[PURE_PYTHON_VARIABLE]} {command}"

    def body() -> None:
        outcome["report"] = report(args, engines, turns, command)

    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # numpy on one thread, as torch: read when numpy first loads
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


if __name__ == "__main__":
    sys.exit(main())

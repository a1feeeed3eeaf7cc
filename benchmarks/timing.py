"""Timing engines in turns: wall and CPU time per sample, their spread, and ratios paired turn by turn.

How it times, so the numbers mean the same thing for every engine:

- Before anything is timed, every engine's results (output, updated weights
  or gradients) are checked equal to the hand-written floats' to 1e-9, at the
  size that engine is timed at.
- Engines take turns: turn 1 times every engine once, then turn 2, ...; each
  turn starts one engine further along, so no engine always follows the same
  one. A sample repeats an engine's run until it lasts about ``min_sample``
  seconds, so fast and slow engines meet the machine's other work alike.
- Each sample records wall time (``perf_counter``) and the process's CPU time
  (``process_time``): on a shared machine, wall time above CPU time is time
  the process waited for a core.
- A ratio between two engines is taken turn by turn (this turn's micrograd
  over this turn's engine), so both numbers of a ratio met the same load; its
  spread is the spread of those per-turn ratios.
- The time to free each graph counts: the garbage collector stays on and
  every sample ends with ``gc.collect()``. What is alive before timing
  (modules, models, data) is frozen out of the collector (``gc.freeze()``).
"""

from __future__ import annotations

import builtins
import gc
import math
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from .workloads import LIMIT, Run, Unavailable, Workload

BASELINE = "micrograd"
EAGER, COMPILED = "micro-autograd", "compiled"
TRACE = "trace + generate"  # a pseudo-engine: tracing and generating the replay, timed in the same turns
PYTHON_COMPILE = "Python's compile()"  # another: CPython compiling the very source text the trace generated
REPEAT_TRACE = "trace again"  # another: the same trace with its code cached (autograd/replay/cache.py)
MOVED = 1.2  # a figure whose median moves by more than 20% between runs is listed as moved (for information)

Say = Callable[[str], None]


@dataclass(frozen=True)
class Spread:
    """A median and the range it comes from."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))


@dataclass
class Prepared:
    """A workload set up on every engine, its results checked, ready to time."""

    workload: Workload
    runs: dict[str, Run | Callable[[], object]] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)  # units (steps, operations) in one run, per engine
    inner: dict[str, int] = field(default_factory=dict)  # runs per sample
    missing: dict[str, str] = field(default_factory=dict)  # engines that could not run here, and why


@dataclass
class Timing:
    """The samples of one measurement of a prepared workload: seconds per unit (per trace for TRACE)."""

    prepared: Prepared
    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)

    @property
    def workload(self) -> Workload:
        return self.prepared.workload

    def engines(self) -> list[str]:
        return [engine for engine in self.wall if engine not in (TRACE, PYTHON_COMPILE)]

    def time(self, engine: str, cpu: bool = False) -> Spread | None:
        samples = (self.cpu if cpu else self.wall).get(engine)
        return Spread.of(samples) if samples else None

    def paired(self, numerator: str, denominator: str) -> Spread | None:
        """numerator / denominator, turn by turn."""
        top, bottom = self.wall.get(numerator), self.wall.get(denominator)
        if not top or not bottom:
            return None
        return Spread.of([a / b for a, b in zip(top, bottom, strict=True)])

    def faster_than_baseline(self, engine: str) -> Spread | None:
        """How many times faster than micrograd."""
        return None if engine == BASELINE else self.paired(BASELINE, engine)

    def against_limit(self, engine: str) -> Spread | None:
        """How many times the hand-written floats' time (above 1: slower than Python's limit)."""
        return None if engine == LIMIT else self.paired(engine, LIMIT)

    def trace_per_op(self, part: str = TRACE) -> Spread | None:
        """Tracing's cost per traced operation: all of it (TRACE), CPython's compile() of the generated source
        (PYTHON_COMPILE), or micro-autograd's own work, the rest ("own"), turn by turn."""
        traces, compiles = self.wall.get(TRACE), self.wall.get(PYTHON_COMPILE)
        if not traces or not compiles or not self.workload.trace_ops:
            return None
        own = [t - c for t, c in zip(traces, compiles, strict=True)]
        shares = {TRACE: traces, PYTHON_COMPILE: compiles, "own": own, REPEAT_TRACE: self.wall.get(REPEAT_TRACE, [])}
        if not shares[part]:
            return None
        return Spread.of([t / self.workload.trace_ops for t in shares[part]])

    def break_even(self, part: str = TRACE) -> Spread | None:
        """After how many periods (epochs, steps) tracing (``part``: the first trace, or REPEAT_TRACE) plus
        replaying costs less than eager; inf: never."""
        traces, eager, replay = (self.wall.get(e) for e in (part, EAGER, COMPILED))
        if not traces or not eager or not replay:
            return None
        units = self.workload.period[1] or self.prepared.units[COMPILED]
        return Spread.of(
            [t / ((e - r) * units) if e > r else math.inf for t, e, r in zip(traces, eager, replay, strict=True)]
        )

    def figures(self) -> dict[str, Spread]:
        """Every figure this timing publishes, by name, with its spread: micrograd's time, every ratio
        (micrograd against the floats is the floats against micrograd, counted once), the trace's time
        per operation and its break-even."""
        key = self.workload.key
        found = {f"{key}: micrograd's time": self.time(BASELINE)}
        for engine in self.engines():
            found[f"{key}: {engine} vs micrograd"] = self.faster_than_baseline(engine)
            found[f"{key}: {engine} vs floats"] = None if engine == BASELINE else self.against_limit(engine)
        found[f"{key}: trace + generate per operation"] = self.trace_per_op()
        found[f"{key}: trace + generate per operation, without Python's compile()"] = self.trace_per_op("own")
        found[f"{key}: break-even {self.workload.period[0]}s"] = self.break_even()
        found[f"{key}: trace again per operation"] = self.trace_per_op(REPEAT_TRACE)
        found[f"{key}: break-even {self.workload.period[0]}s, traced again"] = self.break_even(REPEAT_TRACE)
        return {name: spread for name, spread in found.items() if spread is not None}


@dataclass
class Measurement:
    """One timing of every prepared workload, with the machine's load around it."""

    timings: list[Timing]
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float]
    seconds: float

    def figures(self) -> dict[str, Spread]:
        return {name: spread for timing in self.timings for name, spread in timing.figures().items()}


def pooled(measurements: Sequence[Measurement]) -> Measurement:
    """Several runs as one: every turn of every run (a figure's spread then shows how runs differ, too)."""
    first = measurements[0]
    timings = [
        Timing(
            timing.prepared,
            {e: [t for m in measurements for t in m.timings[i].wall[e]] for e in timing.wall},
            {e: [t for m in measurements for t in m.timings[i].cpu[e]] for e in timing.cpu},
        )
        for i, timing in enumerate(first.timings)
    ]
    return Measurement(timings, first.load_start, measurements[-1].load_end, sum(m.seconds for m in measurements))


def published(measurements: Sequence[Measurement]) -> Measurement:
    """What the results publish: every run but the last pooled, the last kept apart to check them; one run alone
    when only one was made."""
    return pooled(measurements[:-1] if len(measurements) > 1 else measurements)


def check_equal(key: str, engine: str, result: list[float], reference: list[float]) -> None:
    """Stop the run if ``engine`` disagrees with the hand-written floats (beyond 1e-9)."""
    if len(result) != len(reference) or not all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(result, reference, strict=True)
    ):
        if len(result) != len(reference):
            raise AssertionError(f"{key}: {engine} gave {len(result)} results, the floats {len(reference)}")
        worst = max(range(len(reference)), key=lambda i: abs(result[i] - reference[i]))
        raise AssertionError(
            f"{key}: {engine} disagrees with hand-written floats at result {worst}: "
            f"{result[worst]!r} != {reference[worst]!r}"
        )


def prepare(workload: Workload, engines: Sequence[str], say: Say, min_sample: float) -> Prepared:
    """Set up every engine, check each against the floats at its own size, and size its samples."""
    prepared = Prepared(workload, missing=dict(workload.missing))
    references: dict[int, list[float]] = {}
    for engine in engines:
        if engine not in workload.prepare:
            continue
        size = workload.size_for(engine)
        try:
            run = workload.prepare[engine](size)
        except Unavailable as reason:
            prepared.missing[engine] = str(reason)
            say(f"{workload.key}: {engine} left out: {reason}")
            continue
        start = time.perf_counter()
        result = run()
        once = time.perf_counter() - start
        if size not in references:
            references[size] = result if engine == LIMIT else workload.prepare[LIMIT](size)()
        check_equal(workload.key, engine, result, references[size])
        prepared.runs[engine] = run
        prepared.units[engine] = workload.ops(size)
        prepared.inner[engine] = max(1, round(min_sample / max(once, 1e-9)))
    if workload.trace is not None and COMPILED in prepared.runs:
        job = workload.trace()

        from autograd.replay.cache import code_cache

        def first() -> object:  # the first trace of its graphs: no code cached for their structures
            code_cache.clear()
            return job()

        with _sources_compiled() as sources:
            start = time.perf_counter()
            first()
            once = time.perf_counter() - start
        if not sources:
            raise AssertionError(f"{workload.key}: tracing compiled no source with builtins.compile: is it timed?")
        prepared.runs[TRACE] = first
        prepared.runs[PYTHON_COMPILE] = lambda: [builtins.compile(*arguments) for arguments in sources]
        prepared.runs[REPEAT_TRACE] = job  # the cache holds the structures ``first`` wrote
        for part in (TRACE, PYTHON_COMPILE, REPEAT_TRACE):
            prepared.units[part] = 1
            prepared.inner[part] = max(1, round(min_sample / max(once, 1e-9)))
    say(f"{workload.key}: {len(prepared.units) - (TRACE in prepared.units)} engines agree with the floats to 1e-9")
    return prepared


@contextmanager
def _sources_compiled() -> Iterator[list[tuple[str, str, str]]]:
    """The arguments of every ``builtins.compile`` call made meanwhile: the sources a trace generates, so that
    CPython's share of tracing can be timed on the very same text."""
    calls: list[tuple[str, str, str]] = []
    python_compile = builtins.compile

    def recording(source: str, filename: str, mode: str, *rest: object, **options: object) -> object:
        calls.append((source, filename, mode))
        return python_compile(source, filename, mode, *rest, **options)  # type: ignore[arg-type]

    builtins.compile = recording  # type: ignore[assignment]
    try:
        yield calls
    finally:
        builtins.compile = python_compile


def sample(run: Callable[[], object], inner: int) -> tuple[float, float]:
    """One sample: ``inner`` runs and the collection of whatever they left behind; (wall, CPU) seconds."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(inner):
        run()
    gc.collect()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(prepared: Sequence[Prepared], turns: int, say: Say) -> Measurement:
    """Time every prepared workload, its engines taking ``turns`` turns."""
    load_start, start = os.getloadavg(), time.perf_counter()
    timings = []
    gc.collect()
    gc.freeze()
    try:
        for item in prepared:
            timing = Timing(item, {e: [] for e in item.runs}, {e: [] for e in item.runs})
            engines = list(item.runs)
            for turn in range(turns):
                shift = turn % len(engines)
                for engine in engines[shift:] + engines[:shift]:
                    wall, cpu = sample(item.runs[engine], item.inner[engine])
                    per = item.inner[engine] * item.units[engine]
                    timing.wall[engine].append(wall / per)
                    timing.cpu[engine].append(cpu / per)
            timings.append(timing)
            say(f"{item.workload.key}: " + ", ".join(f"{e} {_seconds(s)}" for e, s in _medians(timing).items()))
    finally:
        gc.unfreeze()
    return Measurement(timings, load_start, os.getloadavg(), time.perf_counter() - start)


def _medians(timing: Timing) -> dict[str, float]:
    return {engine: statistics.median(samples) for engine, samples in timing.wall.items()}


def _seconds(t: float) -> str:
    return f"{t * 1e6:.3g} us"


def unreproduced(check: Measurement, figures: Measurement) -> list[tuple[str, Spread, float]]:
    """The published figures that a fresh run does not reproduce: its median lies outside the published
    figure's stated spread [min-max]. Each with the published spread and the fresh run's median."""
    fresh, stated = check.figures(), figures.figures()
    found = []
    for name in fresh.keys() & stated.keys():
        spread, median = stated[name], fresh[name].median
        if not (spread.low <= median <= spread.high or (math.isinf(median) and math.isinf(spread.median))):
            found.append((name, spread, median))
    return sorted(found, key=lambda item: item[0])


def moved(check: Measurement, figures: Measurement) -> list[tuple[str, float, float]]:
    """The figures whose medians differ by more than 20% between two measurements (whatever their spreads):
    the published one's, then the fresh run's."""
    fresh, stated = check.figures(), figures.figures()
    found = []
    for name in fresh.keys() & stated.keys():
        a, b = stated[name].median, fresh[name].median
        if math.isinf(a) and math.isinf(b):
            continue
        if math.isinf(a) or math.isinf(b) or max(a, b) / min(a, b) > MOVED:
            found.append((name, a, b))
    return sorted(found)

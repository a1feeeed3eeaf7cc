"""The playground in Chromium: how fast the page trains and how often it redraws (issue 20, point 2).

    python -m benchmarks.playground [--repeats N] [--seconds S]

MLP(2, [8, 8, 1]) with relu on 200 moons points (160 to train on, batches of 10), the page
``micro-autograd playground moons`` writes, in headless Chromium (Debian's, as the tests drive it), at
1440x900. Each repeat measures, in the page, with ``performance.now()``:

- epochs per second: ``trainEpoch()`` (every batch's graph built with the engine's JavaScript twin, its
  ``backward()`` and the SGD step, then the training and test loss and accuracy) called back to back for
  ``S`` seconds;
- render: one ``render()`` with the heatmaps recomputed (every neuron at 40x40 points, the twin's forward
  under ``noGrad``), the network, output, loss curve and panels drawn;
- frame: one frame of play at "1 epoch a frame", an epoch and a render;
- playing, "as fast as it goes": the epochs per second and the redraws per second while the page plays for
  ``S`` seconds, as a learner sees it (each frame trains for 25 ms, then redraws).

Reported as median [min-max] over the repeats, each in a fresh page. The aim (the issue's): 100+ epochs
per second, 10+ redraws per second while training.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

import nn

WINDOW = (1440, 900)
MEASURE = """
const seconds = arguments[0];
let epochs = 0, start = performance.now();
while (performance.now() - start < seconds * 1000) { trainEpoch(); epochs++; }
const perSecond = epochs / ((performance.now() - start) / 1000);
const renders = [], frames = [];
for (let k = 0; k < 20; k++) {
  let t = performance.now(); state.grid = null; render(); renders.push(performance.now() - t);
  t = performance.now(); trainEpoch(); render(); frames.push(performance.now() - t);
}
return [perSecond, renders, frames];
"""
PLAY = """
const done = arguments[arguments.length - 1], seconds = arguments[0];
const drawn = render;
let redraws = 0;
render = () => { redraws++; drawn(); };
state.speed = 0;
const epoch = state.epoch, start = performance.now();
document.getElementById("play").click();
setTimeout(() => {
  document.getElementById("play").click();
  const elapsed = (performance.now() - start) / 1000;
  done([(state.epoch - epoch) / elapsed, (redraws - 1) / elapsed]);
}, seconds * 1000);
"""


def _chromium() -> object:
    """docs/make_screenshot.py's ``chromium(page, window)``: the one place the project starts Chromium for a page."""
    script = Path(__file__).resolve().parent.parent / "docs" / "make_screenshot.py"
    spec = importlib.util.spec_from_file_location("make_screenshot", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.chromium


def measure(repeats: int = 5, seconds: float = 2.0) -> dict[str, list[float]]:
    """Every repeat's figures, by name (see the module's docstring)."""
    chromium = _chromium()
    model = nn.MLP(2, [8, 8, 1], activation="relu", seed=0)
    page = nn.playground(model, nn.make_moons(200, seed=0), name="moons").html
    figures: dict[str, list[float]] = {
        "epochs per second": [],
        "render, ms": [],
        "frame at 1 epoch a frame, ms": [],
        "playing: epochs per second": [],
        "playing: redraws per second": [],
    }
    for _ in range(repeats):
        with chromium(page, WINDOW) as driver:  # type: ignore[operator]
            driver.set_script_timeout(seconds + 30)
            per_second, renders, frames = driver.execute_script(MEASURE, seconds)
            figures["epochs per second"].append(per_second)
            figures["render, ms"].append(statistics.median(renders))
            figures["frame at 1 epoch a frame, ms"].append(statistics.median(frames))
            playing, redraws = driver.execute_async_script(PLAY, seconds)
            figures["playing: epochs per second"].append(playing)
            figures["playing: redraws per second"].append(redraws)
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            if errors:
                raise RuntimeError(f"the page logged errors: {errors}")
    return figures


def report(figures: dict[str, list[float]]) -> list[str]:
    """One line per figure: median [min-max]."""
    return [
        f"{name:<30} {statistics.median(values):9.1f}  [{min(values):.1f}-{max(values):.1f}]"
        for name, values in figures.items()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh pages measured (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds each rate is measured for")
    args = parser.parse_args(argv)
    figures = measure(args.repeats, args.seconds)
    print(
        f"playground, MLP(2, [8, 8, 1]) relu, 200 moons, Chromium {WINDOW[0]}x{WINDOW[1]}; "
        f"median [min-max] of {args.repeats} pages"
    )
    for line in report(figures):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

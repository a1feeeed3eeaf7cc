"""benchmarks/playground.py runs in Chromium and reports every figure (tiny: one page, short rates; no
timing asserted, as everywhere: the figures are measured, not tested)."""

from benchmarks import playground


def test_the_playground_benchmark_runs_and_reports_each_figure_with_its_spread():
    figures = playground.measure(repeats=1, seconds=0.2)
    assert set(figures) == {
        "epochs per second",
        "render, ms",
        "frame at 1 epoch a frame, ms",
        "playing: epochs per second",
        "playing: redraws per second",
    }
    assert all(len(values) == 1 and values[0] > 0 for values in figures.values())
    lines = playground.report(figures)
    assert len(lines) == 5 and all("[" in line and "-" in line for line in lines)

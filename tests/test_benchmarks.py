"""The benchmark runs (tiny sizes, no timing asserted) and its engines agree before anything is timed."""

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import run, workloads

TINY = {"A": 5, "B": 1, "C": 20, "D": 50}


def test_every_engine_agrees_on_tiny_workloads_and_the_table_has_a_row_each():
    tiny = [replace(w, size=TINY[w.key]) for w in workloads.workloads(quick=True)]
    # B's peers take seconds per epoch; the engine and the hand-written floats check each other there.
    tiny = [
        replace(w, prepare={e: w.prepare[e] for e in ("micro-autograd", "floats")}) if w.key == "B" else w for w in tiny
    ]
    timings = run.time_workloads(tiny, workloads.ENGINES, repeats=1, say=lambda text: None, min_sample=0.0)
    lines = run.table(timings, workloads.ENGINES)
    assert [line.split(".")[0] for line in lines[2:]] == ["| A", "| B", "| C", "| D"]
    assert all(t > 0 for timing in timings for t in timing.per_unit.values())


def test_a_disagreeing_engine_stops_the_run():
    with pytest.raises(AssertionError, match="micrograd disagrees with hand-written floats at result 1"):
        run.check_equal("A", {"floats": [1.0, 2.0], "micrograd": [1.0, 2.0 + 1e-6]})


def test_the_command_line_writes_the_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    assert run.main(["--quick", "--only", "C", "--repeats", "1", "--no-extras", "--write", str(out)]) == 0
    text = out.read_text()
    assert "| workload | micro-autograd | compiled | micrograd | torch | floats |" in text
    assert "| C. deep chain" in text


def test_the_readme_quotes_the_time_table_of_results_md():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    quoted = readme.split(run.START, 1)[1].split(run.END, 1)[0].strip().splitlines()
    assert quoted == run.time_table((root / "benchmarks" / "RESULTS.md").read_text())
    assert "python -m benchmarks --write benchmarks/RESULTS.md --readme README.md" in readme

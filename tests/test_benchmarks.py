"""The benchmark runs (tiny sizes, no timing asserted), its engines agree before anything is timed, the
rerun rule checks every published figure against its stated spread, and the README quotes RESULTS.md's table."""

from dataclasses import replace
from pathlib import Path

import pytest

import autograd
from benchmarks import run, timing, workloads

TINY = {"A": 5, "B": 1, "C": 20, "D": 50, "E": 2}
ROOT = Path(__file__).resolve().parent.parent


def tiny_workloads() -> list[workloads.Workload]:
    return [
        replace(w, size=TINY[w.key], parts={engine: 1 for engine in w.parts})
        for w in workloads.workloads(quick=True, tiny=True)
    ]


def test_every_engine_agrees_on_every_tiny_workload_and_the_tables_have_a_row_each():
    prepared = [timing.prepare(w, workloads.ENGINES, say=lambda text: None, min_sample=0.0) for w in tiny_workloads()]
    for item in prepared:  # every engine a workload is written for ran and agreed with the floats, or says why not
        assert set(item.runs) | set(item.missing) >= set(item.workload.prepare)
    measured = timing.measure(prepared, turns=1, say=lambda text: None)
    lines = run.table(measured.timings, workloads.ENGINES)
    assert [line.split(".")[0] for line in lines[2:]] == ["| A", "| B", "| C", "| D", "| E"]
    assert all(t > 0 for item in measured.timings for samples in item.wall.values() for t in samples)


def test_a_disagreeing_engine_stops_the_run():
    with pytest.raises(AssertionError, match="micrograd disagrees with hand-written floats at result 1"):
        timing.check_equal("A", "micrograd", [1.0, 2.0 + 1e-6], [1.0, 2.0])


def _measurement(micrograd: list[float], eager: list[float]) -> timing.Measurement:
    """A fake measurement of A: micrograd's and the eager engine's seconds per step, turn by turn."""
    workload = workloads.workloads(quick=True, tiny=True)[0]
    prepared = timing.Prepared(workload, units={"micrograd": 1, "micro-autograd": 1})
    wall = {"micrograd": micrograd, "micro-autograd": eager}
    return timing.Measurement([timing.Timing(prepared, wall, dict(wall))], (0.0,) * 3, (0.0,) * 3, 1.0)


def test_a_figure_is_reproduced_when_a_fresh_runs_median_lies_within_its_stated_spread():
    published = _measurement([10.0, 12.0, 11.0], [1.0, 1.0, 1.0])  # 11x [10x-12x]; micrograd 11 s [10-12]
    within = _measurement([11.5, 12.0, 11.9], [1.0, 1.0, 1.0])  # 11.9x: inside [10x-12x]
    assert timing.unreproduced(within, published) == []
    outside = _measurement([14.0, 12.5, 14.0], [1.0, 1.0, 1.0])  # 14x: outside [10x-12x], though only 27% more
    missed = timing.unreproduced(outside, published)
    assert [(name, fresh) for name, _, fresh in missed] == [
        ("A: micro-autograd vs micrograd", 14.0),
        ("A: micrograd's time", 14.0),
    ]
    assert missed[0][1] == timing.Spread(median=11.0, low=10.0, high=12.0)
    text = "\n".join(run.reruns([published, outside]))
    assert "run 2, reproduced 0 of the 2: 2 did not (2 with its median outside the stated spread, 2 more" in text
    assert "- A: micro-autograd vs micrograd: 11x [10x-12x]; run 2: 14x" in text
    assert "- A: micro-autograd vs micrograd: 11x -> 14x" in text  # moved by more than 20%, listed as such
    assert "run 2, reproduced all 2" in "\n".join(run.reruns([published, within]))


def test_a_figure_within_its_spread_but_moved_by_more_than_20_percent_is_not_reproduced():
    published = _measurement([10.0, 20.0, 11.0], [1.0, 1.0, 1.0])  # 11x [10x-20x]
    moved = _measurement([14.0, 14.0, 14.0], [1.0, 1.0, 1.0])  # 14x: inside [10x-20x], 27% above 11x
    assert timing.unreproduced(moved, published) == []
    sentence = run.agreement([published, moved])
    assert "reproduced 0 of the 2: 2 did not (0 with its median outside the stated spread, 2 more than 20%" in sentence


def test_the_published_figures_pool_every_run_but_the_last_which_checks_them():
    runs = [_measurement([10.0, 12.0], [1.0, 1.0]), _measurement([20.0, 14.0], [1.0, 1.0]), _measurement([9.0], [1.0])]
    figures = timing.published(runs).figures()
    assert figures["A: micro-autograd vs micrograd"] == timing.Spread(median=13.0, low=10.0, high=20.0)
    assert "runs 1-2's turns pooled" in run.agreement(runs)
    assert "reproduced 0 of the 2: 2 did not (2 with its median outside the stated spread" in run.agreement(runs)


def test_a_ratio_is_taken_turn_by_turn_with_its_spread():
    found = _measurement([10.0, 30.0, 12.0], [1.0, 2.0, 1.0]).timings[0].faster_than_baseline("micro-autograd")
    assert found == timing.Spread(median=12.0, low=10.0, high=15.0)


def test_the_command_line_writes_the_tables(tmp_path):
    out = tmp_path / "RESULTS.md"
    argv = ["--quick", "--only", "C", "--turns", "1", "--runs", "2", "--no-extras", "--write", str(out)]
    assert run.main(argv) == 0
    text = out.read_text()
    assert "| workload | micrograd (time) | micro-autograd | compiled | trace + generate (pays off after) |" in text
    assert "| C. deep chain" in text
    assert "## Runs" in text
    command = ["```sh", f"python -m benchmarks {' '.join(argv)}", "```"]
    if autograd.ACCELERATED:  # the README quotes this block
        assert run.time_table(text)[:3] == command
    else:  # the Python implementation's results: the same block, and the README's sentence between its markers
        assert f"MICRO_AUTOGRAD_PURE_PYTHON=1 {command[1]}\n```" in text
        assert run.time_table(text, run.PYTHON_START)[0].startswith("On the Python alone, the eager engine is")


def test_the_readme_quotes_the_block_of_results_md_made_by_one_command_writing_both():
    readme = (ROOT / "README.md").read_text()
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    block = run.time_table(results)
    assert run.time_table(readme) == block
    command = block[1].split()
    assert command[:3] == ["python", "-m", "benchmarks"]
    assert command[command.index("--write") + 1] == "benchmarks/RESULTS.md"
    assert command[command.index("--readme") + 1] == "README.md"


def test_the_readme_quotes_the_python_implementations_range_from_results_python_md():
    readme = (ROOT / "README.md").read_text()
    results = (ROOT / "benchmarks" / "RESULTS-python.md").read_text()
    sentence = run.time_table(results, run.PYTHON_START)
    assert run.time_table(readme, run.PYTHON_START) == sentence
    assert "MICRO_AUTOGRAD_PURE_PYTHON=1" in (ROOT / "benchmarks" / "RESULTS-python.md").read_text()


def test_the_targets_count_the_trace_in_ten_epochs_of_e_through_the_replay():
    digits = workloads.workloads(quick=True, tiny=True)[-1]
    epoch = digits.period[1]  # operations in one epoch
    # seconds per operation (per trace for the trace): ten epochs of micrograd against the trace plus ten replays
    wall = {"micrograd": [10e-6], "compiled": [0.05e-6], "micro-autograd": [0.1e-6], timing.TRACE: [1.0]}
    prepared = timing.Prepared(digits, units={engine: 1 for engine in wall})
    lines = run.targets([timing.Timing(prepared, wall, dict(wall))], {})
    expected = (10e-6 * epoch * 10) / (1.0 + 0.05e-6 * epoch * 10)
    line = next(line for line in lines if "over 10 epochs" in line)
    assert line.split(" | ")[1] == f"{run.ratio_text(expected)} [{run._digits(expected)}-{run._digits(expected)}]"
    assert line.endswith("| yes |") == (expected >= 150)


def test_the_tracing_floors_row_counts_the_statements_of_the_replay_it_traced():
    from benchmarks import tracing_floor

    steps = 30
    row = tracing_floor.floors("C", workloads.chain_trace(steps), 2 * steps, repeats=1)[0]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 9 and cells[:2] == ["C", "60"]
    # Counted another way: the replay's own code, one statement per line of its body that is not a comment (nor
    # the inside or the end of a long unpacking, wrapped in parentheses: ``(\n a, b,\n) = constants``).
    body = workloads.chain_trace(steps)().code.splitlines()[1:]
    statements = [line for line in body if line.startswith("    ") and line[4] not in " #)"]
    assert cells[2] == f"{len(statements) / (2 * steps):.2f}"
    assert all(cell.endswith("]") for cell in cells[3:])  # each part's median [min-max]


def _values_reached(root: autograd.Value) -> int:
    """Every value the root is computed from, and the root: counted by walking the parents."""
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


@pytest.mark.parametrize("values", [*range(2, 13), 2000])
def test_the_page_recompute_benchmark_builds_a_graph_of_exactly_the_values_asked_for(values):
    from benchmarks import page_recompute

    root, _ = page_recompute.chain(values)
    assert _values_reached(root) == values  # the graph: 2,000 values, not 1,997
    assert len(autograd.topological_order(root)) == values


def test_the_page_recompute_benchmark_refuses_a_graph_too_small_to_have_an_output():
    from benchmarks import page_recompute

    with pytest.raises(ValueError, match="at least 2 values"):
        page_recompute.chain(1)


def test_the_page_recompute_benchmark_times_the_page_of_the_graph_it_counted_at_a_tiny_run():
    from benchmarks import page_recompute

    result = page_recompute.measure(12, 2)
    assert result["values"] == 12
    assert all(len(result[kind]) == 2 for kind in ("edit", "graph", "numbers"))  # type: ignore[arg-type]

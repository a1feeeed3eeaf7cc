"""The notebooks in notebooks/: each runs top to bottom from a clean kernel, and the committed copy
is the one its source builds, with its outputs.

Each notebook asserts its own key numbers in its cells (the article's figures, the training
accuracy, the closed forms), so a wrong number fails the cell, and the cell fails this test.
"""

import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = sorted(path.stem for path in (NOTEBOOKS / "source").glob("*.py"))


def _load_build():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()


def test_every_notebook_has_a_source_and_a_committed_copy():
    assert sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert NAMES == [
        "01_backprop_step_by_step",
        "02_training_a_network",
        "03_exploring_graphs",
        "04_handwritten_digits",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_what_its_source_builds(name):
    committed = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    built = build.notebook_from_source(NOTEBOOKS / "source" / f"{name}.py")
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in built.cells], (
        f"notebooks/{name}.ipynb is out of date: run `python notebooks/build.py {name[:2]}`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_carries_the_outputs_of_one_clean_run(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", f"warning or debugging output left in:\n{output.text}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_from_a_clean_kernel(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    try:
        build.execute(notebook)
    except CellExecutionError as error:
        pytest.fail(f"notebooks/{name}.ipynb failed:\n{error}", pytrace=False)

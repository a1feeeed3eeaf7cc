"""The notebooks in notebooks/: each runs top to bottom from a clean kernel, and the committed copy
is the one its source builds, with its outputs.

Each notebook asserts its own key numbers in its cells (the article's figures, the training
accuracy, the closed forms), so a wrong number fails the cell, and the cell fails this test.
The step-through pages the notebooks show inline are opened in headless Chromium and used.
"""

import functools
import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

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
        "05_playground",
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


@functools.cache
def executed(name):
    """The committed notebook run again from a clean kernel (once per test session), or its failure."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    try:
        build.execute(notebook)
    except CellExecutionError as error:
        return f"notebooks/{name}.ipynb failed:\n{error}"
    return notebook


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_from_a_clean_kernel(name):
    notebook = executed(name)
    if isinstance(notebook, str):
        pytest.fail(notebook, pytrace=False)


def inline_pages(notebook):
    return [
        output["data"]["text/html"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "<iframe" in output.get("data", {}).get("text/html", "")
    ]


def test_the_inline_step_through_pages_work_in_a_browser_side_by_side(tmp_path):
    """The pages notebooks 01 (the article) and 03 (a neuron the reader builds) show inline, freshly
    executed, put in one document as a notebook front end puts them, opened in headless Chromium:
    each runs by itself, fetches nothing, answers its keys once clicked, and leaves the other alone."""
    pages = []
    for name in ("01_backprop_step_by_step", "03_exploring_graphs"):
        notebook = executed(name)
        if isinstance(notebook, str):
            pytest.fail(notebook, pytrace=False)
        (page,) = inline_pages(notebook)
        pages.append(page)
    document = tmp_path / "notebook.html"
    document.write_text(
        "<!DOCTYPE html><html><body><h1>cell outputs</h1>"
        + "".join(f"<div>{p}</div>" for p in pages)
        + "</body></html>",
        encoding="utf-8",
    )
    driver = chromium()
    try:
        driver.get(document.as_uri())
        frames = driver.find_elements(By.TAG_NAME, "iframe")
        assert len(frames) == 2

        def counter(frame):
            driver.switch_to.default_content()
            driver.switch_to.frame(frame)
            return driver.find_element(By.ID, "counter").text

        assert counter(frames[0]) == "step 0 of 40" and counter(frames[1]).startswith("step 0 of ")
        driver.switch_to.default_content()
        driver.switch_to.frame(frames[0])
        driver.find_element(By.ID, "graph").click()  # focus the page, as a reader does
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT).perform()
        assert driver.find_element(By.ID, "counter").text == "step 2 of 40"
        assert driver.find_element(By.ID, "title").text == "Forward: w2 * i2"
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
        assert counter(frames[1]).startswith("step 0 of ")  # the other page did not move
        driver.find_element(By.ID, "next").click()
        assert driver.find_element(By.ID, "title").text == "Forward: x1 * w1"
        assert counter(frames[0]) == "step 2 of 40"
        driver.switch_to.default_content()
        assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
    finally:
        driver.quit()


def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

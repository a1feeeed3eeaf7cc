"""Build the notebooks from their sources and run them, so the committed copies carry fresh outputs.

Each notebook is written as a plain Python file in ``notebooks/source/``, in the "percent" format
that Jupyter tools such as jupytext also read: a line ``# %%`` starts a code cell, a line
``# %% [markdown]`` starts a text cell whose lines are comments. A change to a .py file is easy
to review; a change to .ipynb JSON is not. ``tests/test_notebooks.py`` checks that every committed
notebook matches its source and runs it again from a clean kernel.

    python notebooks/build.py        # build and run every notebook
    python notebooks/build.py 02     # only those whose name starts with 02
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent
SOURCES = NOTEBOOKS / "source"
CODE, MARKDOWN = "# %%", "# %% [markdown]"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
MEMORY_ADDRESS = re.compile(r"^<[^<>]* at 0x[0-9a-f]+>$")


def notebook_from_source(source: Path) -> nbformat.NotebookNode:
    """The notebook a percent-format source describes, with no outputs yet."""
    cells: list[nbformat.NotebookNode] = []
    kind, lines = "", []
    for line in [*source.read_text(encoding="utf-8").splitlines(), CODE]:
        if line.startswith(CODE):
            text = "\n".join(lines).strip("\n")
            if kind == "markdown":
                cells.append(nbformat.v4.new_markdown_cell(text))
            elif kind == "code" and text:
                cells.append(nbformat.v4.new_code_cell(text))
            kind, lines = ("markdown" if line.startswith(MARKDOWN) else "code"), []
        elif kind == "markdown":
            lines.append(line.removeprefix("#").removeprefix(" "))
        elif kind == "code":
            lines.append(line)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNEL)
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):  # stable ids keep diffs small between builds
        cell["id"] = f"{source.stem[:2]}-{index:02d}"
    return notebook


def execute(notebook: nbformat.NotebookNode, timeout: int = 300) -> float:
    """Run every cell from a fresh kernel, in ``notebooks/``, storing outputs; return the seconds taken.

    Raises nbclient's CellExecutionError, showing the failing cell, when any cell raises.
    """
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=KERNEL["name"],
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    _drop_memory_addresses(notebook)
    return seconds


def _drop_memory_addresses(notebook: nbformat.NotebookNode) -> None:
    """Remove a picture's plain-text stand-in when it is only ``<... at 0x7f...>``.

    That text changes on every run and says nothing, so keeping it would make every
    rebuild differ; the picture itself (SVG, PNG) stays.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if len(data) > 1 and MEMORY_ADDRESS.match(data.get("text/plain", "")):
                del data["text/plain"]


def main(prefixes: list[str]) -> None:
    for source in sorted(SOURCES.glob("*.py")):
        if prefixes and not any(source.stem.startswith(prefix) for prefix in prefixes):
            continue
        notebook = notebook_from_source(source)
        seconds = execute(notebook)
        target = NOTEBOOKS / f"{source.stem}.ipynb"
        nbformat.write(notebook, target)
        print(f"{target.name}: {len(notebook.cells)} cells, ran in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])

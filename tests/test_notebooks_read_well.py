"""The committed notebooks read well (issue 20, point 5): graphs top to bottom and no wider than a notebook,
numbers rounded as a reader expects, notebook 04's progress one line, the README's table of notebooks true.

These read the committed notebooks (which tests/test_notebooks.py checks are what their sources build, run).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTEBOOK_POINTS = 540
"""The widest a drawing may be, in points: 720 CSS pixels, inside a notebook's output area on any screen."""
FLOAT_NOISE = re.compile(r"\d\.\d{14,}")
"""A float printed with all its digits (0.32724049999999993): the noise of binary arithmetic on show."""


def outputs(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            yield "".join(cell["source"]), output


def text_of(output):
    data = output.get("data", {})
    return "".join(output.get("text", "")) + "".join(data.get("text/plain", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_graph_fits_the_notebooks_width(path):
    widths = []
    for _, output in outputs(path):
        svg = "".join(output.get("data", {}).get("image/svg+xml", ""))
        if svg:
            widths.append(float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1)))
    assert all(width <= NOTEBOOK_POINTS for width in widths), widths


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks" / "source").glob("*.py")), ids=lambda p: p.stem)
def test_every_graph_is_drawn_top_to_bottom(path):
    calls = re.findall(r"draw_graph\(([^\n]*)\)", path.read_text(encoding="utf-8"))
    assert all('direction="TB"' in call for call in calls), calls


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_print_rounded(path):
    noisy = [match.group(0) for _, output in outputs(path) for match in FLOAT_NOISE.finditer(text_of(output))]
    assert not noisy, noisy


def test_notebook_04s_progress_is_one_line_rewritten_in_place():
    path = ROOT / "notebooks" / "04_handwritten_digits.ipynb"
    fitting = [output for source, output in outputs(path) if "history = fit(" in source]
    shown = [output for output in fitting if output["output_type"] == "display_data"]
    assert len(shown) == 1 and "\n" not in text_of(shown[0]).strip()
    assert text_of(shown[0]).startswith("epoch 10/10: 41/41 batches, loss ")
    assert not [output for output in fitting if "batch/s" in text_of(output)]  # no tqdm redraws left behind


def test_the_readmes_table_lists_every_notebook_and_counts_them_right():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `(\d\d_\w+\.ipynb)` \|", readme, flags=re.M)
    assert listed == [path.name for path in NOTEBOOKS]
    count = {4: "four", 5: "five", 6: "six"}[len(NOTEBOOKS)]
    assert "the three notebooks" not in readme and f"the {count} notebooks" in readme

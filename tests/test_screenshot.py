"""docs/stepthrough.png, the README's screenshot of the step-through page, shows the page as it is now.

Pixels depend on the machine (its fonts, its Graphviz), so the screenshot is checked twice:

- exactly, by what it was made from: ``docs/make_screenshot.py`` writes into the PNG the fingerprint of
  the page (its text, style, script and steps, without Graphviz's coordinates), the window and the step.
  The fingerprint of the page made now must be the same: any change to what the page says, shows at
  that step, or how it is styled fails here. The fix: ``python docs/make_screenshot.py``.
- loosely, by the picture: a screenshot made now (in a temporary folder) has the same size, and the two,
  shrunk 32 times (43 x 28 pixels: text blurs away, the layout stays), differ by less than
  ``LAYOUT_DIFFERENCE`` grey levels on average. Measured on this page: every text in a serif font instead
  of DejaVu Sans 0.5, the next steps 0.6-0.8; the network view instead of the graph 6, the explanation
  panel 100 px narrower 7, a blank page 9.
"""

import importlib.util
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "make_screenshot.py"
LAYOUT_DIFFERENCE = 3.0
SHRINK = 32

spec = importlib.util.spec_from_file_location("make_screenshot", SCRIPT)
assert spec is not None and spec.loader is not None
make_screenshot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_screenshot)


@pytest.fixture(scope="module")
def page():
    return make_screenshot.article_page()


def test_the_screenshot_was_made_from_the_page_as_it_is_now(page):
    committed = make_screenshot.read_fingerprint(make_screenshot.SCREENSHOT.read_bytes())
    assert committed is not None, "docs/stepthrough.png has no fingerprint: run python docs/make_screenshot.py"
    assert committed == make_screenshot.fingerprint(page), "the page changed: run python docs/make_screenshot.py"


def test_a_screenshot_made_now_looks_like_the_committed_one(page, tmp_path):
    fresh = tmp_path / "stepthrough.png"
    fresh.write_bytes(make_screenshot.screenshot(page))
    committed = Image.open(make_screenshot.SCREENSHOT).convert("L")
    now = Image.open(fresh).convert("L")
    assert committed.size == now.size == make_screenshot.WINDOW
    size = (committed.width // SHRINK, committed.height // SHRINK)
    shrunk = [image.resize(size, Image.Resampling.BOX) for image in (committed, now)]
    difference = ImageStat.Stat(ImageChops.difference(*shrunk)).mean[0]
    assert difference < LAYOUT_DIFFERENCE, f"the layout moved ({difference:.2f}): run python docs/make_screenshot.py"


def test_the_fingerprint_follows_what_the_page_says_not_where_graphviz_put_it(page):
    print_ = make_screenshot.fingerprint
    assert print_(page) == print_(page)
    moved = page.replace('<text text-anchor="start" x="', '<text text-anchor="start" x="1', 1)  # a coordinate
    assert moved != page and print_(moved) == print_(page)
    assert print_(page.replace("-0.68765", "-0.68766", 1)) != print_(page)  # a number of the steps
    assert print_(page.replace(">w5<", ">w7<", 1)) != print_(page)  # a text of the drawing
    assert print_(page.replace("--current: #e11d48", "--current: #000000", 1)) != print_(page)  # the style


def test_the_fingerprint_is_stored_in_a_valid_png():
    plain = io.BytesIO()
    Image.new("RGB", (3, 2), "white").save(plain, format="PNG")
    marked = make_screenshot.with_fingerprint(plain.getvalue(), "0123abcd")
    image = Image.open(io.BytesIO(marked))
    image.load()  # Pillow checks every chunk's CRC
    assert image.text == {make_screenshot.KEY: "0123abcd"} and image.size == (3, 2)
    assert make_screenshot.read_fingerprint(marked) == "0123abcd"
    assert make_screenshot.read_fingerprint(plain.getvalue()) is None

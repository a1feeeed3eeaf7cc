"""docs/playground.png, the README's screenshot of the playground, shows the page as it is now.

Checked as docs/stepthrough.png is (tests/test_screenshot.py): exactly by the fingerprint of what it was
made from (the page, the window, the epochs trained, the neuron clicked), loosely by the picture.
The fix, either way: ``python docs/make_playground_screenshot.py``.
"""

import importlib.util
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from test_screenshot import LAYOUT_DIFFERENCE, SHRINK

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "make_playground_screenshot.py"
spec = importlib.util.spec_from_file_location("make_playground_screenshot", SCRIPT)
assert spec is not None and spec.loader is not None
make = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make)


@pytest.fixture(scope="module")
def page():
    return make.moons_page()


def test_the_screenshot_was_made_from_the_page_as_it_is_now(page):
    committed = make.make_screenshot.read_fingerprint(make.SCREENSHOT.read_bytes())
    assert committed == make.fingerprint(page), "the page changed: run python docs/make_playground_screenshot.py"


def test_a_screenshot_made_now_looks_like_the_committed_one(page, tmp_path):
    fresh = tmp_path / "playground.png"
    fresh.write_bytes(make.screenshot(page))
    committed, now = (Image.open(path).convert("L") for path in (make.SCREENSHOT, fresh))
    assert committed.size == now.size == make.WINDOW
    size = (committed.width // SHRINK, committed.height // SHRINK)
    shrunk = [image.resize(size, Image.Resampling.BOX) for image in (committed, now)]
    difference = ImageStat.Stat(ImageChops.difference(*shrunk)).mean[0]
    assert difference < LAYOUT_DIFFERENCE, f"the layout moved ({difference:.2f})"

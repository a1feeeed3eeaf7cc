"""The README's screenshot of the step-through page: ``docs/stepthrough.png``.

    python docs/make_screenshot.py [OUT.png]
    python docs/make_screenshot.py --sizes     (docs/stepthrough-1440x900.png, -1024x768, -400x800)

Writes the article's page (the one ``micro-autograd demo --html`` writes), opens it in headless
Chromium (Debian's ``/usr/bin/chromium`` through ``/usr/bin/chromedriver``, as the tests do) with a
viewport of exactly ``WINDOW`` CSS pixels at scale 1, presses → until the step ``STEP`` (the
backward sweep through ``w5 * h1``: the arithmetic the README quotes), and saves what the window
shows as a PNG (keys rather than clicks: no button is left hovered).

The PNG carries, in a text chunk, the fingerprint of what it was made from: the page (without the
coordinates Graphviz chose, which vary between its versions), the window and the step.
``tests/test_screenshot.py`` checks it against a fresh page exactly, and the picture loosely.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from nn.article_views import write_article_stepthrough

SCREENSHOT = Path(__file__).resolve().parent / "stepthrough.png"
WINDOW = (1400, 900)
"""The viewport, in CSS pixels: a laptop's window, where the page shows the drawing and the text side by side."""
STEP = "Backward: through w5 * h1"
"""The step shown: the chain rule for w5, as the article works it out (-0.809 * 0.85 = -0.68765)."""
KEY = "micro-autograd-page"
"""The PNG text chunk that holds the fingerprint."""


def article_page() -> str:
    """The article's step-through page, as ``micro-autograd demo --html`` writes it."""
    with tempfile.TemporaryDirectory() as folder:
        return write_article_stepthrough(Path(folder) / "page.html").read_text(encoding="utf-8")


def fingerprint(page: str) -> str:
    """SHA-256 of what the screenshot shows: the page's text, style, script and steps, the window
    and the step. Graphviz's coordinates are left out (each drawing counts by its texts alone, and
    the drawings' sizes not at all): another version of ``dot`` lays out the same graph a little
    differently, and the loose check of the picture is what notices the layout."""
    said = re.sub(
        r"<svg\b.*?</svg>",
        lambda svg: "<svg>" + "|".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.group(0))) + "</svg>",
        page,
        flags=re.S,
    )
    said = re.sub(r'"size": \[[^\]]*\]', '"size": []', said)
    made = json.dumps({"page": said, "window": WINDOW, "step": STEP})
    return hashlib.sha256(made.encode("utf-8")).hexdigest()


SIZES = ((1440, 900), (1024, 768), (400, 800))
"""The three windows the page is made for (issue 19): ``docs/stepthrough-WxH.png``, one each, at the same step."""


def screenshot(page: str, window: tuple[int, int] = WINDOW) -> bytes:
    """The page in headless Chromium at ``window`` (CSS pixels), at the step ``STEP``, as PNG bytes."""
    with chromium(page, window) as driver:
        while driver.find_element(By.ID, "title").text != STEP:
            if not driver.find_element(By.ID, "next").is_enabled():
                raise RuntimeError(f"the page has no step titled {STEP!r}")
            ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        return driver.get_screenshot_as_png()


@contextmanager
def chromium(page: str, window: tuple[int, int]) -> Iterator[webdriver.Chrome]:
    """``page`` opened in headless Chromium with a viewport of exactly ``window`` CSS pixels at scale 1."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(page, encoding="utf-8")
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-color-profile=srgb",
            "--font-render-hinting=none",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={window[0]},{window[1]}",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            width, height = window
            metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            driver.get(path.as_uri())
            yield driver
        finally:
            driver.quit()


def with_fingerprint(png: bytes, value: str) -> bytes:
    """``png`` with a text chunk ``KEY: value`` after its header (PNG's tEXt: keyword, NUL, Latin-1 text)."""
    signature, header_end = png[:8], 8 + 4 + 4 + 13 + 4  # the signature, then IHDR: length, type, 13 bytes, CRC
    assert signature == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR", "not a PNG"
    body = b"tEXt" + KEY.encode("latin-1") + b"\x00" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:header_end] + chunk + png[header_end:]


def read_fingerprint(png: bytes) -> str | None:
    """The fingerprint ``with_fingerprint`` wrote into ``png``, if any."""
    position = 8
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        data = png[position + 8 : position + 8 + length]
        if kind == b"tEXt" and data.startswith(KEY.encode("latin-1") + b"\x00"):
            return data[len(KEY) + 1 :].decode("latin-1")
        position += 12 + length
    return None


def make(out: Path = SCREENSHOT) -> Path:
    """Write the screenshot, with its fingerprint, to ``out``."""
    page = article_page()
    out.write_bytes(with_fingerprint(screenshot(page), fingerprint(page)))
    return out


def make_sizes(folder: Path = SCREENSHOT.parent) -> list[Path]:
    """The page at each of ``SIZES``, at the step ``STEP``: ``folder/stepthrough-WxH.png``."""
    page = article_page()
    written = []
    for width, height in SIZES:
        out = folder / f"stepthrough-{width}x{height}.png"
        out.write_bytes(screenshot(page, (width, height)))
        written.append(out)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--sizes"]:
        for path in make_sizes():
            print(f"wrote {path}")
    else:
        print(f"wrote {make(Path(sys.argv[1]) if len(sys.argv) > 1 else SCREENSHOT)}")

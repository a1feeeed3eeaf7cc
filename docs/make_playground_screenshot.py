"""The README's screenshot of the playground: ``docs/playground.png``.

    python docs/make_playground_screenshot.py [OUT.png]

Writes the page ``micro-autograd playground moons`` writes (MLP(2, [8, 8, 1]) with relu on 200 moons),
opens it in headless Chromium at ``WINDOW`` (as ``docs/make_screenshot.py`` opens the step-through page),
trains ``EPOCHS`` epochs with the Step button, clicks the neuron ``NEURON`` so the panel under the network
shows its numbers, and saves the window as a PNG carrying the fingerprint of what it was made from (the page,
the window, the epochs and the neuron), which ``tests/test_playground_screenshot.py`` checks.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

from selenium.webdriver.common.by import By

import nn

HERE = Path(__file__).resolve().parent
SCREENSHOT = HERE / "playground.png"
WINDOW = (1440, 900)
EPOCHS = 40
"""Epochs trained before the picture: the boundary has bent round the moons, the loss curve has a shape."""
NEURON = 4
"""The neuron clicked (counted over the drawing's squares, inputs first): one of the first hidden layer's."""

_spec = importlib.util.spec_from_file_location("make_screenshot", HERE / "make_screenshot.py")
assert _spec is not None and _spec.loader is not None
make_screenshot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_screenshot)


def moons_page() -> str:
    """The page ``micro-autograd playground moons`` writes."""
    model = nn.MLP(2, [8, 8, 1], activation="relu", seed=0)
    return nn.playground(model, nn.make_moons(200, seed=0), name="moons").html


def fingerprint(page: str) -> str:
    made = json.dumps({"page": page, "window": WINDOW, "epochs": EPOCHS, "neuron": NEURON})
    return hashlib.sha256(made.encode("utf-8")).hexdigest()


def screenshot(page: str) -> bytes:
    with make_screenshot.chromium(page, WINDOW) as driver:
        step = driver.find_element(By.ID, "step")
        for _ in range(EPOCHS):
            step.click()
        driver.find_elements(By.CSS_SELECTOR, ".neuron")[NEURON].click()
        driver.execute_script("document.activeElement.blur()")  # no focus ring left on a button
        png: bytes = driver.get_screenshot_as_png()
        return png


def make(out: Path = SCREENSHOT) -> Path:
    page = moons_page()
    out.write_bytes(make_screenshot.with_fingerprint(screenshot(page), fingerprint(page)))
    return out


if __name__ == "__main__":
    print(f"wrote {make(Path(sys.argv[1]) if len(sys.argv) > 1 else SCREENSHOT)}")

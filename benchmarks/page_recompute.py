"""How long the step-through page takes to recompute after a reader changes a number (issue 19, point 8).

    python -m benchmarks.page_recompute [--values 2000] [--repeats 30]

Builds a graph of exactly ``--values`` values (a chain of layers: each a product with a weight, a sum and
a tanh), writes its step-through page, opens it in headless Chromium (as the tests do) at its last step
(every step's text in the drawing is then written), and times, ``--repeats`` times, one edit of a weight
from its ``input`` event to the end of the page's work: the generated ``graph()`` twice (the numbers, and
the forward pass after the update), the chain rule's arithmetic, every template written again and the
drawing's texts replaced, and the drawing laid out again (forced before the clock stops). The page's script
runs that synchronously, so the time between dispatching the event and its return, plus that layout, is the
whole of it (``performance.now()``, in the page). Also the generated
``graph()`` alone. Reports the median [min-max] in ms, and the page's size. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from autograd import Value, stepthrough_html, topological_order

EDIT = """
    const field = document.getElementById(arguments[0]);
    const times = [];
    for (let k = 0; k < arguments[1]; k++) {
        field.value = String(0.5 + 0.001 * (k + 1));
        const start = performance.now();
        field.dispatchEvent(new Event('input'));
        document.getElementById('scene').getBoundingClientRect();  // the drawing laid out again: counted too
        times.push(performance.now() - start);
        if (field.getAttribute('aria-invalid')) throw new Error(document.getElementById('edit-message').textContent);
    }
    return times;
"""
GRAPH = """
    const s = window.stepthrough.state;
    const times = [];
    for (let k = 0; k < arguments[0]; k++) {
        const start = performance.now();
        graph(s.leaves);
        times.push(performance.now() - start);
    }
    return times;
"""
NUMBERS = GRAPH.replace("graph(s.leaves)", "window.stepthrough.computed(s.leaves, s.rate)")


def chain(values: int) -> tuple[Value, list[Value]]:
    """A graph of exactly ``values`` values (at least 2): x -> tanh(w_k * x + b_k), 5 values a layer, as
    many layers as fit; then a tanh more for each value left over; then the output x * x."""
    if values < 2:
        raise ValueError(f"the graph has at least 2 values (x and the output x * x), not {values}")
    layers, left_over = divmod(values - 2, 5)
    x = Value(0.3, "x")
    weights = []
    for k in range(layers):
        w, b = Value(0.9 + 0.001 * k, f"w{k}"), Value(0.01, f"b{k}")
        weights += [w, b]
        x = (w * x + b).tanh()
    for _ in range(left_over):
        x = x.tanh()
    return x * x, weights


def measure(values: int, repeats: int) -> dict[str, object]:
    root, parameters = chain(values)
    count = len(topological_order(root))
    page = stepthrough_html(root, parameters=parameters, learning_rate=0.1)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(page, encoding="utf-8")
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={Path(folder) / 'p'}"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.set_script_timeout(600)
            driver.get(path.as_uri())
            driver.execute_script("window.stepthrough.go(Infinity)")  # the last step: every text written
            edited = driver.execute_script(EDIT, "leaf1", repeats)  # leaf 0 is x; leaf 1 the first weight
            graph_only = driver.execute_script(GRAPH, repeats)
            numbers_only = driver.execute_script(NUMBERS, repeats)
        finally:
            driver.quit()
    return {
        "values": count,
        "bytes": len(page.encode("utf-8")),
        "edit": edited,
        "graph": graph_only,
        "numbers": numbers_only,
    }


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} ms [{min(times):.1f}-{max(times):.1f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.page_recompute", description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = measure(args.values, args.repeats)
    print(f"step-through page of a {result['values']:,}-value graph ({result['bytes'] / 1e6:.2f} MB), Chromium:")
    print(f"  one edit, everything recomputed and rewritten: {spread(result['edit'])} over {args.repeats} edits")
    print(f"  all the numbers (graph() twice, the arithmetic): {spread(result['numbers'])}")
    print(f"  graph() alone:                                 {spread(result['graph'])}")
    print(f"  (the whole run: {time.perf_counter() - started:.0f} s, most of it dot laying the graph out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

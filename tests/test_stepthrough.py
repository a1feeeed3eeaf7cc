"""The step-through page: its steps come from the real graph, and in a real headless browser
(Debian's chromium, driven by selenium) clicking *next* to the end shows the article's six
gradients, the updated weights and the new prediction, with nothing fetched and no console errors.
The browser also measures what a reader sees: text height, overflow, the view following the steps.

Expected numbers are the article's (independent of the engine) or closed forms; the article's
forward order is its formulas' (h1 = i1*w1 + i2*w2, h2 = i1*w3 + i2*w4, out = h1*w5 + h2*w6).
"""

import io
import itertools
import math
import re
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd import Value, stepthrough_html
from autograd.views import stepthrough
from autograd.views.stepthrough import page_data
from nn import article_inputs, article_network, squared_error
from nn.article_views import article_stepthrough_html
from nn.cli import main

GRADIENTS = {"w1": -0.22652, "w2": -0.33978, "w3": -0.2427, "w4": -0.36405, "w5": -0.68765, "w6": -0.38832}
UPDATED = {"w1": 0.121326, "w2": 0.226989, "w3": 0.132135, "w4": 0.0982025, "w5": 0.1743825, "w6": 0.169416}
OUT_AFTER_ONE_STEP = 0.2557457808075
ARTICLE_VALUES = 21  # 9 leaves (the target is one) and 12 operations (see test_draw.py)
ARTICLE_LEAVES, ARTICLE_OPERATIONS = 9, 12
# The article computes each hidden neuron from its two products, then the output, then the error.
ARTICLE_FORWARD = ["w1 * i1", "w2 * i2", "h1", "w3 * i1", "w4 * i2", "h2", "w5 * h1", "w6 * h2", "out"]
ARTICLE_FORWARD += ["out - target", "(out - target) ** 2", "E"]
STEPS = 1 + ARTICLE_OPERATIONS + (ARTICLE_VALUES + 1) + 6 + 1  # start, forward, backward, updates, result


def article_page(network=False, **options):
    """The article's page as ``demo --html`` writes it (with the network view), or without the network."""
    if network:
        return article_stepthrough_html(**options)
    model = article_network()
    inputs = article_inputs()
    target = Value(1.0, "target")
    out = model(inputs)
    error = squared_error(out, target)
    error.label = "E"
    return stepthrough_html(
        error, parameters=model.parameters(), learning_rate=0.05, prediction=out, gradient_names={out: "δ"}, **options
    )


def steps_of(page):
    """The page's steps, written out with the engine's recorded numbers."""
    return page_data(page)["steps"]


# --- the page as data --------------------------------------------------------


def test_the_page_is_self_contained():
    page = article_page()
    for fetching in ("<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest", "<iframe"):
        assert fetching not in page, fetching
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # SVG namespaces only


def test_the_given_values_then_one_forward_step_per_operation_one_backward_step_per_node_then_the_update():
    steps = steps_of(article_page())
    phases = [step["phase"] for step in steps]
    assert phases[0] == "start"
    assert len(steps[0]["lines"]) == ARTICLE_LEAVES  # i1, i2 and w1..w6 are given, not computed
    assert phases.count("forward") == ARTICLE_OPERATIONS
    assert phases.count("backward") == ARTICLE_VALUES + 1  # the seed dE/dE = 1, then every node
    assert phases.count("update") == 6
    assert phases[-1] == "result"
    assert len(steps) == STEPS


def test_the_forward_pass_runs_in_the_order_the_article_computes():
    steps = steps_of(article_page())
    assert [step["title"].removeprefix("Forward: ") for step in steps if step["phase"] == "forward"] == ARTICLE_FORWARD
    result = [line.split(" = ")[0] for line in steps[-1]["lines"]]
    assert result == ["h1", "h2", "out", "E"]  # the new forward pass, in the same order


def test_arithmetic_is_written_by_precedence_and_no_step_repeats_itself():
    steps = steps_of(article_page())
    forward = {s["title"].removeprefix("Forward: "): s["lines"][0] for s in steps if s["phase"] == "forward"}
    assert forward["w4 * i2"] == "w4 * i2 = 0.08 * 3 = 0.24"  # not "w4 * i2 = w4 * i2 = ..."
    assert forward["(out - target) ** 2"] == "(out - target) ** 2 = (-0.809) ** 2 = 0.654481"  # not -0.809 ** 2
    assert forward["h1"] == "h1 = w1 * i1 + w2 * i2 = 0.22 + 0.63 = 0.85"
    for step in steps:
        for line in step["lines"]:
            for clause in line.split("; "):
                parts = clause.split(" = ")
                assert all(a != b for a, b in itertools.pairwise(parts)), line
            assert " -0." not in line.replace("= -0.", "").replace("(-0.", ""), line  # a sign after an operator


def test_a_negative_operand_and_a_power_are_written_as_mathematics_reads_them():
    x = Value(-0.5, "x")
    y = -(x**2) + 2 ** (x * 3.0) - (1.0 - x) / (x * x)
    lines = {step["title"].removeprefix("Forward: "): step["lines"][0] for step in steps_of(stepthrough_html(y))}
    assert lines["x ** 2"] == "x ** 2 = (-0.5) ** 2 = 0.25"
    assert lines["-(x ** 2)"] == "-(x ** 2) = -0.25"
    assert lines["x * 3"] == "x * 3 = -0.5 * 3 = -1.5"
    assert lines["2 ** (x * 3)"] == "2 ** (x * 3) = 2 ** (-1.5) = 0.353553390593"
    assert lines["1 - x"] == "1 - x = 1 - (-0.5) = 1.5"
    assert lines["(1 - x) / (x * x)"] == "(1 - x) / (x * x) = 1.5 / 0.25 = 6"


def test_the_backward_step_for_w5_shows_the_articles_arithmetic():
    lines = [line for step in steps_of(article_page()) for line in step["lines"]]
    (w5,) = [line for line in lines if line.startswith("∂E/∂w5 +=")]
    # dE/dw5 = dE/dout * h1 = -0.809 * 0.85 = -0.68765 (the article's delta and h1)
    assert w5.endswith("= -0.809 * 0.85 = -0.68765")
    (update,) = [line for line in lines if line.startswith("w5 ←")]
    assert update.endswith("= 0.14 - 0.05 * (-0.68765) = 0.1743825")


def test_a_generic_graph_ends_with_its_backward_sweep_and_right_gradients():
    a, b = Value(0.5, "a"), Value(-1.5, "b")
    f = (a * b + a).tanh()  # a is used twice: its gradient accumulates
    steps = steps_of(stepthrough_html(f))
    assert steps[-1]["phase"] == "backward"
    t = math.tanh(0.5 * -1.5 + 0.5)
    expected = {"a": (1 - t * t) * (-1.5 + 1.0), "b": (1 - t * t) * 0.5}  # closed forms
    for name, value in expected.items():
        (done,) = [s for s in steps if s["title"] == f"Backward: {name} is done"]
        shown = float(done["lines"][0].split(" = ")[-1])
        assert shown == pytest.approx(value, rel=1e-11)
    lines = [line for step in steps for line in step["lines"]]
    assert sum("; now ∂" in line for line in lines) == 1  # the second path into a adds to the first


def test_hostile_labels_cannot_break_out_of_the_page():
    x = Value(2.0, '</script><script>alert("x")</script><img src=x onerror=alert(1)> & \\N')
    page = stepthrough_html(x * 3.0, title="<b>title</b>")
    assert "<script>alert" not in page and "<img" not in page and "<b>title" not in page
    assert steps_of(page)[0]["lines"][0].startswith("</script>")  # the text survives as text


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="walks a Value, not float"):
        stepthrough_html(1.0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        stepthrough_html(Value(1.0), learning_rate=math.nan)


def test_cli_demo_writes_the_page_and_keeps_its_output(tmp_path):
    plain, with_page = io.StringIO(), io.StringIO()
    with redirect_stdout(plain):
        assert main(["demo"]) == 0
    target = tmp_path / "step.html"
    with redirect_stdout(with_page):
        assert main(["demo", "--html", str(target)]) == 0
    assert with_page.getvalue().startswith(plain.getvalue())
    assert f"Step-through page written to {target}" in with_page.getvalue()
    page = target.read_text(encoding="utf-8")
    assert steps_of(page)[-1]["phase"] == "result"
    assert 'id="view-network"' in page and 'id="show-1"' in page  # the graph and, a toggle away, the network


# --- in a real browser -------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.TemporaryDirectory()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile.name}",
        "--window-size=1400,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()
    profile.cleanup()


def open_page(browser, tmp_path, page):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    browser.get_log("browser")  # start each test with an empty console record


def step_number(browser):
    return int(browser.find_element(By.ID, "counter").text.split()[1])


def click_next_to_the_end(browser):
    button = browser.find_element(By.ID, "next")
    clicks = 0
    while button.is_enabled():
        button.click()
        clicks += 1
    return clicks


def table_of(browser):
    """The table of given numbers: by name, (value in its field, gradient, value after the step), as numbers."""
    seen = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#parameters tbody tr"):
        name = row.find_element(By.TAG_NAME, "th").text
        value = float(row.find_element(By.TAG_NAME, "input").get_attribute("value"))
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")[1:]]
        seen[name] = (value, *(float(cell) if cell else None for cell in cells))
    return seen


def severe(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_clicking_next_to_the_end_shows_the_gradients_updates_and_new_prediction(browser, tmp_path):
    open_page(browser, tmp_path, article_page())
    assert step_number(browser) == 0
    assert browser.find_element(By.ID, "leaf7-grad").text == ""  # nothing computed yet (w5's row)
    clicks = click_next_to_the_end(browser)
    # forward, backward (with its seed), six updates, the new prediction; then "next" is disabled
    assert clicks == STEPS - 1
    seen = table_of(browser)
    assert set(seen) == {"i1", "i2", "target", *GRADIENTS}
    seen = {name: (gradient, after) for name, (_, gradient, after) in seen.items() if name in GRADIENTS}
    for name, (gradient, updated) in seen.items():
        assert gradient == pytest.approx(GRADIENTS[name], abs=1e-12), name
        assert updated == pytest.approx(UPDATED[name], abs=1e-12), name
    result = browser.find_element(By.ID, "result").text
    assert float(re.search(r"out = (\S+)", result).group(1)) == pytest.approx(OUT_AFTER_ONE_STEP, abs=1e-11)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert severe(browser) == []


def test_the_drawing_follows_the_steps(browser, tmp_path):
    open_page(browser, tmp_path, article_page())
    pending = "return document.querySelectorAll('#graph g.node.pending').length"
    # the given values are there from the start; every operation and its result wait for the forward pass
    assert browser.execute_script(pending) == 2 * ARTICLE_OPERATIONS
    browser.find_element(By.ID, "next").click()
    assert browser.execute_script(pending) == 2 * ARTICLE_OPERATIONS - 2  # w1 * i1 and its operation
    assert len(browser.find_elements(By.CSS_SELECTOR, "#graph g.node.current")) == 1
    for _ in range(ARTICLE_OPERATIONS):  # to the end of the forward pass, then the seed of the sweep
        browser.find_element(By.ID, "next").click()
    assert browser.execute_script(pending) == 0
    assert browser.find_element(By.ID, "phase").text.lower() == "backward"
    assert severe(browser) == []


def test_keys_and_buttons_move_through_the_steps(browser, tmp_path):
    open_page(browser, tmp_path, article_page())
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert step_number(browser) == 3
    body.send_keys(Keys.ARROW_LEFT)
    assert step_number(browser) == 2
    browser.find_element(By.ID, "prev").click()
    assert step_number(browser) == 1
    body.send_keys(Keys.SPACE)
    assert browser.find_element(By.ID, "play").text == "Pause"
    body.send_keys(Keys.SPACE)
    assert browser.find_element(By.ID, "play").text.startswith("Play")
    browser.find_element(By.ID, "reset").click()
    assert step_number(browser) == 0
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.HOME)
    assert step_number(browser) == 0
    assert severe(browser) == []


def test_any_graph_steps_through_in_the_browser(browser, tmp_path):
    a = Value(0.5, '</script> "a" & ∂')
    f = (a * a).exp() + a.sin()
    open_page(browser, tmp_path, stepthrough_html(f, direction="LR"))
    click_next_to_the_end(browser)
    assert browser.find_element(By.ID, "title").text == 'Backward: </script> "a" & ∂ is done'
    shown = float(browser.find_element(By.CSS_SELECTOR, "#lines div").text.split(" = ")[-1])
    assert shown == pytest.approx(2 * 0.5 * math.exp(0.25) + math.cos(0.5), rel=1e-11)  # d/da of e^(a^2) + sin a
    assert severe(browser) == []


# --- what a reader sees: measured in the browser -----------------------------

SIZES = [(1024, 768), (1440, 900), (1920, 1080)]
SMALLEST_TEXT = """
    const texts = Array.from(document.querySelectorAll('#graph g.node text'));
    return Math.min(...texts.map((t) => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a));
"""
VIEW = "return document.getElementById('scene').getAttribute('transform')"
OVERFLOWING = """
    // Elements reaching past the window's left or right edge (the drawing's own content excepted:
    // its panel clips it), and whether the document scrolls sideways.
    const width = document.documentElement.clientWidth;
    const out = Array.from(document.querySelectorAll('body *')).filter((element) => {
        if (element.closest('.drawing svg')) return false;
        const r = element.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
    }).map((element) => element.tagName + '#' + element.id);
    if (document.documentElement.scrollWidth > width) out.push('document scrolls sideways');
    return out;
"""


@pytest.fixture
def window(browser):
    """Set the browser's viewport to exactly ``width`` x ``height`` CSS pixels; restored afterwards."""

    def resize(width, height):
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    yield resize
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def go_to(browser, title):
    """Click next until the step titled ``title``."""
    while browser.find_element(By.ID, "title").text != title:
        browser.find_element(By.ID, "next").click()


def contrast_on_white(colour):
    """WCAG's contrast ratio of a CSS colour ``rgb(r, g, b)`` on white: 1 (invisible) to 21 (black)."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def view_of(browser):
    scale = browser.execute_script("return document.getElementById('scene').transform.baseVal.consolidate().matrix.a")
    return browser.execute_script(VIEW), scale


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_drawings_text_is_legible_at_first_and_after_fit(browser, tmp_path, window, width, height):
    window(width, height)
    open_page(browser, tmp_path, article_page())
    assert browser.execute_script(SMALLEST_TEXT) >= 11  # CSS pixels, the smallest text of any node
    browser.find_element(By.ID, "zoom-out").click()
    browser.find_element(By.ID, "fit").click()
    assert browser.execute_script(SMALLEST_TEXT) >= 11
    # the start screen shows the graph: the given values in full, the rest plainly readable, not a ghost
    colours = browser.execute_script(
        """return Array.from(document.querySelectorAll('#graph g.node'), (node) => [
               +getComputedStyle(node).opacity, node.classList.contains('pending'),
               ...Array.from(node.querySelectorAll('text'), (t) => getComputedStyle(t).fill)])"""
    )
    assert {opacity for opacity, *_ in colours} == {1.0}
    assert sum(not pending for _, pending, *_ in colours) == ARTICLE_LEAVES
    assert min(contrast_on_white(fill) for _, _, *fills in colours for fill in fills) >= 3
    panel = browser.find_element(By.ID, "graph").rect
    assert panel["width"] >= 0.5 * width and panel["height"] >= 0.8 * height
    assert severe(browser) == []


def test_the_whole_article_graph_fits_legibly_on_a_1440_by_900_screen(browser, tmp_path, window):
    window(1440, 900)
    open_page(browser, tmp_path, article_page())
    panel = browser.find_element(By.ID, "graph").rect
    drawing = browser.execute_script("const r = document.getElementById('scene').getBoundingClientRect(); return r")
    assert drawing["left"] >= panel["x"] and drawing["right"] <= panel["x"] + panel["width"]
    assert drawing["top"] >= panel["y"] and drawing["bottom"] <= panel["y"] + panel["height"]
    assert browser.execute_script(SMALLEST_TEXT) >= 11


COVERED_NODES = """
    // Graph nodes that a button of the page covers, even in part: the part of each node its panel shows
    // (the panel clips the drawing) against every button's box.
    const panel = document.querySelector('.drawing:not([hidden])');
    const frame = panel.getBoundingClientRect();
    const nodes = Array.from(panel.querySelectorAll('g.node'));
    const buttons = Array.from(document.querySelectorAll('button')).filter((b) => b.getBoundingClientRect().width);
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const shown = (r) => ({left: Math.max(r.left, frame.left), right: Math.min(r.right, frame.right),
                           top: Math.max(r.top, frame.top), bottom: Math.min(r.bottom, frame.bottom)});
    return nodes.filter((node) => buttons.some((button) =>
        meet(shown(node.getBoundingClientRect()), button.getBoundingClientRect()))).map((node) => node.id);
"""


@pytest.mark.parametrize(("width", "height"), [(400, 800), *SIZES, (1400, 900)])
def test_no_button_covers_a_node_of_the_drawing_after_fit(browser, tmp_path, window, width, height):
    window(width, height)
    open_page(browser, tmp_path, article_page(network=True))
    assert browser.execute_script(COVERED_NODES) == []
    browser.find_element(By.ID, "show-1").click()  # the network view, fitted too
    browser.find_element(By.ID, "fit").click()
    assert browser.execute_script(COVERED_NODES) == []


def test_the_forward_pass_starts_with_a_product_of_h1_and_squares_in_parentheses(browser, tmp_path):
    open_page(browser, tmp_path, article_page())
    browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "title").text == "Forward: w1 * i1"  # h1 = i1*w1 + i2*w2: its first product
    assert browser.find_element(By.CSS_SELECTOR, "#lines div").text == "w1 * i1 = 0.11 * 2 = 0.22"
    go_to(browser, "Forward: (out - target) ** 2")
    assert "(-0.809) ** 2" in browser.find_element(By.ID, "lines").text


@pytest.mark.parametrize("width", [400, 1024, 1920])
def test_nothing_overflows_collapses_or_is_cut_off_at_any_step(browser, tmp_path, window, width):
    window(width, 800)
    open_page(browser, tmp_path, article_page(network=True))
    stacked = width < 700  # below 700 px the drawing and the explanation stack
    graph, side = browser.find_element(By.ID, "graph").rect, browser.find_element(By.ID, "step").rect
    assert (side["y"] >= graph["y"] + graph["height"]) == stacked
    assert graph["width"] >= min(width - 40, 500) and graph["height"] >= 250  # the drawing never collapses
    for step in range(STEPS):
        assert browser.execute_script(OVERFLOWING) == [], f"step {step}"
        if step == STEPS // 2:
            browser.find_element(By.ID, "show-1").click()  # the network view, for the second half
            assert browser.execute_script(OVERFLOWING) == [], f"step {step}, network"
        if step < STEPS - 1:
            browser.find_element(By.ID, "next").click()
    for element_id in ("keys", "result", "parameters"):  # the end of the page can be scrolled to and read
        element = browser.find_element(By.ID, element_id)
        browser.execute_script("arguments[0].scrollIntoView({block: 'end'})", element)
        rect = browser.execute_script("return arguments[0].getBoundingClientRect()", element)
        assert rect["bottom"] <= browser.execute_script("return window.innerHeight") + 0.5, element_id
        assert element.is_displayed()
    assert severe(browser) == []


def test_the_current_node_stays_in_view_as_the_steps_advance(browser, tmp_path, window):
    window(1024, 768)
    open_page(browser, tmp_path, article_page())
    for _ in range(STEPS - 1):
        browser.find_element(By.ID, "next").click()
        inside = browser.execute_script(
            """const panel = document.getElementById('graph').getBoundingClientRect();
               return Array.from(document.querySelectorAll('#graph g.node.current'), (node) => {
                   const r = node.getBoundingClientRect();
                   return r.left >= panel.left && r.right <= panel.right
                       && r.top >= panel.top && r.bottom <= panel.bottom;
               });"""
        )
        assert inside == [True], browser.find_element(By.ID, "title").text


def test_zoom_and_pan_change_the_view(browser, tmp_path, window):
    window(1024, 768)
    open_page(browser, tmp_path, article_page())
    graph = browser.find_element(By.ID, "graph")
    fitted, scale = view_of(browser)
    browser.find_element(By.ID, "zoom-in").click()
    assert view_of(browser)[1] == pytest.approx(scale * 1.25)
    browser.find_element(By.ID, "zoom-out").click()
    assert view_of(browser)[1] == pytest.approx(scale)
    browser.execute_script(  # the wheel zooms around the pointer
        """const r = arguments[0].getBoundingClientRect();
           arguments[0].dispatchEvent(new WheelEvent('wheel', {
               deltaY: -200, clientX: r.left + 100, clientY: r.top + 100, bubbles: true, cancelable: true}));""",
        graph,
    )
    assert view_of(browser)[1] > scale
    browser.find_element(By.ID, "fit").click()
    assert view_of(browser) == (fitted, scale)
    ActionChains(browser).move_to_element(graph).click_and_hold().move_by_offset(-120, -90).release().perform()
    dragged = view_of(browser)
    assert dragged[0] != fitted and dragged[1] == scale  # dragging moves the drawing, at the same scale
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.SHIFT, Keys.ARROW_UP)  # shift + arrows move it too
    assert view_of(browser)[0] != dragged[0]
    body.send_keys("+")
    assert view_of(browser)[1] == pytest.approx(scale * 1.25)
    body.send_keys("f")
    assert view_of(browser) == (fitted, scale)
    assert step_number(browser) == 0  # none of this moved through the steps
    assert severe(browser) == []


def test_the_pages_html_style_and_script_are_files_of_their_own_inlined_in_every_page():
    folder = Path(stepthrough.__file__).parent / "page"
    files = {name: (folder / name).read_text(encoding="utf-8") for name in ("stepthrough.css", "stepthrough.js")}
    page = article_page()
    for name, text in files.items():
        assert text.strip() in page, name
    source = Path(stepthrough.__file__).read_text(encoding="utf-8")
    assert "<style" not in source and "addEventListener" not in source and "<body" not in source
    # a placeholder written in a title or a label stays text: the page is filled in one pass
    x = Value(1.0, "{{SCRIPT}}")
    filled = stepthrough_html(x * 2.0, title="{{CSS}}")
    assert filled.count(files["stepthrough.js"].strip()) == 1 and filled.count(files["stepthrough.css"].strip()) == 1


def test_the_network_view_advances_with_the_same_steps(browser, tmp_path, window):
    window(1024, 768)
    open_page(browser, tmp_path, article_page(network=True))
    network = browser.find_element(By.ID, "view-network")
    assert not network.is_displayed()
    browser.find_element(By.ID, "show-1").click()  # the toggle
    assert network.is_displayed() and not browser.find_element(By.ID, "graph").is_displayed()
    h1 = "return document.querySelectorAll('#L1n0 text')[1].textContent"
    w5 = "return document.querySelectorAll('[id=\"L1n0-L2n0\"] text')[2].textContent"
    assert browser.execute_script(h1) == "·"
    go_to(browser, "Forward: E")  # the end of the forward pass
    assert browser.execute_script(h1) == "0.85"
    assert browser.find_element(By.ID, "network-root").text == "E = 0.3272405"
    go_to(browser, "Backward: w5 is done")
    assert browser.execute_script(w5) == "grad -0.68765"
    lit = browser.execute_script("return Array.from(document.querySelectorAll('#view-network .current'), (e) => e.id)")
    assert lit == ["L1n0-L2n0"]  # w5's line: the step is about w5
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("v")  # V switches back to the graph, at the same step
    assert browser.find_element(By.ID, "graph").is_displayed() and not network.is_displayed()
    assert browser.find_element(By.ID, "title").text == "Backward: w5 is done"
    assert severe(browser) == []


def test_an_update_the_page_cannot_show_truly_is_refused_not_dropped():
    w, x = Value(2.0, "w"), Value(3.0, "x")
    h = w * x
    h.label = "h"
    out = h * h
    out.label = "out"
    # An interior value as a parameter: the page said "h <- 6 - 0.1 * 12 = 4.8" and then "New prediction:
    # out = 36 (was 36)", where h = 4.8 gives out = 4.8 ** 2 = 23.04: gradient descent changes leaves.
    with pytest.raises(ValueError, match=r"parameter 0 \(label 'h'\) was made by '\*'; parameters are leaves"):
        stepthrough_html(out, parameters=[h], learning_rate=0.1)
    # A learning rate (or a prediction) with no parameter of the graph to update was ignored without a word.
    with pytest.raises(ValueError, match="learning_rate is given but no parameter of the graph is: nothing to update"):
        stepthrough_html(out, learning_rate=0.1)
    with pytest.raises(ValueError, match="learning_rate is given but no parameter of the graph is"):
        stepthrough_html(out, parameters=[Value(1.0)], learning_rate=0.1)
    with pytest.raises(ValueError, match="prediction is given but the page makes no update: give parameters and"):
        stepthrough_html(out, parameters=[w], prediction=h)
    steps = steps_of(stepthrough_html(out, parameters=[w], learning_rate=0.1, prediction=out))
    assert steps[-1]["phase"] == "result"
    # d out/dw = 2 h x = 36, so w = 2 - 0.1 * 36 = -1.6, h = -4.8 and out = 23.04
    assert ["result", "New prediction: out = 23.04 (was 36)"] in steps[-1]["set"]

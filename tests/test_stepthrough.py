"""The step-through page: its steps come from the real graph, and in a real headless browser
(Debian's chromium, driven by selenium) clicking *next* to the end shows the article's six
gradients, the updated weights and the new prediction, with nothing fetched and no console errors.

Expected numbers are the article's (independent of the engine) or closed forms.
"""

import io
import json
import math
import re
import tempfile
from contextlib import redirect_stdout

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd import Value, stepthrough_html
from nn import article_inputs, article_network, squared_error
from nn.cli import main

GRADIENTS = {"w1": -0.22652, "w2": -0.33978, "w3": -0.2427, "w4": -0.36405, "w5": -0.68765, "w6": -0.38832}
UPDATED = {"w1": 0.121326, "w2": 0.226989, "w3": 0.132135, "w4": 0.0982025, "w5": 0.1743825, "w6": 0.169416}
OUT_AFTER_ONE_STEP = 0.2557457808075
ARTICLE_VALUES = 20  # 8 leaves and 12 operations (see test_draw.py)


def article_page():
    model = article_network()
    out = model(article_inputs())
    error = squared_error(out, 1.0)
    error.label = "E"
    return stepthrough_html(error, parameters=model.parameters(), learning_rate=0.05, prediction=out)


def steps_of(page):
    data = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, flags=re.S).group(1)
    return json.loads(data)["steps"]


# --- the page as data --------------------------------------------------------


def test_the_page_is_self_contained():
    page = article_page()
    for fetching in ("<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest", "<iframe"):
        assert fetching not in page, fetching
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # SVG namespaces only


def test_one_forward_and_one_backward_step_per_node_then_the_update():
    phases = [step["phase"] for step in steps_of(article_page())]
    assert phases[0] == "start"
    assert phases.count("forward") == ARTICLE_VALUES
    assert phases.count("backward") == ARTICLE_VALUES + 1  # the seed dE/dE = 1, then every node
    assert phases.count("update") == 6
    assert phases[-1] == "result"


def test_the_backward_step_for_w5_shows_the_articles_arithmetic():
    lines = [line for step in steps_of(article_page()) for line in step["lines"]]
    (w5,) = [line for line in lines if line.startswith("∂E/∂w5 +=")]
    # dE/dw5 = dE/dout * h1 = -0.809 * 0.85 = -0.68765 (the article's delta and h1)
    assert w5.endswith("= -0.809 * 0.85 = -0.68765")
    (update,) = [line for line in lines if line.startswith("w5 ←")]
    assert update.endswith("= 0.14 - 0.05 * -0.68765 = 0.1743825")


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
    assert steps_of(page)[1]["title"].startswith("Forward: </script>")  # the text survives as text


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
    assert steps_of(target.read_text(encoding="utf-8"))[-1]["phase"] == "result"


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


def severe(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_clicking_next_to_the_end_shows_the_gradients_updates_and_new_prediction(browser, tmp_path):
    open_page(browser, tmp_path, article_page())
    assert step_number(browser) == 0
    assert browser.find_element(By.ID, "param4-grad").text == ""  # nothing computed yet
    clicks = click_next_to_the_end(browser)
    # forward, backward (with its seed), six updates, the new prediction; then "next" is disabled
    assert clicks == ARTICLE_VALUES + (ARTICLE_VALUES + 1) + 6 + 1
    rows = browser.find_elements(By.CSS_SELECTOR, "#parameters tbody tr")
    seen = {}
    for row in rows:
        name = row.find_element(By.TAG_NAME, "th").text
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        seen[name] = (float(cells[1]), float(cells[2]))
    assert set(seen) == set(GRADIENTS)
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
    assert browser.execute_script(pending) == ARTICLE_VALUES + 12  # everything waits for the forward pass
    browser.find_element(By.ID, "next").click()
    assert browser.execute_script(pending) == ARTICLE_VALUES + 12 - 1
    assert len(browser.find_elements(By.CSS_SELECTOR, "#graph g.node.current")) == 1
    for _ in range(ARTICLE_VALUES + 1):  # to the end of the forward pass, then the seed of the sweep
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

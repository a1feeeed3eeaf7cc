"""The step-through page as a lab (issue 19): every given number can be changed and the page recomputes
everything with the graph's generated JavaScript; Step and Train go on with gradient descent; the view
follows the steps at the three window sizes. In headless Chromium; any JavaScript error fails a test.

Expected numbers come from the engine itself run on the changed numbers (``nn`` with w5 = 0.5, ``nn.SGD``
for k steps) and from the article; the page's own text is compared with ``page_data``, the same text
written by Python's own number formatting (an independent writer of the same numbers).
"""

import io
import itertools
import math
import re
import time
from contextlib import redirect_stdout

import pytest
from selenium.webdriver.common.by import By
from test_stepthrough import (  # noqa: F401  (fixtures: the project's headless Chromium and its window)
    STEPS,
    article_page,
    browser,
    open_page,
    severe,
    table_of,
    window,
)

from autograd import Value, stepthrough_html, topological_order
from autograd.views.stepthrough import page_data, strings
from nn import SGD, article_inputs, article_network, article_weights, squared_error
from nn.cli import main

SIZES = [(1440, 900), (1024, 768), (400, 800)]
SHOWN = """return Array.from(document.querySelectorAll('#lines div'), (d) => d.textContent)"""


def engine_article(changes=(), steps=0, lr=0.05):
    """The article's network in ``nn`` with some weights changed, after ``steps`` of nn.SGD: (weights by
    name, their gradients at that point, out, E)."""
    model = article_network()
    weights = article_weights(model)
    for name, value in dict(changes).items():
        weights[name].data = value
    optimizer = SGD(model.parameters(), lr=lr)
    for _ in range(steps + 1):
        optimizer.zero_grad()
        out = model(article_inputs())
        error = squared_error(out, 1.0)
        error.backward()
        if _ < steps:
            optimizer.step()
    return {n: w.data for n, w in weights.items()}, {n: w.grad for n, w in weights.items()}, out.data, error.data


def type_into(driver, label, text):
    """Put ``text`` in the field named ``label`` at once (as a paste does: one input event)."""
    field = driver.find_element(By.CSS_SELECTOR, f'input[aria-label="{label}"]')
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", field, text
    )
    return field


def numbers(driver):
    return driver.execute_script("return window.stepthrough.state.numbers")


def test_the_page_writes_every_step_as_python_writes_it(browser, tmp_path):  # noqa: F811
    """At every step the script's text (numbers written by JavaScript) is page_data's (written by Python)."""
    page = article_page(network=True)
    expected = page_data(page)["steps"]
    open_page(browser, tmp_path, page)
    for k in range(STEPS):
        assert browser.execute_script(SHOWN) == expected[k]["lines"], expected[k]["title"]
        if k < STEPS - 1:
            browser.find_element(By.ID, "next").click()
    assert severe(browser) == []


def test_every_given_number_has_a_field_named_by_its_label(browser, tmp_path):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True))
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('#parameters input'), (i) => i.getAttribute('aria-label'))"
    )
    assert labels == ["i1", "i2", "target", "w1", "w2", "w3", "w4", "w5", "w6"]
    assert browser.find_element(By.ID, "rate").get_attribute("aria-label") == "learning rate"


def test_w5_at_one_half_recomputes_everything_as_nn_does(browser, tmp_path):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True))
    type_into(browser, "w5", "0.5")
    weights, grads, out, error = engine_article({"w5": 0.5})
    shown = numbers(browser)
    order = {node.label: k for k, node in enumerate(topological_order(_article_error()))}
    assert shown["v"][order["E"]] == error and shown["v"][order["out"]] == out  # bit for bit
    for name, grad in grads.items():
        assert shown["g"][order[name]] == grad, name
    assert browser.find_element(By.ID, "recorded").is_displayed()
    while browser.find_element(By.ID, "next").is_enabled():  # the text, the table and the views follow
        browser.find_element(By.ID, "next").click()
    table = table_of(browser)
    for name, grad in grads.items():
        assert table[name][1] == pytest.approx(grad, rel=1e-11), name
        assert table[name][2] == pytest.approx(weights[name] - 0.05 * grad, rel=1e-11), name
    assert table["w5"][0] == 0.5
    network = "return Array.from(document.querySelectorAll('#view-network text'), (t) => t.textContent)"
    texts = browser.execute_script(network)
    assert f"δ {out - 1.0:.7g}" in texts  # the network view recomputed too: out's δ for w5 = 0.5
    new_error = engine_article({"w5": 0.5}, steps=1)[3]  # E after one step of nn.SGD from w5 = 0.5
    assert f"E = {new_error:.12g} (was {error:.12g})" in browser.execute_script(SHOWN)
    assert severe(browser) == []


def test_back_to_the_recorded_numbers_restores_every_number(browser, tmp_path):  # noqa: F811
    page = article_page(network=True)
    open_page(browser, tmp_path, page)
    recorded = numbers(browser)
    type_into(browser, "w1", "0.3")
    assert numbers(browser) != recorded
    browser.find_element(By.ID, "recorded").click()
    assert numbers(browser) == recorded
    assert browser.find_element(By.CSS_SELECTOR, 'input[aria-label="w1"]').get_attribute("value") == "0.11"
    assert not browser.find_element(By.ID, "recorded").is_displayed()
    assert severe(browser) == []


def test_recomputing_the_recorded_numbers_gives_them_bit_for_bit(browser, tmp_path):  # noqa: F811
    """The script's own arithmetic (the lines' products and sums, the update, the new forward pass) on the
    generated function's numbers gives exactly the engine's recorded numbers."""
    open_page(browser, tmp_path, article_page(network=True))
    same = browser.execute_script(
        """const s = window.stepthrough.state;
           return JSON.stringify(window.stepthrough.computed(s.leaves, s.rate)) === JSON.stringify(s.numbers);"""
    )
    assert same


def test_text_that_is_not_a_number_is_refused_where_it_was_typed(browser, tmp_path):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True))
    before = numbers(browser)
    for text in ("abc", "1,5", "", "inf", "1e999"):
        field = type_into(browser, "w2", text)
        assert field.get_attribute("aria-invalid") == "true", text
        assert browser.find_element(By.ID, "edit-message").text, text
        assert numbers(browser) == before, text
    type_into(browser, "w2", "-.25e1")  # a number as a reader types one
    assert browser.find_element(By.CSS_SELECTOR, 'input[aria-label="w2"]').get_attribute("aria-invalid") is None
    assert severe(browser) == []


def test_a_number_outside_an_operations_domain_shows_the_engines_message_and_changes_nothing(browser, tmp_path):  # noqa: F811
    x = Value(2.0, "x")
    f = (x * 3.0).log()
    open_page(browser, tmp_path, stepthrough_html(f))
    before = numbers(browser)
    type_into(browser, "x", "-1")
    with pytest.raises(ValueError) as engine:  # the engine's own words for log(-3.0)
        (Value(-1.0) * 3.0).log()
    assert str(engine.value) in browser.find_element(By.ID, "edit-message").text
    assert numbers(browser) == before
    assert severe(browser) == []


@pytest.mark.parametrize("steps", [1, 10, 100])
def test_step_k_times_equals_nn_sgd_after_k_steps(browser, tmp_path, steps):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True))
    if steps < 100:
        for _ in range(steps):
            browser.find_element(By.ID, "train-step").click()
    else:
        browser.execute_script(f"for (let k = 0; k < {steps}; k++) window.stepthrough.trainOnce();")
    weights, _, _, error = engine_article(steps=steps)
    table = table_of(browser)
    shown = browser.execute_script("return window.stepthrough.state.leaves")
    for k, name in enumerate(["w1", "w2", "w3", "w4", "w5", "w6"]):
        assert shown[3 + k] == pytest.approx(weights[name], abs=1e-12), name
        assert table[name][0] == pytest.approx(weights[name], rel=1e-11), name
    curve = browser.find_elements(By.CSS_SELECTOR, "#loss-curve circle")
    assert len(curve) == steps + 1  # the loss before the first step and after each
    last = browser.execute_script("return arguments[0].querySelector('title').textContent", curve[-1])
    assert f"w5 = {weights['w5']:.12g} (∂ " in last  # each weight and its gradient, on hover
    status = browser.find_element(By.ID, "train-status").text
    assert float(status.rsplit("= ", 1)[1]) == pytest.approx(error, rel=1e-11)
    assert severe(browser) == []


def test_train_runs_steps_until_stopped(browser, tmp_path):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True))
    browser.find_element(By.ID, "train").click()
    browser.execute_script("document.getElementById('train-speed').value = 60")
    time.sleep(1.0)
    browser.find_element(By.ID, "train").click()
    taken = len(browser.find_elements(By.CSS_SELECTOR, "#loss-curve circle")) - 1
    assert taken >= 3
    losses = browser.execute_script("return window.stepthrough.state.history.map((h) => h.loss)")
    assert all(b < a for a, b in itertools.pairwise(losses))  # the article's error falls at a = 0.05
    assert severe(browser) == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_current_node_is_inside_the_drawing_at_every_step_of_both_views(browser, tmp_path, window, width, height):  # noqa: F811
    window(width, height)
    open_page(browser, tmp_path, article_page(network=True))
    inside = """
        const panel = document.querySelector('.drawing:not([hidden])').getBoundingClientRect();
        return Array.from(document.querySelectorAll('.drawing:not([hidden]) g.current'), (node) => {
            const r = node.getBoundingClientRect();
            return r.left >= panel.left - 0.5 && r.right <= panel.right + 0.5
                && r.top >= panel.top - 0.5 && r.bottom <= panel.bottom + 0.5;
        });"""
    for view in (0, 1):
        browser.find_element(By.ID, f"show-{view}").click()
        browser.find_element(By.ID, "reset").click()
        for _ in range(STEPS - 1):
            browser.find_element(By.ID, "next").click()
            title = browser.find_element(By.ID, "title").text
            assert all(browser.execute_script(inside)), (view, title)
            if width == 400:  # the arithmetic and Next on the first screen
                for element in ("lines", "next"):
                    r = browser.find_element(By.ID, element).rect
                    assert r["y"] >= 0 and r["y"] + r["height"] <= height, (element, title)
    smallest = """return Math.min(...Array.from(document.querySelectorAll('.drawing:not([hidden]) text'),
                     (t) => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""
    for view in (0, 1):
        browser.find_element(By.ID, f"show-{view}").click()
        browser.find_element(By.ID, "fit").click()
        assert browser.execute_script(smallest) >= 11 - 1e-9
    assert severe(browser) == []


def test_no_panel_overflows_at_step_0_at_1440_by_900(browser, tmp_path, window):  # noqa: F811
    window(1440, 900)
    open_page(browser, tmp_path, article_page(network=True))
    spilled = browser.execute_script(
        """return Array.from(document.querySelectorAll('.card, #head, #view'))
               .filter((p) => p.scrollWidth > p.clientWidth + 1 || p.scrollHeight > p.clientHeight + 1)
               .map((panel) => panel.id);"""
    )
    assert spilled == []
    assert severe(browser) == []


def _article_error():
    model = article_network()
    out = model(article_inputs())
    error = squared_error(out, Value(1.0, "target"))
    error.label = "E"
    return error


def test_the_article_graph_orders_its_nodes_as_the_page_does():
    # the page indexes nodes by topological_order; the helper above must build the same graph
    page = article_page(network=True)
    assert page_data(page)["rootName"] == "E"
    assert len(topological_order(_article_error())) == len(page_data(page)["values"]) == 21
    assert math.isclose(engine_article()[3], 0.3272405, rel_tol=1e-12)


# --- the quiz -------------------------------------------------------------------------------------


def test_the_quiz_hides_each_asked_number_and_says_right_or_shows_the_arithmetic(browser, tmp_path):  # noqa: F811
    open_page(browser, tmp_path, article_page(network=True, quiz=True))
    expected = page_data(article_page(network=True))["steps"]
    titles = [step["title"] for step in expected]
    while browser.find_element(By.ID, "title").text != "Forward: h1":
        browser.find_element(By.ID, "next").click()
    assert browser.execute_script(SHOWN) == []  # the arithmetic waits for the answer
    assert browser.execute_script("return document.querySelectorAll('#L1n0 text')[1].textContent") == "·"
    answer = browser.find_element(By.ID, "quiz-answer")
    answer.send_keys("0.850")  # h1 = 0.85, right to 3 significant digits
    browser.find_element(By.ID, "quiz-check").click()
    assert browser.find_element(By.ID, "quiz-verdict").get_attribute("class") == "verdict right"
    assert browser.execute_script(SHOWN) == expected[titles.index("Forward: h1")]["lines"]
    while browser.find_element(By.ID, "title").text != "Backward: through w5 * h1":
        browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "quiz-answer").send_keys("-0.687")  # ∂E/∂w5 = -0.68765: -0.688 to 3 digits
    browser.find_element(By.ID, "quiz-check").click()
    verdict = browser.find_element(By.ID, "quiz-verdict")
    assert verdict.get_attribute("class") == "verdict wrong" and "-0.68765" in verdict.text
    assert browser.execute_script(SHOWN) == expected[titles.index("Backward: through w5 * h1")]["lines"]
    while browser.find_element(By.ID, "next").is_enabled():
        browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "score").text == "Score: 1 of 2"
    assert severe(browser) == []


def test_the_quiz_asks_the_named_values_forward_and_every_backward_step():
    steps = page_data(article_page(quiz=True))["steps"]
    forward = [step["ask"][2] for step in steps if step["phase"] == "forward" and "ask" in step]
    assert forward == ["h1", "h2", "out", "E"]
    through = [step for step in steps if step["title"].startswith("Backward: through")]
    assert all("ask" in step for step in through) and len(through) == 12


# --- the readers' language ---------------------------------------------------------------------------


def test_both_languages_have_every_string_and_use_the_same_placeholders():
    english, japanese = strings("en"), strings("ja")
    assert set(english) == set(japanese)
    for key, text in english.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", japanese[key])), key
    with pytest.raises(ValueError, match="lang must be one of en, ja, not 'fr'"):
        strings("fr")


def test_the_japanese_page_says_so_and_steps_in_japanese(browser, tmp_path):  # noqa: F811
    page = article_page(network=True, lang="ja")
    assert '<html lang="ja">' in page
    open_page(browser, tmp_path, page)
    assert browser.find_element(By.ID, "next").text == "次へ ▶"
    browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "title").text == "順伝播: w1 * i1"
    assert browser.find_element(By.ID, "counter").text == f"ステップ 1 / {STEPS - 1}"
    assert severe(browser) == []


def test_demo_and_explain_write_the_page_in_the_language_and_with_the_quiz_asked_for(tmp_path):
    demo_page, explain_page = tmp_path / "demo.html", tmp_path / "explain.html"
    with redirect_stdout(io.StringIO()):
        assert main(["demo", "--html", str(demo_page), "--lang", "ja", "--quiz"]) == 0
        assert main(["explain", "tanh(x*w)", "x=2", "w=0.5", "--html", str(explain_page), "--lang", "ja"]) == 0
    for path, quiz in ((demo_page, True), (explain_page, False)):
        data = page_data(path.read_text(encoding="utf-8"))
        assert data["text"]["lang"] == "ja" and data["quiz"] is quiz
    assert '<html lang="en">' in article_page()  # English stays the default


def test_the_article_page_is_one_file_under_300_kb_that_fetches_nothing():
    page = article_page(network=True, quiz=True)
    assert len(page.encode("utf-8")) < 300_000
    for fetching in ("<link", " src=", "@import", "url(", "fetch(", "XMLHttpRequest", "<iframe", "import("):
        assert fetching not in page, fetching
    assert "function graph(leaves)" in page  # the generated function the page recomputes with

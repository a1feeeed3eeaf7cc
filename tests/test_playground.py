"""nn.playground: the page where a network learns a dataset in the plane, trained in the browser.

In headless Chromium (the step-through tests' browser), failing on any JavaScript error: the page's 20
epochs of SGD end at nn.fit's weights (bit for bit with relu and the hinge loss, within 1e-9 with tanh, and
measurably apart from 19 epochs', so the comparison can fail), for the model's own layers and for layers typed
into the page ([5, 3], which no page carried a replay for: the engine's twin builds any shape); its export is
an nn.save checkpoint that nn.load restores; a broken checkpoint, or layers it cannot build, are refused and
the model kept; moons reach 95% test accuracy within 10 s of play; it lays out at 1440x900, 1024x768 and
400x800. In Python: bad input named, the command line.
"""

import json
import math
import re
import struct
import time
import webbrowser

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_stepthrough import browser, severe, window  # noqa: F401  (the fixtures, shared with the other page)

import nn
from autograd import Value
from nn import cli
from nn.playground import binary_hinge_loss

WINDOWS = [(1440, 900), (1024, 768), (400, 800)]


def bits(numbers):
    return [struct.pack("<d", x) for x in numbers]


def moons_page(activation="relu", hidden=(8, 8), seed=0, model_seed=0, **options):
    model = nn.MLP(2, [*hidden, 1], activation=activation, seed=model_seed)
    data = nn.make_moons(200, seed=0)
    return model, data, nn.playground(model, data, name="moons", seed=seed, **options)


def fitted(activation, epochs, hidden=(8, 8), compiled=True, model_seed=0):
    """nn.fit's weights after ``epochs`` on the page's training part, with the page's seed and settings."""
    model = nn.MLP(2, [*hidden, 1], activation=activation, seed=model_seed)
    train, _ = nn.train_test_split(nn.make_moons(200, seed=0), 0.2, seed=0)
    nn.fit(
        model,
        binary_hinge_loss,
        train,
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=epochs,
        batch_size=10,
        seed=0,
        accuracy=False,
        progress=False,
        compiled=compiled,
    )
    return [p.data for p in model.parameters()]


def open_page(browser, tmp_path, page):  # noqa: F811
    path = page.save(tmp_path / "playground.html")
    browser.get(path.as_uri())
    browser.get_log("browser")


def click(browser, element_id, times=1):  # noqa: F811
    for _ in range(times):
        browser.find_element(By.ID, element_id).click()


def exported(browser):  # noqa: F811
    click(browser, "export")
    return json.loads(browser.find_element(By.ID, "checkpoint-text").get_attribute("value"))


def page_weights(browser, names):  # noqa: F811
    document = exported(browser)
    return [document["parameters"][name] for name in names]


def names_of(hidden=(8, 8), activation="relu"):
    return [name for name, _ in nn.MLP(2, [*hidden, 1], activation=activation).named_parameters()]


# --- Python: the loss, bad input, the page as a file ---------------------------------------------------------


def test_binary_hinge_loss_is_the_margin_of_the_class_as_plus_or_minus_one():
    assert binary_hinge_loss(Value(0.25), 1).data == 0.75  # 1 - (+1)(0.25)
    assert binary_hinge_loss(Value(0.25), 0).data == 1.25  # 1 - (-1)(0.25)
    assert binary_hinge_loss(Value(3.0), 1).data == 0.0
    with pytest.raises(ValueError, match="class 0 or 1"):
        binary_hinge_loss(Value(1.0), -1)


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (nn.MLP(2, [4, 1]), nn.Dataset([[1.0, 2.0, 3.0]], [0]), "2 numbers each, not 3"),
        (nn.MLP(2, [4, 1]), nn.Dataset([[1.0]], [1]), "2 numbers each, not 1"),
        (nn.MLP(3, [4, 1]), nn.make_moons(8), "must read 2 inputs"),
        (nn.MLP(2, [4, 2]), nn.make_moons(8), "one linear neuron"),
        (nn.MLP(2, [4, 1], output_activation="tanh"), nn.make_moons(8), "one linear neuron"),
        (nn.MLP(2, [4, 1]), nn.Dataset([[0.0, 1.0]], [2]), "classes 0 and 1, not 2"),
        (nn.MLP(2, [4, 1], bias=False), nn.make_moons(8), "biases"),
    ],
)
def test_bad_input_is_named(model, data, message):
    with pytest.raises(ValueError, match=message):
        nn.playground(model, data)


def test_bad_arguments_are_named():
    model, data = nn.MLP(2, [2, 1]), nn.make_moons(8)
    with pytest.raises(TypeError, match=r"nn\.MLP, not Neuron"):
        nn.playground(nn.Neuron(2), data)
    with pytest.raises(TypeError, match=r"nn\.Dataset, not list"):
        nn.playground(model, [[0.0, 1.0]])
    for options, message in (({"learning_rate": 0}, "learning_rate"), ({"batch_size": 0}, "batch_size")):
        with pytest.raises(ValueError, match=message):
            nn.playground(model, data, **options)


def test_the_page_is_one_self_contained_file(tmp_path):
    _, _, page = moons_page()
    html = page.html
    assert "<script src" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html and "{{" not in html
    assert page.save(tmp_path / "p.html").read_text(encoding="utf-8") == html
    inline = page._repr_html_()
    assert inline.startswith("<iframe srcdoc=") and "sandbox=" in inline
    # the engine's twin, once: no replay generated per architecture
    assert html.count("const twin = ") == 1 and "function replay(" not in html


def test_the_page_is_the_same_size_whatever_the_models_shape():
    data = nn.make_xor(40)
    pages = [nn.playground(nn.MLP(2, [*hidden, 1], activation="tanh", seed=0), data).html for hidden in ((), (16, 16))]
    assert abs(len(pages[1]) - len(pages[0])) < 10_000  # the parameters' numbers differ, nothing else grows
    assert all(len(page) < 150_000 for page in pages)


# --- the command line ------------------------------------------------------------------------------------


def test_the_command_writes_the_page_and_says_it_did_not_open_it(tmp_path, capsys):
    out = tmp_path / "xor.html"
    status = cli.main(["playground", "xor", "--hidden", "4", "--activation", "tanh", "--out", str(out), "--no-open"])
    said = capsys.readouterr().out
    assert status == 0 and out.exists()
    assert f"wrote {out}: MLP(2, 4, 1), tanh, on 200 xor points" in said
    assert f"not opened (--no-open): open {out.resolve().as_uri()} in a browser" in said


@pytest.mark.parametrize(
    ("opener", "said"),
    [
        (lambda uri: True, "opened file://"),
        (lambda uri: False, "could not open a browser (no browser was found to open it): open file://"),
        (lambda uri: (_ for _ in ()).throw(webbrowser.Error("no display")), "could not open a browser (no display)"),
    ],
)
def test_opening_a_browser_says_what_it_did_or_could_not_do(tmp_path, capsys, monkeypatch, opener, said):
    monkeypatch.setattr(webbrowser, "open", opener)
    assert cli.main(["playground", "--out", str(tmp_path / "p.html")]) == 0
    assert said in capsys.readouterr().out


@pytest.mark.parametrize("hidden", ["8,x", "0", "1,2,3,4,5"])
def test_bad_hidden_layers_are_refused_with_the_reason(hidden, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["playground", "--hidden", hidden, "--no-open"])
    assert exit.value.code == 2 and "--hidden" in capsys.readouterr().err


# --- in the browser ----------------------------------------------------------------------------------------


def test_twenty_epochs_in_the_page_end_at_nn_fits_weights_bit_for_bit_with_relu(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page("relu")
    open_page(browser, tmp_path, page)
    click(browser, "step", 20)
    assert browser.find_element(By.ID, "epoch").text == "20"
    got = page_weights(browser, names_of())
    assert bits(got) == bits(fitted("relu", 20)) == bits(fitted("relu", 20, compiled=False))
    assert bits(got) != bits(fitted("relu", 19))
    assert severe(browser) == []


def test_twenty_epochs_in_the_page_end_within_1e_9_of_nn_fit_with_tanh(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page("tanh")
    open_page(browser, tmp_path, page)
    click(browser, "step", 20)
    got, expected = page_weights(browser, names_of(activation="tanh")), fitted("tanh", 20)
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= 1e-9
    assert max(abs(a - b) for a, b in zip(got, fitted("tanh", 19), strict=True)) > 1e-4
    assert severe(browser) == []


def test_the_export_is_a_checkpoint_nn_load_restores(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page("tanh", learning_rate=0.3)
    open_page(browser, tmp_path, page)
    click(browser, "step", 3)
    document = exported(browser)
    path = tmp_path / "exported.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    model, optimizer = nn.load(path)
    assert model.architecture() == nn.MLP(2, [8, 8, 1], activation="tanh").architecture()
    assert bits([p.data for p in model.parameters()]) == bits([document["parameters"][n] for n in names_of()])
    assert isinstance(optimizer, nn.SGD) and optimizer.lr == 0.3
    assert browser.find_element(By.ID, "download").get_attribute("href").startswith("blob:")
    assert severe(browser) == []


def test_a_checkpoint_from_python_loads_into_the_page(browser, tmp_path):  # noqa: F811
    saved = nn.MLP(2, [4, 1], activation="tanh", seed=9)
    path = tmp_path / "saved.json"
    nn.save(saved, path)
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    browser.find_element(By.ID, "checkpoint-text").clear()
    browser.execute_script("document.getElementById('checkpoint-text').value = arguments[0]", path.read_text())
    click(browser, "import")
    assert "Loaded" in browser.find_element(By.ID, "checkpoint-message").text
    assert browser.find_element(By.ID, "hidden").get_attribute("value") == "4"
    assert bits(page_weights(browser, names_of((4,), "tanh"))) == bits([p.data for p in saved.parameters()])
    assert severe(browser) == []


@pytest.mark.parametrize(
    ("breakage", "said"),
    [
        (lambda d: "{ not json", "not JSON"),
        (lambda d: {**d, "format": "something else"}, "not a micro-autograd checkpoint"),
        (lambda d: {**d, "parameters": {**d["parameters"], "layers.0.neurons.0.bias": "NaN"}}, "not a finite number"),
        (lambda d: {**d, "parameters": {**d["parameters"], "extra": 1.0}}, "parameters this model has not"),
        (lambda d: {**d, "model": {**d["model"], "type": "Layer"}}, "not an MLP"),
    ],
)
def test_a_broken_checkpoint_is_refused_and_the_model_kept(browser, tmp_path, breakage, said):  # noqa: F811
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    click(browser, "step", 2)
    before = exported(browser)
    broken = breakage(before)
    text = broken if isinstance(broken, str) else json.dumps(broken)
    browser.execute_script("document.getElementById('checkpoint-text').value = arguments[0]", text)
    click(browser, "import")
    message = browser.find_element(By.ID, "checkpoint-message")
    assert "Not loaded, the model is unchanged" in message.text and said in message.text
    assert "error" in message.get_attribute("class")
    assert exported(browser)["parameters"] == before["parameters"]
    assert browser.find_element(By.ID, "epoch").text == "2"
    assert severe(browser) == []


def test_reset_and_another_architecture_start_from_nn_mlps_weights(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page(model_seed=5, seed=0)
    open_page(browser, tmp_path, page)
    click(browser, "step", 2)
    click(browser, "reset")
    expected = nn.MLP(2, [8, 8, 1], seed=0).parameters()
    assert bits(page_weights(browser, names_of())) == bits([p.data for p in expected])
    browser.find_element(By.CSS_SELECTOR, "#activation option[value='tanh']").click()
    type_hidden(browser, "4")
    expected = nn.MLP(2, [4, 1], activation="tanh", seed=0).parameters()
    assert bits(page_weights(browser, names_of((4,), "tanh"))) == bits([p.data for p in expected])
    assert len(browser.find_elements(By.CSS_SELECTOR, ".neuron")) == 2 + 4 + 1
    assert severe(browser) == []


def type_hidden(browser, text):  # noqa: F811
    field = browser.find_element(By.ID, "hidden")
    field.send_keys(Keys.CONTROL, "a")  # (not clear(): that is a change of its own, to no hidden layer)
    field.send_keys(text + Keys.ENTER)


@pytest.mark.parametrize(("activation", "tolerance"), [("relu", 0.0), ("tanh", 1e-9)])
def test_layers_typed_into_the_page_train_to_nn_fits_weights(browser, tmp_path, activation, tolerance):  # noqa: F811
    """[5, 3] was in no page's set of replays: the page builds it with the engine's twin and, after 20 epochs, is at
    nn.fit's weights for MLP(2, [5, 3, 1], seed=0) (bit for bit with relu, within 1e-9 with tanh)."""
    _, _, page = moons_page("relu", hidden=(8,))
    open_page(browser, tmp_path, page)
    browser.find_element(By.CSS_SELECTOR, f"#activation option[value='{activation}']").click()
    type_hidden(browser, "5,3")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".neuron")) == 2 + 5 + 3 + 1
    click(browser, "step", 20)
    got = page_weights(browser, names_of((5, 3), activation))
    expected = fitted(activation, 20, hidden=(5, 3))
    if tolerance:
        assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= tolerance
    else:
        assert bits(got) == bits(expected) == bits(fitted(activation, 20, hidden=(5, 3), compiled=False))
    assert max(abs(a - b) for a, b in zip(got, fitted(activation, 19, hidden=(5, 3)), strict=True)) > 1e-4
    document = tmp_path / "exported.json"
    document.write_text(json.dumps(exported(browser)), encoding="utf-8")
    loaded, _ = nn.load(document)
    assert loaded.architecture() == nn.MLP(2, [5, 3, 1], activation=activation).architecture()
    assert bits([p.data for p in loaded.parameters()]) == bits(got)
    assert severe(browser) == []


@pytest.mark.parametrize(("text", "said"), [("8,x", "whole numbers"), ("0", "1 to 16"), ("1,2,3,4,5", "at most 4")])
def test_layers_the_page_cannot_build_are_refused_and_the_model_kept(browser, tmp_path, text, said):  # noqa: F811
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    click(browser, "step", 2)
    before = exported(browser)
    type_hidden(browser, text)
    message = browser.find_element(By.ID, "architecture-message")
    assert "Not built, the model is unchanged" in message.text and said in message.text
    assert exported(browser)["parameters"] == before["parameters"]
    assert browser.find_element(By.ID, "epoch").text == "2"
    assert severe(browser) == []


def test_play_trains_moons_to_95_percent_test_accuracy_within_10_seconds(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    click(browser, "play")
    start, accuracy = time.monotonic(), 0.0
    while time.monotonic() - start < 10 and accuracy < 0.95:
        time.sleep(0.2)
        accuracy = float(browser.find_element(By.ID, "test-accuracy").text.rstrip("%")) / 100
    click(browser, "play")
    assert accuracy >= 0.95
    assert int(browser.find_element(By.ID, "epoch").text) > 0
    assert severe(browser) == []


def test_clicking_a_neuron_shows_its_output_and_the_chain_rules_products(browser, tmp_path):  # noqa: F811
    model, data, page = moons_page("tanh")
    open_page(browser, tmp_path, page)
    browser.find_elements(By.CSS_SELECTOR, ".neuron")[2 + 1].click()  # layer 1, neuron 2
    train, _ = nn.train_test_split(data, 0.2, seed=0)
    x = train.inputs[0]
    expected = model.layers[0].neurons[1](x)
    text = browser.find_element(By.ID, "inspector").text
    assert "layer 1, neuron 2" in text and f"output {expected.data:.5f}" in text
    loss = binary_hinge_loss(model(x), train.targets[0])
    loss.backward()
    w1 = model.layers[0].neurons[1].weights[0]
    assert f"= {w1.grad:.5f}" in text and f"{x[0]:.4f} \N{MULTIPLICATION SIGN}" in text
    assert severe(browser) == []


def test_hovering_a_weight_shows_its_value_and_gradient(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    click(browser, "step")
    lines = browser.find_elements(By.CSS_SELECTOR, "#weights line")
    line = max(lines, key=lambda line: float(line.get_attribute("stroke-width")))  # the easiest to point at
    x, y = ((float(line.get_attribute(f"{a}1")) + float(line.get_attribute(f"{a}2"))) / 2 for a in "xy")
    network = browser.find_element(By.ID, "network")
    box = network.rect
    ActionChains(browser).move_to_element_with_offset(network, x - box["width"] / 2, y - box["height"] / 2).perform()
    info = browser.find_element(By.ID, "weight-info").text
    assert re.fullmatch(r"layers\.\d\.neurons\.\d\.weights\.\d = -?\d\.\d{4}, gradient -?\d\.\d{5}", info), info


@pytest.mark.parametrize(("width", "height"), WINDOWS)
def test_the_page_lays_out_at_every_window_size(browser, tmp_path, window, width, height):  # noqa: F811
    window(width, height)
    _, _, page = moons_page()
    open_page(browser, tmp_path, page)
    click(browser, "step", 5)
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    for element in browser.find_elements(By.CSS_SELECTOR, ".neuron, #output, #play, #export"):
        box = element.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, element.get_attribute("outerHTML")[:80]
    coloured = browser.execute_script(
        "const c = document.querySelectorAll('.neuron')[3], d = c.getContext('2d').getImageData(0, 0, 40, 40).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 2] < 250) n++; return n;"
    )
    assert coloured > 0  # a hidden neuron's heatmap is not blank
    (tmp_path / f"playground-{width}x{height}.png").write_bytes(browser.get_screenshot_as_png())
    assert severe(browser) == []
    assert math.isfinite(float(browser.find_element(By.ID, "test-loss").text))


def test_the_inline_page_works_inside_a_notebooks_sandboxed_frame(browser, tmp_path):  # noqa: F811
    _, _, page = moons_page()
    document = tmp_path / "notebook.html"
    document.write_text(f"<!DOCTYPE html><html><body><div>{page._repr_html_()}</div></body></html>", encoding="utf-8")
    browser.get(document.as_uri())
    browser.get_log("browser")
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        click(browser, "step", 3)
        assert browser.find_element(By.ID, "epoch").text == "3"
        assert bits(page_weights(browser, names_of())) == bits(fitted("relu", 3))
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    finally:
        browser.switch_to.default_content()
    assert severe(browser) == []

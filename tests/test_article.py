"""The reference article's numbers (../shared/article.md), reproduced by the engine to 1e-12."""

import pytest

from autograd import Value
from nn import SGD, article_inputs, article_network, article_weights, squared_error

TOLERANCE = 1e-12

# The article's table, in full precision (independent of the engine: computed by the article's author).
FORWARD = {"h1": 0.85, "h2": 0.48, "out": 0.191}
ERROR = 0.3272405
DELTA = -0.809
GRADIENTS = {"w1": -0.22652, "w2": -0.33978, "w3": -0.2427, "w4": -0.36405, "w5": -0.68765, "w6": -0.38832}
UPDATED = {"w1": 0.121326, "w2": 0.226989, "w3": 0.132135, "w4": 0.0982025, "w5": 0.1743825, "w6": 0.169416}
OUT_AFTER_ONE_STEP = 0.2557457808075
ERROR_AFTER_ONE_STEP = 0.2769571713929189
OUT_SECOND_STEP = 0.33231393006896615
ERROR_SECOND_STEP = 0.22290234398997472


def forward(model):
    prediction = model(article_inputs())
    assert isinstance(prediction, Value)
    return prediction, squared_error(prediction, 1.0)


def labelled(root, label):
    from autograd import topological_order

    (node,) = [n for n in topological_order(root) if n.label == label]
    return node


def test_forward_values_and_error():
    prediction, error = forward(article_network())
    for name, expected in FORWARD.items():
        assert labelled(error, name).data == pytest.approx(expected, abs=TOLERANCE)
    assert prediction.data - 1.0 == pytest.approx(DELTA, abs=TOLERANCE)
    assert error.data == pytest.approx(ERROR, abs=TOLERANCE)


def test_all_six_gradients():
    model = article_network()
    _, error = forward(model)
    error.backward()
    for name, weight in article_weights(model).items():
        assert weight.grad == pytest.approx(GRADIENTS[name], abs=TOLERANCE), name


def test_gradients_equal_the_articles_closed_forms():
    model = article_network()
    _, error = forward(model)
    error.backward()
    w = {name: weight.data for name, weight in article_weights(model).items()}
    grads = {name: weight.grad for name, weight in article_weights(model).items()}
    i1, i2 = 2.0, 3.0
    h1, h2 = i1 * w["w1"] + i2 * w["w2"], i1 * w["w3"] + i2 * w["w4"]
    delta = h1 * w["w5"] + h2 * w["w6"] - 1.0
    closed_form = {
        "w6": delta * h2,
        "w5": delta * h1,
        "w4": delta * w["w6"] * i2,
        "w3": delta * w["w6"] * i1,
        "w2": delta * w["w5"] * i2,
        "w1": delta * w["w5"] * i1,
    }
    for name, expected in closed_form.items():
        assert grads[name] == pytest.approx(expected, abs=TOLERANCE), name


def test_one_step_of_gradient_descent_and_the_new_prediction():
    model = article_network()
    optimizer = SGD(model.parameters(), lr=0.05)
    _, error = forward(model)
    error.backward()
    optimizer.step()
    for name, weight in article_weights(model).items():
        assert weight.data == pytest.approx(UPDATED[name], abs=TOLERANCE), name
    prediction, error = forward(model)
    assert prediction.data == pytest.approx(OUT_AFTER_ONE_STEP, abs=TOLERANCE)
    assert error.data == pytest.approx(ERROR_AFTER_ONE_STEP, abs=TOLERANCE)


def test_second_step_of_a_training_loop():
    model = article_network()
    optimizer = SGD(model.parameters(), lr=0.05)
    seen = []
    for _ in range(3):
        prediction, error = forward(model)
        seen.append((prediction.data, error.data))
        optimizer.zero_grad()
        error.backward()
        optimizer.step()
    assert seen[0] == pytest.approx((0.191, ERROR), abs=TOLERANCE)
    assert seen[1] == pytest.approx((OUT_AFTER_ONE_STEP, ERROR_AFTER_ONE_STEP), abs=TOLERANCE)
    assert seen[2] == pytest.approx((OUT_SECOND_STEP, ERROR_SECOND_STEP), abs=TOLERANCE)


def test_matrix_form_of_the_update():
    """[w5 w6] -= a*delta*[h1 h2]; [[w1 w3],[w2 w4]] -= a*delta*[i1 i2]^T [w5 w6]."""
    model = article_network()
    optimizer = SGD(model.parameters(), lr=0.05)
    _, error = forward(model)
    error.backward()
    optimizer.step()
    a, delta, (h1, h2), (i1, i2) = 0.05, DELTA, (0.85, 0.48), (2.0, 3.0)
    w5, w6 = 0.14, 0.15
    updated = {name: weight.data for name, weight in article_weights(model).items()}
    assert updated["w5"] == pytest.approx(w5 - a * delta * h1, abs=TOLERANCE)
    assert updated["w6"] == pytest.approx(w6 - a * delta * h2, abs=TOLERANCE)
    outer = {"w1": i1 * w5, "w3": i1 * w6, "w2": i2 * w5, "w4": i2 * w6}
    start = {"w1": 0.11, "w2": 0.21, "w3": 0.12, "w4": 0.08}
    for name, product in outer.items():
        assert updated[name] == pytest.approx(start[name] - a * delta * product, abs=TOLERANCE), name

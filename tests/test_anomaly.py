"""detect_anomaly(): the first NaN or infinity raises, naming the operation and its inputs.

The model is ``torch.autograd.detect_anomaly``; without it, NaN and infinity
flow through silently as IEEE arithmetic (and PyTorch) have them.
"""

import math
import re

import pytest
import torch

import nn
from autograd import AnomalyError, AutogradError, Value, detect_anomaly, grad, is_anomaly_enabled, no_grad
from autograd.grad_mode import RECORD, current_mode


def raised_by(action):
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        action()
    return str(caught.value)


def test_forward_anomaly_names_the_operation_its_inputs_labels_and_values():
    a, b = Value(1e200, "a"), Value(1e200, "b")
    message = raised_by(lambda: a * b)
    assert message == "detect_anomaly: * produced inf from x = 1e+200 (label 'a'), y = 1e+200 (label 'b')"


def test_forward_anomaly_names_plain_numbers_and_unlabelled_inputs():
    x = Value(1e300, "x")
    assert "x = 1e+300 (label 'x'), y = 1e+300 (a plain number)" in raised_by(lambda: x * 1e300)
    y = Value(5e-324) + 0.0  # an unlabelled result
    assert "x = 2.0 (a plain number), y = 5e-324 (an unlabelled + result)" in raised_by(lambda: 2.0 / y)


def test_nan_is_caught_where_it_first_appears():
    x = Value(math.inf, "x")  # a leaf may hold infinity; the first operation on it is where it spreads
    message = raised_by(lambda: x - x)
    assert message.startswith("detect_anomaly: - produced nan from x = inf (label 'x')")


def test_anomaly_error_is_a_floating_point_error_and_an_autograd_error():
    with detect_anomaly(), pytest.raises(FloatingPointError):
        Value(1e308, "big") * 10
    assert issubclass(AnomalyError, AutogradError)


def test_outside_the_block_nan_and_infinity_flow_silently_as_in_ieee_arithmetic():
    assert (Value(1e200) * Value(1e200)).data == 1e200 * 1e200 == math.inf
    assert current_mode() is RECORD  # the default mode object: operations pay one identity test


def test_the_default_mode_comes_back_after_the_block_even_after_an_error():
    with pytest.raises(AnomalyError), detect_anomaly():
        assert is_anomaly_enabled() and current_mode() is not RECORD
        Value(1e308) * 10
    assert not is_anomaly_enabled() and current_mode() is RECORD


def test_it_nests_with_no_grad_and_works_as_a_decorator():
    @detect_anomaly()
    def overflow():
        with no_grad():
            return Value(1e308, "w") * 10

    with pytest.raises(AnomalyError, match="label 'w'"):
        overflow()
    with no_grad(), detect_anomaly():
        assert is_anomaly_enabled()
        assert (Value(2.0) * Value(3.0)).is_leaf  # no_grad still holds inside


def test_backward_anomaly_names_the_operation_the_node_and_the_input_and_changes_no_grad():
    x = Value(0.0, "x")
    x.grad = 0.5  # an earlier gradient, to be kept
    y = x.sqrt()
    y.label = "y"
    z = y * 3.0
    message = raised_by(z.backward)
    assert message == (
        "detect_anomaly: in backward, sqrt(0.0) (label 'y') made the gradient of its input x = 0.0 (label 'x') inf:"
        " local derivative inf times incoming gradient 3.0"
    )
    assert (x.grad, y.grad, z.grad) == (0.5, 0.0, 0.0)


def test_without_the_block_backward_gives_pytorchs_infinity_and_nan():
    def engine(scale):
        x = Value(0.0)
        (x.sqrt() * scale).backward()
        return x.grad

    def pytorch(scale):
        x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        (x.sqrt() * scale).backward()
        return x.grad.item()

    assert engine(3.0) == pytorch(3.0) == math.inf
    assert math.isnan(engine(0.0)) and math.isnan(pytorch(0.0))  # 0 * inf
    x = Value(0.0, "x")
    assert "nan" in raised_by(lambda: (x.sqrt() * 0.0).backward())


def test_a_second_backward_that_accumulates_a_finite_gradient_into_inf_raises_and_changes_no_grad():
    w = Value(2.0, "w")
    loss = w * 1e308  # d(loss)/dw = 1e308: finite
    loss.backward()
    assert w.grad == 1e308
    message = raised_by(loss.backward)  # a second call would make w.grad 1e308 + 1e308 = inf
    assert message == (
        "detect_anomaly: in backward, adding the gradient 1e+308 of label 'w' to its .grad 1e+308 would make it inf"
    )
    assert (w.grad, loss.grad) == (1e308, 1.0)
    x = Value(1.0, "x")
    x.grad = -math.inf  # a .grad already infinite: the result is infinite too, and is refused the same way
    assert "would make it -inf" in raised_by((x * 2.0).backward)
    assert x.grad == -math.inf
    with detect_anomaly():  # grad() adds to no .grad: only its own gradients are checked
        assert grad(loss, [w]) == [1e308] and grad(x * 2.0, [x]) == [2.0]


def test_grad_is_checked_too():
    x = Value(0.0, "x")
    assert "sqrt(0.0)" in raised_by(lambda: grad(x.sqrt(), [x]))


def test_a_diverging_training_run_is_stopped_at_its_first_overflow_with_finite_weights():
    # Without the check: note the step at which a non-finite number first appears anywhere.
    model = nn.article_network()
    optimizer = nn.SGD(model.parameters(), lr=2.0)
    first_bad_step, weights_then = None, None
    for step in range(50):
        weights_before = model.state_dict()
        error = nn.squared_error(model(nn.article_inputs()), 1.0)
        optimizer.zero_grad()
        error.backward()
        if not all(math.isfinite(w.grad) for w in model.parameters()) or not math.isfinite(error.data):
            first_bad_step, weights_then = step, weights_before
            break
        optimizer.step()
    assert first_bad_step is not None

    model = nn.article_network()
    optimizer = nn.SGD(model.parameters(), lr=2.0)
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        for step in range(50):  # noqa: B007 - the step it stopped at is checked below
            error = nn.squared_error(model(nn.article_inputs()), 1.0)
            optimizer.zero_grad()
            error.backward()
            optimizer.step()
    assert step == first_bad_step
    assert model.state_dict() == weights_then  # every weight finite, exactly as before the bad step
    # The culprit is out = h1*w5 + h2*w6: the first product overflows. Its numbers are the plain run's.
    found = re.fullmatch(
        r"detect_anomaly: \* produced -?inf from x = (\S+) \(label 'w5'\), y = (\S+) \(label 'h1'\)", str(caught.value)
    )
    assert found, str(caught.value)
    w5, h1 = float(found[1]), float(found[2])
    w = nn.article_weights(model)
    assert w5 == w["w5"].data and h1 == 2.0 * w["w1"].data + 3.0 * w["w2"].data
    assert math.isfinite(w5) and math.isfinite(h1) and math.isinf(w5 * h1)


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), lambda ps: nn.Adam(ps, lr=0.1)])
def test_optimizer_step_is_all_or_nothing_under_anomaly(make):
    parameters = [Value(1.0, "p0"), Value(2.0, "p1"), Value(3.0, "p2")]
    optimizer = make(parameters)
    for parameter in parameters:
        parameter.grad = 0.25
    optimizer.step()  # some running state (momentum, moments, step count) to protect
    before = ([p.data for p in parameters], optimizer.state_dict())
    parameters[0].grad, parameters[1].grad, parameters[2].grad = 0.5, math.nan, 0.5
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"gradient of parameter 1 \('p1'\) is nan"):
        optimizer.step()
    assert ([p.data for p in parameters], optimizer.state_dict()) == before
    optimizer.step()  # outside the block the step goes ahead, NaN and all, as in PyTorch
    assert math.isnan(parameters[1].data) and parameters[0].data != before[0][0]


def test_optimizer_refuses_an_update_that_would_overflow_a_parameter():
    parameter = Value(1e300, "huge")
    parameter.grad = -1e300
    optimizer = nn.SGD([parameter], lr=1e10)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"updated value of parameter 0 \('huge'\) is inf"):
        optimizer.step()
    assert parameter.data == 1e300

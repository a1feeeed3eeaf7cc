"""softmax, log_softmax, cross_entropy (against PyTorch in float64: values and gradients), and the
classification metrics (against hand-counted examples and scikit-learn)."""

import math
import random

import pytest
import torch

from autograd import Value
from nn import MLP, accuracy, argmax, confusion_matrix, cross_entropy, log_softmax, predict, softmax

torch.set_num_threads(1)

LOGITS = [
    [0.0],
    [1.0, 2.0, 3.0],
    [0.5, 0.5, 0.5, 0.5],
    [-3.2, 0.1, 4.7, 2.2, -0.9],
    [1000.0, 0.0, -1000.0],
    [-1000.0, -1000.0],
    [1000.0, 999.0, 998.5],
    [-1000.0, 1000.0, 3.0, -2.0],
    [1e-8, -1e-8, 30.0, 700.0, -745.0],
]


def engine_and_torch(function, torch_function, logits, upstream):
    """Apply both to the logits, backpropagate sum(upstream * outputs); (values, grads) of each."""
    values = [Value(x) for x in logits]
    outputs = function(values)
    total = sum((g * o for g, o in zip(upstream, outputs, strict=True)), Value(0.0))
    total.backward()
    tensor = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    reference = torch_function(tensor, dim=0)
    (reference * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    return ([o.data for o in outputs], [v.grad for v in values]), (reference.tolist(), tensor.grad.tolist())


def close(ours, theirs, tolerance=1e-12):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert math.isfinite(a), (ours, theirs)
        assert a == pytest.approx(b, rel=tolerance, abs=tolerance), (ours, theirs)


@pytest.mark.parametrize("logits", LOGITS)
@pytest.mark.parametrize(
    ("function", "torch_function"), [(softmax, torch.softmax), (log_softmax, torch.log_softmax)], ids=["softmax", "log"]
)
def test_softmax_and_log_softmax_match_pytorch_in_values_and_gradients(logits, function, torch_function):
    upstream = [random.Random(len(logits)).uniform(-2, 2) for _ in logits]
    (values, grads), (reference_values, reference_grads) = engine_and_torch(function, torch_function, logits, upstream)
    close(values, reference_values)
    close(grads, reference_grads)


@pytest.mark.parametrize("logits", LOGITS)
def test_cross_entropy_matches_pytorch_in_value_and_gradient_for_every_target(logits):
    for target in range(len(logits)):
        values = [Value(x) for x in logits]
        loss = cross_entropy(values, target)
        loss.backward()
        tensor = torch.tensor([logits], dtype=torch.float64, requires_grad=True)
        reference = torch.nn.functional.cross_entropy(tensor, torch.tensor([target]))
        reference.backward()
        close([loss.data], [reference.item()])
        close([v.grad for v in values], tensor.grad[0].tolist())


def test_logits_of_plus_minus_1000_neither_overflow_nor_lose_the_answer():
    # exp(1000) overflows a float; the shifted forms never compute it.
    with pytest.raises(OverflowError):
        Value(1000.0).exp()
    loss = cross_entropy([Value(1000.0), Value(-1000.0)], 1)
    assert loss.data == 2000.0  # log(exp(0) + exp(-2000)) - (-1000 - 1000): exactly 2000 in floats
    assert [p.data for p in softmax([1000.0, -1000.0])] == [1.0, 0.0]
    assert [p.data for p in log_softmax([1000.0, -1000.0])] == [0.0, -2000.0]


def test_plain_numbers_are_accepted_as_logits():
    expected = -math.log(math.exp(3) / (math.e + math.e**2 + math.e**3))
    assert cross_entropy([1.0, 2, 3.0], 2).data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("logits", "target", "error", "message"),
    [
        ([1.0, 2.0], 2, ValueError, "not one of the 2 classes"),
        ([1.0, 2.0], -1, ValueError, "not one of the 2 classes"),
        ([1.0, 2.0], True, TypeError, "class index"),
        ([1.0, 2.0], 1.0, TypeError, "class index"),
        ([], 0, ValueError, "cross_entropy: needs one logit per class"),
        (None, 0, ValueError, "cross_entropy: needs one logit per class"),
        (5.0, 0, ValueError, "cross_entropy: needs one logit per class"),
        (iter([1.0, 2.0]), 0, ValueError, "cross_entropy: needs one logit per class"),
    ],
)
def test_cross_entropy_refuses_a_bad_target_clearly(logits, target, error, message):
    with pytest.raises(error, match=message):
        cross_entropy(logits, target)


def test_a_numpy_array_of_logits_is_read_as_a_list_of_numbers():
    np = pytest.importorskip("numpy")
    logits = [-3.2, 0.1, 4.7, 2.2, -0.9]
    expected = torch.nn.functional.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([2]))
    assert cross_entropy(np.array(logits), 2).data == pytest.approx(expected.item(), rel=1e-12)
    close(
        [p.data for p in softmax(np.array(logits))],
        torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).tolist(),
    )


def test_softmax_refuses_no_logits_and_a_single_value():
    with pytest.raises(ValueError, match="softmax: needs one logit per class"):
        softmax([])
    with pytest.raises(ValueError, match="log_softmax: needs one logit per class"):
        log_softmax(Value(1.0))  # type: ignore[arg-type]


def test_argmax_takes_the_first_of_equal_scores_as_torch_does():
    for scores in ([0.5, 0.5], [1.0, 3.0, 3.0, 2.0], [-1.0], [2.0, -5.0, 2.0]):
        assert argmax(scores) == torch.argmax(torch.tensor(scores)).item()
    assert argmax([Value(0.1), Value(0.7), Value(0.2)]) == 1


def test_argmax_takes_a_nan_score_as_the_largest_as_torch_and_numpy_do():
    nan = math.nan
    for scores in ([1.0, nan, 0.0], [nan, 3.0, nan], [2.0, 5.0, nan, 7.0], [0.0, -math.inf, nan]):
        assert argmax(scores) == torch.argmax(torch.tensor(scores, dtype=torch.float64)).item(), scores


def test_accuracy_counts_the_samples_whose_largest_output_is_their_target():
    outputs = [[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]]
    # by hand: class 1 (right), class 0 (right), class 1 (wrong: 0), a tie read as class 0 (right)
    assert accuracy(outputs, [1, 0, 0, 0]) == 3 / 4
    assert accuracy([[Value(2.0), Value(1.0), Value(0.0)]], [0]) == 1.0
    with pytest.raises(ValueError, match="as many outputs as targets"):
        accuracy(outputs, [1, 0])


def test_predict_gives_each_input_its_largest_output_and_records_no_graph():
    model = MLP(3, [4, 3], seed=2)
    inputs = [[0.1, -0.2, 0.3], [1.0, 0.5, -1.5], [0.0, 0.0, 2.0]]
    expected = [max(range(3), key=[o.data for o in model(x)].__getitem__) for x in inputs]
    assert predict(model, inputs) == expected
    assert all(p.grad == 0.0 for p in model.parameters())


def test_confusion_matrix_matches_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(5)
    targets = [rng.randrange(4) for _ in range(50)]
    predictions = [t if rng.random() < 0.6 else rng.randrange(4) for t in targets]
    assert confusion_matrix(targets, predictions, 4) == metrics.confusion_matrix(targets, predictions).tolist()
    numpy_targets = pytest.importorskip("numpy").array(targets)  # as scikit-learn's datasets hold them
    assert confusion_matrix(numpy_targets, predictions, 4) == confusion_matrix(targets, predictions, 4)
    with pytest.raises(ValueError, match=r"not in 0\.\.3"):
        confusion_matrix([4], [0], 4)


@pytest.mark.parametrize(
    ("targets", "predictions", "n_classes", "error", "message"),
    [
        ([1.0], [0], 2, TypeError, r"confusion_matrix: classes must be whole numbers \(ints\), got 1\.0"),
        ([0], ["1"], 2, TypeError, r"confusion_matrix: classes must be whole numbers \(ints\), got '1'"),
        ([True], [0], 2, TypeError, r"confusion_matrix: classes must be whole numbers \(ints\), got True"),
        ([0], [0], 0, ValueError, "confusion_matrix: n_classes must be a whole number >= 1, got 0"),
        ([0], [0], 2.0, ValueError, "confusion_matrix: n_classes must be a whole number >= 1, got 2.0"),
    ],
)
def test_confusion_matrix_refuses_classes_that_are_not_indices_clearly(targets, predictions, n_classes, error, message):
    with pytest.raises(error, match=message):
        confusion_matrix(targets, predictions, n_classes)

"""How good a classifier is, as plain numbers to read: not Values, nothing to differentiate."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, no_grad

Score = Value | float


def argmax(scores: Sequence[Score]) -> int:
    """The index of the largest score (the first, on a tie, as ``torch.argmax``): the predicted class.

    A NaN counts as the largest, as in ``torch.argmax`` and ``numpy.argmax``: a diverged model is
    not credited with the class of whichever score came first.
    """
    if isinstance(scores, Value) or not isinstance(scores, Sequence) or not scores:
        raise ValueError(f"argmax needs one score per class (a non-empty list), got {scores!r}")
    numbers = [float(score) for score in scores]
    return max(range(len(numbers)), key=lambda i: (math.isnan(numbers[i]), numbers[i]))


def accuracy(outputs: Sequence[Sequence[Score]], targets: Sequence[int]) -> float:
    """The fraction of samples whose largest output is at their target class."""
    if len(outputs) != len(targets) or not outputs:
        raise ValueError(f"accuracy: needs as many outputs as targets, at least one: {len(outputs)}, {len(targets)}")
    correct = sum(argmax(scores) == target for scores, target in zip(outputs, targets, strict=True))
    return correct / len(targets)


def predict(model: Callable[[Sequence[float]], Any], inputs: Sequence[Sequence[float]]) -> list[int]:
    """The class the model gives each input (its largest output), without recording a graph."""
    with no_grad():
        return [argmax(model(x)) for x in inputs]


def confusion_matrix(targets: Sequence[int], predictions: Sequence[int], n_classes: int) -> list[list[int]]:
    """``matrix[true][predicted]``: how often each class was taken for each, as scikit-learn's."""
    if len(targets) != len(predictions):
        raise ValueError(f"confusion_matrix: {len(targets)} targets but {len(predictions)} predictions")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"confusion_matrix: n_classes must be a whole number >= 1, got {n_classes!r}")
    for label in (*targets, *predictions):
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):  # numpy's ints are classes too
            raise TypeError(f"confusion_matrix: classes must be whole numbers (ints), got {label!r}")
    matrix = [[0] * n_classes for _ in range(n_classes)]
    for true, predicted in zip(targets, predictions, strict=True):
        if not (0 <= true < n_classes and 0 <= predicted < n_classes):
            raise ValueError(f"confusion_matrix: class {true} or {predicted} is not in 0..{n_classes - 1}")
        matrix[true][predicted] += 1
    return matrix

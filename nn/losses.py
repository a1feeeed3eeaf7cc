"""Loss functions: how far predictions are from targets, as a Value to differentiate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autograd import Value

Target = Value | float


def squared_error(prediction: Value, target: Target) -> Value:
    """The reference article's error: 1/2 * (prediction - target)^2."""
    return 0.5 * (prediction - target) ** 2


def mse_loss(predictions: Sequence[Value], targets: Sequence[Target]) -> Value:
    """Mean of (prediction - target)^2, as ``torch.nn.functional.mse_loss``."""
    _check_pairs("mse_loss", predictions, targets)
    return _mean([(p - t) ** 2 for p, t in zip(predictions, targets, strict=True)])


def hinge_loss(scores: Sequence[Value], labels: Sequence[float]) -> Value:
    """Mean of max(0, 1 - label * score) for labels in {-1, +1}: micrograd's max-margin loss."""
    _check_pairs("hinge_loss", scores, labels)
    for label in labels:
        if label not in (-1, 1):
            raise ValueError(f"hinge_loss labels must be -1 or +1, got {label!r}")
    return _mean([(1 - label * score).relu() for score, label in zip(scores, labels, strict=True)])


def l2_penalty(parameters: Iterable[Value], alpha: float) -> Value:
    """alpha * sum(p^2): L2 regularisation, to add to a loss."""
    return alpha * sum((p * p for p in parameters), Value(0.0))


def _mean(terms: list[Value]) -> Value:
    return sum(terms[1:], terms[0]) / len(terms)


def _check_pairs(name: str, predictions: Sequence[object], targets: Sequence[object]) -> None:
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: no predictions to compare")

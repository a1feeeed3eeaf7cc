"""Loss functions: how far predictions are from targets, as a Value to differentiate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized

from autograd import Value, detached

Target = Value | float
Logit = Value | float


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


def softmax(logits: Sequence[Logit]) -> list[Value]:
    """exp(logit_i) / sum_j exp(logit_j): the logits as probabilities, as ``torch.softmax``.

    The largest logit is subtracted first, as a plain number: the result is the
    same and its gradient too, but no ``exp`` sees a positive argument, so
    logits of 1000 do not overflow.
    """
    exps = [z.exp() for z in _shifted("softmax", logits)]
    total = _total(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Logit]) -> list[Value]:
    """log(softmax(logits)), as ``torch.log_softmax``: z_i - log(sum_j exp(z_j)), z = logits - max(logits).

    Written this way it is exact where log(softmax(...)) would give log(0) = -inf.
    """
    shifted = _shifted("log_softmax", logits)
    log_total = _total([z.exp() for z in shifted]).log()
    return [z - log_total for z in shifted]


def cross_entropy(logits: Sequence[Logit], target_class: int) -> Value:
    """-log(softmax(logits)[target_class]): the loss of one sample of a multi-class classifier.

    As ``torch.nn.functional.cross_entropy`` for one sample (``logits`` are raw
    scores, one per class; ``target_class`` the index of the right class), and
    as stable as ``log_softmax``. Average it over a batch for torch's default.
    """
    if isinstance(target_class, bool) or not isinstance(target_class, int):
        raise TypeError(f"cross_entropy: target_class must be a class index (an int), got {target_class!r}")
    shifted = _shifted("cross_entropy", logits)
    if not 0 <= target_class < len(shifted):
        raise ValueError(f"cross_entropy: target_class {target_class} is not one of the {len(shifted)} classes")
    return _total([z.exp() for z in shifted]).log() - shifted[target_class]


def _shifted(name: str, logits: Sequence[Logit]) -> list[Value]:
    """Every logit minus the largest, a constant (no gradient flows through the choice of the largest).

    The largest is ``detached``: a plain number here, which a compiled replay recomputes from each
    call's logits instead of freezing the traced one.
    """
    if isinstance(logits, Value) or not isinstance(logits, Sized) or len(logits) == 0:  # len: a numpy array too
        raise ValueError(f"{name}: needs one logit per class (a non-empty list), got {logits!r}")
    values = [logit if isinstance(logit, Value) else Value(logit) for logit in logits]
    peak = detached(max, values)
    return [value - peak for value in values]


def _total(terms: list[Value]) -> Value:
    return sum(terms[1:], terms[0])


def _mean(terms: list[Value]) -> Value:
    return _total(terms) / len(terms)


def _check_pairs(name: str, predictions: Sequence[object], targets: Sequence[object]) -> None:
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: no predictions to compare")

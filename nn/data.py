"""Data for training: a dataset of inputs and targets, a seeded train/test split, shuffled minibatches,
and the handwritten digits that scikit-learn ships (no download).

Every shuffle here is ``random.Random(seed).shuffle`` of the sample indices,
so a seed gives the same split and the same batches on every run and machine.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Seed = int | random.Random

DIGITS_EXTRA = "pip install 'micro-autograd[digits]'"


@dataclass(frozen=True)
class Dataset:
    """Inputs (each a sequence of numbers) and their targets (a class index, a label, a number), in order."""

    inputs: tuple[tuple[float, ...], ...]
    targets: tuple[Any, ...]

    def __init__(self, inputs: Sequence[Sequence[float]], targets: Sequence[Any]) -> None:
        if len(inputs) != len(targets):
            raise ValueError(f"a Dataset needs one target per input: {len(inputs)} inputs, {len(targets)} targets")
        object.__setattr__(self, "inputs", tuple(_numbers(index, x) for index, x in enumerate(inputs)))
        object.__setattr__(self, "targets", tuple(_target(index, y) for index, y in enumerate(targets)))

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, indices: Sequence[int]) -> Dataset:
        """The samples at ``indices``, in that order."""
        return Dataset([self.inputs[i] for i in indices], [self.targets[i] for i in indices])

    def __repr__(self) -> str:
        width = len(self.inputs[0]) if self.inputs else 0
        return f"Dataset({len(self)} samples of {width} numbers)"


def train_test_split(data: Dataset, test_fraction: float = 0.2, seed: Seed = 0) -> tuple[Dataset, Dataset]:
    """Shuffle the samples with ``seed`` and cut them in two: (train, test).

    The test part holds ceil(test_fraction * len(data)) samples, as in
    scikit-learn; each part keeps at least one sample. The same seed gives
    the same split.
    """
    _check_dataset("train_test_split", data)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, int | float) or not 0 < test_fraction < 1:
        raise ValueError(f"train_test_split: test_fraction must be between 0 and 1, got {test_fraction!r}")
    n_test = math.ceil(test_fraction * len(data))
    if not 0 < n_test < len(data):
        raise ValueError(
            f"train_test_split: a test fraction of {test_fraction} of {len(data)} samples leaves a part empty"
        )
    order = _shuffled(len(data), _rng(seed))
    return data.subset(order[n_test:]), data.subset(order[:n_test])


def minibatches(data: Dataset, batch_size: int, shuffle: bool = True, seed: Seed = 0) -> Iterator[Dataset]:
    """The samples in batches of ``batch_size`` (the last one may be smaller), shuffled with ``seed``.

    Pass one ``random.Random`` for every epoch to get a new order each epoch,
    still reproducible; ``shuffle=False`` keeps the dataset's order.
    """
    _check_dataset("minibatches", data)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be a whole number >= 1, got {batch_size!r}")
    order = _shuffled(len(data), _rng(seed)) if shuffle else list(range(len(data)))
    for start in range(0, len(order), batch_size):
        yield data.subset(order[start : start + batch_size])


def load_digits() -> Dataset:
    """The 1,797 8x8 images of handwritten digits that scikit-learn ships inside its package.

    Each input is the 64 pixels row by row, scaled from 0-16 to 0-1; each
    target the digit, 0 to 9. Needs scikit-learn (the ``digits`` extra).
    """
    try:
        from sklearn import datasets  # type: ignore[import-untyped]
    except ImportError as error:
        raise ImportError(f"nn.load_digits needs scikit-learn, which is not installed: {DIGITS_EXTRA}") from error
    digits = datasets.load_digits()
    inputs = [[pixel / 16.0 for pixel in row] for row in digits.data.tolist()]
    return Dataset(inputs, [int(target) for target in digits.target.tolist()])


def _numbers(index: int, x: object) -> tuple[float, ...]:
    """Input ``index`` as a tuple of its numbers; anything else refused here, not deep inside a model."""
    row = tuple(x) if isinstance(x, Iterable) and not isinstance(x, str) else None
    if row is None or any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in row):
        raise TypeError(f"a Dataset's inputs must be sequences of numbers: input {index} is {x!r}")
    for feature, v in enumerate(row):  # a NaN would surface epochs later as a "diverged" loss
        if not math.isfinite(v):
            raise ValueError(f"a Dataset's inputs must be finite numbers: input {index}, feature {feature} is {v!r}")
    return row


def _target(index: int, y: object) -> object:
    """A target that is a number must be finite (a NaN one makes every loss NaN); others are kept as they are."""
    if isinstance(y, numbers.Real) and not isinstance(y, bool) and not math.isfinite(y):
        raise ValueError(f"a Dataset's targets must be finite numbers: target {index} is {y!r}")
    return y


def _check_dataset(name: str, data: object) -> None:
    if not isinstance(data, Dataset):
        raise TypeError(f"{name} needs an nn.Dataset, not {type(data).__name__}")


def _rng(seed: Seed) -> random.Random:
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"a seed must be an int or a random.Random, not {type(seed).__name__}: {seed!r}")
    return random.Random(seed)


def _shuffled(n: int, rng: random.Random) -> list[int]:
    order = list(range(n))
    rng.shuffle(order)
    return order

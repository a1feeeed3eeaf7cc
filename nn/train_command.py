"""``micro-autograd train digits``: train an MLP on the handwritten digits, report its test accuracy, save it.

The data are cut in three, each part with its own job: the model learns from
the training part, the best epoch is picked on the validation part (the
model of that epoch is the one saved), and the test part, never looked at
before, gives the accuracy reported.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import NamedTuple, TextIO

from .checkpoint import load
from .data import load_digits, train_test_split
from .layers import MLP
from .losses import cross_entropy
from .metrics import predict
from .optim import SGD
from .training import History, TrainingDivergedError, fit

DATASETS = ("digits",)
LEARNING_RATE = 0.1
TEST_FRACTION, VALIDATION_FRACTION = 0.2, 0.1
COMPILED = True  # the replay's numbers are eager training's, bit for bit, and it is several times faster


class Trained(NamedTuple):
    """What ``train`` gives back: the saved (best) model, its test accuracy, the run's history."""

    model: MLP
    test_accuracy: float
    history: History


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    whole: Callable[[str], int],
    positive: Callable[[str], float],
) -> None:
    """The ``train`` subcommand and its options (``whole`` and ``positive`` parse checked numbers)."""
    parser = commands.add_parser("train", help="train an MLP on a dataset (the 8x8 handwritten digits)")
    parser.add_argument("dataset", choices=DATASETS, help="what to learn: the digits scikit-learn ships")
    parser.add_argument("--epochs", type=whole, default=10, help="passes over the training data (default: %(default)s)")
    parser.add_argument("--hidden", type=whole, default=32, help="neurons in the hidden layer (default: %(default)s)")
    parser.add_argument("--batch", type=whole, default=32, help="samples per minibatch (default: %(default)s)")
    parser.add_argument(
        "--lr", type=positive, default=LEARNING_RATE, help="SGD learning rate, with momentum 0.9 (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the weights and the shuffles (default: %(default)s)"
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        default="digits-model.json",
        help="where to save the model (default: %(default)s in the current folder; the run says the full path)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument(
        "--compiled",
        dest="compiled",
        action="store_true",
        default=COMPILED,
        help=f"train through the compiled replay: the same numbers as eager, faster{' (the default)' * COMPILED}",
    )
    engine.add_argument(
        "--eager",
        dest="compiled",
        action="store_false",
        help=f"train with the eager engine, building every graph{' (the default)' * (not COMPILED)}",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Train as ``args`` say, printing what happens to ``out``; the exit status (130 after Ctrl-C, which is
    answered with where the best model so far is, not a traceback)."""
    try:
        train(args.epochs, args.hidden, args.batch, args.lr, args.seed, args.out, out, not args.quiet, args.compiled)
    except KeyboardInterrupt as interrupt:
        print(f"\nmicro-autograd train: interrupted; {_what_is_saved(interrupt, args.out)}", file=sys.stderr)
        return 128 + signal.SIGINT
    return 0


def _what_is_saved(interrupt: KeyboardInterrupt, path: str) -> str:
    history: History | None = getattr(interrupt, "history", None)  # fit hands on the epochs that finished
    if history is None or history.best_epoch is None:
        return "no epoch had finished, so no model was saved"
    return (
        f"the best model so far, epoch {history.best_epoch} of the {history.epochs} that finished "
        f"(lowest validation loss), is saved at {os.path.abspath(path)}"
    )


def train(
    epochs: int,
    hidden: int,
    batch: int,
    lr: float,
    seed: int,
    path: str,
    out: TextIO,
    progress: bool = True,
    compiled: bool = COMPILED,
) -> Trained:
    """Train MLP(64, [hidden, 10]) on the digits; save the best epoch's model at ``path`` and test it.

    ``compiled``: through the compiled replay (``fit(..., compiled=True)``), with eager training's numbers.
    """
    digits = load_digits()
    rest, test = train_test_split(digits, TEST_FRACTION, seed=0)
    training, validation = train_test_split(rest, VALIDATION_FRACTION, seed=0)
    model = MLP(64, [hidden, 10], seed=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    print(
        f"digits: {len(training)} images to train on, {len(validation)} to validate, {len(test)} to test;"
        f" MLP(64, [{hidden}, 10]), SGD(lr={lr}, momentum=0.9),"
        f" {epochs} epoch{'s' * (epochs != 1)} of batches of {batch},"
        f" {'compiled replay' if compiled else 'eager engine'}; the best model goes to {os.path.abspath(path)}",
        file=out,
        flush=True,
    )
    start = time.perf_counter()
    try:
        history = fit(
            model,
            cross_entropy,
            training,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=batch,
            validation=validation,
            checkpoint=path,
            seed=seed,
            progress=progress,
            compiled=compiled,
        )
    except TrainingDivergedError as diverged:
        raise TrainingDivergedError(
            f"{diverged}: try a smaller --lr than {lr:g} (the default is {LEARNING_RATE:g})"
        ) from None
    seconds = time.perf_counter() - start
    best = load(path).model
    assert isinstance(best, MLP)
    correct = sum(p == t for p, t in zip(predict(best, test.inputs), test.targets, strict=True))
    accuracy = correct / len(test)
    saved = os.path.abspath(path)
    print(f"trained in {seconds:.1f} s; saved epoch {history.best_epoch} (lowest validation loss) to {saved}", file=out)
    print(f"test accuracy: {accuracy:.1%} ({correct} of {len(test)} digits)", file=out)
    return Trained(best, accuracy, history)

"""``fit``: the training loop people expect, so a learner writes the model and the loss, not the loop.

Epochs of shuffled minibatches, an optimiser step per batch, a progress bar
(``tqdm`` when it is installed, else one plain line per epoch), a history of
loss and accuracy per epoch for plots, evaluation on held-out data, and the
best model so far saved with ``nn.save``::

    history = fit(model, cross_entropy, train, optimizer=Adam(model.parameters(), lr=0.01),
                  epochs=5, validation=test, checkpoint="best.json")
    plt.plot(history.loss); plt.plot(history.val_loss)

One batch's work (forward, mean loss, gradients into ``.grad``) is one
function, a ``BatchStep``; ``eager_step`` builds the graph and calls
``backward()``. ``fit(..., compiled=True)`` uses ``nn.compiled_step``
instead: each sample's loss traced once per shape and replayed, with the
same numbers to the last bit.
"""

from __future__ import annotations

import errno
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TextIO

from autograd import Value, no_grad

from .checkpoint import ARCHITECTURES, save
from .compiled import CompiledStep, compiled_step
from .data import Dataset, Seed, _rng, minibatches
from .live import LivePlot, in_notebook
from .losses import _mean
from .metrics import accuracy as accuracy_of
from .optim import Optimizer

Model = Callable[[Sequence[float]], Any]
"""A model: one input (a sequence of numbers) to its output (a Value, or a list of Values: class scores)."""
Loss = Callable[[Any, Any], Value]
"""One sample's loss from the model's output and the sample's target, e.g. ``nn.cross_entropy``."""
BatchStep = Callable[[Dataset], tuple[float, list[Any]]]
"""One batch: its mean loss and every sample's output, with d(mean loss)/d(parameter) added into ``.grad``."""

MONITORS = {"loss": "lower", "val_loss": "lower", "accuracy": "higher", "val_accuracy": "higher"}
"""What ``fit`` can pick the best epoch by, and which way is better."""


class TrainingDivergedError(ValueError):
    """Gradient descent left the range of floats: the learning rate is far too large."""


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch: ready for ``plt.plot(history.loss)``.

    ``loss`` and ``accuracy`` are over the epoch's training batches, each taken
    as the batch was trained on (the weights moving during the epoch);
    ``val_loss`` and ``val_accuracy`` on the held-out data after the epoch.
    ``best_epoch`` (counted from 1, as the progress bar counts) is the epoch
    whose model was best by the monitored number, and saved if asked.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)


class Evaluation(NamedTuple):
    """A model's mean loss on some data, and its accuracy (None when not measured)."""

    loss: float
    accuracy: float | None


def eager_step(model: Model, loss: Loss) -> BatchStep:
    """The batch step of the eager engine: build the batch's graph, then ``backward()``."""

    def step(batch: Dataset) -> tuple[float, list[Any]]:
        outputs = [model(x) for x in batch.inputs]
        batch_loss = _mean([loss(output, target) for output, target in zip(outputs, batch.targets, strict=True)])
        if not isinstance(batch_loss, Value):  # as the compiled step refuses it, not "float has no backward"
            raise TypeError(f"fit: the loss must return a Value, not {type(batch_loss).__name__}: {batch_loss!r}")
        batch_loss.backward()
        return batch_loss.data, outputs

    return step


def evaluate(model: Model, loss: Loss, data: Dataset, accuracy: bool = True) -> Evaluation:
    """The model's mean loss on ``data`` (and its accuracy), without recording a graph."""
    if not len(data):
        raise ValueError("evaluate: the dataset is empty")
    return _evaluation(*_losses_and_outputs(model, loss, data), data, accuracy)


def _losses_and_outputs(model: Model, loss: Loss, data: Dataset) -> tuple[list[float], list[Any]]:
    """Every sample's loss and output, without recording a graph."""
    with no_grad():
        outputs = [model(x) for x in data.inputs]
        losses = [float(loss(output, target)) for output, target in zip(outputs, data.targets, strict=True)]
    return losses, outputs


def _evaluation(losses: list[float], outputs: list[Any], data: Dataset, accuracy: bool) -> Evaluation:
    return Evaluation(math.fsum(losses) / len(data), accuracy_of(outputs, data.targets) if accuracy else None)


def fit(
    model: Model,
    loss: Loss,
    data: Dataset,
    *,
    optimizer: Optimizer,
    epochs: int = 10,
    batch_size: int = 32,
    validation: Dataset | None = None,
    accuracy: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    monitor: str | None = None,
    shuffle: bool = True,
    seed: Seed = 0,
    progress: bool | TextIO = True,
    compiled: bool = False,
    live: bool = False,
) -> History:
    """Train ``model`` on ``data`` and return the History of every epoch.

    Each batch: ``optimizer.zero_grad()``, the batch's mean ``loss`` and its
    gradients, ``optimizer.step()``. Batches are shuffled anew every epoch by
    one ``random.Random(seed)``, so a seed gives the same run every time.

    - ``validation``: held-out data, evaluated after each epoch.
    - ``accuracy``: also measure accuracy (the model's outputs are class
      scores and the targets class indices); False for other tasks.
    - ``checkpoint``: a path where the best model so far (and the optimiser)
      is saved with ``nn.save``; "best" by ``monitor``: ``"val_loss"`` when
      there is validation data, else ``"loss"``; or ``"accuracy"``,
      ``"val_accuracy"``.
    - ``progress``: True for a progress bar on stderr (tqdm's, or one line per
      epoch without tqdm), a stream to write it there, False for silence.
    - ``compiled``: train through a compiled replay (``nn.compiled_step``):
      the same numbers as eager training, bit for bit, several times faster;
      the model and loss may not branch in Python on a number (see
      ``autograd.compile``).
    - ``live``: in a notebook, redraw the loss curves (and, for a model of
      two inputs, its decision surface) in one output after every epoch
      (``nn.LivePlot``). In a notebook the progress bar is that output's one
      line, rewritten in place; elsewhere ``live`` changes nothing.

    A set-up that cannot train is refused before the first step: an optimiser
    over none of the model's parameters, validation data of another width or
    with targets that are not the model's classes. When ``fit`` raises (the
    training diverged, a validation loss is not a number, Ctrl-C), the
    exception carries ``.history``, the History of the epochs that finished,
    and the progress bar is closed.
    """
    _check_whole("epochs", epochs)
    _check_whole("batch_size", batch_size)
    _check_dataset("data", data, "training")
    if validation is not None:
        _check_dataset("validation", validation, "validation")
    monitor = monitor or ("val_loss" if validation is not None else "loss")
    _check_monitor(monitor, validation is not None, accuracy)
    if checkpoint is not None and type(model).__name__ not in ARCHITECTURES:
        raise TypeError(f"fit: checkpoint saves {', '.join(ARCHITECTURES)}, not {type(model).__name__}")
    if checkpoint is not None:
        _check_writable(checkpoint)
    for name, switch in (("accuracy", accuracy), ("shuffle", shuffle), ("compiled", compiled), ("live", live)):
        if not isinstance(switch, bool):
            raise TypeError(f"fit: {name} must be True or False, got {switch!r}")
    if not isinstance(progress, bool) and not callable(getattr(progress, "write", None)):
        raise TypeError(f"fit: progress must be True, False or a stream to write to, got {progress!r}")
    if not all(callable(getattr(optimizer, method, None)) for method in ("zero_grad", "step")):
        raise TypeError(f"fit: optimizer must be an optimiser (with zero_grad() and step()), got {optimizer!r}")
    if compiled and not callable(getattr(model, "parameters", None)):
        raise TypeError(
            f"fit: compiled=True needs a model with parameters() (an nn.Module), not {type(model).__name__}"
        )
    _check_optimizer(model, optimizer, checkpoint)
    if validation is not None:
        _check_validation(model, data, validation)
    rng = _rng(seed)
    step = compiled_step(model, loss) if compiled else eager_step(model, loss)
    history = History()
    board = LivePlot(model, data, plots=live) if in_notebook() and (live or progress is True) else None
    n_batches = math.ceil(len(data) / batch_size)
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            description = f"epoch {epoch}/{epochs}"
            bar = (
                _NotebookBar(board, n_batches, description)
                if board and progress is True
                else _progress_bar(progress, n_batches, description)
            )
            shown: dict[str, float] = {}
            try:
                _train_epoch(step, optimizer, minibatches(data, batch_size, shuffle, rng), accuracy, bar, shown)
                _finish_epoch(history, epoch, shown, model, checkpoint, accuracy)
                if validation is not None:
                    _validate(history, epoch, shown, step, model, loss, validation, accuracy)
                if _improved(history, monitor):
                    if checkpoint is not None:
                        save(model, checkpoint, optimizer)  # type: ignore[arg-type]  # a Module: checked above
                    history.best_epoch = epoch  # once saved: an interrupted save leaves the last best named
                history.seconds.append(time.perf_counter() - start)
            finally:
                bar.close(shown)
            if board:
                board.epoch_done(history)
    except BaseException as error:  # diverged, interrupted...: what finished goes with the exception
        _attach(error, _finished(history))
        raise
    if board:
        board.finish(history)
    return history


def _train_epoch(
    step: BatchStep,
    optimizer: Optimizer,
    batches: Iterable[Dataset],
    accuracy: bool,
    bar: _Bar,
    shown: dict[str, float],
) -> None:
    """One pass over the batches; ``shown`` holds the epoch's running loss (and accuracy) as it goes."""
    loss_sum, correct, seen = 0.0, 0.0, 0
    for batch in batches:
        optimizer.zero_grad()
        batch_loss, outputs = step(batch)
        if accuracy:  # before the step: outputs that are not class scores are refused with no weight moved
            correct += _batch_accuracy(outputs, batch.targets) * len(batch)
        optimizer.step()
        loss_sum += batch_loss * len(batch)
        seen += len(batch)
        shown["loss"] = loss_sum / seen
        if accuracy:
            shown["accuracy"] = correct / seen
        bar.update(shown)


def _finish_epoch(
    history: History,
    epoch: int,
    shown: dict[str, float],
    model: Model,
    checkpoint: str | os.PathLike[str] | None,
    accuracy: bool,
) -> None:
    """The epoch's training numbers into the history; a diverged one stops the training, saying why."""
    history.loss.append(shown["loss"])
    broken = _divergence(shown["loss"], model)
    if broken:  # every later step would be NaN too
        raise _diverged(epoch, broken, checkpoint, history.best_epoch)
    if accuracy:
        history.accuracy.append(shown["accuracy"])


def _validate(
    history: History,
    epoch: int,
    shown: dict[str, float],
    step: BatchStep,
    model: Model,
    loss: Loss,
    validation: Dataset,
    accuracy: bool,
) -> None:
    """The held-out numbers into the history; a validation loss that is not a number stops the training, naming
    the first sample whose loss is not (it could never be the best, and would leave an old epoch saved as best)."""
    if isinstance(step, CompiledStep):  # the same numbers, replayed
        losses, outputs = step.evaluate(validation)
    else:
        losses, outputs = _losses_and_outputs(model, loss, validation)
    held_out = _evaluation(losses, outputs, validation, accuracy)
    if not math.isfinite(held_out.loss):
        sample = next(index for index, number in enumerate(losses) if not math.isfinite(number))
        raise ValueError(
            f"fit: after epoch {epoch} the validation loss is {held_out.loss}: validation sample {sample}'s loss "
            f"is {losses[sample]} (the training loss is {shown['loss']:.6g}); the training stops here, "
            "with no model of this epoch saved"
        )
    shown["val_loss"] = held_out.loss
    history.val_loss.append(held_out.loss)
    if held_out.accuracy is not None:
        shown["val_accuracy"] = held_out.accuracy
        history.val_accuracy.append(held_out.accuracy)


def _finished(history: History) -> History:
    """The epochs that finished (an epoch cut short may have left its loss in ``history.loss``)."""
    done = len(history.seconds)
    return History(
        history.loss[:done],
        history.accuracy[:done],
        history.val_loss[:done],
        history.val_accuracy[:done],
        history.seconds[:done],
        history.best_epoch,
    )


def _attach(error: BaseException, history: History) -> None:
    error.history = history  # type: ignore[attr-defined]  # documented: fit's exceptions carry .history


# --- progress ----------------------------------------------------------------------------------------------------


class _Bar(Protocol):
    def update(self, numbers: dict[str, float]) -> None: ...  # a batch is done
    def close(self, numbers: dict[str, float]) -> None: ...  # the epoch is done


def _progress_bar(progress: bool | TextIO, total: int, description: str) -> _Bar:
    """tqdm's bar when tqdm is installed, else a plain line per epoch; nothing for ``progress=False``."""
    if progress is False:
        return _Silent()
    stream = sys.stderr if progress is True else progress
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        return _PlainBar(stream, total, description)
    return _TqdmBar(tqdm(total=total, desc=description, unit="batch", file=stream, mininterval=0.5))


class _TqdmBar:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def update(self, numbers: dict[str, float]) -> None:
        self.bar.set_postfix(_shown(numbers), refresh=False)
        self.bar.update(1)

    def close(self, numbers: dict[str, float]) -> None:
        self.bar.set_postfix(_shown(numbers), refresh=False)
        self.bar.close()


class _PlainBar:
    """Without tqdm: one line per epoch, when it ends."""

    def __init__(self, stream: TextIO, total: int, description: str) -> None:
        self.stream, self.total, self.description, self.start = stream, total, description, time.perf_counter()
        self.done = 0

    def update(self, numbers: dict[str, float]) -> None:
        self.done += 1

    def close(self, numbers: dict[str, float]) -> None:
        seconds = time.perf_counter() - self.start
        batches = f"{self.total}" if self.done == self.total else f"{self.done} of {self.total}"
        numbers_shown = "".join(f", {name} {text}" for name, text in _shown(numbers).items())
        print(f"{self.description}: {batches} batches in {seconds:.1f} s{numbers_shown}", file=self.stream)
        self.stream.flush()


class _NotebookBar:
    """In a notebook: the live output's one progress line, rewritten in place."""

    def __init__(self, board: LivePlot, total: int, description: str) -> None:
        self.board, self.total, self.description, self.done = board, total, description, 0

    def update(self, numbers: dict[str, float]) -> None:
        self.done += 1
        self.board.progress(self._line(numbers))

    def close(self, numbers: dict[str, float]) -> None:
        self.board.progress(self._line(numbers), final=True)

    def _line(self, numbers: dict[str, float]) -> str:
        shown = "".join(f", {name} {text}" for name, text in _shown(numbers).items())
        return f"{self.description}: {self.done}/{self.total} batches{shown}"


class _Silent:
    def update(self, numbers: dict[str, float]) -> None:
        pass

    def close(self, numbers: dict[str, float]) -> None:
        pass


def _shown(numbers: dict[str, float]) -> dict[str, str]:
    """Losses to four decimals, accuracies as percentages."""
    return {name: f"{x:.1%}" if name.endswith("accuracy") else f"{x:.4f}" for name, x in numbers.items()}


# --- checks ------------------------------------------------------------------------------------------------------


def _batch_accuracy(outputs: list[Any], targets: Sequence[Any]) -> float:
    """The batch's accuracy; outputs that are not class scores (a regression's) refused with the way out."""
    try:
        return accuracy_of(outputs, targets)
    except ValueError as error:
        raise ValueError(
            f"fit: accuracy=True measures class scores against class indices, but {error}; "
            "pass accuracy=False for other tasks"
        ) from None


def _divergence(loss: float, model: Model) -> str:
    """What left the range of floats in an epoch (its mean loss, or a weight it ends with), or ""."""
    if not math.isfinite(loss):
        return f"the mean loss is {loss}"
    named = getattr(model, "named_parameters", None)
    for name, parameter in named() if callable(named) else ():
        if not math.isfinite(parameter.data):
            return f"it ends with {name} = {parameter.data}"
    return ""


def _diverged(
    epoch: int, broken: str, checkpoint: str | os.PathLike[str] | None, best: int | None
) -> TrainingDivergedError:
    saved = f"; epoch {best}'s model, the best, is saved at {os.fspath(checkpoint)}" if checkpoint and best else ""
    return TrainingDivergedError(
        f"fit: training diverged in epoch {epoch}: {broken} (no later step can bring it back); "
        f"the learning rate is most likely far too large{saved}"
    )


def _improved(history: History, monitor: str) -> bool:
    """Whether the last epoch is strictly the best so far by ``monitor``."""
    numbers: list[float] = getattr(history, monitor)
    *before, last = numbers
    if not before:
        return True
    return last < min(before) if MONITORS[monitor] == "lower" else last > max(before)


def _check_monitor(monitor: str, has_validation: bool, accuracy: bool) -> None:
    if monitor not in MONITORS:
        raise ValueError(f"fit: monitor must be one of {', '.join(MONITORS)}, not {monitor!r}")
    if monitor.startswith("val_") and not has_validation:
        raise ValueError(f"fit: monitor {monitor!r} needs validation data")
    if monitor.endswith("accuracy") and not accuracy:
        raise ValueError(f"fit: monitor {monitor!r} needs accuracy=True")


def _check_dataset(name: str, data: object, part: str) -> None:
    """Refused before any training, not after the first epoch (the held-out data are first read there)."""
    if not isinstance(data, Dataset):
        raise TypeError(f"fit: {name} must be an nn.Dataset, not {type(data).__name__}")
    if not len(data):
        raise ValueError(f"fit: the {part} data is empty")


def _check_writable(path: str | os.PathLike[str]) -> None:
    """A checkpoint that ``save`` could not write is refused now, not when the first epoch ends."""
    name = os.fspath(path)
    if not name.strip():
        raise ValueError("fit: checkpoint needs a file name, not an empty one")
    target = os.path.realpath(path)  # save writes through symbolic links
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, "fit: the checkpoint is a folder, not a file", name)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, "fit: the checkpoint's folder does not exist", name)
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, "fit: the checkpoint's folder is not writable", name)


def _check_optimizer(model: Model, optimizer: Optimizer, checkpoint: str | os.PathLike[str] | None) -> None:
    """An optimiser over none of the model's parameters would train nothing (the same loss every epoch);
    with a checkpoint every one must be the model's, which ``save`` names."""
    own, held = getattr(model, "parameters", None), getattr(optimizer, "parameters", None)
    if not callable(own) or not isinstance(held, list):
        return
    mine = {id(parameter) for parameter in own()}
    foreign = [position for position, parameter in enumerate(held) if id(parameter) not in mine]
    if len(foreign) == len(held):
        raise ValueError(
            f"fit: none of the optimizer's {len(held)} parameters is one of the model's, so training would change "
            "nothing: make it from this model, e.g. SGD(model.parameters(), lr=0.1)"
        )
    if foreign and checkpoint is not None:
        raise ValueError(
            f"fit: the optimizer's parameter {foreign[0]} is not one of the model's, so checkpoint= cannot save "
            "the optimizer with the model"
        )


def _check_validation(model: Model, data: Dataset, validation: Dataset) -> None:
    """Validation data the model cannot take, refused before training, not after the first epoch: an input of
    a width no training input has; a target that is not a class the model gives (when the training targets are
    class indices) or not a number (when they are numbers)."""
    widths = {len(x) for x in data.inputs}
    for sample, x in enumerate(validation.inputs):
        if len(x) not in widths:
            shown = " or ".join(str(width) for width in sorted(widths))
            raise ValueError(f"fit: validation sample {sample} has {len(x)} numbers; the training inputs have {shown}")
    if all(_is_class(target) for target in data.targets):
        with no_grad():
            output = model(data.inputs[0])
        classes = len(output) if isinstance(output, Sequence) and not isinstance(output, Value) else None
        for sample, target in enumerate(validation.targets):
            if not _is_class(target) or (classes is not None and not 0 <= target < classes):
                kind = f"0..{classes - 1}" if classes is not None else "an int"
                raise ValueError(
                    f"fit: validation sample {sample}'s target {target!r} is not a class ({kind}), "
                    "as the training targets are"
                )
    elif all(_is_number(target) for target in data.targets):
        for sample, target in enumerate(validation.targets):
            if not _is_number(target):
                raise ValueError(
                    f"fit: validation sample {sample}'s target {target!r} is not a number, as the training targets are"
                )


def _is_class(target: object) -> bool:
    return type(target) is int


def _is_number(target: object) -> bool:
    return isinstance(target, numbers.Real) and not isinstance(target, bool)


def _check_whole(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"fit: {name} must be a whole number >= 1, got {value!r}")

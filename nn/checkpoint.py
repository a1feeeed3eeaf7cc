"""Checkpoints: a model (and its optimiser) saved to a JSON file and rebuilt from it, exactly.

The file is data, never code: JSON with the architecture (the constructor
arguments), every parameter's number under its ``named_parameters`` name,
its label and the neurons' names, and the optimiser's state. Python writes
each float with ``repr`` and reads it back bit for bit, so training resumed
from a checkpoint goes on exactly as if it had never stopped.

Saving is atomic: the new file is written beside the old one (under a short
hidden random name), flushed to disk, then renamed over it, so a crash leaves
the old file whole. Saving to a symbolic link writes through to the file it
points to, keeping the link. Loading checks everything before building
anything it returns, and names the file and the problem in a
``CheckpointError``.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .module import Module
from .optim import SGD, Adam, Optimizer
from .state import CheckpointError, mapping, same_names

FORMAT = "micro-autograd checkpoint"
VERSION = 1

# What each model kind's architecture holds, and the type each argument must have.
ARCHITECTURES: dict[str, tuple[Callable[..., Module], dict[str, type]]] = {
    "Neuron": (Neuron, {"n_inputs": int, "activation": str, "bias": bool}),
    "Layer": (Layer, {"n_inputs": int, "n_outputs": int, "activation": str, "bias": bool}),
    "MLP": (
        MLP,
        {"n_inputs": int, "layer_sizes": list, "activation": str, "output_activation": str, "bias": bool},
    ),
}
OPTIMIZERS: dict[str, type[Optimizer]] = {"SGD": SGD, "Adam": Adam}

PathLike = str | os.PathLike[str]


class Checkpoint(NamedTuple):
    """What ``load`` gives back: the rebuilt model, and its optimiser when one was saved."""

    model: Module
    optimizer: Optimizer | None


def save(model: Module, path: PathLike, optimizer: Optimizer | None = None) -> None:
    """Write ``model`` (and ``optimizer``'s state) to ``path`` as JSON, atomically.

    The document is checked by the same code that ``load`` runs, so a model
    that could not be loaded back (a NaN parameter, say) is refused here.
    The new file is written beside the old under a short hidden random name
    (``.checkpoint-<random>.tmp``, so any valid file name works), flushed to
    disk, then renamed over it. When ``path`` is a symbolic link, the file it
    finally points to is replaced that way and the link is kept (a link to a
    missing file creates that file; a loop of links is refused). An error
    from the file system (a missing folder, say) is the usual ``OSError``
    naming ``path``.
    """
    document = _document(model, optimizer)
    try:
        _rebuild(document)
    except CheckpointError as error:
        raise CheckpointError(f"cannot save {os.fspath(path)}: {error}") from None
    _write_atomically(Path(path), json.dumps(document, indent=1) + "\n")


def load(path: PathLike) -> Checkpoint:
    """Rebuild the model (and optimiser) saved at ``path``; a bad file raises CheckpointError naming it."""
    with _about(path):
        return _rebuild(_read(Path(path)))


def restore(path: PathLike, model: Module, optimizer: Optimizer | None = None) -> None:
    """Put the numbers saved at ``path`` into an existing ``model`` (and ``optimizer``).

    The file must hold the same architecture (and optimiser kind). Every check
    runs before anything is changed: on a bad file both are left as they were.
    """
    with _about(path):
        saved = _rebuild(_read(Path(path)))
        if _describe(saved.model) != _describe(model):
            raise CheckpointError(f"it holds {_describe(saved.model)}, but the model is {_describe(model)}")
        if optimizer is not None:
            if saved.optimizer is None:
                raise CheckpointError('it holds no optimiser state (its "optimizer" is null)')
            expected = _optimizer_parameter_names(model, optimizer)
            if expected != _optimizer_parameter_names(saved.model, saved.optimizer):
                raise CheckpointError("its optimiser holds the model's parameters in another order")
            if type(saved.optimizer) is not type(optimizer):
                kinds = f"{type(saved.optimizer).__name__}, not {type(optimizer).__name__}"
                raise CheckpointError(f"its optimiser is {kinds}")
    model.load_state_dict(saved.model.state_dict())
    if optimizer is not None and saved.optimizer is not None:
        optimizer.load_state_dict(saved.optimizer.state_dict())


# --- the document ------------------------------------------------------------


def _document(model: Module, optimizer: Optimizer | None) -> dict[str, Any]:
    kind = type(model).__name__
    if kind not in ARCHITECTURES:
        raise TypeError(f"save() knows {', '.join(ARCHITECTURES)}, not {kind}")
    parameters = dict(model.named_parameters())
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": {
            "type": kind,
            "architecture": model.architecture(),
            "neuron_names": [neuron.name for neuron in _neurons(model)],
            "labels": {name: parameter.label for name, parameter in parameters.items()},
        },
        "parameters": model.state_dict(),
        "optimizer": None,
    }
    if optimizer is not None:
        names = _optimizer_parameter_names(model, optimizer)
        document["optimizer"] = {"parameters": names, "state": optimizer.state_dict()}
    return document


def _rebuild(document: object) -> Checkpoint:
    """Check the whole document and build its model and optimiser from it."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise CheckpointError('it is not a micro-autograd checkpoint (no "format": "micro-autograd checkpoint")')
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise CheckpointError(f"its format version {version!r} is not supported (this reads version {VERSION})")
    same_names(document, ("format", "version", "model", "parameters", "optimizer"), "the checkpoint", "entry")
    parameters = mapping(document["parameters"], "its parameters")
    model = _build_model(mapping(document["model"], "its model"), parameters)
    saved_optimizer = document["optimizer"]
    if saved_optimizer is None:
        return Checkpoint(model, None)
    return Checkpoint(model, _build_optimizer(mapping(saved_optimizer, "its optimizer"), model))


def _build_model(saved: Mapping[str, Any], parameters: Mapping[str, Any]) -> Module:
    """The model ``saved`` describes, holding ``parameters`` and named and labelled as saved."""
    same_names(saved, ("type", "architecture", "neuron_names", "labels"), "its model", "entry")
    kind = saved["type"]
    if not isinstance(kind, str) or kind not in ARCHITECTURES:
        raise CheckpointError(f"its model type {kind!r} is unknown; it can be one of {', '.join(ARCHITECTURES)}")
    cls, fields = ARCHITECTURES[kind]
    what = f"its {kind} architecture (model type {kind!r})"
    arguments = mapping(saved["architecture"], what)
    same_names(arguments, fields, what, "argument")
    for name, expected in fields.items():
        value = arguments[name]
        if type(value) is not expected:
            raise CheckpointError(f"its {kind} {name} must be of type {expected.__name__}, not {value!r}")
        if name.endswith("activation") and value not in ACTIVATIONS:
            choices = ", ".join(ACTIVATIONS)
            raise CheckpointError(
                f"its {kind} {name} is invalid: unknown activation {value!r}; choose one of {choices}"
            )
    if kind == "MLP" and not arguments["layer_sizes"]:
        raise CheckpointError("its MLP layer_sizes is empty; an MLP needs at least one layer")
    sizes = _sizes(kind, arguments)
    for name, size in sizes.items():
        if type(size) is not int or size < 1:
            raise CheckpointError(f"its {kind} {name} must be a whole number >= 1, not {size!r}")
    widths = [*sizes.values(), 1] if kind == "Neuron" else list(sizes.values())  # a Neuron has one output
    implied = sum((widths[i] + arguments["bias"]) * widths[i + 1] for i in range(len(widths) - 1))
    shape = ", ".join(f"{name}={_brief(arguments[name])}" for name in fields if not name.endswith("activation"))
    if implied > len(parameters):  # checked before building, so a hostile size allocates nothing
        missing = _brief(implied - len(parameters))
        raise CheckpointError(
            f"it lacks {missing} of the {_brief(implied)} parameters its {kind} architecture has ({shape})"
        )
    try:
        model = cls(**arguments)
    except ValueError as error:  # every argument was checked above; this names any rule added later
        raise CheckpointError(f"its {kind} architecture is invalid: {error}") from None
    try:
        model.load_state_dict(parameters)
    except CheckpointError as error:
        if implied == len(parameters):
            raise
        raise CheckpointError(f"{error} (its {kind} architecture, {shape}, has {implied})") from None
    _name_and_label(model, saved["neuron_names"], mapping(saved["labels"], "its labels"))
    return model


def _name_and_label(model: Module, neuron_names: object, labels: Mapping[str, Any]) -> None:
    neurons = _neurons(model)
    if not isinstance(neuron_names, list) or len(neuron_names) != len(neurons):
        raise CheckpointError(f"its neuron_names must be a list of {len(neurons)} names, not {neuron_names!r}")
    parameters = dict(model.named_parameters())
    same_names(labels, parameters, "its labels", "parameter")
    for index, name in enumerate(neuron_names):
        if not isinstance(name, str):
            raise CheckpointError(f"its names and labels must be strings: neuron_names[{index}] is {name!r}")
    for parameter, label in labels.items():
        if not isinstance(label, str):
            raise CheckpointError(f"its names and labels must be strings: the label of {parameter!r} is {label!r}")
    for neuron, name in zip(neurons, neuron_names, strict=True):
        neuron.name = name
    for name, label in labels.items():
        parameters[name].label = label


def _build_optimizer(saved: Mapping[str, Any], model: Module) -> Optimizer:
    same_names(saved, ("parameters", "state"), "its optimizer", "entry")
    state = mapping(saved["state"], "its optimizer state")
    kind = state.get("type")
    if not isinstance(kind, str) or kind not in OPTIMIZERS:
        known = ", ".join(OPTIMIZERS)
        raise CheckpointError(f"its optimizer state has an unknown optimizer type {kind!r}; it can be one of {known}")
    cls = OPTIMIZERS[kind]
    same_names(
        state, ("type", *cls.settings, *cls.buffers, *cls.counters), f"its {kind} state (type {kind!r})", "entry"
    )
    names = saved["parameters"]
    parameters = dict(model.named_parameters())
    if not isinstance(names, list) or not names:
        raise CheckpointError(f"its optimizer parameters must be a list of the model's parameter names, not {names!r}")
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in parameters:
            raise CheckpointError(
                f"its optimizer parameters[{index}] is {name!r}, not one of the model's parameter names"
            )
    optimizer = cls([parameters[name] for name in names], lr=1.0)
    optimizer.load_state_dict(state)
    return optimizer


# --- helpers -------------------------------------------------------------------


def _sizes(kind: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The architecture's widths from inputs to outputs, by argument name (``layer_sizes[1]``)."""
    sizes = {"n_inputs": arguments["n_inputs"]}
    if kind == "MLP":
        sizes.update({f"layer_sizes[{i}]": size for i, size in enumerate(arguments["layer_sizes"])})
    elif kind == "Layer":
        sizes["n_outputs"] = arguments["n_outputs"]
    return sizes


def _brief(value: object) -> str:
    """``repr(value)``, with any absurdly long whole number (a hostile file's) shortened."""
    if isinstance(value, list):
        return f"[{', '.join(map(_brief, value))}]"
    if type(value) is int and len(digits := str(value)) > 15:
        return f"<a {len(digits)}-digit number>"
    return repr(value)


def _neurons(model: Module) -> list[Neuron]:
    if isinstance(model, Neuron):
        return [model]
    if isinstance(model, Layer):
        return list(model.neurons)
    if isinstance(model, MLP):
        return [neuron for layer in model.layers for neuron in layer.neurons]
    return []


def _describe(model: Module) -> str:
    arguments = ", ".join(f"{k}={v!r}" for k, v in model.architecture().items())
    return f"{type(model).__name__}({arguments})"


def _optimizer_parameter_names(model: Module, optimizer: Optimizer) -> list[str]:
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    missing = [i for i, parameter in enumerate(optimizer.parameters) if id(parameter) not in names]
    if missing:
        raise CheckpointError(f"the optimiser's parameter {missing[0]} is not one of the model's parameters")
    return [names[id(parameter)] for parameter in optimizer.parameters]


@contextmanager
def _about(path: PathLike) -> Iterator[None]:
    """Prefix every CheckpointError raised inside with the file's path."""
    try:
        yield
    except CheckpointError as error:
        raise CheckpointError(f"{os.fspath(path)}: {error}") from None


def _read(path: Path) -> Any:
    """The file's JSON as Python data: strict (no NaN or Infinity, no repeated key)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckpointError(f"it is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_repeats)
    except CheckpointError:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise CheckpointError(f"it is not valid JSON ({error})") from None


def _refuse_constant(name: str) -> float:
    raise CheckpointError(f"it holds {name}, which is not a finite number (nor standard JSON)")


def _refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CheckpointError(f"it repeats the key {key!r}")
        result[key] = value
    return result


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``'s target, flush it to disk, then rename it over the target.

    The target is ``path`` with every symbolic link resolved, so saving to a link
    replaces the file it points to, not the link. Errors name ``path`` (and the
    target, when they differ), never the temporary file.
    """
    target = Path(os.path.realpath(path))
    try:
        if target.is_symlink():  # realpath stops at a loop of links
            raise OSError(errno.ELOOP, "it is a loop of symbolic links", os.fspath(path))
        descriptor, temporary = _create_temporary(target.parent)
        try:
            with open(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        if error.errno is None:  # not the file system's (our own, or a test's): as it is
            raise
        names = (os.fspath(path),) if target == Path(os.path.abspath(path)) else (os.fspath(path), os.fspath(target))
        raise type(error)(error.errno, error.strerror, *names) from None
    _sync_folder(target.parent)


def _create_temporary(folder: Path) -> tuple[int, Path]:
    """A new file with a short random hidden name in ``folder`` (short, so any valid target name works)."""
    while True:
        temporary = folder / f".checkpoint-{secrets.token_hex(8)}.tmp"
        try:
            # O_EXCL: never an existing file; mode 0o666 less the umask, as for any file the user writes.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:  # another writer's name, by a 1-in-2**64 chance: draw again
            continue


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""Whether operations record a graph: ``no_grad``, ``enable_grad`` and friends.

The mode lives in a context variable, so it is per thread and per asyncio
task, as in PyTorch: ``no_grad()`` in one thread never changes another.
Operations read it once each; the default mode is one shared object, so the
common case costs a single identity test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

# Called with each new node when a check is active (it reads what it needs: node.data, node.operands()).
ResultCheck = Callable[["Value"], None]
# Called by backward() and grad() with the graph in topological order, before any ``.grad`` changes,
# and whether the gradients are to be added to ``.grad`` (backward) or returned (grad).
GradientCheck = Callable[[list["Value"], bool], None]


@dataclass(frozen=True)
class Mode:
    """How operations behave: record the graph or not, and optional checks of every result and gradient.

    ``outer`` is the mode a ``with set_grad_enabled(...)`` block restores when it closes (None outside
    every block): the mode and the way back are one value, switched by one ``ContextVar.set``.
    """

    record: bool = True
    check: ResultCheck | None = None
    check_gradients: GradientCheck | None = None
    outer: Mode | None = field(default=None, repr=False, compare=False)


RECORD = Mode()
_mode: ContextVar[Mode] = ContextVar("autograd_mode", default=RECORD)
_mode_now = _mode.get  # the mode, bound once: the hot paths (every operation) read it without a method lookup


def current_mode() -> Mode:
    """The mode operations in this thread or task run under right now."""
    return _mode.get()


@contextmanager
def using_mode(mode: Mode) -> Iterator[None]:
    """Run the block under ``mode``, restoring the previous mode afterwards, even on error."""
    token = _mode.set(mode)
    try:
        yield
    finally:
        _mode.reset(token)


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default)."""
    return _mode.get().record


class set_grad_enabled(ContextDecorator):
    """Turn graph recording on or off for a ``with`` block or a decorated function.

    The object holds no state: what each ``with`` must restore is kept per thread and per task (the
    mode's ``outer``), so one object may be used by several threads or asyncio tasks at once.

    A KeyboardInterrupt (Ctrl-C) anywhere inside ``__enter__`` or ``__exit__`` leaves the mode as it was
    before the block (docs/GUARANTEES.md says where, and the one point a trace function can reach that a
    signal cannot): the switch is one ``ContextVar.set``, and an interrupt around it undoes or completes it.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)

    def __enter__(self) -> None:
        outer = _mode.get()
        inner = Mode(self.enabled, outer.check, outer.check_gradients, outer)
        try:
            _mode.set(inner)
        except BaseException:  # interrupted on the way in: the with statement will not call __exit__
            _mode.set(outer)
            raise

    def __exit__(self, *exc_info: object) -> None:
        try:
            closing = _mode.get()
            _mode.set(_outer(closing))
        except BaseException:  # interrupted on the way out: close the block all the same, exactly once
            current = _mode.get()
            if current is locals().get("closing", current):  # not closed yet
                _mode.set(_outer(current))
            raise


def _outer(mode: Mode) -> Mode:
    """The mode the innermost open block restores: blocks close in the order they opened, reversed."""
    if mode.outer is None:
        raise RuntimeError("set_grad_enabled: __exit__ without a matching __enter__ in this thread or task")
    return mode.outer


class no_grad(set_grad_enabled):
    """Operations inside record no graph: their results are new leaves."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad()`` block."""

    def __init__(self) -> None:
        super().__init__(True)

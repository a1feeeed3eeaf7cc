"""Whether operations record a graph: ``no_grad``, ``enable_grad`` and friends.

The mode lives in a context variable, so it is per thread and per asyncio
task, as in PyTorch: ``no_grad()`` in one thread never changes another.
Operations read it once each; the default mode is one shared object, so the
common case costs a single identity test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
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
    """How operations behave: record the graph or not, and optional checks of every result and gradient."""

    record: bool = True
    check: ResultCheck | None = None
    check_gradients: GradientCheck | None = None


RECORD = Mode()
_mode: ContextVar[Mode] = ContextVar("autograd_mode", default=RECORD)

# The open ``with set_grad_enabled(...)`` blocks of this thread or task, innermost last: the token
# each one restores the mode with.
_entered: ContextVar[tuple[Token[Mode], ...]] = ContextVar("autograd_entered", default=())


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

    The object holds no state: what each ``with`` must restore is kept per thread and per task
    (``_entered``), so one object may be used by several threads or asyncio tasks at once.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)

    def __enter__(self) -> None:
        token = _mode.set(replace(_mode.get(), record=self.enabled))
        _entered.set((*_entered.get(), token))

    def __exit__(self, *exc_info: object) -> None:
        entered = _entered.get()  # this block's token is last: blocks close in the order they opened, reversed
        _entered.set(entered[:-1])
        _mode.reset(entered[-1])


class no_grad(set_grad_enabled):
    """Operations inside record no graph: their results are new leaves."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad()`` block."""

    def __init__(self) -> None:
        super().__init__(True)

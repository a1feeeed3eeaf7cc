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

# Called with (the new node, the values it was computed from) when a check is active.
ResultCheck = Callable[["Value", tuple[float, ...]], None]
# Called by the backward sweep with the graph in topological order, before any ``.grad`` changes.
GradientCheck = Callable[[list["Value"]], None]


@dataclass(frozen=True)
class Mode:
    """How operations behave: record the graph or not, and optional checks of every result and gradient."""

    record: bool = True
    check: ResultCheck | None = None
    check_gradients: GradientCheck | None = None


RECORD = Mode()
_mode: ContextVar[Mode] = ContextVar("autograd_mode", default=RECORD)


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
    """Turn graph recording on or off for a ``with`` block or a decorated function."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)
        self._tokens: list[Token[Mode]] = []

    def __enter__(self) -> None:
        self._tokens.append(_mode.set(replace(_mode.get(), record=self.enabled)))

    def __exit__(self, *exc_info: object) -> None:
        _mode.reset(self._tokens.pop())

    def _recreate_cm(self) -> set_grad_enabled:
        # A decorated function may run in several threads at once: each call gets its own tokens.
        return type(self)(self.enabled)


class no_grad(set_grad_enabled):
    """Operations inside record no graph: their results are new leaves."""

    def __init__(self) -> None:
        super().__init__(False)

    def _recreate_cm(self) -> no_grad:
        return no_grad()


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad()`` block."""

    def __init__(self) -> None:
        super().__init__(True)

    def _recreate_cm(self) -> enable_grad:
        return enable_grad()

"""Ctrl-C at every point of a call, deterministically: a trace function raises KeyboardInterrupt at the
k-th instruction the call runs (``sys.settrace`` with opcode events), for k = 1, 2, ... until the call
completes, and the test checks the state each interrupted run left behind.

CPython 3.11 handles a signal only at a function's start, after a call returns and at a backward jump;
an exception raised before any instruction reaches every one of those points and more (an instruction
no handler covers, such as the ``LOAD_CONST None`` that ends a ``with`` body, where no signal can be
handled: each test says which such points it allows).
"""

from __future__ import annotations

import dis
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, NamedTuple


class Point(NamedTuple):
    """Where an interrupt was raised: the function, its file and the instruction (its offset)."""

    function: str
    filename: str
    offset: int
    code: CodeType

    @property
    def signal_can_do_the_same(self) -> bool:
        """Whether a real signal could leave what an interrupt here leaves. CPython 3.11 handles one only
        inside a function's first instruction, a call or a backward jump, raising it there, with that
        instruction's handler; so only when the instruction before this one is such an instruction under
        this one's handler."""
        before = [i for i in dis.get_instructions(self.code) if i.offset < self.offset]
        if not before or before[-1].opname not in ("RESUME", "CALL", "CALL_FUNCTION_EX", "JUMP_BACKWARD"):
            return False
        return _handler(self.code, before[-1].offset) == _handler(self.code, self.offset)

    @property
    def at_the_start(self) -> bool:
        """Whether this is the function's first instruction after its start (``RESUME``)."""
        before = [i.opname for i in dis.get_instructions(self.code) if i.offset < self.offset]
        return bool(before) and before[-1] == "RESUME"


def leaves_no_grad_on_only_where_a_signal_cannot(point: Point) -> bool:
    """Where an interrupt may leave ``no_grad``'s mode on: only where CPython never handles a signal (the
    instructions of a with statement that call ``__exit__``, ``__enter__``'s return after its switch), or as
    ``__exit__`` starts, the one window a signal has (docs/GUARANTEES.md)."""
    return not point.signal_can_do_the_same or (point.function == "__exit__" and point.at_the_start)

    def __repr__(self) -> str:
        return f"{Path(self.filename).name}:{self.function}@{self.offset}"


def _handler(code: CodeType, offset: int) -> int | None:
    """Where an exception raised at ``offset`` goes (the innermost entry of the exception table)."""
    return next((e.target for e in dis.Bytecode(code).exception_entries if e.start <= offset < e.end), None)


def interrupting_at(k: int, where: Callable[[FrameType], bool], found: list[Point]) -> Any:
    """A trace function raising KeyboardInterrupt at the k-th instruction run in a frame ``where`` accepts."""
    seen = 0

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal seen
        if not where(frame):
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            seen += 1
            if seen == k:
                found.append(Point(frame.f_code.co_name, frame.f_code.co_filename, frame.f_lasti, frame.f_code))
                raise KeyboardInterrupt  # raised in the traced frame, at this instruction
        return trace

    return trace


def every_interrupt(run: Callable[[], object], where: Callable[[FrameType], bool]) -> Iterator[Point]:
    """Run ``run`` interrupted at its 1st instruction, then its 2nd, ...; yield each point after its run
    (the caller checks the state, and restores it for the next run); stop when a run completes."""
    for point, _ in every_interrupt_raised(run, where):
        yield point


def every_interrupt_raised(
    run: Callable[[], object], where: Callable[[FrameType], bool]
) -> Iterator[tuple[Point, KeyboardInterrupt | None]]:
    """``every_interrupt``, with the KeyboardInterrupt that came out of ``run`` (None if it was swallowed)."""
    k = 0
    while True:
        k += 1
        found: list[Point] = []
        raised = None
        sys.settrace(interrupting_at(k, where, found))
        try:
            run()
        except KeyboardInterrupt as interrupt:
            raised = interrupt
        finally:
            sys.settrace(None)
        if not found:
            return
        yield found[0], raised


def in_files(*paths: str | Path) -> Callable[[FrameType], bool]:
    """Trace only frames running code from these files (and folders)."""
    prefixes = tuple(str(Path(path).resolve()) for path in paths)
    return lambda frame: frame.f_code.co_filename.startswith(prefixes)

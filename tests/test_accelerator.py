"""The C accelerator (autograd/_native.c) and the Python it mirrors give the same engine, bit for bit.

``python -m pytest`` runs the suite on whichever implementation is in use (the C one when it was built,
as CI requires) and, from here, runs the engine's own test files again on the Python implementation
(MICRO_AUTOGRAD_PURE_PYTHON=1), so both are checked on every run.
"""

import copy
import gc
import inspect
import json
import math
import os
import pickle
import random
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from operators import BINARY, BY_NAME, UNARY_NAMES, apply

import autograd
from autograd import Value
from autograd.accelerator import ACCELERATED, PURE_PYTHON_VARIABLE
from autograd.errors import AutogradError, GraphError

TESTS = Path(__file__).resolve().parent
PURE_PYTHON = {**os.environ, PURE_PYTHON_VARIABLE: "1"}
ASKED_FOR_PURE_PYTHON = os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0")
# For the differential runs: this folder's modules importable, and the same autograd as this process's.
PURE_PYTHON_WITH_TESTS = {
    **PURE_PYTHON,
    "PYTHONPATH": os.pathsep.join([str(TESTS), str(Path(autograd.__file__).parent.parent)]),
}


def on_the_python_implementation(report: str) -> Any:
    """This module's ``report()``, computed in a fresh process on the pure-Python implementation (JSON)."""
    python = subprocess.run(
        [sys.executable, "-c", f"import json, test_accelerator as t; print(json.dumps(t.{report}()))"],
        cwd=TESTS,
        env=PURE_PYTHON_WITH_TESTS,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(python.stdout)


def test_the_c_accelerator_is_built_and_in_use_unless_the_python_is_asked_for():
    assert ACCELERATED is not ASKED_FOR_PURE_PYTHON, (
        "autograd/_native.c was not compiled: install a C compiler and the Python headers, then reinstall"
    )
    if ACCELERATED:
        from autograd import _native

        assert Value is _native.Value
        assert type(Value.__mul__) is _native.Method


def test_the_python_implementation_is_the_one_asked_for():
    report = subprocess.run(
        [sys.executable, "-c", "import autograd.accelerator as a, autograd.value as v; print(a.ACCELERATED, v.Value)"],
        env=PURE_PYTHON,
        capture_output=True,
        text=True,
        check=True,
    )
    assert report.stdout.strip() == "False <class 'autograd.value.Value'>"


def test_a_node_is_left_to_reference_counting_on_the_c_node_and_tracked_in_the_python():
    x, y = Value(1.5), Value(2.5)
    for node in (x, x * y, (x * y).tanh(), 2.0 - x):
        assert gc.is_tracked(node) is not ACCELERATED


def test_freeing_a_chain_of_a_million_nodes_does_not_recurse():
    x = Value(1.0)
    for _ in range(2):  # a C node freeing its inputs recursively would overflow the C stack here
        y = x
        for _ in range(1_000_000):
            y = y * 1.0000001 + 0.0
        del y
    assert x.data == 1.0


# --- the same random programs, run on both implementations -------------------------------------------


def bits(number: float) -> str:
    """The float's IEEE 754 bit pattern (sign, exponent, payload), in hex: float.hex() shows every NaN as 'nan'."""
    return struct.pack("<d", number).hex()


def same_bits_but_a_nan_sign(here: str, there: str) -> bool:
    """Two reported numbers are the same bit pattern, or two NaNs that differ in their sign bit alone: the one
    documented difference between the implementations (docs/GUARANTEES.md, the head of autograd/_native.c)."""
    if here == there:
        return True
    if len(here) != 16 or len(there) != 16:  # an error's type and message: no exception there
        return False
    a, b = (int.from_bytes(bytes.fromhex(h), "little") for h in (here, there))
    return a ^ b == 1 << 63 and math.isnan(struct.unpack("<d", bytes.fromhex(here))[0])


def random_programs(count: int = 400, seed: int = 2026) -> list[list[str]]:
    """Random graphs over every operation, numbers and Values on either side, shared subexpressions,
    errors included; each reported as exact bit patterns, second derivatives too, or the error's type and
    message."""
    rng = random.Random(seed)
    reports = []
    for _ in range(count):
        leaves = [Value(rng.choice([rng.uniform(-3, 3), rng.randint(-2, 2), 0.5]), f"x{i}") for i in range(3)]
        pool: list[Value] = list(leaves)
        report = []
        try:
            for _ in range(rng.randint(1, 25)):
                name = rng.choice(sorted(BINARY) + UNARY_NAMES)
                a = rng.choice(pool)
                if name in UNARY_NAMES:
                    pool.append(apply(BY_NAME[name], a))
                    continue
                b: Value | float | int = rng.choice([*pool, rng.uniform(-2, 2), 2, 3.0])
                left, right = (b, a) if rng.random() < 0.3 else (a, b)
                pool.append(BINARY[name](left, right))
            out = pool[-1]
            out.backward()
            out.backward()  # and once more: gradients accumulate
            first = autograd.grad(out, leaves, allow_unused=True)
            report += [bits(out.data), *(bits(leaf.grad) for leaf in leaves), *(bits(g) for g in first)]
            report += [bits(node.grad) for node in autograd.topological_order(out)]
            first_as_values = autograd.grad(
                out, leaves, create_graph=True, allow_unused=True
            )  # the rows derivatives use, too
            report += [bits(g) for g in autograd.grad(first_as_values[0], leaves, allow_unused=True)]
        except (AutogradError, ArithmeticError, ValueError) as error:
            report.append(f"{type(error).__name__}: {error}")
        reports.append(report)
    return reports


def test_both_implementations_compute_the_same_numbers_bit_for_bit():
    here = random_programs()
    there = on_the_python_implementation("random_programs")
    assert len(here) == len(there) == 400
    for report_here, report_there in zip(here, there, strict=True):
        assert len(report_here) == len(report_there), (report_here, report_there)
        assert all(map(same_bits_but_a_nan_sign, report_here, report_there)), (report_here, report_there)
    outcomes = [report[-1].split(":")[0] if ":" in report[-1] else "numbers" for report in here]
    assert outcomes.count("numbers") > 200 and len(set(outcomes)) > 2  # both numbers and errors were compared
    numbers = [struct.unpack("<d", bytes.fromhex(h))[0] for report in here for h in report if ":" not in h]
    assert any(math.isnan(number) for number in numbers) and any(number == 0.0 for number in numbers)


@pytest.mark.parametrize(
    ("attribute", "bad", "error"),
    [
        ("_x", 2.0, AttributeError),
        ("_y", "x", AttributeError),
        ("_op", object(), AttributeError),
        ("label", 3, TypeError),
    ],
)
def test_the_c_node_refuses_what_would_break_the_sweep(attribute, bad, error):
    x = Value(1.0) * 2.0
    with pytest.raises(error, match="Value"):  # on both implementations: the record is read-only
        setattr(x, attribute, bad)
    assert x.data == 2.0 and x.parents[0].data == 1.0 and x.label == ""


def node_contract_report() -> list[str]:
    """What the node accepts and refuses: every field assigned and deleted on leaves and made nodes, and
    Value(...) called every way, each reported as the stored value (type and bits) or the error and message."""

    class Real(float):
        pass

    class Text(str):
        pass

    def outcome(action, *args, **kwargs) -> str:
        try:
            result = action(*args, **kwargs)
        except Exception as error:  # the point: the same errors on both
            return f"{type(error).__name__}: {error}"
        return f"{type(result).__name__} {bits(result) if isinstance(result, float) else repr(result)}"

    def assign(node, field, value):
        setattr(node, field, value)
        return getattr(node, field)

    x = Value(2.0, "x")
    candidates = [1.5, -0.0, math.nan, 3, True, None, "1.5", [1.0], 1 + 2j, 10**400, Real(0.5), Text("t"), "w", x]
    fields = ["data", "grad", "label", "_op", "_x", "_dx", "_y", "_dy", "_constant", "unknown"]
    report = []
    for node in (Value(2.0, "x"), x * 3.0, 2.0 - x, x.exp(), x * x):
        for field in fields:
            report += [f"{field} = {value!r}: {outcome(assign, node, field, value)}" for value in candidates]
            report.append(f"del {field}: {outcome(delattr, node, field)}")
    calls = [(1.5,), (3,), (True,), ("1.5",), (10**400,), (1.0, 3), (1.0, Text("w")), (), (1.0, "a", "b")]
    report += [f"Value{args}: {outcome(lambda *a: Value(*a).data, *args)}" for args in calls]
    report += [
        f"Value(**{kwargs}): {outcome(lambda **k: Value(**k).label, **kwargs)}"
        for kwargs in ({"data": 1.0, "label": "z"}, {"data": 1.0, "name": "z"}, {"label": "z"})
    ]
    report += [
        f"{name}: {getattr(Value, name).__name__} {getattr(Value, name).__qualname__}"
        for name in ("__add__", "__radd__", "__rsub__", "relu", "exp")
    ]
    return report


def test_both_implementations_accept_and_refuse_the_same_assignments_with_the_same_messages():
    here, there = node_contract_report(), on_the_python_implementation("node_contract_report")
    assert len(here) == len(there) > 700
    assert [line for line in here if line not in there] == []
    assert here == there


def test_a_nan_gradient_may_differ_only_in_its_sign():
    """The documented exception, shown: where two NaNs of opposite signs meet in the sweep's addition, the
    result is a NaN whose sign depends on the operand order the machine used (see docs/GUARANTEES.md)."""
    for _ in range(20):  # before and after CPython specialises the Python sweep's bytecode
        x = Value(1.0)
        (x * math.nan + x * -math.nan).backward()
        assert math.isnan(x.grad)
        assert bits(abs(x.grad)) == bits(math.nan)  # the same payload as math.nan: only the sign may vary


def test_copies_and_pickles_of_a_leaf_keep_its_number_gradient_and_label():
    w = Value(0.25, "w")
    w.grad = -1.5
    for copy_of in (copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))):
        twin = copy_of(w)
        assert type(twin) is Value and twin is not w
        assert (twin.data, twin.grad, twin.label, twin.is_leaf) == (0.25, -1.5, "w", True)
    made = w * 2.0
    with pytest.raises(GraphError, match=r"only a leaf Value can be copied.*made by '\*'"):
        copy.deepcopy(made)
    assert copy.deepcopy(made.detach()).data == 0.5


def test_the_signature_reads_the_same_on_both():
    assert str(inspect.signature(Value)) == "(data: 'float', label: 'str' = '') -> 'None'"

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
import subprocess
import sys
from pathlib import Path

import pytest
from operators import BINARY, UNARY_SYNTAX

import autograd
from autograd import Value
from autograd.accelerator import ACCELERATED, PURE_PYTHON_VARIABLE
from autograd.errors import AutogradError, GraphError

TESTS = Path(__file__).resolve().parent
PURE_PYTHON = {**os.environ, PURE_PYTHON_VARIABLE: "1"}
ASKED_FOR_PURE_PYTHON = os.environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0")

# The engine's own tests, rerun on the Python implementation (the rest of the suite only builds on them).
ENGINE_TESTS = [
    "test_value.py",
    "test_backward.py",
    "test_sweep.py",
    "test_errors.py",
    "test_grad_semantics.py",
    "test_grad_mode_threads.py",
    "test_second_derivatives.py",
    "test_functional.py",
    "test_anomaly.py",
    "test_memory_and_cycles.py",
    "test_compile.py",
    "test_fuzz.py",
    "test_torch_crosscheck.py",
    "test_article.py",
    "test_nn.py",
]


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


def test_the_engine_tests_pass_on_the_python_implementation():
    if ASKED_FOR_PURE_PYTHON:  # this run is already that run
        return
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(str(TESTS / name) for name in ENGINE_TESTS)],
        env=PURE_PYTHON,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout


# --- the same random programs, run on both implementations -------------------------------------------


def random_programs(count: int = 400, seed: int = 2026) -> list[list[str]]:
    """Random graphs over every operation, numbers and Values on either side, shared subexpressions,
    errors included; each reported as exact numbers (float.hex), or the error's type and message."""
    rng = random.Random(seed)
    unary = ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"]
    reports = []
    for _ in range(count):
        leaves = [Value(rng.choice([rng.uniform(-3, 3), rng.randint(-2, 2), 0.5]), f"x{i}") for i in range(3)]
        pool: list[Value] = list(leaves)
        report = []
        try:
            for _ in range(rng.randint(1, 25)):
                name = rng.choice(sorted(BINARY) + unary)
                a = rng.choice(pool)
                if name in unary:
                    pool.append(UNARY_SYNTAX[name](a) if name in UNARY_SYNTAX else getattr(a, name)())
                    continue
                b: Value | float | int = rng.choice([*pool, rng.uniform(-2, 2), 2, 3.0])
                left, right = (b, a) if rng.random() < 0.3 else (a, b)
                pool.append(BINARY[name](left, right))
            out = pool[-1]
            out.backward()
            out.backward()  # and once more: gradients accumulate
            first = autograd.grad(out, leaves)
            report += [out.data.hex(), *(leaf.grad.hex() for leaf in leaves), *(g.hex() for g in first)]
            report += [node.grad.hex() for node in autograd.topological_order(out)]
        except (AutogradError, ArithmeticError, ValueError) as error:
            report.append(f"{type(error).__name__}: {error}")
        reports.append(report)
    return reports


def test_both_implementations_compute_the_same_numbers_bit_for_bit():
    here = random_programs()
    python = subprocess.run(
        [sys.executable, "-c", "import json, test_accelerator as t; print(json.dumps(t.random_programs()))"],
        cwd=TESTS,
        env={**PURE_PYTHON, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])},  # this checkout
        capture_output=True,
        text=True,
        check=True,
    )
    there = json.loads(python.stdout)
    assert len(here) == len(there) == 400
    assert here == there
    outcomes = [report[-1].split(":")[0] if ":" in report[-1] else "numbers" for report in here]
    assert outcomes.count("numbers") > 200 and len(set(outcomes)) > 2  # both numbers and errors were compared
    assert any(math.isnan(float.fromhex(h)) for report in here for h in report if ":" not in h)


@pytest.mark.parametrize(
    ("attribute", "bad"),
    [("_x", 2.0), ("_y", "x"), ("label", 3)],
)
def test_the_c_node_refuses_what_would_break_the_sweep(attribute, bad):
    x = Value(1.0) * 2.0
    if not ACCELERATED:  # the Python node is a plain slotted object: the engine alone writes these fields
        return
    with pytest.raises(TypeError, match="Value"):
        setattr(x, attribute, bad)
    assert x.data == 2.0 and x.parents[0].data == 1.0


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

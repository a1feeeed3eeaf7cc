"""The engine's own tests carry the marker ``engine``: CI (``.ci/run``) reruns them on the pure-Python
implementation (``MICRO_AUTOGRAD_PURE_PYTHON=1 python -m pytest -m engine``), beside the main run.

In CI (``CI`` set, as ``.ci/run`` and CI services set it) a skipped test fails instead, naming its reason:
everything a test needs is installed there, so a skip could only hide something missing."""

import gc
import os
from collections.abc import Iterator

import pytest

ENGINE_TESTS = (
    "test_value.py",
    "test_node.py",
    "test_backward.py",
    "test_sweep.py",
    "test_errors.py",
    "test_grad_semantics.py",
    "test_grad_mode_threads.py",
    "test_second_derivatives.py",
    "test_operation_table.py",
    "test_functional.py",
    "test_anomaly.py",
    "test_memory_and_cycles.py",
    "test_accelerator.py",
    "test_compile.py",
    "test_fuzz.py",
    "test_torch_crosscheck.py",
    "test_article.py",
    "test_nn.py",
)
"""The rest of the suite builds on these (drawing, pages, notebooks, the command line) and runs once."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in ENGINE_TESTS:
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where everything the tests need is installed: {reason}"


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Run the test with the cycle collector off, so only an explicit gc.collect() can free a cycle."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

"""The engine's own tests carry the marker ``engine``: CI (``.ci/run``) reruns them on the pure-Python
implementation (``MICRO_AUTOGRAD_PURE_PYTHON=1 python -m pytest -m engine``), beside the main run."""

import gc
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


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Run the test with the cycle collector off, so only an explicit gc.collect() can free a cycle."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

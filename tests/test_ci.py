"""What CI runs: the README's test command, and the engine's own tests again on the pure-Python implementation."""

import subprocess
import sys
from pathlib import Path

from conftest import ENGINE_TESTS

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text()


def test_ci_runs_the_readmes_test_command_and_the_engine_tests_on_the_python_implementation():
    assert "\npython -m pytest" in CI
    assert "MICRO_AUTOGRAD_PURE_PYTHON=1 python -m pytest" in CI and "-m engine" in CI
    assert "bash .ci/run" in (ROOT / "README.md").read_text()


def test_the_engine_marker_selects_every_engine_test_file_and_nothing_else():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "engine"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = {line.split("::")[0].removeprefix("tests/") for line in collected.splitlines() if "::" in line}
    assert files == set(ENGINE_TESTS)

"""What CI runs: the README's test command, and the engine's own tests again on the pure-Python implementation."""

import os
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


def test_in_ci_a_skipped_test_fails_naming_its_reason(tmp_path):
    """CI installs everything the tests need: a skip there (a missing extra, say) must fail, not pass quietly."""
    assert 'export CI="${CI:-true}"' in CI
    (tmp_path / "test_needs_something.py").write_text(
        "import pytest\n\ndef test_it():\n    pytest.importorskip('a_module_nobody_installed')\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", str(tmp_path)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    runs = {
        ci: subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**environment, "CI": ci})
        for ci in ("true", "")
    }
    assert runs["true"].returncode == 1 and "skipped in CI" in runs["true"].stdout, runs["true"].stdout
    assert runs[""].returncode == 0 and "1 skipped" in runs[""].stdout, runs[""].stdout

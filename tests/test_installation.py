"""Installation that never fails silently: a stale accelerator is set aside with a warning, a package of the
same import name (HIPS autograd) is detected and explained, and the command line says which engine runs."""

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd.accelerator import PURE_PYTHON_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
ENV = {key: value for key, value in os.environ.items() if key != PURE_PYTHON_VARIABLE}


def _copy_of_the_packages(tmp_path: Path) -> Path:
    """autograd/ and nn/ as they are here (the compiled accelerator included), in a folder of their own."""
    for package in ("autograd", "nn"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _python(folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        cwd=folder,
        env={**ENV, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


REPORT = "import autograd; print(autograd.ACCELERATED, autograd.accelerator.IMPLEMENTATION, sep='|')"


def test_the_accelerator_built_from_the_source_beside_it_runs(tmp_path):
    folder = _copy_of_the_packages(tmp_path)
    run = _python(folder, REPORT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("True|C accelerator"), run.stdout + run.stderr
    assert "StaleAcceleratorWarning" not in run.stderr


def test_an_accelerator_built_from_another_source_is_set_aside_with_a_warning(tmp_path):
    folder = _copy_of_the_packages(tmp_path)
    source = folder / "autograd" / "_native.c"
    source.write_text(source.read_text() + "\n/* changed after the build */\n")
    run = _python(folder, REPORT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False|Python (the compiled accelerator is stale: rebuild it)"
    assert "StaleAcceleratorWarning" in run.stderr
    assert "built from another autograd/_native.c" in run.stderr and "pip install -e ." in run.stderr


def test_hips_autograd_files_in_the_same_package_folder_are_detected_at_import_and_by_info(tmp_path):
    folder = _copy_of_the_packages(tmp_path)
    for name in ("tracer.py", "core.py", "wrap_util.py"):  # files of HIPS autograd's package, none of ours
        (folder / "autograd" / name).write_text("# HIPS autograd\n")
    run = _python(folder, "import autograd")
    assert run.returncode == 0, run.stderr
    assert "InstallationClashWarning" in run.stderr
    assert "core.py, tracer.py, wrap_util.py are not micro-autograd's" in run.stderr
    assert "separate virtual environments" in run.stderr
    info = _python(folder, "from nn.cli import main; main(['info'])")
    assert "installation: another package named 'autograd'" in info.stdout
    assert "separate virtual environments" in info.stdout


def test_an_autograd_package_that_is_not_ours_makes_nn_say_so(tmp_path):
    (tmp_path / "autograd").mkdir()
    (tmp_path / "autograd" / "__init__.py").write_text("def grad(fun):\n    return fun\n")  # HIPS's API, not ours
    shutil.copytree(ROOT / "nn", tmp_path / "nn", ignore=shutil.ignore_patterns("__pycache__"))
    run = _python(tmp_path, "import nn")
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nn needs micro-autograd's 'autograd' package")
    assert "HIPS autograd" in last and "separate virtual environments" in last


def test_a_clean_installation_reports_no_clash():
    assert autograd.installation.clash() is None


@pytest.mark.parametrize("pure_python", [False, True])
def test_version_and_info_say_which_engine_runs(pure_python):
    env = {**ENV, PURE_PYTHON_VARIABLE: "1"} if pure_python else ENV
    command = [sys.executable, "-m", "nn"]
    version = subprocess.run([*command, "--version"], env=env, capture_output=True, text=True, check=True).stdout
    engine = "pure Python" if pure_python else "C accelerator"
    assert version.strip() == (
        f"micro-autograd {autograd.__version__} ({engine} engine; Python {platform.python_version()})"
    )
    info = subprocess.run([*command, "info"], env=env, capture_output=True, text=True, check=True).stdout
    lines = info.splitlines()
    assert lines[0] == f"micro-autograd {autograd.__version__}"
    expected = "engine: Python (MICRO_AUTOGRAD_PURE_PYTHON is set)" if pure_python else "engine: C accelerator ("
    assert lines[1].startswith(expected)
    assert lines[2].startswith(f"Python {platform.python_version()}")
    assert lines[3] == "installation: ok (no other package named autograd here)"


def test_the_version_is_the_distributions():
    from importlib.metadata import version

    assert autograd.__version__ == version("micro-autograd") != "unknown"

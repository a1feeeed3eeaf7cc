"""The distribution: its name, its one runtime dependency, its extras, and what the wheel ships."""

import subprocess
import sys
import zipfile
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_metadata_names_the_distribution_and_one_runtime_dependency():
    dist = distribution("micro-autograd")
    assert dist.metadata["Name"] == "micro-autograd"
    requirements = dist.requires or []
    runtime = [r for r in requirements if "extra ==" not in r]
    assert [r.split(">")[0].split("=")[0].strip() for r in runtime] == ["graphviz"]
    assert any(r.startswith("torch==2.13.0") and 'extra == "test"' in r for r in requirements)
    assert any(r.startswith("pytest") and 'extra == "test"' in r for r in requirements)
    assert any(r.startswith("hypothesis") and 'extra == "test"' in r for r in requirements)
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"micro-autograd": "nn.cli:main"}


def test_wheel_ships_both_packages_typed_and_nothing_else(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("micro_autograd-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograd/py.typed" in names and "nn/py.typed" in names
    assert "autograd/value.py" in names and "nn/article.py" in names
    # the C accelerator, compiled, with its type stub (CI has a compiler: a wheel without it is a failure)
    assert any(name.startswith("autograd/_native.") and name.endswith((".so", ".pyd")) for name in names)
    assert "autograd/_native.pyi" in names
    # the step-through page's own files, inlined when a page is written
    assert {f"autograd/views/page/stepthrough.{kind}" for kind in ("html", "css", "js")} <= set(names)
    top_level = {name.split("/")[0] for name in names if not name.startswith("micro_autograd-")}
    assert top_level == {"autograd", "nn"}

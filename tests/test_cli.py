"""`micro-autograd demo` and `python -m nn`: the article, as a reader sees it in a terminal."""

import subprocess
import sys

import pytest

from nn.cli import main


def run(capsys, *args):
    assert main(["demo", *args]) == 0
    return capsys.readouterr().out


def test_demo_prints_the_article_step_by_step(capsys):
    out = run(capsys)
    for expected in [
        "h1  = 2*0.11 + 3*0.21 = 0.85",
        "h2  = 2*0.12 + 3*0.08 = 0.48",
        "= 0.191",
        "E   = 1/2 * (out - target)^2 = 0.3272",
        "delta = out - target = -0.809",
        "dE/dw6 = delta * h2",
        "dE/dw1 = delta * w5 * i1",
        "engine: -0.6876",  # dE/dw5 = -0.68765 to 4 significant digits
        "engine: -0.2265",  # dE/dw1 = -0.22652
        "w4: 0.08 -> 0.0982",
        "w5: 0.14 -> 0.1744",
        "new prediction out = 0.2557",
    ]:
        assert expected in out, expected


def test_demo_precise_prints_exact_values(capsys):
    out = run(capsys, "--precise")
    assert "-0.68765" in out and "0.2557457808075" in out


def test_demo_steps_prints_error_per_step(capsys):
    out = run(capsys, "--steps", "3")
    assert "step" in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit() and len(line.split()) == 3]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert rows[1][1:] == ["0.2557", "0.277"]  # the article: out and E after one step
    assert rows[2][1:] == ["0.3323", "0.2229"]  # the article's second step


def test_demo_lr_changes_the_step(capsys):
    out = run(capsys, "--lr", "0.1")
    assert "a = 0.1" in out and "w5: 0.14 -> 0.2088" in out  # 0.14 + 0.1 * 0.68765


@pytest.mark.parametrize("bad", [["--steps", "0"], ["--lr", "-1"], ["--lr", "abc"]])
def test_bad_arguments_are_refused_clearly(capsys, bad):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", *bad])
    assert exit_info.value.code == 2
    assert "error: argument" in capsys.readouterr().err


def test_console_script_and_module_entry_points():
    for command in (["micro-autograd", "demo"], [sys.executable, "-m", "nn", "demo"]):
        if command[0] == "micro-autograd":
            command[0] = str(__import__("pathlib").Path(sys.executable).with_name("micro-autograd"))
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert "new prediction out = 0.2557" in result.stdout

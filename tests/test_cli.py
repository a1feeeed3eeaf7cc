"""`micro-autograd demo`, `render` and `python -m nn`: the article, as a reader sees it in a terminal.

Each defect issue 11 found in the old command line has a test that fails on it (its docstring says how)."""

import math
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from nn import article
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


def article_training(steps, lr=0.05):
    """out and E after 0, 1, ..., steps gradient-descent steps, by PyTorch in float64 (independent of the engine)."""
    w = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in article.WEIGHTS.items()}
    i1, i2 = article.INPUTS
    rows = []
    for _ in range(steps + 1):
        out = (i1 * w["w1"] + i2 * w["w2"]) * w["w5"] + (i1 * w["w3"] + i2 * w["w4"]) * w["w6"]
        error = 0.5 * (out - article.TARGET) ** 2
        rows.append((out.item(), error.item()))
        error.backward()
        with torch.no_grad():
            for weight in w.values():
                weight -= lr * weight.grad
                weight.grad = None
    return rows


def table_rows(out):
    return [line.split() for line in out.splitlines() if line.strip()[:1].isdigit() and len(line.split()) == 3]


def test_demo_steps_table_ends_with_the_last_update(capsys):
    """Old main printed the values before each update, so the last update's result never appeared."""
    rows = table_rows(run(capsys, "--steps", "3", "--precise"))
    assert [row[0] for row in rows] == ["0", "1", "2", "3"]  # step 0: the initial weights; step k: after k updates
    for row, (out, error) in zip(rows, article_training(3), strict=True):
        assert math.isclose(float(row[1]), out, rel_tol=1e-12) and math.isclose(float(row[2]), error, rel_tol=1e-12)
    rows = table_rows(run(capsys, "--steps", "3"))
    assert rows[1][1:] == ["0.2557", "0.277"] and rows[2][1:] == ["0.3323", "0.2229"]  # the article's two steps


def test_demo_lr_changes_the_step(capsys):
    out = run(capsys, "--lr", "0.1")
    assert "a = 0.1" in out and "w5: 0.14 -> 0.2088" in out  # 0.14 + 0.1 * 0.68765


@pytest.mark.parametrize("bad", [["--steps", "0"], ["--lr", "-1"], ["--lr", "abc"]])
def test_bad_arguments_are_refused_clearly(capsys, bad):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", *bad])
    assert exit_info.value.code == 2
    assert "error: argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["demo", "--lr", "abc"], "argument --lr: expected a number such as 0.05, got 'abc'"),
        (["demo", "--lr", "nan"], "argument --lr: must be a positive finite number, got nan"),
        (["demo", "--lr", "inf"], "argument --lr: must be a positive finite number, got inf"),
        (["demo", "--steps", "two"], "argument --steps: expected a whole number, got 'two'"),
        (["demo", "--steps", "2.5"], "argument --steps: expected a whole number, got '2.5'"),
        (["render", "--precision", "x"], "argument --precision: expected a whole number, got 'x'"),
        (["render", "--precision", "40"], "argument --precision: a float has at most 17 significant digits, got 40"),
    ],
)
def test_bad_numbers_are_explained_in_words(capsys, arguments, words):
    """Old main said "invalid _positive_float value": the name of a function inside the CLI."""
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and words in err and "invalid" not in err and "_positive" not in err


def test_help_is_plain_text_and_shows_the_defaults(capsys):
    """Old main showed the module docstring's reST ``quotes`` and hid the learning rate's default."""
    helps = {}
    for command in ([], ["demo"], ["render"], ["explain"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*command, "--help"])
        assert exit_info.value.code == 0
        helps[" ".join(command)] = capsys.readouterr().out
    assert not any("``" in text for text in helps.values())
    assert "demo" in helps[""] and "render" in helps[""] and "explain" in helps[""]
    assert "(default: 1)" in helps["demo"] and "(default: 0.05)" in helps["demo"]
    assert "(default: graph)" in helps["render"] and "(default: 4)" in helps["render"]
    assert "(default: LR)" in helps["render"] and "extension" in helps["render"]


def test_a_diverging_learning_rate_is_stopped_with_a_hint(capsys):
    """Old main printed inf for --lr 1e308 and went on as if nothing had happened."""
    assert main(["demo", "--lr", "1e308"]) == 1
    captured = capsys.readouterr()
    assert "training diverged at step 1" in captured.err and "try a smaller --lr" in captured.err
    assert main(["demo", "--lr", "3", "--steps", "10"]) == 1  # the engine's overflow error, given the same hint
    captured = capsys.readouterr()
    assert "training diverged at step 5" in captured.err and "too large for a float" in captured.err
    assert "try a smaller --lr" in captured.err and "Traceback" not in captured.err


def test_a_growing_error_gets_a_note(capsys):
    out = run(capsys, "--lr", "1", "--steps", "3")
    rows = table_rows(out)
    assert float(rows[-1][2]) > float(rows[0][2])  # E grew: the steps overshoot
    assert "Note: E grew from 0.3272" in out and "Try a smaller --lr" in out
    assert "Note" not in run(capsys, "--steps", "3")  # the article's rate: E falls


# --- render: the format follows the file name ------------------------------------------------------------


def render(capsys, tmp_path, *arguments):
    status = main(["render", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("name", "magic"),
    [("graph.png", b"\x89PNG"), ("graph.PDF", b"%PDF"), ("graph.svg", b"<?xml"), ("graph.dot", b"digraph")],
)
def test_render_infers_the_format_from_the_extension(capsys, tmp_path, name, magic):
    """Old main wrote SVG bytes into graph.png (and graph.pdf) unless --format said otherwise."""
    status, out, _ = render(capsys, tmp_path, "--out", str(tmp_path / name))
    assert status == 0 and out == f"wrote {tmp_path / name}\n"
    assert (tmp_path / name).read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--out", "x.jpg"], "--out x.jpg: cannot write a .jpg file; the formats are .svg, .png, .pdf, .dot"),
        (["--format", "png", "--out", "x.svg"], "--out x.svg: the file name says .svg but the format asked for is png"),
        (["--out", ""], "--out needs a file name, not an empty one"),
        (["--out", "  "], "--out needs a file name, not an empty one"),
        (["--out", "dir.svg/"], "--out dir.svg/: that is a folder; give the name of the file to write"),  # was dir.svg
    ],
)
def test_render_refuses_a_file_name_it_cannot_honour(capsys, tmp_path, monkeypatch, arguments, words):
    """Old main wrote SVG into x.jpg, PNG into x.svg, and for --out "" a file in the current folder."""
    monkeypatch.chdir(tmp_path)
    status, out, err = render(capsys, tmp_path, *arguments)
    assert status == 2 and err == f"micro-autograd render: error: {words}\n" and not out
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


def test_render_refuses_a_folder_that_is_there(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pictures.svg").mkdir()
    status, out, err = render(capsys, tmp_path, "--out", "pictures.svg")
    assert not out
    assert (
        status == 2
        and err
        == "micro-autograd render: error: --out pictures.svg: that is a folder; give the name of the file to write\n"
    )
    assert list((tmp_path / "pictures.svg").iterdir()) == []


def test_render_without_out_names_the_file_after_the_view_and_format(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert render(capsys, tmp_path, "--view", "network", "--format", "png")[0] == 0
    assert (tmp_path / "article-network.png").read_bytes().startswith(b"\x89PNG")
    assert render(capsys, tmp_path, "--out", str(tmp_path / "plain"), "--format", "pdf")[0] == 0
    assert (tmp_path / "plain").read_bytes().startswith(b"%PDF")  # no extension: --format decides


# --- the real program, as a shell runs it ----------------------------------------------------------------


def console(*arguments):
    return [str(Path(sys.executable).with_name("micro-autograd")), *arguments]


@pytest.mark.parametrize("command", [console("demo", "--steps", "200"), [sys.executable, "-m", "nn", "demo"]])
def test_a_reader_that_stops_reading_ends_the_program_quietly(command):
    """Old main printed "micro-autograd: error: [Errno 32] Broken pipe" and exited 1 under `| head -1`.
    Here the pipe's reading end is closed before the program writes, as `head` closes it after one line."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.stderr == ""  # no "Broken pipe", no traceback, no "Exception ignored"
    assert done.returncode == 128 + signal.SIGPIPE  # what a shell reports for a program SIGPIPE ended


def test_the_shell_pipeline_to_head_prints_one_line_and_no_error():
    pipeline = f"{shlex.join(console('demo', '--steps', '2000'))} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("The reference article's network") and done.stdout.count("\n") == 1
    assert done.stderr == ""


def test_console_script_and_module_entry_points():
    for command in (["micro-autograd", "demo"], [sys.executable, "-m", "nn", "demo"]):
        if command[0] == "micro-autograd":
            command[0] = str(__import__("pathlib").Path(sys.executable).with_name("micro-autograd"))
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert "new prediction out = 0.2557" in result.stdout

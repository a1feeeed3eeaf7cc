"""The README's examples run and print what the README says they print."""

import contextlib
import io
import re
import shlex
from pathlib import Path

from nn.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_example_prints_the_articles_figures():
    example = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    # The expected values are the article's (../shared/article.md), not the engine's.
    assert lines[0] == "0.191 0.3272405"
    gradients = {"w1": -0.22652, "w2": -0.33978, "w3": -0.2427, "w4": -0.36405, "w5": -0.68765, "w6": -0.38832}
    assert lines[1] == str(gradients)
    assert abs(float(lines[2]) - 0.2557457808075) < 1e-12


def test_the_readme_shows_what_explain_prints(capsys):
    """The README's ``explain`` example is the command's own output, to the character; its gradients
    are the closed form: at x*w + b = 0, tanh' = 1 - tanh(0)^2 = 1, so df/dx = w, df/dw = x, df/db = 1."""
    example = re.search(r"```console\n\$ (micro-autograd explain .*?)\n(.*?)```", README.read_text(), re.S)
    assert example is not None, "the README shows micro-autograd explain and its output"
    command, shown = example.groups()
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == shown
    assert "df/dx = -0.5\n" in shown and "df/dw = 2   (parameter)\n" in shown and "df/db = 1   (parameter)\n" in shown

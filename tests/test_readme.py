"""The README's example runs and prints the article's numbers, as its comments say."""

import contextlib
import io
import re
from pathlib import Path

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

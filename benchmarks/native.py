"""Workload A's step in C, compiled when the benchmark runs: where the machine itself stands, below Python.

The C is the hand-written Python step (``article_floats``) line for line, on
doubles, compiled with ``cc -O2`` (no fast-math, so the arithmetic is IEEE's,
as Python's) into a temporary shared library and called through ``ctypes``,
once per run of all the steps. Without a C compiler the engine is left out,
and the results say so.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable, Sequence

from .workloads import I1, I2, LR, TARGET, Unavailable

ARTICLE_C = r"""
void article(long steps, const double *start, double i1, double i2, double target, double lr, double *out) {
    double w1 = start[0], w2 = start[1], w3 = start[2], w4 = start[3], w5 = start[4], w6 = start[5];
    double error = 0.0;
    for (long s = 0; s < steps; s++) {
        double h1 = i1 * w1 + i2 * w2;
        double h2 = i1 * w3 + i2 * w4;
        double delta = h1 * w5 + h2 * w6 - target;
        error = 0.5 * delta * delta;
        double d_h1 = delta * w5;
        double d_h2 = delta * w6;
        w1 -= lr * (d_h1 * i1);
        w2 -= lr * (d_h1 * i2);
        w3 -= lr * (d_h2 * i1);
        w4 -= lr * (d_h2 * i2);
        w5 -= lr * (delta * h1);
        w6 -= lr * (delta * h2);
    }
    out[0] = error;
    out[1] = w1; out[2] = w2; out[3] = w3; out[4] = w4; out[5] = w5; out[6] = w6;
}
"""

FLAGS = ["-O2", "-shared", "-fPIC"]


def compiler() -> list[str] | None:
    """The C compiler Python was built with (``sysconfig``'s CC), else ``cc``, if it is on the PATH."""
    for candidate in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc"):
        if candidate:
            command = shlex.split(candidate)
            if command and shutil.which(command[0]):
                return command
    return None


def describe() -> str:
    """How the C floor is built, for the results."""
    command = compiler()
    if command is None:
        return "no C compiler found (looked for $CC, Python's CC and cc): the C column is empty"
    return f"`{' '.join([*command, *FLAGS])}`, at benchmark time"


@functools.cache
def article_in_c() -> Callable[[Sequence[float], int], list[float]]:
    """``step(weights, steps) -> [error, w1..w6]``, the article's descent run in C; Unavailable without a compiler."""
    command = compiler()
    if command is None:
        raise Unavailable("no C compiler found")
    with tempfile.TemporaryDirectory(prefix="micro-autograd-bench-") as folder:  # loaded, the file may go
        source, library = os.path.join(folder, "article.c"), os.path.join(folder, "article.so")
        with open(source, "w") as out:
            out.write(ARTICLE_C)
        done = subprocess.run([*command, *FLAGS, "-o", library, source], capture_output=True, text=True)
        if done.returncode != 0:
            raise Unavailable(f"the C compiler failed: {done.stderr.strip()[:200]}")
        article = ctypes.CDLL(library).article
    double, pointer = ctypes.c_double, ctypes.POINTER(ctypes.c_double)
    article.argtypes = [ctypes.c_long, pointer, double, double, double, double, pointer]
    article.restype = None

    def step(weights: Sequence[float], steps: int) -> list[float]:
        start, out = (double * 6)(*weights), (double * 7)()
        article(steps, start, I1, I2, TARGET, LR, out)
        return list(out)

    return step

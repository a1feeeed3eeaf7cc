"""Build the optional C accelerator, ``autograd/_native.c``; everything else is in pyproject.toml.

The extension is stamped with the SHA-256 of the source it was compiled from, so that ``import autograd``
can tell an extension built from an older ``_native.c`` (a failed rebuild leaves the old one in place) and
set it aside with a warning instead of running it silently (see ``autograd/accelerator.py``).
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "autograd/_native.c"
digest = hashlib.sha256((Path(__file__).parent / SOURCE).read_bytes()).hexdigest()

setup(
    ext_modules=[
        Extension(
            "autograd._native",
            [SOURCE],
            define_macros=[("NATIVE_SOURCE_SHA256", f'"{digest}"')],
            extra_compile_args=["-ffp-contract=off"],  # a*b+c stays two roundings, exactly as in the Python
            optional=True,  # without a C compiler the install still succeeds and the Python implementation runs
        )
    ]
)

"""``python -m nn``: the same command line as ``micro-autograd``."""

import sys

from .cli import main

sys.exit(main())

"""``micro-autograd playground``: write the playground page for a dataset and open it in the browser.

    micro-autograd playground moons --hidden 8,8 --activation tanh --out moons.html --no-open

Opening a browser is said, either way: which page was opened, or why none could be and the file to open.
"""

from __future__ import annotations

import argparse
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .datasets import DATASETS
from .layers import ACTIVATIONS, MLP
from .playground import MAX_HIDDEN_LAYERS, MAX_WIDTH, playground

SAMPLES = 200


def hidden_layers(text: str) -> tuple[int, ...]:
    """``8,8`` as (8, 8); ``none`` (or nothing) for no hidden layer."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give the hidden layers' sizes as whole numbers, e.g. 8,8"
        ) from None
    if any(size < 1 or size > MAX_WIDTH for size in sizes) or len(sizes) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: at most {MAX_HIDDEN_LAYERS} hidden layers of 1 to {MAX_WIDTH} neurons each"
        )
    return sizes


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], positive: Callable[[str], float]) -> None:
    """The ``playground`` subcommand and its options (``positive`` parses a checked number)."""
    about = "write the playground page (a network learning a dataset in the plane, live) and open it"
    parser = commands.add_parser("playground", help=about, description=about)
    parser.add_argument("dataset", nargs="?", choices=tuple(DATASETS), default="moons", help="default: %(default)s")
    parser.add_argument("--hidden", type=hidden_layers, default=(8, 8), help="hidden layer sizes (default: 8,8)")
    parser.add_argument(
        "--activation", choices=tuple(a for a in ACTIVATIONS if a != "linear"), default="relu", help="default: relu"
    )
    parser.add_argument("--noise", type=float, default=None, help="the dataset's noise (default: the dataset's own)")
    parser.add_argument("--lr", type=positive, default=0.1, help="SGD learning rate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, weights and batches (default: 0)")
    parser.add_argument("--out", metavar="PATH", help="the page to write (default: playground-DATASET.html)")
    parser.add_argument("--no-open", action="store_true", help="write the page without opening a browser")


def run(args: argparse.Namespace, out: TextIO) -> Path:
    """Write the page ``args`` ask for, open it unless ``--no-open``, and say what happened on ``out``."""
    make = DATASETS[args.dataset]
    dataset = make(SAMPLES, seed=args.seed) if args.noise is None else make(SAMPLES, noise=args.noise, seed=args.seed)
    model = MLP(2, [*args.hidden, 1], activation=args.activation, seed=args.seed)
    path = Path(args.out if args.out is not None else f"playground-{args.dataset}.html")
    if not path.name.strip():
        raise ValueError("--out needs a file name, not an empty one")
    page = playground(model, dataset, name=args.dataset, learning_rate=args.lr, seed=args.seed).save(path)
    shape = ", ".join(map(str, [2, *args.hidden, 1]))
    print(f"wrote {page}: MLP({shape}), {args.activation}, on {SAMPLES} {args.dataset} points", file=out)
    uri = page.resolve().as_uri()
    if args.no_open:
        print(f"not opened (--no-open): open {uri} in a browser", file=out)
        return page
    try:
        opened = webbrowser.open(uri)
    except webbrowser.Error as error:
        opened, reason = False, str(error)
    else:
        reason = "no browser was found to open it"
    if opened:
        print(f"opened {uri} in your browser", file=out)
    else:
        print(f"could not open a browser ({reason}): open {uri} yourself", file=out)
    return page

"""``micro-autograd``: the command line. ``demo`` walks through the reference article; ``render`` draws it;
``info`` says which engine runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from autograd import AutogradError, Value, installation, topological_order

from . import article, article_views
from .optim import SGD


def _formatter(precise: bool) -> Callable[[float], str]:
    """Four significant digits for reading; every digit with ``--precise``."""
    return repr if precise else (lambda x: f"{x:.4g}")


def demo(steps: int, lr: float, precise: bool, out: TextIO | None = None) -> None:
    """Print the article step by step, from the engine's own numbers."""
    out = out or sys.stdout
    fmt = _formatter(precise)
    model, inputs, prediction, error = article.article_state()  # forward and backward, as the article does
    weights = article.article_weights(model)
    optimizer = SGD(model.parameters(), lr=lr)

    def say(text: str = "") -> None:
        print(text, file=out)

    say("The reference article's network: two inputs, two hidden neurons, one output, no activations.")
    say("  h1  = i1*w1 + i2*w2")
    say("  h2  = i1*w3 + i2*w4")
    say("  out = h1*w5 + h2*w6")
    say("  weights: " + ", ".join(f"{name} = {fmt(w.data)}" for name, w in weights.items()))
    say(f"  data: inputs i1 = {fmt(article.INPUTS[0])}, i2 = {fmt(article.INPUTS[1])}; target = {fmt(article.TARGET)}")
    say()

    h1, h2 = (_output_of(prediction, name) for name in ("h1", "h2"))
    say("Forward pass")
    say(
        f"  h1  = {fmt(inputs[0].data)}*{fmt(weights['w1'].data)} + {fmt(inputs[1].data)}*{fmt(weights['w2'].data)}"
        f" = {fmt(h1)}"
    )
    say(
        f"  h2  = {fmt(inputs[0].data)}*{fmt(weights['w3'].data)} + {fmt(inputs[1].data)}*{fmt(weights['w4'].data)}"
        f" = {fmt(h2)}"
    )
    say(f"  out = {fmt(h1)}*{fmt(weights['w5'].data)} + {fmt(h2)}*{fmt(weights['w6'].data)} = {fmt(prediction.data)}")
    say(f"  E   = 1/2 * (out - target)^2 = {fmt(error.data)}")
    delta = prediction.data - article.TARGET
    say(f"  delta = out - target = {fmt(delta)}")
    say()

    values = {"delta": delta, "h1": h1, "h2": h2, "i1": inputs[0].data, "i2": inputs[1].data}
    values.update({name: w.data for name, w in weights.items()})
    say("Backward pass: each gradient from the engine, beside the article's formula")
    for name in sorted(weights, reverse=True):
        formula = article.GRADIENT_FORMULAS[name]
        by_hand = _evaluate(formula, values)
        say(f"  dE/d{name} = {formula:<16} = {fmt(by_hand):>10}   engine: {fmt(weights[name].grad)}")
    say()

    optimizer.step()
    say(f"Gradient descent, w_new = w - a * dE/dw with a = {fmt(lr)}")
    for name, w in weights.items():
        say(f"  {name}: {fmt(values[name])} -> {fmt(w.data)}")
    optimizer.zero_grad()
    new_prediction, new_error = article.article_error(model, inputs)
    say(f"  new prediction out = {fmt(new_prediction.data)} (was {fmt(prediction.data)}; target {fmt(article.TARGET)})")
    say(f"  new error E = {fmt(new_error.data)} (was {fmt(error.data)})")

    if steps > 1:
        say()
        say(f"Training on for {steps} steps in all")
        say(f"  {'step':>5}  {'out':>12}  {'E':>12}")
        say(f"  {1:>5}  {fmt(prediction.data):>12}  {fmt(error.data):>12}")
        for step in range(2, steps + 1):
            current, loss = article.article_error(model, inputs)
            say(f"  {step:>5}  {fmt(current.data):>12}  {fmt(loss.data):>12}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def _output_of(root: Value, label: str) -> float:
    return next(node.data for node in topological_order(root) if node.label == label)


def _evaluate(formula: str, values: dict[str, float]) -> float:
    result = 1.0
    for factor in formula.split(" * "):
        result *= values[factor]
    return result


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="micro-autograd", description=__doc__)
    parser.add_argument(
        "--version", action="version", version=installation.summary(), help="show the version, engine and Python"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="say which engine runs (C accelerator or Python), its version, and Python's")
    demo_parser = commands.add_parser("demo", help="walk through the reference article step by step")
    demo_parser.add_argument("--steps", type=_positive_int, default=1, help="gradient-descent steps (default 1)")
    demo_parser.add_argument("--lr", type=_positive_float, default=article.LEARNING_RATE, help="learning rate")
    demo_parser.add_argument("--precise", action="store_true", help="print every number in full precision")
    demo_parser.add_argument("--html", metavar="PATH", help="also write the step-through page (one HTML file) to PATH")
    render_parser = commands.add_parser("render", help="draw the article's computation graph or network to a file")
    render_parser.add_argument("--view", choices=article_views.VIEWS, default="graph", help="what to draw")
    render_parser.add_argument("--format", choices=article_views.FORMATS, default="svg", help="file format")
    render_parser.add_argument("--out", metavar="PATH", help="where to write (default: article-VIEW.FORMAT)")
    render_parser.add_argument("--precision", type=_positive_int, default=4, help="significant digits (default 4)")
    render_parser.add_argument("--direction", choices=("LR", "TB"), default="LR", help="left to right or top down")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "info":
            print(installation.describe())
        elif args.command == "demo":
            demo(args.steps, args.lr, args.precise)
            if args.html:
                page = article_views.write_article_stepthrough(args.html, args.lr)
                print(f"\nStep-through page written to {page}")
        elif args.command == "render":
            out = args.out or f"article-{args.view}.{args.format}"
            drawing = article_views.article_drawing(args.view, args.precision, args.direction)
            print(f"wrote {article_views.write_drawing(drawing, out, args.format)}")
    except (AutogradError, OSError, ValueError) as error:
        print(f"micro-autograd: error: {error}", file=sys.stderr)
        return 1
    return 0

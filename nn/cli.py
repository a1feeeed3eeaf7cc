"""``micro-autograd``: the command line. ``demo`` walks through the reference article; ``render`` draws it;
``explain`` takes any expression through the forward pass and the chain rule; ``info`` says which engine runs."""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from autograd import AutogradError, ExpressionError, Value, explain, installation, topological_order
from autograd.views.stepthrough import LANGUAGES, strings

from . import article, article_views, playground_command, train_command
from .optim import SGD
from .training import TrainingDivergedError


def _formatter(precise: bool) -> Callable[[float], str]:
    """Four significant digits for reading; every digit with ``--precise``."""
    return repr if precise else (lambda x: f"{x:.4g}")


def demo(steps: int, lr: float, precise: bool, out: TextIO | None = None, lang: str = "en") -> None:
    """Print the article step by step, from the engine's own numbers, in ``lang``'s words (the
    step-through page's table, ``strings``): the numbers and formulas are the same in every language."""
    out = out or sys.stdout
    text = strings(lang)
    fmt = _formatter(precise)
    model, inputs, prediction, error = article.article_state()  # forward and backward, as the article does
    weights = article.article_weights(model)
    optimizer = SGD(model.parameters(), lr=lr)

    def say(text: str = "") -> None:
        print(text, file=out)

    say(text["demo_network"])
    say("  h1  = i1*w1 + i2*w2")
    say("  h2  = i1*w3 + i2*w4")
    say("  out = h1*w5 + h2*w6")
    say("  " + text["demo_weights"].format(weights=", ".join(f"{name} = {fmt(w.data)}" for name, w in weights.items())))
    i1, i2 = (fmt(x) for x in article.INPUTS)
    say("  " + text["demo_data"].format(i1=i1, i2=i2, target=fmt(article.TARGET)))
    say()

    h1, h2 = (_output_of(prediction, name) for name in ("h1", "h2"))
    say(text["demo_forward"])
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
    say(text["demo_backward"])
    for name in sorted(weights, reverse=True):
        formula = article.GRADIENT_FORMULAS[name]
        by_hand = _evaluate(formula, values)
        engine = text["demo_engine"].format(value=fmt(weights[name].grad))
        say(f"  dE/d{name} = {formula:<16} = {fmt(by_hand):>10}   {engine}")
    say()

    optimizer.step()
    say(text["demo_descent"].format(lr=fmt(lr)))
    for name, w in weights.items():
        say(f"  {name}: {fmt(values[name])} -> {fmt(w.data)}")
    optimizer.zero_grad()
    try:
        new_prediction, new_error = article.article_error(model, inputs)
    except OverflowError as overflow:
        raise _diverged(1, lr, str(overflow)) from None
    now, was, target = fmt(new_prediction.data), fmt(prediction.data), fmt(article.TARGET)
    say("  " + text["demo_new_prediction"].format(now=now, was=was, target=target))
    say("  " + text["demo_new_error"].format(now=fmt(new_error.data), was=fmt(error.data)))
    _check_training(1, lr, new_error.data, weights)

    if steps > 1:
        say()
        say(text["demo_training"].format(steps=steps))
        say(f"  {_right(text['demo_step'], 5)}  {'out':>12}  {'E':>12}")
        say(f"  {0:>5}  {fmt(prediction.data):>12}  {fmt(error.data):>12}")
        current, loss = new_prediction, new_error
        for step in range(1, steps + 1):
            if step > 1:  # step 1 is the update above
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                try:
                    current, loss = article.article_error(model, inputs)
                except OverflowError as overflow:
                    raise _diverged(step, lr, str(overflow)) from None
            say(f"  {step:>5}  {fmt(current.data):>12}  {fmt(loss.data):>12}")
            _check_training(step, lr, loss.data, weights)
        if loss.data > error.data:
            overshoot = text["demo_overshoot"]
            say(
                overshoot.format(
                    was=fmt(error.data), now=fmt(loss.data), lr=fmt(lr), article_lr=f"{article.LEARNING_RATE:g}"
                )
            )


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` columns of a terminal, where a wide (CJK) character takes two."""
    columns = sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)
    return " " * max(0, width - columns) + text


def _check_training(step: int, lr: float, error: float, weights: dict[str, Value]) -> None:
    """Stop with a clear reason when a weight or the error is no longer a finite number."""
    broken = [name for name, w in weights.items() if not math.isfinite(w.data)]
    if broken:
        raise _diverged(step, lr, f"the weights {', '.join(broken)} are no longer finite numbers")
    if not math.isfinite(error):
        raise _diverged(step, lr, f"the error E is {error}")


def _diverged(step: int, lr: float, reason: str) -> TrainingDivergedError:
    return TrainingDivergedError(
        f"training diverged at step {step}: {reason}. The learning rate {lr:g} is far too large for this network; "
        f"try a smaller --lr (the article's is {article.LEARNING_RATE:g})."
    )


def _output_of(root: Value, label: str) -> float:
    return next(node.data for node in topological_order(root) if node.label == label)


def _evaluate(formula: str, values: dict[str, float]) -> float:
    result = 1.0
    for factor in formula.split(" * "):
        result *= values[factor]
    return result


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.05, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def _digits(text: str) -> int:
    value = _positive_int(text)
    if value > 17:
        raise argparse.ArgumentTypeError(f"a float has at most 17 significant digits, got {value}")
    return value


DESCRIPTION = "See backpropagation at work: the reference article step by step, its pictures, any expression."
EPILOG = """examples:
  micro-autograd demo --steps 3
  micro-autograd render --view network --out network.png
  micro-autograd explain "tanh(x*w + b)" x=2 w=-0.5 b=1 --param w --param b --html page.html"""
EXPLAIN_EPILOG = """The expression may use numbers, the names given values, + - * / **, unary minus and the
functions exp log sqrt tanh sigmoid relu sin cos abs. It is read, never run.
An expression that starts with - goes after --:  micro-autograd explain -- "-x**2" x=3"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micro-autograd",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=installation.summary(), help="show the version, engine and Python"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("info", help="say which engine runs (C accelerator or Python), its version, and Python's")
    about = "walk through the reference article step by step: forward, backward, update"
    demo_parser = commands.add_parser("demo", help=about, description=about)
    demo_parser.add_argument(
        "--steps", type=_positive_int, default=1, help="gradient-descent steps to take (default: %(default)s)"
    )
    demo_parser.add_argument(
        "--lr", type=_positive_float, default=article.LEARNING_RATE, help="learning rate (default: %(default)s)"
    )
    demo_parser.add_argument("--precise", action="store_true", help="print every number in full precision")
    demo_parser.add_argument("--html", metavar="PATH", help="also write the step-through page (one HTML file) to PATH")
    demo_parser.add_argument("--quiz", action="store_true", help="the page asks for each number before it shows it")
    _add_lang(demo_parser)
    about = "draw the article's computation graph or network to a file"
    render_parser = commands.add_parser("render", help=about, description=about)
    render_parser.add_argument(
        "--view", choices=article_views.VIEWS, default="graph", help="what to draw (default: %(default)s)"
    )
    render_parser.add_argument(
        "--format",
        choices=article_views.FORMATS,
        help="file format (default: the --out file's extension, else svg)",
    )
    render_parser.add_argument(
        "--out", metavar="PATH", help="the file to write; its extension gives the format (default: article-VIEW.svg)"
    )
    render_parser.add_argument(
        "--precision", type=_digits, default=4, help="significant digits, 1 to 17 (default: %(default)s)"
    )
    render_parser.add_argument(
        "--direction", choices=("LR", "TB"), default="LR", help="left to right or top down (default: %(default)s)"
    )
    _add_explain_parser(commands)
    train_command.add_parser(commands, _positive_int, _positive_float)
    playground_command.add_parser(commands, _positive_float)
    return parser


DRAWING_FORMATS = ("svg", "png", "pdf")
"""The drawings ``explain`` writes, one option each."""


def _add_explain_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    about = "any expression, step by step: the forward pass, every chain-rule product, the gradients"
    explain_parser = commands.add_parser(
        "explain",
        help=about,
        description=about,
        epilog=EXPLAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain_parser.add_argument("expression", metavar="EXPRESSION", help='the expression, e.g. "tanh(x*w + b)"')
    explain_parser.add_argument("values", nargs="*", metavar="NAME=VALUE", help="the value of each name, e.g. x=2")
    explain_parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME",
        help="mark a name as a parameter (drawn amber); repeat for more",
    )
    explain_parser.add_argument("--precise", action="store_true", help="print every number in full precision")
    explain_parser.add_argument("--html", metavar="PATH", help="also write the step-through page (one HTML file)")
    explain_parser.add_argument("--quiz", action="store_true", help="the page asks for each number before it shows it")
    _add_lang(explain_parser)
    for format in DRAWING_FORMATS:
        explain_parser.add_argument(f"--{format}", metavar="PATH", help=f"also draw the graph as {format.upper()}")


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="the language of the printout and the step-through page (default: %(default)s)",
    )


class UsageError(Exception):
    """A command line that cannot be carried out as written: exit status 2, like argparse's own errors."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # explain's NAME=VALUE may come after its options
        if args.command != "explain" or any(item.startswith("-") or "=" not in item for item in extra):
            hint = " (an expression that starts with - goes after --)" if args.command == "explain" else ""
            parser.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
        args.values += extra
    try:
        if args.command == "info":
            print(installation.describe())
        elif args.command == "demo":
            demo(args.steps, args.lr, args.precise, lang=args.lang)
            if args.html:
                page = article_views.write_article_stepthrough(args.html, args.lr, args.lang, args.quiz)
                print("\n" + strings(args.lang)["cli_page_written"].format(path=page))
        elif args.command == "render":
            _render(args)
        elif args.command == "explain":
            _explain(args)
        elif args.command == "train" and (status := train_command.run(args, sys.stdout)):
            return status  # interrupted: train_command said where the best model is
        elif args.command == "playground":
            playground_command.run(args, sys.stdout)
        sys.stdout.flush()  # inside the try: a reader that went away is seen here, not at exit
    except BrokenPipeError:
        return _reader_gone()
    except (UsageError, ExpressionError) as error:
        print(f"micro-autograd {args.command}: error: {error}", file=sys.stderr)
        return 2
    except (AutogradError, OSError, ValueError, ImportError) as error:
        print(f"micro-autograd: error: {error}", file=sys.stderr)
        return 1
    return 0


def _reader_gone() -> int:
    """The output's reader stopped reading (``| head``): stop quietly, as Unix tools do, with the
    status of a process ended by SIGPIPE; what is still buffered goes nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to silence
        pass
    return 128 + getattr(signal, "SIGPIPE", 13)


def _render(args: argparse.Namespace) -> None:
    out = f"article-{args.view}.{args.format or 'svg'}" if args.out is None else args.out
    format = _file_format(out, "--out", args.format)
    drawing = article_views.article_drawing(args.view, args.precision, args.direction)
    print(f"wrote {article_views.write_drawing(drawing, out, format)}")


def _file_format(path: str, option: str, wanted: str | None) -> article_views.Format:
    """The format of the file ``path``, from its extension; it must agree with the format asked for."""
    if not path.strip():
        raise UsageError(f"{option} needs a file name, not an empty one")
    if path.endswith(("/", os.sep)) or os.path.isdir(path):  # Path("dir.svg/") would write the file dir.svg
        raise UsageError(f"{option} {path}: that is a folder; give the name of the file to write")
    suffix = Path(path).suffix.lower().removeprefix(".")
    known = ", ".join(f".{known}" for known in article_views.FORMATS)
    if not suffix:
        suffix = wanted or "svg"
    elif wanted is not None and suffix != wanted:  # before the formats: --svg g.txt can only be an SVG
        raise UsageError(f"{option} {path}: the file name says .{suffix} but the format asked for is {wanted}")
    elif suffix not in article_views.FORMATS:
        raise UsageError(f"{option} {path}: cannot write a .{suffix} file; the formats are {known}")
    return next(format for format in article_views.FORMATS if format == suffix)


def _explain(args: argparse.Namespace) -> None:
    drawings: dict[str, article_views.Format] = {
        format: _file_format(path, f"--{format}", format)
        for format in DRAWING_FORMATS
        if (path := getattr(args, format)) is not None
    }
    if args.html is not None and not args.html.strip():
        raise UsageError("--html needs a file name, not an empty one")
    parameters = [name.strip() for names in args.param for name in names.split(",") if name.strip()]
    values = _values(args.values)
    explanation = explain(args.expression, values, parameters=parameters, precise=args.precise, lang=args.lang)
    print(explanation.text)
    text = strings(args.lang)
    if args.html:
        page = explanation.save_stepthrough(args.html, quiz=args.quiz)  # in the explanation's language
        print("\n" + text["cli_page_written"].format(path=page))
    for format in drawings:
        path = article_views.write_drawing(explanation.draw(), getattr(args, format), drawings[format])
        print(text["cli_drawing_written"].format(path=path))


def _values(items: Sequence[str]) -> dict[str, float]:
    """``x=2 w=-0.5`` as numbers by name; each refused clearly when it is not NAME=NUMBER."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise UsageError(f"{item!r}: give each value as NAME=VALUE, e.g. x=2")
        if name in values:
            raise UsageError(f"{name} is given a value twice")
        try:
            values[name] = float(text)
        except ValueError:
            raise UsageError(f"{item}: {text.strip()!r} is not a number") from None
    return values

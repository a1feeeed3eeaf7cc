"""``explain("tanh(x*w + b)", x=2, w=-0.5, b=1)``: any small expression, computed by the engine and
told step by step: the forward pass, every product of the chain rule, the gradient of every name.

The expression is read with Python's ``ast`` (the tree only: nothing is ever compiled or run) and
allowed exactly the engine's operations: numbers, the names given values, ``+ - * / **``, unary
minus (and plus), and the functions ``exp log sqrt tanh sigmoid relu sin cos abs``. Anything else is
refused with an ``ExpressionError`` that shows the expression with the offending part underlined.

Each operation is the engine's own: the names become leaf Values and the tree is evaluated with
Value arithmetic, so the graph is the one ``draw_graph`` and ``save_stepthrough`` show. Plain numbers
combined with plain numbers (``2 * 3``) are folded into one constant, as Python folds them: the
engine records only operations that touch a Value. Formulas are written by ``notation``, the rule
the step-through page writes by (operator precedence: ``(-0.809) ** 2``, ``2 * (-0.5)``, never
``-0.809 ** 2``), and every value is labelled with its name, so the page, the drawing and the text
name each value alike.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path
from typing import Any, NamedTuple

from ..backward import edges, topological_order
from ..errors import AutogradError, DivisionByZeroError, NumericOverflowError
from ..value import NEGATE, Value, _as_number
from . import notation
from .draw import GraphDrawing, draw_graph
from .notation import Formula
from .stepthrough import NAME_LENGTH, save_stepthrough, strings

MAX_LENGTH = 1_000
"""The longest expression accepted, in characters: ample for teaching, and it keeps Python's parser
(which fails on a few thousand nested levels) and the printout within reason."""
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "sin": Value.sin,
    "cos": Value.cos,
    "abs": abs,
}
"""The engine's functions an expression may call, by name."""

BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
"""The five operators, by their Operation row's name (how ``notation`` writes them) and their function."""

UNDERSTOOD = f"explain understands numbers, names given values, + - * / **, unary minus and {', '.join(FUNCTIONS)}"


class ExpressionError(AutogradError, ValueError):
    """An expression (or a value given for it) that ``explain`` refuses, with the part at fault.

    ``str()`` is the reason, then the expression with the offending columns underlined; ``reason``,
    ``expression`` and ``span`` (start and end column, or None) keep the parts.
    """

    def __init__(self, reason: str, expression: str = "", span: tuple[int, int] | None = None) -> None:
        self.reason, self.expression, self.span = reason, expression, span
        super().__init__(reason if span is None else f"{reason}\n{pointer(expression, *span)}")


def pointer(expression: str, start: int, end: int, width: int = 76) -> str:
    """Two lines: the expression (a window of ``width`` characters when longer) and carets under
    columns ``start:end`` (one caret just past the end for what is missing there)."""
    left = max(0, min(start - width // 3, len(expression) - width))
    right = min(len(expression), left + width)
    visible = "".join(character if character.isprintable() else "?" for character in expression[left:right])
    shown = ("..." if left else "") + visible + ("..." if right < len(expression) else "")
    indent = start - left + (3 if left else 0)
    carets = max(1, min(end, right) - start)
    return f"  {shown}\n  {' ' * indent}{'^' * carets}"


@dataclass(frozen=True)
class Explanation:
    """What ``explain`` computed: the graph's output and leaves, the gradients, and the telling.

    ``root``: the output Value (its ``backward()`` has run, so every node holds its gradient).
    ``leaves``: the leaf Value of each name, in order of first use. ``parameters``: the names marked
    as parameters. ``gradients``: d(output)/d(name) for every name. ``text``: the printout, in
    ``lang`` (its words from the step-through page's table, ``strings``; its numbers and formulas alike
    in every language).
    """

    expression: str
    root: Value
    leaves: dict[str, Value]
    parameters: tuple[str, ...]
    gradients: dict[str, float]
    text: str = field(repr=False)
    lang: str = "en"

    def __str__(self) -> str:
        return self.text

    def draw(self, **options: Any) -> GraphDrawing:
        """The graph (``draw_graph``), with the parameters drawn as parameters."""
        return draw_graph(self.root, parameters=[self.leaves[name] for name in self.parameters], **options)

    def save_stepthrough(self, path: str | Path, **options: Any) -> Path:
        """Write the step-through page (``autograd.save_stepthrough``) to ``path``, in the explanation's
        language unless ``lang`` says otherwise."""
        options.setdefault("lang", self.lang)
        options.setdefault("title", strings(options["lang"])["explain_title"].format(expression=self.expression))
        parameters = [self.leaves[name] for name in self.parameters]
        return save_stepthrough(path, self.root, parameters=parameters, **options)


def explain(
    expression: str,
    values: Mapping[str, float] | None = None,
    /,
    *,
    parameters: Collection[str] = (),
    precise: bool = False,
    lang: str = "en",
    **named_values: float,
) -> Explanation:
    """Compute ``expression`` with the engine, run the backward sweep, and tell both step by step.

    The names' values come as keywords (``explain("x * w", x=2, w=-0.5)``) or as a mapping
    (``explain("x * w", {"x": 2, "w": -0.5})``). ``parameters`` names the leaves that are
    parameters (drawn as such). ``precise`` prints every digit instead of four significant ones.
    ``lang``: the printout's language, one of ``stepthrough.LANGUAGES`` (``"en"``, ``"ja"``).
    Raises ``ExpressionError`` (a ValueError) for anything but the engine's operations on given names.
    """
    if not isinstance(expression, str):
        raise TypeError(f"explain() reads an expression written as a str, not {type(expression).__name__}")
    words = strings(lang)  # an unknown language is refused before anything is read
    given = _check_values({**(values or {}), **named_values})
    tree = _parse(expression)
    _check_tree(tree, expression, given)
    names = _used_names(tree)
    for name in given:
        if name not in names:
            raise ExpressionError(f"{name} is given a value but the expression does not use it")
    wanted = {
        unicodedata.normalize("NFKC", name) for name in ([parameters] if isinstance(parameters, str) else parameters)
    }
    for name in wanted:
        if name not in names:
            raise ExpressionError(f"parameter {name!r} is not a name in the expression")
    marked = tuple(name for name in names if name in wanted)
    leaves = {name: Value(given[name], name) for name in names}
    teller = _Teller(expression, leaves, None if precise else SHORT_DIGITS)
    root = teller.evaluate(tree)
    root.backward()
    gradients = {name: leaf.grad for name, leaf in leaves.items()}
    return Explanation(expression, root, leaves, marked, gradients, teller.text(root, marked, words), lang)


# --- the values ----------------------------------------------------------------------


def _check_values(values: Mapping[str, object]) -> dict[str, float]:
    """Names normalised as Python reads identifiers; values finite plain numbers."""
    checked: dict[str, float] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ExpressionError(f"{name!r} is not a name: a name is a word like x, w1 or bias")
        if name.startswith("__"):
            raise ExpressionError(f"{name}: names beginning with a double underscore are not allowed")
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is one of the functions and cannot be given a value; choose another name")
        try:  # a number as Value(...) takes one
            number = _as_number(value, f"the value of {name}")
        except NumericOverflowError as too_large:
            raise ExpressionError(str(too_large)) from None
        if number is None:
            raise TypeError(f"the value of {name} must be a number, not {type(value).__name__}: {value!r}")
        if not math.isfinite(number):
            raise ExpressionError(f"{name} = {number}: a value must be a finite number")
        normalised = unicodedata.normalize("NFKC", name)
        if normalised in checked:
            raise ExpressionError(f"{name} is given a value twice")
        checked[normalised] = number
    return checked


# --- reading the expression -------------------------------------------------------------


def _parse(expression: str) -> ast.Expression:
    """The expression's syntax tree, or a refusal pointing at the first thing Python could not read."""
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(expression):,} characters long; explain reads at most {MAX_LENGTH:,}",
            expression,
            (MAX_LENGTH, len(expression)),
        )
    for column, character in enumerate(expression):
        if not character.isprintable():
            raise ExpressionError(
                f"the expression must be one line of visible characters, not U+{ord(character):04X}",
                expression,
                (column, column + 1),
            )
    if not expression.strip():
        raise ExpressionError("the expression is empty: write one, e.g. tanh(x*w + b)")
    try:
        return ast.parse(expression, mode="eval")
    except SyntaxError as error:
        start = (error.offset or len(expression) + 1) - 1
        if error.lineno != 1 or not 0 <= start < len(expression):
            start = len(expression)
        end = error.end_offset - 1 if error.end_lineno == 1 and error.end_offset else start + 1
        reason = str(error.msg)
        if "nested" in reason or "digits" in reason:  # Python's own limits: nesting, integer length
            reason = f"too complex for explain: {reason}"
        else:
            reason = f"this is not an expression explain can read ({reason})"
        raise ExpressionError(reason, expression, (start, max(end, start + 1))) from None
    except (RecursionError, MemoryError):  # a few thousand nested operators exhaust Python's parser
        raise ExpressionError("the expression is nested too deeply to read", expression, (0, 1)) from None


NOT_ALLOWED: dict[type[ast.AST], str] = {
    ast.Attribute: "an attribute (.name)",
    ast.Subscript: "indexing ([...])",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.NamedExpr: "an assignment (:=)",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred argument (*)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


def _span(node: ast.AST, expression: str) -> tuple[int, int]:
    """The node's columns, in characters (``ast`` counts UTF-8 bytes)."""
    encoded = expression.encode("utf-8")

    def column(offset: int) -> int:
        return len(encoded[:offset].decode("utf-8", errors="ignore"))

    start = column(getattr(node, "col_offset", 0))
    end_offset = getattr(node, "end_col_offset", None)
    return start, column(end_offset) if end_offset is not None else start + 1


def _preorder(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, parents before children, left to right; iterative, for any depth."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _check_tree(tree: ast.Expression, expression: str, values: Mapping[str, float]) -> None:
    """Refuse, at its place, the first part of the expression that is not a number, a name with a
    value, one of the five operators, unary minus/plus, or a call of one of the functions."""

    def refuse(reason: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(reason, expression, _span(node, expression))

    called: set[ast.AST] = set()  # the function names of checked calls
    for node in _preorder(tree.body):
        if isinstance(node, ast.expr_context | ast.operator | ast.unaryop) or node in called:
            continue
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):  # x^2: a power, as maths writes it
                power = ast.unparse(ast.BinOp(node.left, ast.Pow(), node.right)).replace(" ** ", "**")
                raise refuse(f"^ is not one of the operations + - * / **; a power is written ** ({power})", node)
            if type(node.op) not in BINARY:
                symbol = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@"}.get(type(node.op), "a bitwise operator")
                raise refuse(f"{symbol} is not one of the operations + - * / **", node)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise refuse(f"{'not' if isinstance(node.op, ast.Not) else '~'} is not allowed; {UNDERSTOOD}", node)
        elif isinstance(node, ast.Call):
            _check_call(node, refuse)
            called.add(node.func)
        elif isinstance(node, ast.Name):
            _check_name(node, values, refuse)
        elif isinstance(node, ast.Constant):
            _check_number(node, refuse)
        else:
            kind = NOT_ALLOWED.get(type(node), f"this kind of expression ({type(node).__name__})")
            raise refuse(f"{kind} is not allowed; {UNDERSTOOD}", node)


def _check_call(node: ast.Call, refuse: Callable[[str, ast.AST], ExpressionError]) -> None:
    if not isinstance(node.func, ast.Name):
        raise refuse(f"only the functions {', '.join(FUNCTIONS)} can be called", node.func)
    name = node.func.id
    if name not in FUNCTIONS:
        raise refuse(f"{name} is not a function explain knows; the functions are {', '.join(FUNCTIONS)}", node.func)
    if node.keywords:
        raise refuse(f"{name}() takes no keyword arguments: write {name}(x)", node.keywords[0])
    if len(node.args) != 1:
        raise refuse(f"{name}() takes exactly one argument, not {len(node.args)}", node)


def _check_name(node: ast.Name, values: Mapping[str, float], refuse: Callable[[str, ast.AST], ExpressionError]) -> None:
    name = node.id
    if name.startswith("__"):
        raise refuse(f"{name}: names beginning with a double underscore are not allowed", node)
    if name in FUNCTIONS:
        raise refuse(f"{name} is a function: call it, e.g. {name}(x)", node)
    if name not in values:
        raise refuse(f"{name} has no value: give it one, e.g. {name}=1.5", node)


def _check_number(node: ast.Constant, refuse: Callable[[str, ast.AST], ExpressionError]) -> None:
    number = node.value
    if isinstance(number, bool) or not isinstance(number, int | float):
        if isinstance(number, complex):
            raise refuse(f"{number!r} is a complex number; explain computes with real numbers", node)
        raise refuse(f"{number!r} is not a number; {UNDERSTOOD}", node)
    try:
        finite = math.isfinite(float(number))
    except OverflowError:
        finite = False
    if not finite:
        raise refuse("this number is too large for a float", node)


def _used_names(tree: ast.Expression) -> list[str]:
    """The names, in order of first appearance: the graph's leaves."""
    names = (node.id for node in _preorder(tree.body) if isinstance(node, ast.Name) and node.id not in FUNCTIONS)
    return list(dict.fromkeys(names))


SHORT_DIGITS = 4
"""Significant digits of the printout's numbers unless ``precise`` (then every digit)."""


# --- computing and telling -----------------------------------------------------------------


class _Term(NamedTuple):
    """One evaluated part of the expression: a Value (or a folded plain number) and its name."""

    value: Value | float
    name: Formula


class _Line(NamedTuple):
    """One line of the forward pass: the node made (None for a folded constant), its operation over
    the names and over the numbers, and the result."""

    made: Value | None
    formula: Formula
    numbers: str
    result: str


class _Teller:
    """Evaluates the checked tree with the engine, noting one line per operation as it runs."""

    def __init__(self, expression: str, leaves: dict[str, Value], digits: int | None) -> None:
        self.expression = expression
        self.leaves = leaves
        self.digits = digits
        self.names: dict[Value, Formula] = {leaf: notation.name(name) for name, leaf in leaves.items()}
        self.forward: list[_Line] = []  # in the order it ran

    def _message(self, error: AutogradError, operation: str, arguments: list[Value | float]) -> str:
        """The engine's error; a division by zero with its numbers as the printout shows them (rounded)."""
        if not isinstance(error, DivisionByZeroError):
            return str(error)
        numbers = notation.apply(operation, [notation.number(_data(a), self.digits) for a in arguments]).text
        return f"{numbers}: division by zero"

    def show(self, x: float) -> str:
        """A number of the printout: ``digits`` significant digits, or every digit."""
        return notation.number(x, self.digits).text

    def evaluate(self, tree: ast.Expression) -> Value:
        """The tree's output Value, evaluated children first (the order the computation runs)."""
        terms: dict[ast.AST, _Term] = {}
        stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
        while stack:
            node, ready = stack.pop()
            children = _operands(node)
            if not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
            terms[node] = self._term(node, [terms.pop(child) for child in children])
        output = terms[tree.body].value
        if not isinstance(output, Value):
            raise ExpressionError(
                "the expression uses no names, so there is nothing to differentiate: write one, e.g. x * 3 with x=2",
                self.expression,
                _span(tree.body, self.expression),
            )
        if not output.is_leaf:  # the output is called f: f = tanh(x * w + b) = tanh(0) = 0
            self._label(output, self._free(chain(["f", "out", "y"], (f"f{k}" for k in count(1)))))
        return output

    def _term(self, node: ast.AST, operands: list[_Term]) -> _Term:
        if isinstance(node, ast.Name):
            return _Term(self.leaves[node.id], self.names[self.leaves[node.id]])
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # _check_number saw to it
            return _constant(float(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return operands[0]
        if isinstance(node, ast.UnaryOp):
            return self._apply(node, NEGATE.name, operator.neg, operands)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return self._apply(node, node.func.id, FUNCTIONS[node.func.id], operands)
        assert isinstance(node, ast.BinOp)
        return self._apply(node, *BINARY[type(node.op)], operands)

    def _apply(self, node: ast.AST, operation: str, function: Callable[..., Any], operands: list[_Term]) -> _Term:
        """One operation, by the engine, and its line: ``name = formula = numbers = result``.
        ``operation`` is the Operation row's name (``"*"``, ``"neg"``, ``"tanh"``), as ``notation`` writes it."""
        arguments = [term.value for term in operands]
        try:
            if any(isinstance(argument, Value) for argument in arguments):
                result: Value | float = function(*arguments)
            else:  # plain numbers only: the engine computes it, and it becomes a constant
                result = function(Value(_data(arguments[0])), *arguments[1:]).data
        except AutogradError as error:
            message = self._message(error, operation, arguments)
            raise ExpressionError(message, self.expression, _span(node, self.expression)) from None
        formula = notation.apply(operation, [term.name for term in operands])
        numbers = notation.apply(operation, [notation.number(_data(a), self.digits) for a in arguments]).text
        if not isinstance(result, Value):
            self.forward.append(_Line(None, formula, numbers, self.show(result)))
            return _constant(result)
        if len(formula.text) <= NAME_LENGTH and formula.text not in self._taken():
            name = formula
        else:  # a long formula, or a second node with the same formula: v1, v2, ...
            name = notation.name(self._free(f"v{k}" for k in count(1)))
        self._label(result, name)
        self.forward.append(_Line(result, formula, numbers, self.show(result.data)))
        return _Term(result, name)

    def _taken(self) -> set[str]:
        return {name.text for name in self.names.values()}

    def _free(self, candidates: Iterable[str]) -> str:
        taken = self._taken()
        return next(name for name in candidates if name not in taken)

    def _label(self, node: Value, name: Formula | str) -> None:
        """Name the node in the text and in the drawings (its label: the step-through page reads a
        label that is a formula as that formula, so it names the node as the text does)."""
        formula = name if isinstance(name, Formula) else notation.name(name)
        self.names[node] = formula
        node.label = formula.text

    def text(self, root: Value, parameters: Sequence[str], words: Mapping[str, str]) -> str:
        """The printout: the expression and values, the forward pass, the backward sweep, the gradients;
        its words from ``words`` (one language's table, ``strings``)."""
        show, names = self.show, self.names

        def d(of: Value | Formula, by: Value | Formula) -> str:  # df/dx, d(x * w)/dx: plain text, a letter d
            of, by = (names[x] if isinstance(x, Value) else x for x in (of, by))
            return notation.derivative(of, by, "d")

        def arithmetic(operation: str, *operands: float) -> str:  # 1 * (-0.5)
            return notation.apply(operation, [notation.number(x, self.digits) for x in operands]).text

        given = ", ".join(f"{name} = {show(leaf.data)}" for name, leaf in self.leaves.items())
        marked = words["explain_parameters"].format(names=", ".join(parameters)) if parameters else ""
        lines = [self.expression, "  " + words["explain_with"].format(values=given) + marked]
        lines += ["", words["explain_forward"]]
        for step in self.forward:
            parts = dict.fromkeys([step.formula.text, step.numbers, step.result])  # a step never repeats itself
            if step.made is None:
                if len(parts) > 1:  # a plain -2 needs no line
                    line = " = ".join(parts)
                    lines.append(f"  {line}   {words['explain_folded']}")
            else:
                lines.append("  " + " = ".join(dict.fromkeys([names[step.made].text, *parts])))
        if root.is_leaf:
            lines.append(f"  {names[root].text} = {show(root.data)}   {words['explain_no_operation']}")
        lines += ["", words["explain_backward"].format(root=names[root].text)]
        lines.append(f"  {d(root, root)} = 1")
        # A local derivative is written over the node's formula where its name is the output's:
        # df/du is the total derivative, d(tanh(u))/du the operation's own.
        local_names: dict[Value, Formula] = {**names, root: self.forward[-1].formula} if self.forward else names
        totals: dict[Value, float] = {}
        for edge in edges(topological_order(root), {root: 1.0}):
            total = d(root, edge.parent)
            local = d(local_names[edge.node], edge.parent)
            if edge.node.parents.count(edge.parent) > 1:  # x * x: which of the two inputs
                local += words["input_n"].format(n=edge.position + 1)
            product = arithmetic("*", edge.upstream, edge.local)
            line = f"{d(root, edge.node)} * {local} = {product} = {show(edge.contribution)}"
            if edge.first:
                line = f"{total} = {line}"
            else:
                sum_ = arithmetic("+", totals[edge.parent], edge.contribution)
                line = words["explain_so"].format(
                    line=f"{total} += {line}", total=total, sum=f"{sum_} = {show(edge.total)}"
                )
            totals[edge.parent] = edge.total
            lines.append(f"  {line}")
        every_name = Formula("name", notation.LOOSE)  # d(name): any of the names, a formula alike in every language
        lines += ["", words["explain_gradients"].format(derivative=d(root, every_name))]
        for name, leaf in self.leaves.items():
            role = f"   ({words['kind_parameter']})" if name in parameters else ""
            lines.append(f"  {d(root, leaf)} = {show(leaf.grad)}{role}")
        if not all(math.isfinite(x) for x in [root.data, *(leaf.grad for leaf in self.leaves.values())]):
            lines += ["", words["explain_not_finite"]]
        return "\n".join(lines)


def _operands(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions a checked node computes from, in order."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


def _constant(x: float) -> _Term:
    """A plain number of the expression, written as a reader writes it: 2, 0.1, 1e+20."""
    return _Term(x, notation.number(x, None))

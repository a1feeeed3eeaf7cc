"""The engine's operators by name, as Python code applies them: for tests that build expressions from a table."""

import operator

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
UNARY_SYNTAX = {"neg": operator.neg, "abs": abs}  # the unary operations that are not Value methods by name

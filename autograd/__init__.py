"""micro-autograd's engine: scalar Values that remember how they were made, and the
backward sweep that turns that record into gradients."""

from .accelerator import ACCELERATED
from .anomaly import detect_anomaly, is_anomaly_enabled
from .backward import topological_order
from .errors import (
    AnomalyError,
    AutogradError,
    DivisionByZeroError,
    DomainError,
    GradcheckError,
    GraphError,
    NumericOverflowError,
)
from .functional import grad, gradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .installation import version as _version
from .installation import warn_if_clashing as _warn_if_clashing
from .replay.compile import CompiledGradient, compile, detached
from .value import Operation, Value
from .views.draw import GraphTooLargeError, GraphvizNotFoundError, draw_graph
from .views.explain import Explanation, ExpressionError, explain
from .views.stepthrough import StepThrough, save_stepthrough, show, stepthrough_html

__version__ = _version()
_warn_if_clashing()

__all__ = [
    "ACCELERATED",
    "AnomalyError",
    "AutogradError",
    "CompiledGradient",
    "DivisionByZeroError",
    "DomainError",
    "Explanation",
    "ExpressionError",
    "GradcheckError",
    "GraphError",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "NumericOverflowError",
    "Operation",
    "StepThrough",
    "Value",
    "compile",
    "detached",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "save_stepthrough",
    "set_grad_enabled",
    "show",
    "stepthrough_html",
    "topological_order",
]

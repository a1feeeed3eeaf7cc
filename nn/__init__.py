"""micro-autograd's neural-network layer: models, losses and optimisers built on ``autograd``."""

import autograd as _autograd

if not hasattr(_autograd, "topological_order"):  # HIPS autograd (PyPI 'autograd') answered `import autograd`
    raise ImportError(
        f"nn needs micro-autograd's 'autograd' package, but `import autograd` found another one "
        f"({getattr(_autograd, '__file__', None) or _autograd}): most likely HIPS autograd (PyPI 'autograd'), "
        "which uses the same import name. The two cannot share one environment: install micro-autograd and "
        "HIPS autograd in separate virtual environments (python -m venv)."
    )

from .article import article_inputs, article_network, article_weights
from .checkpoint import Checkpoint, load, restore, save
from .compiled import CompiledLoss, compile_loss
from .draw import draw_network, network_view
from .layers import MLP, Layer, Neuron
from .losses import hinge_loss, l2_penalty, mse_loss, squared_error
from .module import Module
from .optim import SGD, Adam, Optimizer
from .state import CheckpointError

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Checkpoint",
    "CheckpointError",
    "CompiledLoss",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "article_inputs",
    "article_network",
    "article_weights",
    "compile_loss",
    "draw_network",
    "hinge_loss",
    "l2_penalty",
    "load",
    "mse_loss",
    "network_view",
    "restore",
    "save",
    "squared_error",
]

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
from .compiled import CompiledLoss, CompiledStep, compile_loss, compiled_step
from .data import Dataset, load_digits, minibatches, train_test_split
from .datasets import make_circles, make_moons, make_spiral, make_xor
from .draw import draw_network, network_view
from .layers import MLP, Layer, Neuron
from .live import LivePlot
from .losses import cross_entropy, hinge_loss, l2_penalty, log_softmax, mse_loss, softmax, squared_error
from .metrics import accuracy, argmax, confusion_matrix, predict
from .module import Module
from .optim import SGD, Adam, Optimizer
from .playground import Playground, binary_hinge_loss, playground
from .state import CheckpointError
from .training import Evaluation, History, eager_step, evaluate, fit

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Checkpoint",
    "CheckpointError",
    "CompiledLoss",
    "CompiledStep",
    "Dataset",
    "Evaluation",
    "History",
    "Layer",
    "LivePlot",
    "Module",
    "Neuron",
    "Optimizer",
    "Playground",
    "accuracy",
    "argmax",
    "article_inputs",
    "article_network",
    "article_weights",
    "binary_hinge_loss",
    "compile_loss",
    "compiled_step",
    "confusion_matrix",
    "cross_entropy",
    "draw_network",
    "eager_step",
    "evaluate",
    "fit",
    "hinge_loss",
    "l2_penalty",
    "load",
    "load_digits",
    "log_softmax",
    "make_circles",
    "make_moons",
    "make_spiral",
    "make_xor",
    "minibatches",
    "mse_loss",
    "network_view",
    "playground",
    "predict",
    "restore",
    "save",
    "softmax",
    "squared_error",
    "train_test_split",
]

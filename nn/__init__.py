"""micro-autograd's neural-network layer: models, losses and optimisers built on ``autograd``."""

from .article import article_inputs, article_network, article_weights
from .checkpoint import Checkpoint, load, restore, save
from .compiled import CompiledLoss, compile_loss
from .draw import draw_network
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
    "restore",
    "save",
    "squared_error",
]

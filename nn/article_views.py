"""The reference article's pictures as files: its computation graph, its network, its step-through page.

Each starts from the same state the article describes: the network with its
initial weights, one forward pass on inputs ``[2, 3]``, the error against
target 1, and one backward pass, so every drawing shows the article's values
and gradients.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from autograd import Value, draw_graph, stepthrough_html
from autograd.views.draw import Direction, GraphDrawing

from . import article
from .article import article_state
from .draw import draw_network, network_view
from .losses import squared_error

View = Literal["graph", "network"]
Format = Literal["svg", "png", "pdf", "dot"]
VIEWS: tuple[View, ...] = ("graph", "network")
FORMATS: tuple[Format, ...] = ("svg", "png", "pdf", "dot")


def article_drawing(view: View = "graph", precision: int = 4, direction: Direction = "LR") -> GraphDrawing:
    """The article's computation graph (``view="graph"``) or its network (``view="network"``)."""
    model, inputs, _, error = article_state()
    if view == "network":
        return draw_network(model, inputs, precision=precision, direction=direction)
    return draw_graph(error, parameters=model.parameters(), precision=precision, direction=direction)


def write_drawing(drawing: GraphDrawing, path: str | Path, format: Format) -> Path:
    """Write ``drawing`` to ``path`` as SVG, PNG or PDF (through ``dot``), or as its DOT source."""
    target = Path(path)
    if format == "dot":
        target.write_text(drawing.source, encoding="utf-8")
    else:
        rendered = drawing.pipe(format=format)
        assert isinstance(rendered, bytes)
        target.write_bytes(rendered)
    return target


def article_stepthrough_html(learning_rate: float = article.LEARNING_RATE, lang: str = "en", quiz: bool = False) -> str:
    """The step-through page of the article: forward, backward, one update, the new prediction;
    the computation graph and, a toggle away, the network as the article draws it. The target is a
    given value of its own (``target = 1``, which a reader may change), and ``∂E/∂out`` is named
    as the article names it, δ (``delta = out - target``)."""
    model, inputs = article.article_network(), article.article_inputs()
    target = Value(article.TARGET, "target")
    prediction = model(inputs)
    assert isinstance(prediction, Value), "the article's network has one output"
    error = squared_error(prediction, target)
    error.label = "E"
    return stepthrough_html(
        error,
        parameters=model.parameters(),
        learning_rate=learning_rate,
        prediction=prediction,
        title=TITLES[lang],
        views=[network_view(model, inputs, error, target=target)],
        gradient_names={prediction: "δ"},
        lang=lang,
        quiz=quiz,
    )


TITLES = {
    "en": "Backpropagation step by step: the article's network",
    "ja": "誤差逆伝播法をステップごとに: 記事のネットワーク",
}
"""The article's page's title, by language."""


def write_article_stepthrough(
    path: str | Path, learning_rate: float = article.LEARNING_RATE, lang: str = "en", quiz: bool = False
) -> Path:
    """Write ``article_stepthrough_html`` to ``path``; return the path."""
    target = Path(path)
    target.write_text(article_stepthrough_html(learning_rate, lang, quiz), encoding="utf-8")
    return target

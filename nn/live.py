"""Training shown in a notebook: one output, updated in place, instead of a line per update.

In a Jupyter kernel, ``fit``'s progress is one line of text that each batch rewrites (tqdm's bar on a
notebook's stdout leaves every redraw behind, ~50 lines for ten epochs). ``fit(..., live=True)`` adds to
that output, after every epoch, the loss curves and, for a model of two inputs, its decision surface over
the training points: ``LivePlot``. Outside a notebook (a plain terminal, a script) there is no output to
update: ``fit`` prints its progress bar there, and ``live`` is ignored.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autograd import Value, no_grad

if TYPE_CHECKING:
    from .data import Dataset
    from .training import History

GRID = 40
"""The decision surface's resolution: GRID x GRID model evaluations per drawing."""
DRAWING_SHARE = 0.2
"""At most this share of the time goes to drawing: a slow drawing is redrawn after a few epochs, not each one."""
REDRAW_SECONDS = 0.2
"""The progress line is rewritten at most this often (and always at an epoch's end)."""


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel, whose outputs can be updated in place."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class LivePlot:
    """One notebook output: the progress line, and (``plots=True``) the loss curves and decision surface.

    ``fit`` calls ``progress(text)`` while an epoch runs and ``epoch_done(history)`` after it;
    ``model`` and ``data`` (two inputs each) give the decision surface, drawn over ``data``'s points.
    """

    def __init__(self, model: Any = None, data: Dataset | None = None, plots: bool = True) -> None:
        from IPython.display import display

        self.model, self.data, self.plots = model, data, plots
        self.text, self.png = "", b""
        self.shown_at = 0.0
        self.drawn_at, self.drawing_seconds, self.drawn_epochs = 0.0, 0.0, 0
        self.handle = display({"text/plain": "starting"}, raw=True, display_id=True)  # type: ignore[no-untyped-call]

    def progress(self, text: str, final: bool = False) -> None:
        """Rewrite the progress line (at most every REDRAW_SECONDS, unless ``final``)."""
        self.text = text
        if final or time.perf_counter() - self.shown_at >= REDRAW_SECONDS:
            self._show()

    def epoch_done(self, history: History) -> None:
        """Redraw the plots from the history of every epoch so far (unless drawing would take more than
        DRAWING_SHARE of the time: then after the next epochs)."""
        since = time.perf_counter() - self.drawn_at
        if since * DRAWING_SHARE >= self.drawing_seconds * (1 - DRAWING_SHARE):
            self._draw(history)
        self._show()

    def finish(self, history: History) -> None:
        """Training is over: draw the last epoch, if it is not drawn yet."""
        if history.epochs != self.drawn_epochs:
            self._draw(history)
            self._show()

    def _draw(self, history: History) -> None:
        if self.plots:
            start = time.perf_counter()
            self.png = self.figure(history)
            self.drawn_at = time.perf_counter()
            self.drawing_seconds = self.drawn_at - start
        self.drawn_epochs = history.epochs

    def _show(self) -> None:
        bundle: dict[str, Any] = {"text/plain": self.text}
        if self.png:
            import base64

            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        self.handle.update(bundle, raw=True)
        self.shown_at = time.perf_counter()

    def figure(self, history: History) -> bytes:
        """The loss curves (and the decision surface) as PNG bytes."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure

        surface = self._surface()
        figure = Figure(figsize=(9.0 if surface else 5.0, 3.2), dpi=80, layout="constrained")
        axes = figure.add_subplot(1, 2 if surface else 1, 1)
        epochs = range(1, history.epochs + 1)
        axes.plot(epochs, history.loss, label="training loss")
        if history.val_loss:
            axes.plot(epochs, history.val_loss, label="validation loss")
        axes.set_xlabel("epoch")
        axes.set_ylabel("loss")
        axes.legend(loc="upper right")
        if surface:
            xs, ys, scores = surface
            plane = figure.add_subplot(1, 2, 2)
            plane.contourf(xs, ys, scores, levels=20, cmap="RdBu", alpha=0.8)
            assert self.data is not None
            colours = ["#d6604d" if target == 0 else "#4393c3" for target in self.data.targets]
            points_x, points_y = [x for x, _ in self.data.inputs], [y for _, y in self.data.inputs]
            plane.scatter(points_x, points_y, c=colours, s=10, edgecolors="black", linewidths=0.3)
            plane.set_title("decision surface")
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()

    def _surface(self) -> tuple[list[float], list[float], list[list[float]]] | None:
        """The model's score over a grid around the data (the last minus the first class's score, for several
        outputs), or None when there is nothing two-dimensional to draw."""
        data = self.data
        if self.model is None or data is None or not len(data) or len(data.inputs[0]) != 2:
            return None
        xs = _axis([x for x, _ in data.inputs])
        ys = _axis([y for _, y in data.inputs])
        with no_grad():
            scores = [[_score(self.model([x, y])) for x in xs] for y in ys]
        return xs, ys, scores


def _axis(numbers: Sequence[float]) -> list[float]:
    low, high = min(numbers), max(numbers)
    margin = 0.1 * (high - low or 1.0)
    return [low - margin + (high - low + 2 * margin) * i / (GRID - 1) for i in range(GRID)]


def _score(output: Value | Sequence[Value]) -> float:
    if isinstance(output, Value):
        return output.data
    return output[-1].data - output[0].data

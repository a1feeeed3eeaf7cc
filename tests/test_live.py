"""fit(..., live=True) and fit's progress in a notebook: one output, updated in place.

Run in a real Jupyter kernel (nbclient, as the notebooks are): the executed cell keeps one output, the
last state of the display that fit updated, holding the loss curves' picture and the progress line of the
last epoch; no line per redraw, nothing on stderr. Outside a kernel, live=True changes nothing: the
plain progress lines.
"""

import io

import nbformat
import pytest
from nbclient import NotebookClient

import nn

CELL = """
import nn
data = nn.make_moons(60, seed=0)
model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
history = nn.fit(model, lambda score, y: nn.hinge_loss([score], [2 * y - 1]), data,
                 optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=3, batch_size=10,
                 accuracy=False, {arguments})
"""


def run_cell(arguments: str) -> list:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL.format(arguments=arguments))])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return notebook.cells[0].outputs


@pytest.fixture(scope="module")
def live_outputs():
    return run_cell("live=True")


def test_live_training_in_a_notebook_leaves_one_output_with_the_plot_and_the_last_line(live_outputs):
    assert [output.output_type for output in live_outputs] == ["display_data"]
    data = live_outputs[0].data
    assert data["text/plain"].startswith("epoch 3/3: 6/6 batches, loss ")
    assert "\n" not in data["text/plain"]
    assert "image/png" in data and len(data["image/png"]) > 1000


def test_the_progress_bar_in_a_notebook_is_one_line_without_plots():
    outputs = run_cell("progress=True")
    assert [output.output_type for output in outputs] == ["display_data"]
    assert set(outputs[0].data) == {"text/plain"}
    assert outputs[0].data["text/plain"].startswith("epoch 3/3: 6/6 batches, loss ")


def test_outside_a_notebook_live_changes_nothing_but_the_plain_progress():
    data = nn.make_moons(20, seed=0)
    stream = io.StringIO()
    model = nn.MLP(2, [3, 1], seed=0)
    nn.fit(
        model,
        lambda s, y: nn.hinge_loss([s], [2 * y - 1]),
        data,
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=10,
        accuracy=False,
        progress=stream,
        live=True,
    )
    assert "epoch 2/2" in stream.getvalue()


def test_live_must_be_true_or_false():
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match="live must be True or False"):
        nn.fit(model, nn.mse_loss, nn.make_moons(8), optimizer=nn.SGD(model.parameters(), lr=0.1), live="yes")


def test_the_decision_surface_is_drawn_for_a_model_of_two_inputs_only():
    data = nn.make_moons(20, seed=0)
    model = nn.MLP(2, [3, 1], seed=0)
    plot = object.__new__(nn.LivePlot)  # no display outside a kernel: the drawing alone
    plot.model, plot.data, plot.plots = model, data, True
    xs, ys, scores = plot._surface()
    assert len(xs) == len(ys) == len(scores) == nn.live.GRID
    assert scores[0][0] == model([xs[0], ys[0]]).data and scores[-1][3] == model([xs[3], ys[-1]]).data
    plot.data = nn.Dataset([[1.0, 2.0, 3.0]], [0])
    assert plot._surface() is None

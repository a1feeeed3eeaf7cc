"""nn.fit: its history against the same training written by hand in PyTorch (float64), its progress
report with and without tqdm, and the best model it saves."""

import io
import math
import os
import random
import struct
import sys

import numpy as np
import pytest
import torch
from interrupts import every_interrupt_raised, in_files, leaves_no_grad_on_only_where_a_signal_cannot

import autograd.grad_mode
import nn
import nn.optim
from autograd import GraphError
from nn import (
    MLP,
    SGD,
    Adam,
    Dataset,
    Neuron,
    argmax,
    compiled_step,
    cross_entropy,
    eager_step,
    evaluate,
    fit,
    load,
    mse_loss,
    predict,
)
from nn.training import TrainingDivergedError

torch.set_num_threads(1)


def problem(n, seed):
    """n samples of 3 numbers in 3 classes (the class is the largest of a noisy copy of the input)."""
    rng = random.Random(seed)
    inputs = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    targets = [max(range(3), key=lambda k, x=x: x[k] + rng.gauss(0, 0.3)) for x in inputs]
    return Dataset(inputs, targets)


def torch_training(model, train, validation, epochs, batch_size, lr, momentum, seed):
    """The training ``fit`` documents, written out in PyTorch: per epoch the k-th shuffle of one
    random.Random(seed), batches in that order, mean cross-entropy, torch's SGD; returns the history."""
    layers = []
    for layer in model.layers:
        weight = torch.tensor([[w.data for w in n.weights] for n in layer.neurons], dtype=torch.float64)
        bias = torch.tensor([n.bias.data for n in layer.neurons], dtype=torch.float64)
        layers.append((weight.requires_grad_(), bias.requires_grad_()))

    def forward(x):
        for index, (weight, bias) in enumerate(layers):
            x = x @ weight.T + bias
            if index < len(layers) - 1:
                x = torch.relu(x)
        return x

    optimizer = torch.optim.SGD([p for pair in layers for p in pair], lr=lr, momentum=momentum)
    rng = random.Random(seed)
    inputs = torch.tensor(train.inputs, dtype=torch.float64)
    targets = torch.tensor(train.targets)
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        order = list(range(len(train)))
        rng.shuffle(order)
        loss_sum = correct = 0.0
        for start in range(0, len(order), batch_size):
            batch = torch.tensor(order[start : start + batch_size])
            logits = forward(inputs[batch])
            loss = torch.nn.functional.cross_entropy(logits, targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(batch)
            correct += (logits.argmax(dim=1) == targets[batch]).sum().item()
        history["loss"].append(loss_sum / len(train))
        history["accuracy"].append(correct / len(train))
        with torch.no_grad():
            logits = forward(torch.tensor(validation.inputs, dtype=torch.float64))
            val_targets = torch.tensor(validation.targets)
            history["val_loss"].append(torch.nn.functional.cross_entropy(logits, val_targets).item())
            history["val_accuracy"].append((logits.argmax(dim=1) == val_targets).sum().item() / len(validation))
    return history, [p.detach() for pair in layers for p in pair]


def test_fit_gives_the_history_of_the_same_training_written_by_hand_in_pytorch():
    train, validation = problem(23, seed=1), problem(9, seed=2)
    model = MLP(3, [5, 3], seed=4)
    reference, parameters = torch_training(model, train, validation, 4, 5, lr=0.2, momentum=0.9, seed=11)
    history = fit(
        model,
        cross_entropy,
        train,
        optimizer=SGD(model.parameters(), lr=0.2, momentum=0.9),
        epochs=4,
        batch_size=5,  # 23 samples: four batches of 5 and one of 3
        validation=validation,
        seed=11,
        progress=False,
    )
    assert history.epochs == 4 and len(history.seconds) == 4
    for name, numbers in reference.items():
        assert getattr(history, name) == pytest.approx(numbers, rel=1e-10, abs=1e-12), name
    assert history.loss[-1] < history.loss[0]  # it learnt something: the comparison is not of two idle runs
    flat = torch.cat([p.flatten() for p in parameters]).tolist()
    ours = []  # in torch's order: each layer's weight matrix row by row, then its biases
    for layer in model.layers:
        ours += [w.data for n in layer.neurons for w in n.weights] + [n.bias.data for n in layer.neurons]
    assert ours == pytest.approx(flat, rel=1e-10, abs=1e-12)


def test_evaluate_gives_the_mean_loss_and_accuracy_without_touching_gradients():
    data = problem(10, seed=3)
    model = MLP(3, [4, 3], seed=1)
    result = evaluate(model, cross_entropy, data)
    logits = torch.tensor([[o.data for o in model(x)] for x in data.inputs], dtype=torch.float64)
    targets = torch.tensor(data.targets)
    assert result.loss == pytest.approx(torch.nn.functional.cross_entropy(logits, targets).item(), rel=1e-12)
    assert result.accuracy == (logits.argmax(dim=1) == targets).sum().item() / len(data)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_fit_trains_other_tasks_without_accuracy():
    data = Dataset([[x / 10] for x in range(10)], [0.3 * x / 10 - 0.1 for x in range(10)])
    model = Neuron(1, activation="linear", seed=0)
    history = fit(
        model,
        lambda output, target: mse_loss([output], [target]),
        data,
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=30,
        batch_size=4,
        accuracy=False,
        progress=False,
    )
    assert history.accuracy == [] and history.val_loss == []
    assert history.loss[-1] < history.loss[0] / 10


def test_the_best_model_is_saved_and_is_the_model_of_the_best_epoch(tmp_path):
    train, validation = problem(30, seed=5), problem(12, seed=6)

    def run(epochs, checkpoint=None):
        model = MLP(3, [6, 3], seed=2)
        optimizer = SGD(model.parameters(), lr=0.5, momentum=0.9)
        history = fit(
            model,
            cross_entropy,
            train,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=4,
            validation=validation,
            checkpoint=checkpoint,
            seed=3,
            progress=False,
        )
        return model, optimizer, history

    path = tmp_path / "best.json"
    last_model, _, history = run(8, path)
    best_epoch = min(range(8), key=history.val_loss.__getitem__) + 1
    assert history.best_epoch == best_epoch
    assert best_epoch < 8, "pick settings where the last epoch is not the best, or this test shows nothing"
    model_then, optimizer_then, _ = run(best_epoch)  # the same run, stopped at the best epoch
    saved = load(path)
    assert saved.model.state_dict() == model_then.state_dict() != last_model.state_dict()
    assert saved.optimizer is not None and saved.optimizer.state_dict() == optimizer_then.state_dict()


@pytest.mark.parametrize(
    ("monitor", "better"), [("loss", min), ("accuracy", max), ("val_accuracy", max), ("val_loss", min)]
)
def test_the_best_epoch_follows_the_monitored_number(monitor, better):
    train, validation = problem(20, seed=7), problem(10, seed=8)
    model = MLP(3, [4, 3], seed=0)
    history = fit(
        model,
        cross_entropy,
        train,
        optimizer=SGD(model.parameters(), lr=0.3),
        epochs=5,
        validation=validation,
        monitor=monitor,
        progress=False,
    )
    numbers = getattr(history, monitor)
    assert history.best_epoch == numbers.index(better(numbers)) + 1  # the first epoch that reached the best


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"monitor": "val_loss"}, ValueError, "needs validation data"),
        ({"monitor": "speed"}, ValueError, "monitor must be one of"),
        ({"monitor": "accuracy", "accuracy": False}, ValueError, "needs accuracy=True"),
        ({"epochs": 0}, ValueError, "epochs must be a whole number"),
        ({"batch_size": 2.5}, ValueError, "batch_size must be a whole number"),
        ({"checkpoint": "never-written.json", "model": lambda x: x}, TypeError, "checkpoint saves"),
        ({"compiled": "yes"}, TypeError, "compiled must be True or False"),
        ({"compiled": True, "model": lambda x: x}, TypeError, "compiled=True needs a model with parameters"),
        ({"data": [([0.1, 0.2, 0.3], 0)] * 6}, TypeError, "fit: data must be an nn.Dataset, not list"),
        ({"validation": [[0.1, 0.2, 0.3]]}, TypeError, "fit: validation must be an nn.Dataset, not list"),
        ({"validation": Dataset([], [])}, ValueError, "fit: the validation data is empty"),
        ({"shuffle": "no"}, TypeError, "fit: shuffle must be True or False, got 'no'"),
        ({"accuracy": None}, TypeError, "fit: accuracy must be True or False, got None"),
        ({"progress": None}, TypeError, "fit: progress must be True, False or a stream to write to, got None"),
        ({"progress": "yes"}, TypeError, "fit: progress must be True, False or a stream to write to, got 'yes'"),
        ({"optimizer": None}, TypeError, r"fit: optimizer must be an optimiser \(with zero_grad\(\) and step\(\)\)"),
    ],
)
def test_bad_settings_are_refused_before_any_training(arguments, error, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = MLP(3, [3], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        fit(
            arguments.pop("model", model),
            cross_entropy,
            arguments.pop("data", problem(6, seed=0)),
            optimizer=arguments.pop("optimizer", SGD(model.parameters(), lr=0.1)),
            **{"progress": False, **arguments},
        )
    assert model.state_dict() == before and not list(tmp_path.iterdir())


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_accuracy_on_a_regression_is_refused_with_a_hint_before_any_weight_moves(compiled):
    """accuracy=True (the default) on a model of one output: refused at the first batch, before its step."""
    model = MLP(3, [4, 1], seed=0)
    before = model.state_dict()
    data = Dataset([[0.1, 0.2, 0.3]] * 6, [0.5] * 6)
    with pytest.raises(ValueError, match=r"fit: accuracy=True .* pass accuracy=False"):
        fit(model, mse_of_one, data, optimizer=SGD(model.parameters(), lr=0.1), progress=False, compiled=compiled)
    assert model.state_dict() == before


def mse_of_one(output, target):
    return mse_loss([output], [target])


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("missing/best.json", FileNotFoundError, "the checkpoint's folder does not exist"),
        (".", IsADirectoryError, "the checkpoint is a folder"),
        ("", ValueError, "checkpoint needs a file name"),
    ],
)
def test_a_checkpoint_that_cannot_be_written_is_refused_before_any_training(where, error, message, tmp_path):
    model = MLP(3, [3], seed=0)
    before = model.state_dict()
    path = os.path.join(tmp_path, where) if where else where
    with pytest.raises(error, match=message) as raised:
        fit(
            model,
            cross_entropy,
            problem(6, seed=0),
            optimizer=SGD(model.parameters(), lr=0.1),
            checkpoint=path,
            progress=False,
        )
    assert model.state_dict() == before and not list(tmp_path.iterdir())
    if where:
        assert raised.value.filename == path  # named as given


@pytest.mark.parametrize(("compiled", "error"), [(False, TypeError), (True, GraphError)])
def test_a_loss_that_does_not_return_a_value_is_refused_by_name(compiled, error):
    model = MLP(3, [3], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=r"must return a Value, not float: 1\.0"):
        fit(
            model,
            lambda output, target: 1.0,
            problem(4, 0),
            optimizer=SGD(model.parameters(), lr=0.1),
            progress=False,
            compiled=compiled,
        )
    assert model.state_dict() == before


def breaking_after(steps, model):
    """SGD (saved as SGD) whose ``steps``-th step puts a NaN in the first weight, as a far too large step would."""
    optimizer = SGD(model.parameters(), lr=0.1)
    sgd_step, left = optimizer.step, [steps]

    def step():
        sgd_step()
        left[0] -= 1
        if left[0] == 0:
            model.parameters()[0].data = math.nan

    optimizer.step = step
    return optimizer


@pytest.mark.parametrize("compiled", [False, True])
def test_training_that_diverges_stops_naming_the_epoch_and_the_saved_best_model(compiled, tmp_path):
    data, path = problem(8, seed=0), tmp_path / "best.json"
    model = MLP(3, [3], seed=0)
    optimizer = breaking_after(3, model)  # 2 batches of 4 an epoch: the first step of epoch 2
    with pytest.raises(TrainingDivergedError, match=r"diverged in epoch 2: the mean loss is nan") as raised:
        fit(
            model,
            cross_entropy,
            data,
            optimizer=optimizer,
            epochs=5,
            batch_size=4,
            checkpoint=path,
            progress=False,
            compiled=compiled,
        )
    assert f"epoch 1's model, the best, is saved at {path}" in str(raised.value)
    assert all(math.isfinite(w) for w in load(path).model.state_dict().values())
    with pytest.raises(TrainingDivergedError, match=r"diverged in epoch 1: the mean loss is nan.*too large$"):
        fit(model, cross_entropy, data, optimizer=SGD(model.parameters(), lr=0.1), batch_size=4, progress=False)
    model = MLP(3, [3], seed=0)  # a weight broken by the epoch's last step, the loss still a number
    message = r"diverged in epoch 1: it ends with layers.0.neurons.0.weights.0 = nan \(no later step"
    with pytest.raises(TrainingDivergedError, match=message):
        fit(model, cross_entropy, data, optimizer=breaking_after(2, model), batch_size=4, progress=False)


def tiny_fit(progress):
    model = MLP(3, [3], seed=0)
    data = problem(8, seed=0)
    return fit(
        model, cross_entropy, data, optimizer=SGD(model.parameters(), lr=0.1), epochs=2, batch_size=4, progress=progress
    )


def test_the_progress_bar_is_tqdms_when_tqdm_is_installed():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    history = tiny_fit(stream)
    text = stream.getvalue()
    assert "epoch 1/2" in text and "epoch 2/2" in text and "2/2 [" in text  # tqdm's count of batches
    assert f"loss={history.loss[-1]:.4f}" in text and f"accuracy={history.accuracy[-1]:.1%}" in text


def test_without_tqdm_a_plain_line_per_epoch_still_reports_progress(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # what a missing package looks like to import
    stream = io.StringIO()
    history = tiny_fit(stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"epoch {epoch}/2: 2 batches in ")
        assert line.endswith(f"loss {history.loss[epoch - 1]:.4f}, accuracy {history.accuracy[epoch - 1]:.1%}")


def test_progress_goes_to_stderr_by_default_and_nowhere_when_off(capsys):
    tiny_fit(True)
    captured = capsys.readouterr()
    assert "epoch 2/2" in captured.err and captured.out == ""
    tiny_fit(False)
    assert capsys.readouterr() == ("", "")


def test_fit_is_reproducible_from_its_seed():
    def run(seed):
        model = MLP(3, [4, 3], seed=0)
        fit(model, cross_entropy, problem(15, 1), optimizer=Adam(model.parameters()), seed=seed, progress=False)
        return model.state_dict()

    assert run(5) == run(5) != run(6)


def test_the_new_names_are_exported():
    for name in ("fit", "History", "evaluate", "Dataset", "train_test_split", "minibatches", "load_digits"):
        assert name in nn.__all__


# --- fit(..., compiled=True): the replay's numbers are the eager engine's, bit for bit ----------------------------


def bits(numbers):
    return [struct.pack("<d", number) for number in numbers]


def trained(compiled, make_model, loss, data, optimizer, **settings):
    """Every number a run leaves: each parameter's value and gradient, and the whole history, as bit patterns."""
    model = make_model()
    history = fit(
        model, loss, data, optimizer=optimizer(model.parameters()), progress=False, compiled=compiled, **settings
    )
    numbers = [p.data for p in model.parameters()] + [p.grad for p in model.parameters()]
    columns = [history.loss, history.accuracy, history.val_loss, history.val_accuracy]
    return bits(numbers), [bits(column) for column in columns], history.best_epoch


def test_fit_compiled_trains_with_the_eager_numbers_bit_for_bit():
    train, validation = problem(23, seed=1), problem(9, seed=2)
    settings = {"epochs": 4, "batch_size": 5, "validation": validation, "seed": 11}  # batches of 5, and one of 3

    def model():
        return MLP(3, [5, 3], seed=4)

    def optimizer(parameters):
        return SGD(parameters, lr=0.2, momentum=0.9)

    eager = trained(False, model, cross_entropy, train, optimizer, **settings)
    assert trained(True, model, cross_entropy, train, optimizer, **settings) == eager
    assert eager[1][0][-1] != eager[1][0][0]  # it learnt: not two idle runs


def test_fit_compiled_regression_with_number_targets_as_data_gives_the_eager_numbers():
    data = Dataset([[x / 10, 1 - x / 7] for x in range(10)], [0.3 * x / 10 - 0.1 for x in range(10)])

    def model():
        return MLP(2, [3, 1], seed=3)

    def optimizer(parameters):
        return Adam(parameters, lr=0.05)

    def loss(output, target):
        return mse_loss([output], [target])

    settings = {"epochs": 5, "batch_size": 4, "accuracy": False}
    assert trained(True, model, loss, data, optimizer, **settings) == trained(
        False, model, loss, data, optimizer, **settings
    )


def test_the_compiled_step_traces_once_per_class_and_adds_into_grad_as_backward_does():
    data = problem(12, seed=8)
    models = [MLP(3, [4, 3], seed=6), MLP(3, [4, 3], seed=6)]
    rng = random.Random(1)
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
        a.grad = b.grad = rng.uniform(-1, 1)  # gradients already there: both add into them
    eager = eager_step(models[0], cross_entropy)(data)
    step = compiled_step(models[1], cross_entropy)
    compiled = step(data)
    assert bits([eager[0]]) == bits([compiled[0]])
    assert [bits(v.data for v in scores) for scores in eager[1]] == [bits(scores) for scores in compiled[1]]
    assert bits(p.grad for p in models[0].parameters()) == bits(p.grad for p in models[1].parameters())
    assert sorted(step.replays) == [(3, c) for c in sorted(set(data.targets))]  # one trace per class, then replays
    assert step.trace_seconds > 0
    losses, outputs = step.evaluate(data)
    reference = evaluate(models[1], cross_entropy, data)
    assert bits([math.fsum(losses) / len(data)]) == bits([reference.loss])
    assert [argmax(scores) for scores in outputs] == predict(models[1], data.inputs)


def test_a_checked_compiled_step_gives_the_same_numbers_and_refuses_a_model_that_branches():
    data = problem(6, seed=9)
    models = [MLP(3, [4, 3], seed=5), MLP(3, [4, 3], seed=5)]
    eager = eager_step(models[0], cross_entropy)(data)
    checked = compiled_step(models[1], cross_entropy, check=True)(data)
    assert bits([eager[0]]) == bits([checked[0]])
    assert bits(p.grad for p in models[0].parameters()) == bits(p.grad for p in models[1].parameters())

    class Branching:
        """A model with a Python branch on a number: its graph depends on the sample."""

        def parameters(self):
            return models[1].parameters()

        def __call__(self, x):
            output = models[1](x)
            return output if x[0].data > 0 else [o * 2.0 for o in output]

    step = compiled_step(Branching(), cross_entropy, check=True)
    step(Dataset([[0.5, 0.1, 0.2]], [0]))
    with pytest.raises(GraphError, match="different graph"):
        step(Dataset([[-0.5, 0.1, 0.2]], [0]))


# --- issue 21: interrupts and bad set-ups ---------------------------------------------------------------


class InterruptingAt(SGD):
    """SGD whose ``stop``-th step is cut short by a KeyboardInterrupt, as Ctrl-C would (before it moves)."""

    def __init__(self, parameters, stop, **settings):
        super().__init__(parameters, **settings)
        self.stop, self.steps_begun = stop, 0

    def step(self):
        self.steps_begun += 1
        if self.steps_begun == self.stop:
            raise KeyboardInterrupt
        super().step()


def tiny_setup():
    return MLP(3, [4, 3], seed=0), problem(8, seed=0), problem(4, seed=1)


@pytest.mark.parametrize("compiled", [False, True])
def test_an_interrupted_fit_hands_on_the_history_of_the_epochs_that_finished_and_closes_its_bar(compiled):
    tqdm = pytest.importorskip("tqdm").tqdm
    model, data, validation = tiny_setup()
    settings = dict(epochs=2, batch_size=4, validation=validation, progress=io.StringIO(), compiled=compiled)
    expected = fit(model, cross_entropy, data, optimizer=SGD(model.parameters(), lr=0.1), **settings)
    model, data, validation = tiny_setup()
    optimizer = InterruptingAt(model.parameters(), stop=6, lr=0.1)  # the 2nd batch of epoch 3
    with pytest.raises(KeyboardInterrupt) as raised:
        fit(model, cross_entropy, data, optimizer=optimizer, **{**settings, "epochs": 5})
    history = raised.value.history
    assert (history.epochs, history.loss, history.val_loss) == (2, expected.loss, expected.val_loss)
    assert history.accuracy == expected.accuracy and history.best_epoch == expected.best_epoch
    assert len(history.seconds) == 2
    assert not tqdm._instances, "the progress bar of the interrupted epoch is still open"


def test_without_tqdm_an_interrupted_epoch_says_how_far_it_came(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    model, data, _ = tiny_setup()
    stream = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        fit(
            model,
            cross_entropy,
            data,
            optimizer=InterruptingAt(model.parameters(), 4, lr=0.1),
            progress=stream,
            batch_size=4,
        )
    first, second = stream.getvalue().splitlines()
    assert first.startswith("epoch 1/10: 2 batches in ") and second.startswith("epoch 2/10: 1 of 2 batches in ")


@pytest.mark.parametrize("compiled", [False, True])
def test_a_diverged_fit_hands_on_the_history_too(compiled):
    model, data, _ = tiny_setup()
    with pytest.raises(TrainingDivergedError) as raised:
        fit(
            model,
            cross_entropy,
            data,
            optimizer=breaking_after(3, model),
            epochs=5,
            batch_size=4,
            progress=False,
            compiled=compiled,
        )
    assert raised.value.history.epochs == 1 and raised.value.history.best_epoch == 1


def test_an_interrupt_at_any_instruction_of_fit_leaves_recording_on_and_hands_on_the_finished_epochs():
    # fit enters no_grad() for every validation; before, an interrupt there could leave recording off.
    model, data, validation = MLP(2, [2], seed=0), problem(2, seed=0), problem(2, seed=1)
    data = Dataset([x[:2] for x in data.inputs], [t % 2 for t in data.targets])
    validation = Dataset([x[:2] for x in validation.inputs], [t % 2 for t in validation.targets])
    start = [p.data for p in model.parameters()]
    optimizer = SGD(model.parameters(), lr=0.1)

    def run():
        fit(
            model,
            cross_entropy,
            data,
            optimizer=optimizer,
            epochs=2,
            batch_size=2,
            validation=validation,
            progress=False,
            shuffle=False,
        )

    where = in_files(nn.training.__file__, nn.optim.__file__, autograd.grad_mode.__file__)
    points = 0
    for point, interrupt in every_interrupt_raised(run, where):
        points += 1
        if autograd.grad_mode.current_mode() is not autograd.grad_mode.RECORD:
            assert leaves_no_grad_on_only_where_a_signal_cannot(point), f"recording left off at {point}"
            autograd.grad_mode._mode.set(autograd.grad_mode.RECORD)
        if interrupt is not None and hasattr(interrupt, "history"):
            assert interrupt.history.epochs in (0, 1, 2) and len(interrupt.history.loss) == interrupt.history.epochs
        for parameter, number in zip(model.parameters(), start, strict=True):
            parameter.data = number
    assert points > 1000


def test_an_optimizer_over_another_models_parameters_is_refused_before_any_training(tmp_path):
    model, data, _ = tiny_setup()
    other = MLP(3, [4, 3], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="none of the optimizer's 31 parameters is one of the model's"):
        fit(model, cross_entropy, data, optimizer=SGD(other.parameters(), lr=0.1), progress=False)
    extra = SGD([*model.parameters(), *other.parameters()[:1]], lr=0.1)
    path = tmp_path / "best.json"
    with pytest.raises(ValueError, match="parameter 31 is not one of the model's, so checkpoint= cannot"):
        fit(model, cross_entropy, data, optimizer=extra, checkpoint=path, progress=False)
    assert model.state_dict() == before and other.state_dict() == MLP(3, [4, 3], seed=1).state_dict()
    assert not path.exists()


@pytest.mark.parametrize(
    ("validation", "message"),
    [
        (Dataset([[0.1, 0.2]], [0]), "validation sample 0 has 2 numbers; the training inputs have 3"),
        (Dataset([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]], [0, 3]), r"sample 1's target 3 is not a class \(0..2\)"),
        (Dataset([[0.1, 0.2, 0.3]], ["cat"]), r"sample 0's target 'cat' is not a class \(0..2\)"),
    ],
)
@pytest.mark.parametrize("compiled", [False, True])
def test_validation_data_the_model_cannot_take_is_refused_before_any_training(validation, message, compiled):
    model, data, _ = tiny_setup()
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        fit(
            model,
            cross_entropy,
            data,
            optimizer=SGD(model.parameters(), lr=0.1),
            validation=validation,
            progress=False,
            compiled=compiled,
        )
    assert model.state_dict() == before


def test_a_validation_target_that_is_not_a_number_is_refused_for_a_regression():
    model = MLP(1, [1], seed=0)
    data, validation = Dataset([[0.5], [1.0]], [1.0, 2.0]), Dataset([[0.5]], ["two"])
    with pytest.raises(ValueError, match="validation sample 0's target 'two' is not a number"):
        fit(
            model,
            lambda out, y: (out - y) ** 2,
            data,
            optimizer=SGD(model.parameters(), lr=0.1),
            validation=validation,
            accuracy=False,
            progress=False,
        )


@pytest.mark.parametrize(
    ("inputs", "targets", "message"),
    [
        ([[0.5, 1.0], [0.5, math.nan]], [0, 1], "input 1, feature 1 is nan"),
        ([[0.5, 1.0], [-math.inf, 0.0]], [0, 1], "input 1, feature 0 is -inf"),
        ([[0.5, 1.0], [0.5, 0.0]], [0.5, math.inf], "targets must be finite numbers: target 1 is inf"),
    ],
)
def test_a_dataset_refuses_numbers_that_are_not_finite_naming_the_sample(inputs, targets, message):
    with pytest.raises(ValueError, match=message):
        Dataset(inputs, targets)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_validation_loss_that_is_not_a_number_stops_the_training_naming_the_sample(compiled, tmp_path):
    # Before: inf (or NaN) never beat epoch 1's loss, so epoch 1 stayed "best" and was saved as such.
    model, data, _ = tiny_setup()
    validation = Dataset([[0.1, 0.2, 0.3], [1e308, -1e308, 1e308]], [0, 1])  # a loss of about 1e307

    def scaled(output, target):  # 1e307 * 1e10 overflows to inf, as in PyTorch
        return cross_entropy(output, target) * 1e10

    path = tmp_path / "best.json"
    with pytest.raises(
        ValueError, match=r"after epoch 1 the validation loss is inf: validation sample 1's loss is inf"
    ) as raised:
        fit(
            model,
            scaled,
            data,
            optimizer=SGD(model.parameters(), lr=1e-12),
            validation=validation,
            checkpoint=path,
            progress=False,
            compiled=compiled,
        )
    assert raised.value.history.epochs == 0 and raised.value.history.best_epoch is None
    assert not path.exists()


@pytest.mark.parametrize("target", [np.int64(1), True, np.bool_(True)], ids=["numpy int", "bool", "numpy bool"])
def test_numpy_integer_and_bool_targets_get_the_eager_message_on_the_compiled_path(target):
    messages = []
    for compiled in (False, True):
        model = MLP(2, [3, 2], seed=0)
        data = Dataset([[0.1, 0.2], [0.3, 0.4]], [0, target])
        with pytest.raises(TypeError) as raised:
            fit(
                model,
                cross_entropy,
                data,
                optimizer=SGD(model.parameters(), lr=0.1),
                epochs=1,
                progress=False,
                shuffle=False,
                compiled=compiled,
            )
        messages.append(str(raised.value))
    assert messages[0] == messages[1] == f"cross_entropy: target_class must be a class index (an int), got {target!r}"

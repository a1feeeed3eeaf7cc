"""nn: models, losses and optimisers, checked against PyTorch doing the same arithmetic."""

import random

import pytest
import torch
from interrupts import every_interrupt, in_files

import autograd.value
import nn.optim
from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    hinge_loss,
    l2_penalty,
    mse_loss,
    squared_error,
)

torch.set_num_threads(1)


def torch_mlp(model: MLP, x: list[float], activation: str) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The same MLP in torch, from the engine's weights; returns the output and the leaf tensors."""
    leaves = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in model.parameters()]
    it = iter(leaves)
    acts = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda t: t}
    values = [torch.tensor(v, dtype=torch.float64) for v in x]
    for index, layer in enumerate(model.layers):
        last = index == len(model.layers) - 1
        outputs = []
        for neuron in layer.neurons:
            total = sum(next(it) * v for v in values)
            if neuron.bias is not None:
                total = total + next(it)
            outputs.append(acts["linear" if last else activation](total))
        values = outputs
    return values[0], leaves


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_mlp_forward_and_gradients_match_pytorch(activation):
    model = MLP(3, [5, 4, 1], activation=activation, seed=7)
    x = [0.3, -1.2, 2.0]
    out = model(x)
    out.backward()
    reference, leaves = torch_mlp(model, x, activation)
    reference.backward()
    assert out.data == pytest.approx(reference.item(), rel=1e-12)
    for p, t in zip(model.parameters(), leaves, strict=True):
        assert p.grad == pytest.approx(t.grad.item(), rel=1e-10, abs=1e-14)


def test_parameters_are_found_and_named():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == len(model.parameters()) == 2 * 3 + 3 + 3 * 1 + 1
    assert names[:3] == ["layers.0.neurons.0.weights.0", "layers.0.neurons.0.weights.1", "layers.0.neurons.0.bias"]
    assert MLP(2, [2, 1], bias=False).parameters().__len__() == 6


def test_seeds_make_initialisation_reproducible():
    first = [p.data for p in MLP(2, [4, 1], seed=3).parameters()]
    assert first == [p.data for p in MLP(2, [4, 1], seed=3).parameters()]
    assert first != [p.data for p in MLP(2, [4, 1], seed=4).parameters()]
    assert first == [p.data for p in MLP(2, [4, 1], seed=random.Random(3)).parameters()]
    assert all(-1.0 <= w <= 1.0 for w in first)


def test_layer_returns_a_list_and_mlp_a_value_for_one_output():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 2], seed=0)([1.0, 2.0])) == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Neuron(0), "at least one input"),
        (lambda: Layer(2, 0), "at least one neuron"),
        (lambda: MLP(2, []), "at least one layer"),
        (lambda: MLP(2, [1], activation="softmax"), "unknown activation 'softmax'"),
        (lambda: MLP(2, [1], seed=0)([1.0]), "takes 2 inputs, got 1"),
        (lambda: SGD([], lr=0.1), "no parameters"),
        (lambda: SGD([Value(1.0)], lr=-1), "lr must be a positive finite number, got -1"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.5), "momentum must be in"),
        (lambda: SGD([1.0], lr=0.1), "parameter 0 is a float"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), "betas must be in"),
        (lambda: mse_loss([Value(1.0)], [1.0, 2.0]), "1 predictions but 2 targets"),
        (lambda: hinge_loss([Value(1.0)], [0.5]), "labels must be -1 or \\+1"),
    ],
)
def test_bad_arguments_get_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_losses_match_pytorch():
    preds = [Value(v) for v in (0.5, -1.5, 2.0)]
    targets = [1.0, -1.0, 0.0]
    t_preds = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
    t_targets = torch.tensor(targets, dtype=torch.float64)

    loss = mse_loss(preds, targets)
    reference = torch.nn.functional.mse_loss(t_preds, t_targets)
    loss.backward()
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-14)
    assert [p.grad for p in preds] == pytest.approx(t_preds.grad.tolist(), rel=1e-14)

    scores = [Value(v) for v in (0.5, -1.5, 2.0)]
    labels = [1, 1, -1]
    t_scores = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
    hinge = hinge_loss(scores, labels)
    t_hinge = torch.relu(1 - torch.tensor(labels, dtype=torch.float64) * t_scores).mean()
    hinge.backward()
    t_hinge.backward()
    assert hinge.data == pytest.approx(t_hinge.item(), rel=1e-14)
    assert [s.grad for s in scores] == pytest.approx(t_scores.grad.tolist(), rel=1e-14)

    assert squared_error(Value(0.191), 1.0).data == pytest.approx(0.3272405, abs=1e-12)
    assert l2_penalty([Value(1.0), Value(-2.0)], 1e-4).data == pytest.approx(5e-4, rel=1e-14)


def run_optimizer(make_ours, make_theirs, steps=5):
    start = [0.5, -1.25, 2.0]
    ours = [Value(v) for v in start]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    opt, t_opt = make_ours(ours), make_theirs(theirs)

    def loss(ws):
        return (ws[0] * ws[1] - 1) ** 2 + (ws[2] * ws[0]) ** 2 + ws[1] ** 4

    for _ in range(steps):
        opt.zero_grad()
        loss(ours).backward()
        opt.step()
        t_opt.zero_grad()
        loss(theirs).backward()
        t_opt.step()
    return [w.data for w in ours], [t.item() for t in theirs]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_pytorch(momentum):
    ours, theirs = run_optimizer(
        lambda ps: SGD(ps, lr=0.01, momentum=momentum), lambda ts: torch.optim.SGD(ts, lr=0.01, momentum=momentum)
    )
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_adam_matches_pytorch():
    ours, theirs = run_optimizer(
        lambda ps: Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-8),
        lambda ts: torch.optim.Adam(ts, lr=0.05, betas=(0.8, 0.99), eps=1e-8),
        steps=10,
    )
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("rule", ["SGD with momentum", "Adam"])
def test_an_interrupt_anywhere_in_a_step_moves_every_parameter_and_its_state_or_none(rule):
    # Before: interrupted midway, 2 of 26 parameters had moved and the momentum had not.
    model = MLP(3, [4, 2], seed=0)
    parameters = model.parameters()
    assert len(parameters) == 26
    optimizer = SGD(parameters, lr=0.1, momentum=0.9) if rule.startswith("SGD") else Adam(parameters, lr=0.1)
    for position, parameter in enumerate(parameters):
        parameter.grad = 0.25 * (position - 13)
    optimizer.step()  # a step first, so the state is not its zeros

    def snapshot():
        return [p.data for p in parameters], {k: v for k, v in optimizer.state_dict().items() if k != "type"}

    before = snapshot()
    optimizer.step()
    after = snapshot()
    assert before[0] != after[0] and before[1] != after[1]

    def restore(state):
        for parameter, number in zip(parameters, state[0], strict=True):
            parameter.data = number
        optimizer.load_state_dict({"type": type(optimizer).__name__, **state[1]})

    restore(before)
    outcomes = []
    for point in every_interrupt(optimizer.step, in_files(nn.optim.__file__, autograd.value.__file__)):
        now = snapshot()
        assert now in (before, after), f"interrupted at {point}: some of the step was made, not all"
        outcomes.append("before" if now == before else "after")
        restore(before)
    assert snapshot() == after
    assert len(outcomes) > 100 and outcomes == sorted(outcomes, key=["before", "after"].index)


def test_an_error_while_a_step_writes_undoes_what_it_wrote():
    parameters = [Value(1.0), Value(2.0), Value(3.0)]
    optimizer = SGD(parameters, lr=0.5, momentum=0.5)
    for parameter in parameters:
        parameter.grad = 1.0
    writes = 0
    real = optimizer._write

    def failing_write(data, state):
        nonlocal writes
        writes += 1
        if writes == 1:  # the step's own write: two numbers land, then it fails
            parameters[0].data, parameters[1].data = data[0], data[1]
            raise MemoryError("injected")
        real(data, state)

    optimizer._write = failing_write
    with pytest.raises(MemoryError, match="injected"):
        optimizer.step()
    assert [p.data for p in parameters] == [1.0, 2.0, 3.0] and optimizer.velocity == [0.0, 0.0, 0.0]

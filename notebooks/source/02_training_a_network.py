# %% [markdown]
# # Training a network from scratch
#
# In the first notebook we followed one step of gradient descent by hand. Here we let the
# engine do what it was built for: train a small neural network, a few hundred weights, to
# tell two interleaving half-moons of points apart.
#
# Nothing here is hidden in a library you cannot read. The data is made by a short Python
# function, the network is `nn.MLP`, every number it computes is a `Value`, and every gradient
# comes from the same `backward()` that reproduced the article's numbers. The recipe is the
# one every deep-learning framework follows:
#
# 1. **data**: inputs and the labels we want,
# 2. **model**: a function with adjustable weights that turns an input into a score,
# 3. **loss**: one number that says how wrong the model is on the whole data set,
# 4. **optimiser**: the rule that nudges every weight against its gradient,
# 5. **loop**: forward, loss, backward, step, and again.

# %%
import math
import random
from collections.abc import Callable

import matplotlib.pyplot as plt

import nn
from autograd import Value, no_grad
from nn import MLP, SGD, compile_loss, hinge_loss, l2_penalty

# %% [markdown]
# ## 1. The data: two moons
#
# Two half-circles that hook into each other, with a little noise added to every point.
# No straight line can separate them, so a model without hidden layers would fail here: the
# network has to bend its boundary.
#
# The upper moon gets the label -1, the lower one +1. A fixed seed makes the noise, and so
# every number below, the same on every run.


# %%
def make_moons(n_points: int, noise: float, seed: int) -> tuple[list[tuple[float, float]], list[int]]:
    """Two interleaving half-circles, n_points in all; labels -1 (upper moon) and +1 (lower moon)."""
    n_upper = n_points // 2
    n_lower = n_points - n_upper
    points, labels = [], []
    for i in range(n_upper):  # a half-circle of radius 1 around (0, 0), opening downwards
        angle = math.pi * i / (n_upper - 1)
        points.append((math.cos(angle), math.sin(angle)))
        labels.append(-1)
    for i in range(n_lower):  # the same half-circle turned upside down and moved to (1, 0.5)
        angle = math.pi * i / (n_lower - 1)
        points.append((1 - math.cos(angle), 0.5 - math.sin(angle)))
        labels.append(1)
    rng = random.Random(seed)
    noisy = [(x + rng.gauss(0, noise), y + rng.gauss(0, noise)) for x, y in points]
    return noisy, labels


points, labels = make_moons(100, noise=0.1, seed=1)
assert len(points) == 100 and labels.count(-1) == labels.count(1) == 50
print(f"{len(points)} points, for example {points[0][0]:.3f}, {points[0][1]:.3f} with label {labels[0]}")


# %%
def scatter_moons(axes: plt.Axes) -> None:
    """The data set on ``axes``: one colour per label."""
    for label, colour, name in ((-1, "tab:blue", "upper moon (-1)"), (1, "tab:orange", "lower moon (+1)")):
        xs = [p[0] for p, t in zip(points, labels, strict=True) if t == label]
        ys = [p[1] for p, t in zip(points, labels, strict=True) if t == label]
        axes.scatter(xs, ys, c=colour, edgecolors="black", linewidths=0.5, label=name)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.legend(loc="lower left")


figure, axes = plt.subplots(figsize=(6, 4))
scatter_moons(axes)
axes.set_title("The data set: two moons, 100 points")
plt.show()

# %% [markdown]
# ## 2. The model: a multi-layer perceptron
#
# `MLP(2, [16, 16, 1])` reads the two coordinates of a point, passes them through two hidden
# layers of 16 neurons with the ReLU activation, and ends in one linear neuron: its output is a
# **score**. A positive score means "lower moon", a negative one "upper moon". The weights
# start as random numbers (seeded, so they are the same every run); the biases start at zero.

# %%
model = MLP(2, [16, 16, 1], activation="relu", seed=0)
for number, layer in enumerate(model.layers, start=1):
    size, activation, n_inputs = len(layer.neurons), layer.neurons[0].activation, len(layer.neurons[0].weights)
    neurons = "neuron " if size == 1 else "neurons"
    print(f"layer {number}: {size:2d} {neurons} ({activation}), each reading {n_inputs} inputs")
parameters = model.parameters()
print(f"{len(parameters)} parameters: (2*16 + 16) + (16*16 + 16) + (16*1 + 1), weights plus biases")
assert len(parameters) == (2 * 16 + 16) + (16 * 16 + 16) + (16 * 1 + 1) == 337

# %% [markdown]
# ## 3. The loss: max-margin with L2 regularisation
#
# The loss is the number training drives down, so it has to say what "good" means.
#
# * **Max-margin (hinge) loss**, `max(0, 1 - label * score)`: zero when the score has the
#   right sign *with a margin of at least 1*, growing linearly the more wrong the score is.
#   Points that are already classified confidently stop contributing; the model spends its
#   effort on the hard ones. `nn.hinge_loss` averages it over the data set.
# * **L2 regularisation**, `alpha * sum(w^2)`: a small price for large weights, which keeps the
#   boundary smooth instead of wrapping around single noisy points. `nn.l2_penalty` adds it.
#
# This is the loss of micrograd's demo, with the same `alpha = 1e-4`. Next to it, the accuracy:
# a plain number for us to read, not something to differentiate.

# %%
ALPHA = 1e-4


def hinge_objective(model: MLP, scores: list[Value]) -> Value:
    """Mean max-margin loss of the scores, plus L2 regularisation of the model's parameters."""
    return hinge_loss(scores, labels) + l2_penalty(model.parameters(), ALPHA)


def accuracy(scores: list[Value]) -> float:
    """The fraction of points whose score has the sign of their label."""
    return sum((score.data > 0) == (label > 0) for score, label in zip(scores, labels, strict=True)) / len(labels)


scores = [model(point) for point in points]
loss = hinge_objective(model, scores)
print(f"before training: loss {loss.data:.4f}, accuracy {accuracy(scores):.0%}")

# %% [markdown]
# Half right is what guessing gives: the untrained network knows nothing yet.
#
# ## 4. The optimiser and the training loop
#
# `SGD` moves every parameter against its gradient: `w -= lr * dLoss/dw`. We start with big
# steps (`lr = 1.0`) to make fast progress and shrink them linearly to `0.1`, so that the
# weights settle instead of jumping around the minimum.
#
# One **step** of training is the whole recipe once:
#
# 1. forward: score every point, building one graph of about 65,000 nodes,
# 2. loss: one `Value` at the top of that graph,
# 3. `zero_grad()`: gradients *accumulate* in `.grad`, so last step's must be cleared first,
# 4. `backward()`: the chain rule fills in `dLoss/dw` for all 337 parameters at once,
# 5. `step()`: update the weights.

# %%
STEPS = 100


Objective = Callable[[MLP, list[Value]], Value]


def train(model: MLP, optimizer: SGD, objective: Objective, steps: int = STEPS) -> tuple[list[float], list[float]]:
    """Train the model on the data set; the loss and the accuracy of every step."""
    losses, accuracies = [], []
    for step in range(steps):
        scores = [model(point) for point in points]
        loss = objective(model, scores)
        losses.append(loss.data)
        accuracies.append(accuracy(scores))
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * step / steps
        optimizer.step()
        if step % 10 == 0 or step == steps - 1:
            print(f"step {step:3d}   loss {losses[-1]:.4f}   accuracy {accuracies[-1]:4.0%}")
    return losses, accuracies


optimizer = SGD(model.parameters(), lr=1.0)
hinge_losses, hinge_accuracies = train(model, optimizer, hinge_objective)

# %% [markdown]
# The accuracy above is measured on each step's scores, *before* that step's update. To know
# where training ended we score the data once more. We do not need gradients for that, so we
# run it under `no_grad()`: no graph is recorded, which is faster and uses less memory.


# %%
def final_accuracy(model: MLP) -> float:
    with no_grad():
        return accuracy([model(point) for point in points])


trained_accuracy = final_accuracy(model)
print(f"training accuracy after {STEPS} steps: {trained_accuracy:.0%}")
assert trained_accuracy >= 0.99
assert hinge_losses[-1] < hinge_losses[0] / 10

# %% [markdown]
# ## 5. The loss curve
#
# Plotting the loss per step is the first thing to look at after any training run. A curve
# that falls and then flattens says training worked and has converged. The spikes early on are
# the large first steps overshooting; as the learning rate shrinks, the curve settles. A curve
# that kept jumping up and down to the end would say the learning rate is too large.

# %%
figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.5))
loss_axes.plot(hinge_losses)
loss_axes.set_yscale("log")
loss_axes.set_title("Max-margin loss + L2, per training step")
loss_axes.set_xlabel("step")
loss_axes.set_ylabel("loss (log scale)")
accuracy_axes.plot([100 * a for a in hinge_accuracies], color="tab:green")
accuracy_axes.set_title("Training accuracy, per step")
accuracy_axes.set_xlabel("step")
accuracy_axes.set_ylabel("accuracy (%)")
figure.tight_layout()
plt.show()

# %% [markdown]
# ## 6. The decision boundary
#
# Accuracy is one number; the boundary shows *what* the network learned. We score every point
# of a fine grid covering the data (again under `no_grad()`: thousands of forward passes, no
# gradients wanted) and colour the plane by the sign of the score.

# %%
GRID = 80


def plot_decision_boundary(model: MLP, title: str) -> None:
    """Colour the plane by the sign of the model's score, with the data on top."""
    x_min, x_max, y_min, y_max = -1.5, 2.5, -1.0, 1.5
    grid_x = [x_min + (x_max - x_min) * i / (GRID - 1) for i in range(GRID)]
    grid_y = [y_min + (y_max - y_min) * j / (GRID - 1) for j in range(GRID)]
    with no_grad():
        grid_scores = [[model([x, y]).data for x in grid_x] for y in grid_y]
    _, axes = plt.subplots(figsize=(6, 4))
    axes.contourf(grid_x, grid_y, grid_scores, levels=[-math.inf, 0, math.inf], colors=["#c6dbef", "#fdd0a2"])
    axes.contour(grid_x, grid_y, grid_scores, levels=[0], colors="black", linewidths=1)
    scatter_moons(axes)
    axes.set_title(title)
    plt.show()


plot_decision_boundary(model, "Decision boundary after training with the max-margin loss")

# %% [markdown]
# The black line is where the score is exactly zero. The network has bent it around the tip
# of each moon: something a straight line could never do, and no one told the network how.
#
# ## 7. Faster: trace the loss once, replay it every step
#
# Each step above rebuilt the same graph of 65,000 nodes: the same operations on the same
# points, only the numbers in the weights differ. `nn.compile_loss` builds that graph once,
# writes it out as straight-line Python (one line per operation for the forward pass, one per
# edge for the backward pass) and replays that code on every call. A call returns the loss and
# adds the gradients into `.grad`, exactly as `backward()` does, so the optimiser cannot tell
# the difference. It runs many times faster, because it makes no `Value` at all: only floats
# move.
#
# The replay assumes the graph keeps its shape: here it does, since the data never changes and
# no Python `if` looks at a number (ReLU's choice is made afresh on every call).


# %%
def train_compiled(model: MLP, optimizer: SGD, objective: Objective, steps: int = STEPS) -> list[float]:
    """The same training as ``train``, through a replay of the loss traced once; the loss of every step."""
    replay = compile_loss(lambda: objective(model, [model(point) for point in points]), model.parameters())
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        losses.append(replay())  # forward and backward, like loss.backward()
        optimizer.lr = 1.0 - 0.9 * step / steps
        optimizer.step()
    return losses


fast_model = MLP(2, [16, 16, 1], activation="relu", seed=0)
fast_losses = train_compiled(fast_model, SGD(fast_model.parameters(), lr=1.0), hinge_objective)
print(f"final loss {fast_losses[-1]:.4f}, training accuracy {final_accuracy(fast_model):.0%}")
assert fast_losses == hinge_losses  # the same arithmetic in the same order: the same numbers, to the last bit

# %% [markdown]
# The replay's losses equal the eager loop's to the last bit: it does the same arithmetic, in
# the same order, only without building the graph each time.
#
# ## 8. Another loss: the logistic loss
#
# The hinge loss is one choice among many. The **logistic loss** (binary cross-entropy, the
# loss of logistic regression) is `log(1 + exp(-label * score))`. Unlike the hinge it is never
# exactly zero: it keeps pushing confident points a little further, and its gradient is smooth
# everywhere.
#
# The engine has no special support for it, and needs none: any formula written with `Value`
# operations can be differentiated. Written naively, `exp(-label * score)` overflows for a very
# wrong score, so we use the equivalent form `relu(z) + log(1 + exp(-|z|))` with
# `z = -label * score`, whose `exp` never sees a positive argument.


# %%
def logistic_loss(scores: list[Value], labels: list[int]) -> Value:
    """Mean of log(1 + exp(-label * score)), written so that exp never overflows."""
    terms = []
    for score, label in zip(scores, labels, strict=True):
        z = -label * score
        terms.append(z.relu() + ((-abs(z)).exp() + 1).log())
    return sum(terms, Value(0.0)) / len(terms)


# A quick check against the formula written directly, at a score where it cannot overflow:
assert abs(logistic_loss([Value(0.3)], [1]).data - math.log(1 + math.exp(-0.3))) < 1e-15


def logistic_objective(model: MLP, scores: list[Value]) -> Value:
    """Mean logistic loss of the scores, plus the same L2 regularisation as before."""
    return logistic_loss(scores, labels) + l2_penalty(model.parameters(), ALPHA)


# %% [markdown]
# A fresh model with the same starting weights, a fresh optimiser, and the same schedule,
# trained through the replay:

# %%
logistic_model = MLP(2, [16, 16, 1], activation="relu", seed=0)
logistic_losses = train_compiled(logistic_model, SGD(logistic_model.parameters(), lr=1.0), logistic_objective)
trained_accuracy = final_accuracy(logistic_model)
print(f"final loss {logistic_losses[-1]:.4f}, training accuracy after {STEPS} steps: {trained_accuracy:.0%}")
assert trained_accuracy >= 0.99

# %%
figure, axes = plt.subplots(figsize=(6, 3.5))
axes.plot(hinge_losses, label="max-margin + L2")
axes.plot(logistic_losses, label="logistic + L2")
axes.set_yscale("log")
axes.set_title("Two losses, same model, same optimiser")
axes.set_xlabel("step")
axes.set_ylabel("loss (log scale)")
axes.legend()
plt.show()

# %% [markdown]
# The two numbers are not comparable in size (they measure different things), but both curves
# fall and flatten, and both models separate the moons. The logistic loss never reaches zero,
# which is why its curve levels off higher. Its boundary:

# %%
plot_decision_boundary(logistic_model, "Decision boundary after training with the logistic loss")

# %% [markdown]
# ## 9. Watching it learn: `fit(..., live=True)` and the playground
#
# `nn.fit` runs the same loop in minibatches. With `live=True`, in a notebook, one output is redrawn
# after every epoch: the loss curve and, since the model reads two inputs, its decision surface over
# the points. (`nn.make_moons` is this notebook's data set as a library function, with class
# targets 0 and 1; `nn.binary_hinge_loss` is the max-margin loss for them: label = 2 * class - 1.)

# %%
moons = nn.make_moons(200, noise=0.1, seed=1)
live_model = MLP(2, [8, 8, 1], activation="relu", seed=0)
live_history = nn.fit(
    live_model,
    nn.binary_hinge_loss,
    moons,
    optimizer=SGD(live_model.parameters(), lr=0.1),
    epochs=30,
    batch_size=10,
    accuracy=False,
    compiled=True,
    live=True,
)
assert live_history.loss[-1] < live_history.loss[0] / 5

# %% [markdown]
# The playground trains a network in the page itself, with the same numbers: the engine's
# operation table written as JavaScript. Every square is one neuron's output over the plane; the
# lines are the weights (blue positive, orange negative, width their size). Press *Play*, change the
# layers or the learning rate, click a neuron to see its numbers and the chain rule's products.

# %%
nn.playground(MLP(2, [8, 8, 1], activation="relu", seed=0), moons, name="moons")

# %% [markdown]
# ## What to try next
#
# * Set `noise=0.2` in `make_moons`: can the network still reach 99%? Should it?
# * Replace `SGD` by `nn.Adam(model.parameters(), lr=0.01)` and drop the learning-rate schedule.
# * Shrink the model to `MLP(2, [8, 1])` and watch the boundary get simpler.
# * Set `ALPHA = 0.01` and see the regularisation smooth the boundary, at a price in accuracy.

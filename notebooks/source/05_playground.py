# %% [markdown]
# # Four datasets, four lessons: what hidden layers and neurons are for
#
# A network with no hidden layer draws one straight line through the plane. Hidden neurons each
# draw a line of their own and the next layer combines them, so more of them means more bends. Four
# small datasets show when that is needed: `nn.make_moons`, `nn.make_circles`, `nn.make_xor` and
# `nn.make_spiral`, each 200 points in two classes (0 and 1), seeded, with a little noise.
#
# Every model here ends in one neuron whose output is a **score**: positive means class 1. The loss
# is the max-margin loss of the second notebook, `nn.binary_hinge_loss`, and `nn.fit` trains with
# SGD through the compiled replay (the same numbers as the eager engine, faster).

# %%
import matplotlib.pyplot as plt

import nn
from autograd import no_grad

DATASETS = {
    "moons": nn.make_moons(200, seed=0),
    "circles": nn.make_circles(200, seed=0),
    "xor": nn.make_xor(200, seed=0),
    "spiral": nn.make_spiral(200, seed=0),
}
COLOURS = ["tab:orange", "tab:blue"]  # class 0, class 1

figure, axes = plt.subplots(1, 4, figsize=(12, 3))
for axis, (name, data) in zip(axes, DATASETS.items(), strict=True):
    xs, ys = zip(*data.inputs, strict=True)
    axis.scatter(xs, ys, c=[COLOURS[t] for t in data.targets], s=8)
    axis.set_title(name)
    axis.set_aspect("equal")
    axis.set_xticks([])
    axis.set_yticks([])
plt.show()

# %% [markdown]
# ## Which need a hidden layer, which need more neurons
#
# Each dataset is split into training and test points (80/20, seeded), and four models learn it:
# no hidden layer (one straight line), 2 hidden neurons, 4, and two layers of 16, all with tanh.
# The table shows the accuracy on the test points, which the model never trained on.


# %%
def accuracy(model: nn.MLP, data: nn.Dataset) -> float:
    """The fraction of points whose score has the sign of their class (positive: class 1)."""
    with no_grad():
        right = [(model(x).data > 0) == (target == 1) for x, target in zip(data.inputs, data.targets, strict=True)]
    return sum(right) / len(right)


def trained(hidden: list[int], data: nn.Dataset, epochs: int) -> nn.MLP:
    model = nn.MLP(2, [*hidden, 1], activation="tanh", seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    nn.fit(
        model,
        nn.binary_hinge_loss,
        data,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=10,
        accuracy=False,
        progress=False,
        compiled=True,
    )
    return model


SHAPES = {"no hidden layer": [], "[2]": [2], "[4]": [4], "[16, 16]": [16, 16]}
EPOCHS = 150
results = {}
print(f"{'test accuracy':>14}" + "".join(f"{shape:>17}" for shape in SHAPES))
for name, data in DATASETS.items():
    train, test = nn.train_test_split(data, 0.2, seed=0)
    results[name] = {shape: accuracy(trained(hidden, train, EPOCHS), test) for shape, hidden in SHAPES.items()}
    print(f"{name:>14}" + "".join(f"{results[name][shape]:>17.0%}" for shape in SHAPES))

# %% [markdown]
# Read it column by column:
#
# * **No hidden layer** is one straight line: it gets moons mostly right (the moons are *almost*
#   separable by a line) and circles, xor and spiral no better than guessing, or little better.
# * **Two hidden neurons** are two lines: they already get most of xor right (two lines can fence off
#   two opposite quadrants), but not circles, whose closed boundary needs at least three sides.
# * **Four neurons** close the circle, and bend the boundary round the moons.
# * **The spiral** needs many neurons in two layers: its boundary winds, and every bend costs neurons.

# %%
assert results["moons"]["no hidden layer"] < 0.95 <= results["moons"]["[4]"]
assert results["circles"]["no hidden layer"] < 0.7 and results["circles"]["[4]"] >= 0.95
assert results["xor"]["no hidden layer"] < 0.8 <= results["xor"]["[2]"] and results["xor"]["[4]"] >= 0.95
assert results["circles"]["[2]"] < 0.9
assert results["spiral"]["[4]"] < 0.8 <= results["spiral"]["[16, 16]"]

# %% [markdown]
# ## What each hidden neuron learns
#
# Here is the xor model with four hidden neurons, and the output of each over the plane. A tanh
# neuron computes `tanh(w1*x1 + w2*x2 + b)`: it is -1 on one side of the line `w1*x1 + w2*x2 + b = 0`
# and +1 on the other, with a soft edge. Each hidden neuron has learnt one such line; the output
# neuron adds them up, weighted, and the sum is positive in exactly two opposite quadrants.

# %%
xor_train, xor_test = nn.train_test_split(DATASETS["xor"], 0.2, seed=0)
xor_model = trained([4], xor_train, EPOCHS)
grid = [-1.2 + 2.4 * i / 59 for i in range(60)]
hidden_layer, output_layer = xor_model.layers
with no_grad():
    pictures = [[[neuron([x, y]).data for x in grid] for y in grid] for neuron in hidden_layer.neurons]
    pictures.append([[xor_model([x, y]).data for x in grid] for y in grid])

figure, axes = plt.subplots(1, 5, figsize=(14, 3))
titles = [f"hidden neuron {k + 1}" for k in range(4)] + ["output: the score"]
for axis, picture, title in zip(axes, pictures, titles, strict=True):
    axis.imshow(picture, origin="lower", extent=(-1.2, 1.2, -1.2, 1.2), cmap="RdBu", vmin=-1.5, vmax=1.5)
    axis.set_title(title)
    axis.set_xticks([])
    axis.set_yticks([])
xs, ys = zip(*xor_train.inputs, strict=True)
axes[-1].scatter(xs, ys, c=[COLOURS[t] for t in xor_train.targets], s=6, edgecolors="black", linewidths=0.2)
plt.show()
weights = ", ".join(f"{w.data:+.2f}" for w in output_layer.neurons[0].weights)
print(f"the output neuron's weights on the four hidden neurons: {weights}")
assert accuracy(xor_model, xor_test) >= 0.95

# %% [markdown]
# ## The spiral, live
#
# `fit(..., live=True)` redraws one output after every epoch: the loss curve and the decision
# surface over the training points. Two layers of 16 neurons wind the boundary round the arms.

# %%
spiral_train, spiral_test = nn.train_test_split(DATASETS["spiral"], 0.2, seed=0)
spiral_model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
history = nn.fit(
    spiral_model,
    nn.binary_hinge_loss,
    spiral_train,
    optimizer=nn.SGD(spiral_model.parameters(), lr=0.1),
    epochs=EPOCHS,
    batch_size=10,
    validation=spiral_test,
    accuracy=False,
    compiled=True,
    live=True,
)
print(f"test accuracy after {EPOCHS} epochs: {accuracy(spiral_model, spiral_test):.0%}")
assert accuracy(spiral_model, spiral_test) >= 0.8

# %% [markdown]
# ## Your turn: the playground
#
# The same in a page that trains in your browser, with the engine's own numbers (its operation table
# written as JavaScript). Choose the hidden layers and the activation, press *Play*, and watch each
# neuron's heatmap change; click a neuron for its output and gradients on one point. Try: the spiral
# with no hidden layer, with `[4]`, with `[8, 8]`; relu against tanh; a learning rate of 3.

# %%
nn.playground(nn.MLP(2, [8, 8, 1], activation="tanh", seed=0), DATASETS["spiral"], name="spiral")

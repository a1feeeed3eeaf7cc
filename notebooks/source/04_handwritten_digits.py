# %% [markdown]
# # Reading handwritten digits
#
# The second notebook trained a network to tell two moons apart: two numbers in, one score out.
# Here the network learns something people do every day: read a handwritten digit. The data are
# real, 1,797 small scans of digits written by 43 people, and there are ten answers instead of two.
#
# Three things are new, and `nn` has each of them:
#
# 1. **ten classes**: the network gives ten scores, `softmax` turns them into probabilities and
#    `cross_entropy` measures how wrong they are;
# 2. **data to hold back**: we split the data, train on one part and measure on parts the
#    network never learned from;
# 3. **a training loop you do not write yourself**: `nn.fit` runs epochs of shuffled minibatches
#    with a progress bar, keeps a history for plots, and saves the best model.
#
# Every number is still a `Value` and every gradient still comes from the same `backward()`.
#
# The digits come with scikit-learn (no download needed): `pip install 'micro-autograd[digits]'`
# installs it, with `tqdm` for the progress bar.

# %%
import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from autograd import NumericOverflowError, Value, draw_graph, topological_order
from nn import (
    MLP,
    SGD,
    Neuron,
    confusion_matrix,
    cross_entropy,
    fit,
    load,
    load_digits,
    predict,
    softmax,
    train_test_split,
)

# %% [markdown]
# ## 1. The data: 8x8 pictures of digits
#
# Each digit was scanned and shrunk to 8 by 8 pixels, each pixel a shade of grey. `load_digits`
# gives each picture as 64 numbers, row by row, from 0 (white) to 1 (black), and its **target**:
# the digit it shows, 0 to 9.

# %%
digits = load_digits()
print(f"{len(digits)} pictures of {len(digits.inputs[0])} pixels each")
print("pictures per digit:", {digit: digits.targets.count(digit) for digit in range(10)})
assert len(digits) == 1797 and len(digits.inputs[0]) == 64 and set(digits.targets) == set(range(10))


# %%
def image(pixels: tuple[float, ...]) -> list[tuple[float, ...]]:
    """The 64 pixels as 8 rows of 8, to draw."""
    return [pixels[row * 8 : row * 8 + 8] for row in range(8)]


figure, grid = plt.subplots(2, 10, figsize=(10, 2.4))
for axes, pixels, target in zip(grid.flat, digits.inputs, digits.targets, strict=False):
    axes.imshow(image(pixels), cmap="gray_r", vmin=0, vmax=1)
    axes.set_title(str(target))
    axes.axis("off")
figure.suptitle("The first twenty pictures, with their targets")
figure.tight_layout()
plt.show()

# %% [markdown]
# Small and blurry, but most are easy to read. The network sees only the 64 numbers: it does not
# know that neighbouring pixels are neighbours.
#
# ## 2. Three parts, three jobs
#
# A network can learn its training data by heart, so its accuracy there says little about new
# pictures. We hold some back, shuffled with a fixed seed so the parts are the same every run:
#
# * **test** (20%): looked at once, at the very end, to say how well the network reads digits
#   it has never seen;
# * **validation** (10% of the rest): measured after every epoch, to watch for learning by
#   heart and to pick the best epoch;
# * **train** (the rest): what the network learns from.

# %%
rest, test = train_test_split(digits, test_fraction=0.2, seed=0)
train, validation = train_test_split(rest, test_fraction=0.1, seed=0)
print(f"train {len(train)}, validation {len(validation)}, test {len(test)}")
assert (len(train), len(validation), len(test)) == (1293, 144, 360)

# %% [markdown]
# ## 3. The model: ten scores per picture
#
# `MLP(64, [32, 10])` reads the 64 pixels into 32 hidden ReLU neurons, and ends in 10 linear
# neurons, one per digit. Their outputs are **scores** (called *logits*): the larger a digit's
# score, the more the network believes the picture shows that digit.

# %%
model = MLP(64, [32, 10], seed=0)
n_parameters = len(model.parameters())
print(f"{n_parameters} parameters: (64*32 + 32) + (32*10 + 10)")
assert n_parameters == (64 * 32 + 32) + (32 * 10 + 10) == 2410

scores = model(digits.inputs[0])
print("scores for the first picture (a 0), before training:", ", ".join(f"{s.data:.2f}" for s in scores))

# %% [markdown]
# ## 4. From scores to probabilities, and a loss
#
# **Softmax** turns ten scores into ten probabilities: `exp(score)` makes each positive, and
# dividing by their sum makes them add up to 1. **Cross-entropy** is then `-log` of the
# probability given to the right digit: 0 when the network is sure and right, large when it
# is sure and wrong. It is the loss of almost every classifier, and `nn.cross_entropy` gives
# exactly what `torch.nn.functional.cross_entropy` does.

# %%
probabilities = softmax(scores)
target = digits.targets[0]
loss = cross_entropy(scores, target)
print(f"probability of the right digit ({target}): {probabilities[target].data:.4f}")
print(f"cross-entropy: {loss.data:.4f} = -log({probabilities[target].data:.4f})")
assert abs(sum(p.data for p in probabilities) - 1) < 1e-12
assert math.isclose(loss.data, -math.log(probabilities[target].data), rel_tol=1e-9)

# %% [markdown]
# Written as the formula says, `exp(score)` overflows for a score of 1000, which a badly trained
# network can produce. `cross_entropy` first subtracts the largest score, a plain number: every
# probability stays the same, and no `exp` sees anything above 0.

# %%
try:
    Value(1000.0).exp()
except NumericOverflowError as error:
    print("exp(1000) as the formula says:", error)
stable = cross_entropy([1000.0, 0.0, -1000.0], 1)
print(f"cross_entropy([1000, 0, -1000], 1) = {stable.data}")
assert stable.data == 1000.0

# %% [markdown]
# Here is that trick in a graph: cross-entropy of three scores, for target 2. Each score has
# the largest (1.5) taken away as a constant (`- 1.5`), then come `exp`, the sum, its `log`,
# and the right score taken away. The gradients at the left are `softmax - 1` at the target
# and `softmax` elsewhere: the push that training gives each score.

# %%
three_scores = [Value(1.5, "score 0"), Value(-0.3, "score 1"), Value(0.8, "score 2")]
small_loss = cross_entropy(three_scores, 2)
small_loss.backward()
expected = [p.data - (i == 2) for i, p in enumerate(softmax([1.5, -0.3, 0.8]))]
assert all(math.isclose(s.grad, e, abs_tol=1e-15) for s, e in zip(three_scores, expected, strict=True))
draw_graph(small_loss, direction="TB", precision=3)

# %% [markdown]
# ## 5. One neuron, as a graph
#
# Each of the 32 hidden neurons computes `relu(w1*x1 + ... + w64*x64 + b)` on the 64 pixels.
# As a graph that is 194 values (64 weights, 64 products, 63 sums, the bias, one more sum and
# the ReLU), too wide to read, so here is the same kind of neuron with four inputs: four pixels
# on the top of the first picture's stroke (the 0's upper curve, all of them inked, so every product
# counts), and weights of both signs. Its sum is positive, so the ReLU passes it on, and every
# weight's gradient is its pixel: d(relu(sum))/dw = x where the sum is positive.

# %%
first_neuron = model.layers[0].neurons[0]
wide = first_neuron(digits.inputs[0])
wide_values = len(topological_order(wide))
print(f"one hidden neuron on one picture: {wide_values} values in its graph")
assert wide_values == 64 + 64 + 63 + 1 + 1 + 1

stroke = [digits.inputs[0][i] for i in (2, 3, 10, 11)]  # row 1, columns 3-4, and row 2, columns 3-4
small_neuron = Neuron(4, seed=1, name="h")
output = small_neuron(stroke)
output.backward()
assert all(pixel > 0 for pixel in stroke) and output.data > 0
assert [w.grad for w in small_neuron.weights] == stroke
draw_graph(output, direction="TB", parameters=small_neuron.parameters(), precision=3)

# %% [markdown]
# ## 6. Training with `nn.fit`
#
# The loop is the one from the second notebook, run on **minibatches**: the training data are
# shuffled and cut into batches of 32, and each batch is one step (forward, mean loss,
# backward, update). One pass over all batches is an **epoch**. Small batches give many cheap,
# slightly noisy steps per epoch, which is how almost every network is trained.
#
# `fit` does that loop and more:
#
# * a progress bar (in a notebook one line, rewritten in place; in a terminal tqdm's bar on stderr),
# * after each epoch, the loss and accuracy on the validation part,
# * a `History` of every number, per epoch, for plots,
# * `checkpoint=`: the model of the best epoch so far (lowest validation loss) saved with
#   `nn.save`, so a late epoch that made things worse costs nothing.
#
# The optimiser is `SGD` with momentum: each step keeps 90% of the previous step's direction,
# which smooths out the noise of small batches.

# %%
start_weights = [[w.data for w in neuron.weights] for neuron in model.layers[0].neurons]  # for section 10
folder = Path(tempfile.mkdtemp())
best_path = folder / "digits-best.json"
optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
history = fit(
    model,
    cross_entropy,
    train,
    optimizer=optimizer,
    epochs=10,
    batch_size=32,
    validation=validation,
    checkpoint=best_path,
    seed=0,
    progress=True,
)
print(f"best epoch: {history.best_epoch}, validation loss {history.val_loss[history.best_epoch - 1]:.4f}")
assert history.loss[-1] < history.loss[0] / 10
assert history.val_accuracy[history.best_epoch - 1] >= 0.93

# %% [markdown]
# ## 7. The curves
#
# The training loss keeps falling. The validation loss falls for a few epochs, then wobbles
# around the same level: the network has learnt what carries over to new pictures, and further
# epochs mostly polish its fit to the training pictures. That widening gap is what the
# validation part is there to see, and why the saved model is the best epoch's, not the last.

# %%
epochs = range(1, history.epochs + 1)
figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.5))
loss_axes.plot(epochs, history.loss, "o-", label="train")
loss_axes.plot(epochs, history.val_loss, "o-", label="validation")
loss_axes.axvline(history.best_epoch, color="gray", linestyle=":", label="best epoch (saved)")
loss_axes.set_yscale("log")
loss_axes.set_title("Cross-entropy per epoch")
loss_axes.set_xlabel("epoch")
loss_axes.legend()
accuracy_axes.plot(epochs, [100 * a for a in history.accuracy], "o-", label="train")
accuracy_axes.plot(epochs, [100 * a for a in history.val_accuracy], "o-", label="validation")
accuracy_axes.set_title("Accuracy per epoch (%)")
accuracy_axes.set_xlabel("epoch")
accuracy_axes.legend()
figure.tight_layout()
plt.show()

# %% [markdown]
# ## 8. The test: pictures never seen
#
# We load the best model back from its file, as you would in another program, and let it read
# the 360 test pictures once.

# %%
best = load(best_path).model
predictions = predict(best, test.inputs)
correct = sum(p == t for p, t in zip(predictions, test.targets, strict=True))
test_accuracy = correct / len(test)
print(f"test accuracy: {test_accuracy:.1%} ({correct} of {len(test)} pictures read right)")
assert test_accuracy >= 0.95

# %% [markdown]
# ## 9. Which digits get confused?
#
# The **confusion matrix** counts, for each true digit (row), what the network read (column).
# Everything on the diagonal is right; the rest shows which digits look alike to it.

# %%
matrix = confusion_matrix(test.targets, predictions, n_classes=10)
assert sum(map(sum, matrix)) == len(test) and sum(matrix[d][d] for d in range(10)) == correct

figure, axes = plt.subplots(figsize=(5.5, 5))
axes.imshow(matrix, cmap="Blues")
for true in range(10):
    for read in range(10):
        if matrix[true][read]:
            colour = "white" if matrix[true][read] > 20 else "black"
            axes.text(read, true, matrix[true][read], ha="center", va="center", color=colour)
axes.set_xticks(range(10))
axes.set_yticks(range(10))
axes.set_xlabel("read as")
axes.set_ylabel("true digit")
axes.set_title("Confusion matrix on the test pictures")
plt.show()

# %% [markdown]
# And the pictures it got wrong. Some are hard for people too.

# %%
mistakes = [i for i, (p, t) in enumerate(zip(predictions, test.targets, strict=True)) if p != t]
columns = 8
rows = math.ceil(len(mistakes) / columns)
figure, grid = plt.subplots(rows, columns, figsize=(10, 1.8 * rows), squeeze=False)
for axes in grid.flat:
    axes.axis("off")
for axes, i in zip(grid.flat, mistakes, strict=False):
    axes.imshow(image(test.inputs[i]), cmap="gray_r", vmin=0, vmax=1)
    axes.set_title(f"{test.targets[i]} read as {predictions[i]}", fontsize=9)
figure.suptitle(f"The {len(mistakes)} test pictures read wrong")
figure.tight_layout()
plt.show()

# %% [markdown]
# ## 10. What the first layer looks for
#
# Each hidden neuron has one weight per pixel, so its 64 weights can be drawn as an 8x8 picture:
# red where a dark pixel raises the neuron's sum, blue where it lowers it. Drawn as they are
# (top rows), they look like noise: they started as random numbers between -1 and 1, and ten
# epochs moved them less than that. What training *added* (bottom rows: the weights minus
# their starting values) shows what the neurons learnt to look for: strokes and loops, many
# of them plainly parts of digits. No one told the network to look for them.

# %%
shown_neurons = best.layers[0].neurons[:16]
figure, grid = plt.subplots(4, 8, figsize=(10, 5.6))
for index, (neuron, start) in enumerate(zip(shown_neurons, start_weights, strict=False)):
    weights = [w.data for w in neuron.weights]
    learnt = [w - w0 for w, w0 in zip(weights, start, strict=True)]
    for row, numbers in ((index // 8, weights), (2 + index // 8, learnt)):
        limit = max(abs(x) for x in numbers)
        grid[row][index % 8].imshow(image(tuple(numbers)), cmap="RdBu_r", vmin=-limit, vmax=limit)
for axes in grid.flat:
    axes.axis("off")
figure.suptitle("16 hidden neurons: their weights (top), and what training changed in them (bottom)")
figure.tight_layout()
plt.show()

# %% [markdown]
# ## What to try next
#
# * `micro-autograd train digits` does this whole notebook's training from the command line.
# * Change the hidden layer to 16 or 64 neurons: how do time and test accuracy change?
# * Replace `SGD` by `nn.Adam(model.parameters(), lr=0.01)`.
# * Train for 30 epochs and watch the validation loss: when does the network start to learn
#   its training pictures by heart?

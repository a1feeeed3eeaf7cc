# %% [markdown]
# # Backpropagation, step by step
#
# This notebook follows the article *Backpropagation Step by Step* section by section, on a
# network small enough to compute by hand: two inputs, two hidden neurons, one output, six
# weights. The article works every number out with pencil and paper. We do the same, and then
# let the engine compute them, and check that the two agree to twelve decimal places.
#
# By the end you will have seen what a forward pass computes, why the gradient of the error
# with respect to each weight is a product of small local derivatives (the chain rule), how
# the backward pass computes all of them in one sweep, and how one step of gradient descent
# improves the prediction from 0.191 to 0.26.

# %%
import itertools

import matplotlib.pyplot as plt

from autograd import Value, draw_graph, grad, show, topological_order
from nn import SGD, article_inputs, article_network, article_weights, draw_network, network_view, squared_error

# %% [markdown]
# Every number the engine computes below is checked against one worked out independently of it,
# and each check says where that number comes from:
#
# * `article`: a number the article prints, at the precision it prints it (`0.327`, `0.26`);
#   the engine's number must round to it.
# * `by hand`: the article's formulas computed here with plain Python floats, written out line by
#   line in this notebook (no `Value`, no graph); the engine must agree to `1e-12`. Floating-point
#   arithmetic rounds in the last binary digit, so a few differ by about `1e-16`; each difference
#   is shown.
#
# Either check fails loudly, so the notebook cannot quietly drift away from the article.

# %%
TOLERANCE = 1e-12


def check(name: str, engine: float, by_hand: float) -> None:
    """Show the engine's number next to the same number computed by hand, and insist that they agree."""
    assert abs(engine - by_hand) <= TOLERANCE, f"{name}: engine {engine!r}, by hand {by_hand!r}"
    print(f"{name:>10} = {engine:<12.10g} by hand: {by_hand:<12.10g} difference: {abs(engine - by_hand):.0e}")


def check_article(name: str, engine: float, printed: str) -> None:
    """Insist that the engine's number rounds to the one the article prints (``printed``, as printed)."""
    decimals = len(printed.partition(".")[2])
    assert abs(engine - float(printed)) <= 0.5 * 10**-decimals, f"{name}: engine {engine!r}, article {printed}"
    print(f"{name:>10} = {engine:<12.10g} article: {printed}")


# %% [markdown]
# ## The network
#
# Three layers. Every neuron is *linear*: it multiplies each input by a weight and adds the
# products up. There are no activation functions and no biases, so every formula stays short:
#
# $$h_1 = i_1 w_1 + i_2 w_2 \qquad h_2 = i_1 w_3 + i_2 w_4 \qquad out = h_1 w_5 + h_2 w_6$$
#
# `article_network()` builds exactly this network from `nn`'s ordinary building blocks: an
# `MLP` with two inputs, a hidden layer of two neurons and an output layer of one, with the
# linear activation and no bias. `draw_network` draws it the way the article does: neurons as
# circles, weights as lines. Until the network is given a sample, its inputs are called x1
# and x2; below they get the article's names, i1 and i2.

# %%
net = article_network()
draw_network(net, show_grad=False)

# %% [markdown]
# ## The weights
#
# The six weights are the network's memory: everything it "knows" is in these numbers. The
# article starts them at small values chosen by hand. Each weight is a `Value`, labelled with
# the article's name for it.

# %%
weights = article_weights(net)
for name, printed in {"w1": "0.11", "w2": "0.21", "w3": "0.12", "w4": "0.08", "w5": "0.14", "w6": "0.15"}.items():
    check_article(name, weights[name].data, printed)

# %% [markdown]
# ## The data set
#
# One training sample: the inputs are `[2, 3]` and the output we want is `[1]`. A real data
# set has thousands of samples, but one is enough to see every step of the method.

# %%
inputs = article_inputs()  # i1 = 2, i2 = 3, as labelled leaves so that the graph shows them
TARGET = 1.0
print(inputs, "target:", TARGET)

# %% [markdown]
# ## The forward pass
#
# To predict, we push the inputs through the network, layer by layer:
#
# $$h_1 = 2 \cdot 0.11 + 3 \cdot 0.21 = 0.85 \qquad h_2 = 2 \cdot 0.12 + 3 \cdot 0.08 = 0.48$$
# $$out = 0.85 \cdot 0.14 + 0.48 \cdot 0.15 = 0.191$$
#
# While the engine computes these numbers, it also *records* how it computed them: each result
# remembers its inputs, and the derivative of itself with respect to each input (its *local
# derivative*). That record is the computation graph.

# %%
out = net(inputs)


def node(root: Value, label: str) -> Value:
    """The node labelled ``label`` in the graph ``root`` depends on."""
    (found,) = [n for n in topological_order(root) if n.label == label]
    return found


h1, h2 = node(out, "h1"), node(out, "h2")
i1, i2 = 2.0, 3.0
w = {name: weight.data for name, weight in weights.items()}  # the weights as plain floats, for the hand computations
h1_by_hand = i1 * w["w1"] + i2 * w["w2"]
h2_by_hand = i1 * w["w3"] + i2 * w["w4"]
out_by_hand = h1_by_hand * w["w5"] + h2_by_hand * w["w6"]
for name, engine, by_hand, printed in (
    ("h1", h1.data, h1_by_hand, "0.85"),
    ("h2", h2.data, h2_by_hand, "0.48"),
    ("out", out.data, out_by_hand, "0.191"),
):
    check(name, engine, by_hand)
    check_article(name, engine, printed)

# %% [markdown]
# Here is that graph, drawn top to bottom and scaled to the notebook's width. Read it from the
# top down: the inputs and the weights (the key under the
# drawing tells the kinds of value apart by colour) flow through the operations, `*` and `+`,
# into `h1`, `h2` and the output. Each value shows its `data` and its `grad`. Where an input
# enters an operation, the red `∂` number is the local derivative of the operation's result
# with respect to that input: for `w5 * h1` it is 0.14 (that is, $w_5$) on the `h1` side and
# 0.85 (that is, $h_1$) on the `w5` side. Every `grad` is still 0: we have not asked for any
# gradient yet.

# %%
NOTEBOOK_WIDTH = "7.5,100"  # Graphviz's size, in inches: at most 7.5 wide (720 pixels), scaled down to fit


def fitted(root: Value) -> object:
    """The graph of ``root``, top to bottom, no wider than the notebook."""
    drawing = draw_graph(root, direction="TB", parameters=net.parameters())
    drawing.graph_attr["size"] = NOTEBOOK_WIDTH
    return drawing


fitted(out)

# %% [markdown]
# ## The error
#
# The network predicted 0.191, but we wanted 1. How wrong is that? The article measures it with
# the squared error, halved so that its derivative comes out clean:
#
# $$E = \tfrac{1}{2}(out - target)^2 = \tfrac{1}{2}(0.191 - 1)^2 = 0.3272405$$
#
# The difference `out - target` appears in every formula below, so the article gives it a name:
# $\Delta = out - target = -0.809$. It is negative: the prediction is too small.

# %%
error = squared_error(out, TARGET)
error.label = "E"
delta = out.data - TARGET
check("E", error.data, 0.5 * (out_by_hand - TARGET) ** 2)
check_article("E", error.data, "0.327")
check_article("delta", delta, "-0.809")

# %% [markdown]
# ## Why the weights are what can change
#
# To make the error smaller, what can we change? Not the inputs: they are the data, given to us.
# Not the target: it is the answer we want. Only the weights. So we look at the error as a
# function of the six weights, $E(w_1, \dots, w_6)$, and ask of each one: *if I nudge this weight
# up a little, does the error go up or down, and how fast?* That rate is the partial derivative
# $\partial E / \partial w$. Gradient descent then moves each weight a small step the other way:
#
# $$w_{new} = w - a \cdot \frac{\partial E}{\partial w}, \qquad a = 0.05 \text{ (the learning rate)}$$
#
# ## The chain rule, by hand
#
# **w6** reaches the error through one path: $w_6 \to out \to E$. The chain rule multiplies the
# local derivatives along that path:
#
# $$\frac{\partial E}{\partial w_6} = \frac{\partial E}{\partial out} \cdot
# \frac{\partial out}{\partial w_6} = (out - target) \cdot h_2 = \Delta \, h_2
# = -0.809 \cdot 0.48 = -0.38832$$
#
# **w5** is the same, with $h_1$ in place of $h_2$:
#
# $$\frac{\partial E}{\partial w_5} = \Delta \, h_1 = -0.809 \cdot 0.85 = -0.68765$$
#
# **w1** lies one layer deeper, so its path is one link longer: $w_1 \to h_1 \to out \to E$.
#
# $$\frac{\partial E}{\partial w_1} = \frac{\partial E}{\partial out} \cdot
# \frac{\partial out}{\partial h_1} \cdot \frac{\partial h_1}{\partial w_1}
# = \Delta \cdot w_5 \cdot i_1 = -0.809 \cdot 0.14 \cdot 2 = -0.22652$$
#
# The same pattern gives the other three: $\partial E/\partial w_2 = \Delta\, w_5\, i_2$,
# $\partial E/\partial w_3 = \Delta\, w_6\, i_1$, $\partial E/\partial w_4 = \Delta\, w_6\, i_2$.
#
# Now we compute the three formulas with plain numbers and compare them with the engine.
# `grad(error, [w6, w5, w1])` asks the engine for exactly these derivatives and returns them,
# without storing anything in `.grad`: we keep the backward pass itself for later.

# %%
delta_by_hand = out_by_hand - TARGET
by_hand = {
    "w6": delta_by_hand * h2_by_hand,
    "w5": delta_by_hand * h1_by_hand,
    "w1": delta_by_hand * w["w5"] * i1,
}
engine = grad(error, [weights["w6"], weights["w5"], weights["w1"]])
for (name, hand), from_engine in zip(by_hand.items(), engine, strict=True):
    check(f"dE/d{name}", from_engine, hand)
assert all(weight.grad == 0.0 for weight in weights.values())  # grad() stored nothing

# %% [markdown]
# ## The update, in matrix form
#
# Writing out all six updates one by one gets tedious, and the article notices that they fall
# into two tidy matrix formulas. The output layer's weights move by $\Delta$ times the hidden
# values:
#
# $$\begin{bmatrix} w_5 & w_6 \end{bmatrix} \mathrel{-}= a \, \Delta
# \begin{bmatrix} h_1 & h_2 \end{bmatrix}$$
#
# and the hidden layer's weights move by $\Delta$ times the *outer product* of the inputs with
# the output layer's weights (their old values, before the update above):
#
# $$\begin{bmatrix} w_1 & w_3 \\ w_2 & w_4 \end{bmatrix} \mathrel{-}= a \, \Delta
# \begin{bmatrix} i_1 \\ i_2 \end{bmatrix} \begin{bmatrix} w_5 & w_6 \end{bmatrix}
# = a \, \Delta \begin{bmatrix} i_1 w_5 & i_1 w_6 \\ i_2 w_5 & i_2 w_6 \end{bmatrix}$$
#
# Computed with plain numbers, as the article does:

# %%
LEARNING_RATE = 0.05
a = LEARNING_RATE
new_w5, new_w6 = (w[name] - a * delta_by_hand * h for name, h in (("w5", h1_by_hand), ("w6", h2_by_hand)))
hidden = [[w["w1"], w["w3"]], [w["w2"], w["w4"]]]
outer = [[i * w_out for w_out in (w["w5"], w["w6"])] for i in (i1, i2)]
[[new_w1, new_w3], [new_w2, new_w4]] = [
    [hidden[row][col] - a * delta_by_hand * outer[row][col] for col in range(2)] for row in range(2)
]
matrix_form = {"w1": new_w1, "w2": new_w2, "w3": new_w3, "w4": new_w4, "w5": new_w5, "w6": new_w6}
for name, value in matrix_form.items():
    print(f"{name}: {w[name]} -> {value:.10g}")

# %% [markdown]
# ## The backward pass
#
# The engine does not need the formulas. `error.backward()` visits the graph once, from the error
# back to the inputs, and at every operation multiplies the gradient that arrived from above by
# the local derivative of each input, adding the product into that input's `grad`. That loop *is*
# the chain rule: the products we wrote out by hand for w6, w5 and w1 are the products along
# the paths of this graph. It fills in all six gradients at once.

# %%
error.backward()
gradients_by_hand = {  # the article's six formulas
    "w1": delta_by_hand * w["w5"] * i1,
    "w2": delta_by_hand * w["w5"] * i2,
    "w3": delta_by_hand * w["w6"] * i1,
    "w4": delta_by_hand * w["w6"] * i2,
    "w5": delta_by_hand * h1_by_hand,
    "w6": delta_by_hand * h2_by_hand,
}
for name, hand in gradients_by_hand.items():
    check(f"dE/d{name}", weights[name].grad, hand)
    assert abs(w[name] - a * weights[name].grad - matrix_form[name]) <= TOLERANCE  # agrees with the matrix form

# %% [markdown]
# The graph again, now with every gradient filled in. Follow w1's path from the right: the error's
# gradient is 1; the `* 0.5`, `** 2` and `- 1` operations turn it into $\Delta = -0.809$ at
# `out`; `h1` enters its multiplication with the local derivative $w_5 = 0.14$, giving
# $-0.11326$ at `h1`; `w1` enters its multiplication with $i_1 = 2$, giving $-0.22652$: the
# hand computation, read off the picture.
#
# The inputs got gradients too: the engine does not know which leaves we are allowed to change.
# We simply never update them.

# %%
fitted(error)

# %% [markdown]
# The network picture shows the same numbers the way the article's interactive page does: each
# neuron's value for this sample, and on each weight the weight and its gradient.

# %%
draw_network(net, inputs=inputs)

# %% [markdown]
# ## Every step, one at a time
#
# The page below replays this very graph, one operation at a time: the forward pass in the order
# the network computes it, then the backward sweep node by node with every product of the chain
# rule, then the update and the new prediction. It is the engine's own record, not an animation
# drawn for the article. Click it, then step with → and ←, zoom with the wheel or + and -, and
# drag to move the drawing. The *Network* button (or V) shows the same steps on the network picture
# above: neurons filling with their values, each weight's gradient appearing as the sweep reaches
# it, the update's new weights. (`micro-autograd demo --html page.html` writes this page to a file.)

# %%
show(
    error,
    parameters=net.parameters(),
    learning_rate=LEARNING_RATE,
    prediction=out,
    title="Backpropagation step by step: the article's network",
    views=[network_view(net, inputs, error)],
)

# %% [markdown]
# ## The new weights
#
# One step of gradient descent, `w -= a * dE/dw`, is what `nn.SGD` does: the same update as the
# matrix form, for every parameter at once.

# %%
SGD(net.parameters(), lr=LEARNING_RATE).step()
printed = {"w1": "0.12", "w2": "0.23", "w3": "0.13", "w4": "0.10", "w5": "0.17", "w6": "0.17"}
for name, new_by_hand in matrix_form.items():
    check(name, weights[name].data, new_by_hand)
    check_article(name, weights[name].data, printed[name])

# %% [markdown]
# Every weight grew: the prediction was too small, and every weight multiplies positive numbers
# on the way to the output, so making each one larger makes the output larger.
#
# ## The new prediction
#
# The same inputs through the updated network:

# %%
new_out = net(article_inputs())
new_error = squared_error(new_out, TARGET)
new = matrix_form  # the updated weights, by hand
new_out_by_hand = (i1 * new["w1"] + i2 * new["w2"]) * new["w5"] + (i1 * new["w3"] + i2 * new["w4"]) * new["w6"]
check("out", new_out.data, new_out_by_hand)
check_article("out", new_out.data, "0.26")
check("E", new_error.data, 0.5 * (new_out_by_hand - TARGET) ** 2)
print(f"\nThe prediction moved from 0.191 to {new_out.data:.2f}: closer to the target 1.")

# %% [markdown]
# 0.26, the article's new prediction, and the error fell from 0.327 to 0.277. One step did not
# reach the target, but it went the right way.
#
# ## Training for more steps
#
# Training is this step repeated: forward, error, backward, update. Gradients *accumulate* in
# `.grad` (that is what lets a value used twice collect both contributions), so each step starts
# by clearing them with `zero_grad()`. We start again from the article's initial weights.

# %%
net = article_network()
optimizer = SGD(net.parameters(), lr=LEARNING_RATE)
predictions, errors = [], []
for _ in range(25):
    out = net(article_inputs())
    error = squared_error(out, TARGET)
    predictions.append(out.data)
    errors.append(error.data)
    optimizer.zero_grad()
    error.backward()
    optimizer.step()

# %% [markdown]
# The article stops after one step, so for the steps after it there is no number of the article's
# to compare with. Instead we do the steps by hand once more: the article's formulas for the
# forward pass, the error and the six gradients, then `w - a * dE/dw`, with plain floats, three
# times over. The engine's training loop must agree with them step by step.


# %%
def step_by_hand(w: dict[str, float]) -> tuple[float, dict[str, float]]:
    """One training step with plain floats: the article's forward pass, error and six gradient
    formulas, then w - a * dE/dw. Returns the prediction before the update, and the new weights."""
    h1, h2 = i1 * w["w1"] + i2 * w["w2"], i1 * w["w3"] + i2 * w["w4"]
    out = h1 * w["w5"] + h2 * w["w6"]
    delta = out - TARGET
    gradient = {
        "w1": delta * w["w5"] * i1,
        "w2": delta * w["w5"] * i2,
        "w3": delta * w["w6"] * i1,
        "w4": delta * w["w6"] * i2,
        "w5": delta * h1,
        "w6": delta * h2,
    }
    return out, {name: w[name] - LEARNING_RATE * gradient[name] for name in w}


by_hand_weights = dict(w)  # the article's initial weights, as plain floats
for step in range(3):
    out_by_hand, by_hand_weights = step_by_hand(by_hand_weights)
    check(f"out step {step + 1}", predictions[step], out_by_hand)
    check(f"E step {step + 1}", errors[step], 0.5 * (out_by_hand - TARGET) ** 2)
check_article("out step 2", predictions[1], "0.26")  # the article's new prediction, once more

# %%
figure, (prediction_axes, error_axes) = plt.subplots(1, 2, figsize=(10, 3.5))
prediction_axes.plot(range(1, 26), predictions, marker="o", markersize=3)
prediction_axes.axhline(TARGET, color="gray", linestyle="--", label="target")
prediction_axes.set_title("The prediction approaches the target")
prediction_axes.set_xlabel("step")
prediction_axes.set_ylabel("out")
prediction_axes.legend()
error_axes.plot(range(1, 26), errors, marker="o", markersize=3, color="tab:red")
error_axes.set_yscale("log")
error_axes.set_title("The error per step")
error_axes.set_xlabel("step")
error_axes.set_ylabel("E (log scale)")
figure.tight_layout()
plt.show()

# %% [markdown]
# At first the error falls slowly, then faster: as the weights grow, each step moves the output
# more. From about step 12 it falls along a straight line on this logarithmic scale: each step
# removes about the same *fraction* of what is left, so the error shrinks geometrically. After
# 25 steps the prediction is within 0.001 of the target.

# %%
assert abs(predictions[-1] - TARGET) < 1e-3
assert all(later < earlier for earlier, later in itertools.pairwise(errors))

# %% [markdown]
# ## What to try next
#
# * Set the learning rate to 0.2, or 0.5: does the error still fall every step?
# * Change the target to 0.5 and watch the weights shrink instead of grow.
# * Give the hidden layer an activation, `MLP(2, [2, 1], activation="sigmoid", bias=False)`,
#   and find which formulas in the chain rule change, and why.

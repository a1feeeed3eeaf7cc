# %% [markdown]
# # Exploring computation graphs
#
# Every time you compute with `Value`s, the engine quietly builds a graph: each result remembers
# the operation that made it, its inputs, and the local derivative with respect to each input.
# `backward()` walks that graph to apply the chain rule. This notebook is a playground for it:
# build expressions, look at their graphs, and poke at the corners where gradients surprise
# people.
#
# Every claim below is checked by an `assert` against a formula you could work out on paper,
# so if the engine ever disagrees, this notebook stops with an error.

# %%
import math

from autograd import (
    AnomalyError,
    AutogradError,
    DivisionByZeroError,
    DomainError,
    GradcheckError,
    Value,
    detect_anomaly,
    draw_graph,
    grad,
    gradcheck,
    no_grad,
    show,
)

# %% [markdown]
# ## Build an expression, see its graph
#
# Give your leaves labels and they appear in the drawing. Here is
# $L = (a \cdot b + c) \cdot f$ with $a = 2$, $b = -3$, $c = 10$, $f = -2$:

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f = Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"
draw_graph(L, direction="TB")

# %% [markdown]
# Each value shows its `data` and its `grad`; each operation shows its operator. Where an input
# enters an operation, the red `∂` number is the local derivative: for `d * f`, the derivative
# with respect to `d` is `f = -2` and with respect to `f` is `d = 4`. Every `grad` is 0 until we
# ask for gradients:

# %%
L.backward()
draw_graph(L, direction="TB")

# %% [markdown]
# Check a few by hand with the chain rule. $\partial L / \partial f = d = 4$.
# $\partial L / \partial d = f = -2$, and a `+` passes its gradient through unchanged, so
# $\partial L / \partial c = \partial L / \partial e = -2$. Finally
# $\partial L / \partial a = \partial L / \partial e \cdot b = -2 \cdot -3 = 6$ and
# $\partial L / \partial b = -2 \cdot a = -4$.

# %%
assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)
assert (e.grad, d.grad, L.grad) == (-2.0, -2.0, 1.0)

# %% [markdown]
# Any operation of `Value` works the same way. A neuron with a `tanh` activation:
# $o = \tanh(x_1 w_1 + x_2 w_2 + b)$. The local derivative of `tanh` is $1 - o^2$, which the
# engine computed along with $o$ itself. Drawn top to bottom this time, without the legend:

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
bias = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + bias
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
assert math.isclose(o.data, math.sqrt(0.5), rel_tol=1e-12)  # b was chosen to make n = ln(1 + sqrt 2)
assert math.isclose(n.grad, 1 - o.data**2, rel_tol=1e-12)  # = 0.5
assert math.isclose(w1.grad, (1 - o.data**2) * x1.data, rel_tol=1e-12)
draw_graph(o, direction="TB", legend=False, parameters=[w1, w2, bias])

# %% [markdown]
# The same neuron, step by step. The page below replays its graph one operation at a time: the
# forward pass in the order the expression computes it, then the backward sweep, node by node,
# with every product of the chain rule written out. Click it, then step with → and ← (or the
# buttons); the wheel zooms and dragging moves the drawing. Change the numbers in the cell above,
# or build an expression of your own, and run both cells again.

# %%
show(o, parameters=[w1, w2, bias])

# %% [markdown]
# ## A value used twice
#
# What is the gradient of $y = x + x$? Each use of `x` is a separate path to `y`, and the chain
# rule *adds* the contributions of all paths: $dy/dx = 1 + 1 = 2$. In the graph you can see both
# edges leave the same `x` and enter the same `+`.

# %%
x = Value(3.0, label="x")
y = x + x
y.label = "y"
y.backward()
assert x.grad == 2.0
draw_graph(y, direction="TB")

# %% [markdown]
# If the engine *assigned* each path's gradient instead of adding it, the second path would
# overwrite the first and `x.grad` would be 1: a classic bug in hand-written backpropagation.
# A more interesting case: $y = x \cdot x + \exp(x)$ uses `x` three times, and
# $dy/dx = x + x + e^x = 2x + e^x$.

# %%
x = Value(3.0, label="x")
y = x * x + x.exp()
y.backward()
assert math.isclose(x.grad, 2 * 3.0 + math.exp(3.0), rel_tol=1e-15)
print(f"dy/dx = {x.grad:.6f}, and 2x + e^x = {2 * 3.0 + math.exp(3.0):.6f}")

# %% [markdown]
# ## Gradients accumulate; `grad()` does not
#
# `backward()` *adds* into `.grad`, as in PyTorch. That is what makes the value-used-twice case
# work, and it also means that calling `backward()` twice counts everything twice. In a
# training loop this is why every step starts with `zero_grad()`.

# %%
x = Value(3.0, label="x")
y = x * x  # dy/dx = 2x = 6
y.backward()
print("after one backward: ", x.grad)
y.backward()
print("after two backwards:", x.grad)
assert x.grad == 2 * 6.0

# %% [markdown]
# Sometimes you want a derivative without touching `.grad` at all: to inspect a model in the
# middle of training, or to take a derivative of a derivative. `grad(output, inputs)` returns
# the derivatives as numbers and leaves every `.grad` exactly as it was.

# %%
x.grad = 0.0
(dy_dx,) = grad(y, [x])
print("grad() returned", dy_dx, "and x.grad is still", x.grad)
assert dy_dx == 6.0 and x.grad == 0.0
(dy_dx_again,) = grad(y, [x])
assert dy_dx_again == 6.0  # nothing accumulated: the same answer every time

# %% [markdown]
# ## `no_grad` and `detach`: stopping the record
#
# Inside `with no_grad():` operations still compute their numbers but record nothing: each result
# is a new leaf with no parents. Use it when you only need numbers, such as scoring a test set or
# updating weights by hand: it is faster and builds no graph.

# %%
x = Value(3.0, label="x")
with no_grad():
    z = x * x + 1
print(z, "is a leaf:", z.is_leaf, "with parents", z.parents)
assert z.data == 10.0 and z.is_leaf and z.parents == ()

# %% [markdown]
# `detach()` cuts a single value out instead: it returns a new leaf with the same number, so the
# gradient flows around it but not through it. Here $y = x^2$ and
# $z = \text{detach}(y) \cdot 3 + y$. Without the detach, $dz/dx$ would be $3 \cdot 2x + 2x = 24$;
# with it, only the second term's path is left, and $dz/dx = 2x = 6$.

# %%
x = Value(3.0, label="x")
y = x * x
y.label = "y"
held = y.detach()
held.label = "y detached"
z = held * 3 + y
z.label = "z"
z.backward()
assert x.grad == 6.0
assert held.is_leaf and held.data == y.data
draw_graph(z, direction="TB")

# %% [markdown]
# In the drawing, `y detached` is a leaf drawn as an input: nothing connects it back to `x`.
#
# ## `gradcheck`: trust, but verify
#
# How do we know the engine's derivatives are right? The definition of the derivative gives an
# independent answer: nudge an input by a tiny `eps` either way and see how much the output
# moves. This *central finite difference* is slow (two evaluations per input) and only
# approximately right, but it knows nothing about the chain rule, so it makes a good referee.


# %%
def function(a: Value, b: Value) -> Value:
    return (a * b).tanh() + a.exp() / b


point = [0.5, 2.0]
eps = 1e-6
numeric = (function(Value(0.5 + eps), Value(2.0)).data - function(Value(0.5 - eps), Value(2.0)).data) / (2 * eps)
leaves = [Value(v) for v in point]
engine_a, engine_b = grad(function(*leaves), leaves)
print(f"d/da by finite differences: {numeric:.10f}")
print(f"d/da by the engine:         {engine_a:.10f}")
assert math.isclose(numeric, engine_a, rel_tol=1e-7)

# %% [markdown]
# `gradcheck` does this for every input at once, and raises `GradcheckError` naming the input and
# both numbers when they disagree.

# %%
assert gradcheck(function, point)
assert gradcheck(lambda x: (x.sin() * x.cos() + x.sigmoid()) ** 2 / (1 + x * x), [0.7])

# %% [markdown]
# Finite differences also find the places where a derivative does not exist. `relu` has a kink
# at 0: the slope is 0 on the left and 1 on the right. The engine, like PyTorch, reports 0
# there; a central difference straddles the kink and sees the average, 0.5. `gradcheck` catches
# the disagreement:

# %%
try:
    gradcheck(lambda x: x.relu(), [0.0])
except GradcheckError as error:
    print("GradcheckError:", error)
else:
    raise AssertionError("gradcheck should have caught the kink of relu at 0")
assert gradcheck(lambda x: x.relu(), [0.1])  # away from the kink, the two agree

# %% [markdown]
# ## A second derivative
#
# `grad(..., create_graph=True)` returns the derivatives as `Value`s that are themselves recorded
# in a graph, so they can be differentiated again. For $y = \tanh(x)$:
#
# $$\frac{dy}{dx} = 1 - \tanh^2 x \qquad \frac{d^2y}{dx^2} = -2 \tanh x \, (1 - \tanh^2 x)$$

# %%
x = Value(0.5, label="x")
y = x.tanh()
(dy_dx,) = grad(y, [x], create_graph=True)
(d2y_dx2,) = grad(dy_dx, [x])
t = math.tanh(0.5)
print(f"dy/dx   = {dy_dx.data:.12f}   closed form: {1 - t * t:.12f}")
print(f"d2y/dx2 = {d2y_dx2:.12f}   closed form: {-2 * t * (1 - t * t):.12f}")
assert math.isclose(dy_dx.data, 1 - t * t, rel_tol=1e-12)
assert math.isclose(d2y_dx2, -2 * t * (1 - t * t), rel_tol=1e-12)

# %% [markdown]
# The first derivative is a graph like any other, built from the local-derivative formula of
# `tanh`, $1 - o \cdot o$ where $o$ is the output, and the chain rule's products. This is the
# graph `grad` differentiated a second time:

# %%
dy_dx.label = "dy/dx"
draw_graph(dy_dx, show_grad=False, direction="TB")

# %% [markdown]
# ## What a clear error looks like
#
# When something cannot be computed, the engine stops at the operation that failed and says what
# it was asked to do, with the numbers, not somewhere deep in the backward pass. Each error is an
# `AutogradError` and also the built-in exception Python itself would raise, so an ordinary
# `except ValueError` or `except ZeroDivisionError` catches it too.

# %%
attempts = {
    "log of a negative number": lambda: Value(-1.0).log(),
    "division by zero": lambda: Value(1.0) / 0,
    "square root of a negative number": lambda: (Value(4.0) - 5).sqrt(),
    "a string as data": lambda: Value("3"),
    "adding a string": lambda: Value(1.0) + "2",
}
caught = {}
for what, attempt in attempts.items():
    try:
        attempt()
    except (AutogradError, TypeError) as error:
        caught[what] = error
        print(f"{what:34} -> {type(error).__name__}: {error}")

assert isinstance(caught["log of a negative number"], DomainError)
assert isinstance(caught["log of a negative number"], ValueError)
assert isinstance(caught["division by zero"], DivisionByZeroError)
assert isinstance(caught["division by zero"], ZeroDivisionError)
assert isinstance(caught["square root of a negative number"], DomainError)
assert isinstance(caught["a string as data"], TypeError)
assert isinstance(caught["adding a string"], TypeError)

# %% [markdown]
# Notice that the message for the square root shows `sqrt(-1.0)`: the value that actually reached
# the operation, not the `4.0` we started from. And a failed operation changes nothing: the
# values involved keep their data and gradients, so you can fix the input and carry on.

# %%
x = Value(-1.0, label="x")
try:
    x.log()
except DomainError as error:
    print("failed:", error)
print("x afterwards:", x)
assert (x.data, x.grad) == (-1.0, 0.0)
print("and the fixed input works:", abs(x).log())

# %% [markdown]
# Some trouble raises nothing at all. Float arithmetic overflows to infinity without complaint,
# and infinity minus infinity is NaN, "not a number", which then spreads through everything it
# touches. By the time a loss prints `nan`, the operation that started it is long gone. Inside
# `with detect_anomaly():` the engine checks every result (and every gradient in a backward
# pass) and stops at the first one that is NaN or infinite, naming the operation and its inputs.

# %%
x = Value(-1e308, label="x")
y = x * 10 - x * 10
print("without the check:", y)
assert math.isnan(y.data)

try:
    with detect_anomaly():
        y = x * 10 - x * 10
except AnomalyError as error:
    print("with the check:   ", error)
else:
    raise AssertionError("detect_anomaly should have stopped at the overflow")

# %% [markdown]
# ## What to try next
#
# * Draw the graph of `Value(2.0, label="x") ** 3` and find the local derivative of `x`.
# * Make a value used three times in three different operations, and predict its gradient
#   before you call `backward()`.
# * Use `gradcheck` on a function of your own with three inputs.

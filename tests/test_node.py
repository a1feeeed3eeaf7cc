"""The node's contract, the same on the C node and the Python one: what may be assigned, what is fixed, what
the cycle collector frees, and how nodes, methods and models copy and pickle.

Every test here runs on whichever implementation is in use; test_accelerator.py reruns this file on the
Python implementation, and compares the two implementations' messages directly.
"""

import copy
import gc
import math
import pickle
import subprocess
import sys
import weakref

import pytest

import nn
from autograd import Value
from autograd.errors import GraphError, NumericOverflowError

RECORD = ("_op", "_x", "_dx", "_y", "_dy", "_constant")


class Node(Value):
    """A subclass with a __dict__ (and so weak references): what users write."""


class Slotted(Value):
    __slots__ = ("partner", "__weakref__")


class Label(str):
    """A str subclass: its instances have a __dict__, so they can hold a node."""


class Parameter(Value):
    """A subclass whose __init__ takes other arguments than Value's: copies must not call it."""

    __slots__ = ("__dict__", "group")

    def __init__(self, data: float, group: str) -> None:
        super().__init__(data, "p")
        self.group = group
        self.notes = ["initialised once"]


def record_of(node):
    return (node.data, node.grad, node.label, node.operation, node.parents, node.local_grads, node.operands())


# --- the method type ----------------------------------------------------------------------------------------


def test_the_method_type_cannot_be_instantiated_from_python():
    # On the C node this used to make a Method with no operation, and reading its __name__ crashed Python.
    code = (
        "from autograd import Value\n"
        "method_type = type(Value.exp)\n"
        "for make in (method_type, lambda: object.__new__(method_type)):\n"
        "    try:\n"
        "        print(make().__name__)\n"
        "    except TypeError:\n"
        "        print('TypeError')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (run.returncode, run.stdout.split()) == (0, ["TypeError", "TypeError"]), run.stderr[-2000:]


def test_value_methods_copy_and_pickle_as_themselves():
    for method in (Value.relu, Value.exp, Value.__add__, Value.__radd__, Value.__rsub__, Value.__pow__):
        assert copy.copy(method) is method and copy.deepcopy(method) is method
        assert pickle.loads(pickle.dumps(method)) is method
    assert Value.relu.__name__ == "relu" and Value.relu.__qualname__ == "Value.relu"
    assert Value.__rsub__.__qualname__ == "Value.__rsub__"


# --- the record is read-only ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORD)
@pytest.mark.parametrize("kind", ["leaf", "unary", "folded number", "two inputs"])
def test_the_record_is_read_only(name, kind):
    x, y = Value(2.0, "x"), Value(3.0, "y")
    node = {"leaf": x, "unary": x.exp(), "folded number": 2.0 - x, "two inputs": x * y}[kind]
    before = record_of(node)
    for junk in (object(), node, y, None, 1.5, "x"):
        with pytest.raises(AttributeError, match=rf"^{name} is read-only: a Value's record is fixed when"):
            setattr(node, name, junk)
    with pytest.raises(AttributeError, match=rf"^{name} is read-only"):
        delattr(node, name)
    assert record_of(node) == before


def test_freeing_nodes_linked_through_the_record_never_recurses():
    # The C node used to accept any object as _op: 200,000 nodes linked that way overflowed the C stack when freed.
    code = (
        "from autograd import Value\n"
        "previous = Value(0.0)\n"
        "refused = 0\n"
        "for i in range(200_000):\n"
        "    node = Value(float(i))\n"
        "    try:\n"
        "        node._op = previous\n"
        "    except AttributeError:\n"
        "        refused += 1\n"
        "    previous = node\n"
        "del node, previous\n"
        "print(refused)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (run.returncode, run.stdout.strip()) == (0, "200000"), run.stderr[-2000:]


# --- assignments: checked, converted, and all or nothing ---------------------------------------------------------


BAD_NUMBERS = ["1.5", None, [1.0], True, False, 1 + 2j, object()]


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=repr)
def test_a_refused_number_changes_nothing(field, bad):
    node = Value(1.0) * 2.5
    node.grad = 0.75
    before = record_of(node)
    with pytest.raises(TypeError) as refused:
        setattr(node, field, bad)
    assert str(refused.value) == f"Value {field} must be an int or a float, not {type(bad).__name__}: {bad!r}"
    assert record_of(node) == before
    with pytest.raises(TypeError) as constructed:
        Value(bad)
    assert str(constructed.value) == str(refused.value).replace(f"Value {field} ", "Value data ")


@pytest.mark.parametrize("field", ["data", "grad"])
def test_an_int_too_large_for_a_float_is_refused_as_value_refuses_it(field):
    node = Value(-3.0)
    node.grad = 0.5
    before = record_of(node)
    with pytest.raises(NumericOverflowError) as refused:
        setattr(node, field, 10**400)
    assert str(refused.value) == f"Value {field} is too large to be a float: an int of 1329 bits"
    assert record_of(node) == before
    with pytest.raises(NumericOverflowError, match=r"^Value data is too large to be a float: an int of 1329 bits$"):
        Value(10**400)
    with pytest.raises(NumericOverflowError, match="an int of 16610 bits"):  # too long for repr(): still a clear error
        Value(10**5000)


@pytest.mark.parametrize("field", ["data", "grad"])
def test_ints_and_float_subclasses_are_stored_as_floats(field):
    node = Value(1.0)
    for number, expected in ((3, 3.0), (-(2**53), -(2.0**53)), (math.pi, math.pi)):
        setattr(node, field, number)
        assert getattr(node, field) == expected and type(getattr(node, field)) is float

    class Real(float):
        pass

    setattr(node, field, Real(0.5))
    assert getattr(node, field) == 0.5 and type(getattr(node, field)) is float


@pytest.mark.parametrize("field", ["data", "grad", "label"])
def test_the_fields_cannot_be_deleted(field):
    node = Value(1.5, "w")
    with pytest.raises(AttributeError, match=f"^Value {field} cannot be deleted$"):
        delattr(node, field)
    assert (node.data, node.grad, node.label) == (1.5, 0.0, "w")


def test_a_refused_label_changes_nothing_and_says_what_value_says():
    node = Value(1.0, "w")
    with pytest.raises(TypeError) as refused:
        node.label = 3
    assert str(refused.value) == "Value label must be a str, not int: 3"
    assert node.label == "w"
    with pytest.raises(TypeError) as constructed:
        Value(1.0, 3)
    assert str(constructed.value) == str(refused.value)


def test_a_label_is_stored_as_a_plain_str():
    label = Label("w1")
    for node in (Value(1.0, label), Value(1.0) * 2.0, Node(1.0, label)):
        node.label = label
        assert node.label == "w1" and type(node.label) is str


# --- the folded plain number has its own field -------------------------------------------------------------------


def test_a_folded_number_has_its_own_field_and_dy_is_only_a_derivative():
    x, y = Value(3.0), Value(4.0)
    times_two = x * 2.0
    assert (times_two._constant, times_two._dx, times_two._dy, times_two._y) == (2.0, 2.0, 0.0, None)
    two_minus = 2.0 - x
    assert (two_minus._constant, two_minus._dx, two_minus._dy) == (2.0, -1.0, 0.0)
    power = 2.0**x  # d(2**x)/dx = 2**x log 2
    assert (power._constant, power._dx, power._dy) == (2.0, pytest.approx(8.0 * math.log(2.0), rel=1e-15), 0.0)
    both = x * y
    assert (both._constant, both._dx, both._dy) == (0.0, 4.0, 3.0)
    assert (x.exp()._constant, x._constant) == (0.0, 0.0)


# --- cycles through subclass instances are freed -----------------------------------------------------------------


def test_a_subclass_node_that_holds_its_own_result_is_freed(collector_off):
    a = Node(1.5)
    a.out = a * 2 + 1  # a -> its __dict__ -> out -> (a * 2) -> a
    watch = weakref.ref(a)
    del a
    gc.collect()
    assert watch() is None


def test_a_cycle_through_a_long_chain_and_through_slots_is_freed(collector_off):
    a = Node(0.5)
    out = a
    for _ in range(10_000):
        out = out * 1.0001 + 0.0001
    a.out = out
    b = Slotted(2.0)
    b.partner = (b * b).tanh()
    watch = [weakref.ref(a), weakref.ref(b)]
    del a, b, out
    gc.collect()
    assert [ref() for ref in watch] == [None, None]


def test_a_cycle_through_the_inputs_cannot_be_made():
    a = Node(1.0)
    b = a * 2.0
    for name in ("_x", "_y"):
        with pytest.raises(AttributeError, match="read-only"):
            setattr(a, name, b)
    assert a.is_leaf and b.parents == (a,)


def test_a_label_that_holds_its_node_is_freed(collector_off):
    label = Label("w")
    node = Value(1.0, label)
    label.node = node
    other = Value(2.0) * 3.0
    other_label = Label("y")
    other.label = other_label
    other_label.node = other
    watch = [weakref.ref(label), weakref.ref(other_label)]
    del label, node, other, other_label
    gc.collect()
    assert [ref() for ref in watch] == [None, None]


def test_nodes_made_from_plain_values_are_left_to_reference_counting():
    from autograd.accelerator import ACCELERATED

    x, y = Value(1.5), Value(2.5)
    for node in (x, x * y, (x * y).tanh(), 2.0 - x, Value(1.0, Label("w"))):
        assert gc.is_tracked(node) is not ACCELERATED  # the collector walks no C node of a plain graph
    a = Node(1.0)
    for node in (a, a * x, (x * a).exp() + y):
        assert gc.is_tracked(node)  # but it walks a subclass instance and everything made from one


# --- copies and pickles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("copy_of", ["deepcopy", "pickle"])
@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid"])
def test_models_copy_and_pickle_on_both_implementations(copy_of, activation):
    models = [
        nn.MLP(3, [4, 2], activation=activation, output_activation=activation, seed=1),
        nn.Layer(3, 2, activation, seed=2),
        nn.Neuron(3, activation, seed=3, name="n"),
    ]
    inputs = [0.5, -1.0, 2.0]
    for model in models:
        twin = copy.deepcopy(model) if copy_of == "deepcopy" else pickle.loads(pickle.dumps(model))
        assert type(twin) is type(model) and repr(twin) == repr(model)
        assert twin.state_dict() == model.state_dict()
        assert [p.label for p in twin.parameters()] == [p.label for p in model.parameters()]
        assert not {id(p) for p in twin.parameters()} & {id(p) for p in model.parameters()}
        expected = model(inputs)
        got = twin(inputs)
        pairs = zip(got, expected, strict=True) if isinstance(got, list) else [(got, expected)]
        assert all(a.data == b.data for a, b in pairs)
        twin.parameters()[0].data += 1.0
        assert twin.state_dict() != model.state_dict()
    shallow = copy.copy(models[0])
    assert shallow.parameters() == models[0].parameters()


@pytest.mark.parametrize("copy_of", [copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))])
def test_a_copied_leaf_of_a_value_subclass_keeps_its_type_and_attributes(copy_of):
    p = Parameter(0.25, "encoder")
    p.grad = -1.5
    s = Slotted(4.0, "s")
    s.partner = Value(1.0, "partner")
    n = Node(2.0)
    n.tags = {"frozen": True}
    for leaf in (p, s, n):
        twin = copy_of(leaf)
        assert type(twin) is type(leaf) and twin is not leaf
        assert (twin.data, twin.grad, twin.label, twin.is_leaf) == (leaf.data, leaf.grad, leaf.label, True)
    p_twin, s_twin, n_twin = copy_of(p), copy_of(s), copy_of(n)
    assert (p_twin.group, p_twin.notes) == ("encoder", ["initialised once"])  # its __init__ was not called again
    assert (s_twin.partner.data, s_twin.partner.label) == (1.0, "partner")
    assert n_twin.tags == {"frozen": True}
    if copy_of is not copy.copy:
        assert p_twin.notes is not p.notes and n_twin.tags is not n.tags
    made = Node(1.0) * 2.0
    with pytest.raises(GraphError, match="only a leaf Value can be copied"):
        copy_of(made)


class _Count(int):
    """An int subclass: converted through the full check, as an exact int is through its shortcut."""


@pytest.mark.parametrize("number", [2, -3, 2**60 + 1, _Count(7)], ids=repr)
def test_an_int_operand_is_converted_as_value_converts_it(number):
    x = Value(1.5)
    for got, expected in ((x * number, 1.5 * float(number)), (number - x, float(number) - 1.5)):
        assert type(got.data) is float and type(got._constant) is float
        assert got.data == expected  # float(number), as Value(number).data is, then the float operation
    if abs(number) < 100:
        assert (x**number).data == (x ** Value(number)).data == 1.5 ** float(number)


@pytest.mark.parametrize("flag", [True, False])
def test_a_bool_operand_is_refused_with_the_operators_error(flag):
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.5) * flag

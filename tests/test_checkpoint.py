"""Checkpoints lose nothing, writes are atomic, and a bad file is refused with a clear error and no change."""

import json
import math
import os
import pickle
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd import AutogradError, Value
from nn import MLP, SGD, Adam, CheckpointError, mse_loss

HERE = Path(__file__).parent

# A small regression problem with every kind of state an optimiser keeps.
POINTS = [([0.5, -1.0, 2.0], 1.0), ([1.5, 0.25, -0.5], -1.0), ([-2.0, 1.0, 0.0], 0.5), ([0.0, 0.0, 1.0], 0.0)]
OPTIMIZERS = {
    "SGD with momentum": lambda parameters: SGD(parameters, lr=0.05, momentum=0.9),
    "Adam": lambda parameters: Adam(parameters, lr=0.01),
}


def fresh_model():
    return MLP(3, [4, 4, 1], activation="tanh", seed=1)


def train(model, optimizer, steps):
    for _ in range(steps):
        loss = mse_loss([model(x) for x, _ in POINTS], [y for _, y in POINTS])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def bits(x):
    return struct.pack("<d", x)


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_training_resumed_in_a_fresh_process_is_bit_for_bit_the_same(kind, tmp_path):
    straight = fresh_model()
    train(straight, OPTIMIZERS[kind](straight.parameters()), 20)

    model = fresh_model()
    optimizer = OPTIMIZERS[kind](model.parameters())
    train(model, optimizer, 10)
    path = tmp_path / "checkpoint.json"
    nn.save(model, path, optimizer=optimizer)
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import nn\n"
        "from test_checkpoint import train\n"
        f"model, optimizer = nn.load({str(path)!r})\n"
        "train(model, optimizer, 10)\n"
        "print(json.dumps(model.state_dict()))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    resumed = json.loads(done.stdout)
    expected = straight.state_dict()
    assert list(resumed) == list(expected)
    assert [bits(x) for x in resumed.values()] == [bits(x) for x in expected.values()]
    assert resumed != model.state_dict()  # the second process really trained


def test_awkward_floats_round_trip_exactly(tmp_path):
    awkward = [0.1, 1 / 3, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e-300, 123456789.00000001]
    model = MLP(len(awkward) - 1, [1], bias=True, seed=0)
    for parameter, number in zip(model.parameters(), awkward, strict=True):
        parameter.data = number
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json").model
    assert [bits(p.data) for p in loaded.parameters()] == [bits(x) for x in awkward]


def test_optimiser_state_comes_back_whole(tmp_path):
    model = fresh_model()
    optimizer = Adam(model.parameters(), lr=0.02, betas=(0.8, 0.99), eps=1e-7)
    train(model, optimizer, 3)
    nn.save(model, tmp_path / "m.json", optimizer)
    loaded_model, loaded = nn.load(tmp_path / "m.json")
    assert isinstance(loaded, Adam)
    assert (loaded.lr, loaded.betas, loaded.eps, loaded.steps) == (0.02, (0.8, 0.99), 1e-7, 3)
    assert loaded.first_moment == optimizer.first_moment and loaded.second_moment == optimizer.second_moment
    assert loaded.parameters == loaded_model.parameters()  # it steps the rebuilt model's own parameters


def test_the_articles_network_comes_back_with_its_labels_names_and_prediction(tmp_path):
    nn.save(nn.article_network(), tmp_path / "article.json")
    model, optimizer = nn.load(tmp_path / "article.json")
    assert optimizer is None
    assert [w.label for w in model.parameters()] == ["w1", "w2", "w3", "w4", "w5", "w6"]
    out = model(nn.article_inputs())
    assert out.label == "out" and out.data == pytest.approx(0.191, abs=1e-12)  # the article's prediction


@pytest.mark.parametrize("make", [lambda: nn.Neuron(3, "tanh", seed=2), lambda: nn.Layer(2, 3, "sigmoid", seed=3)])
def test_neurons_and_layers_are_rebuilt_too(make, tmp_path):
    model = make()
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json").model
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    inputs = [0.3, -0.7, 1.1][: len(model.parameters()) - 1] if isinstance(model, nn.Neuron) else [0.3, -0.7]
    assert repr(loaded(inputs)) == repr(model(inputs))


def test_a_checkpoint_is_plain_json_data_never_a_pickle(tmp_path):
    nn.save(nn.article_network(), tmp_path / "article.json")
    document = json.loads((tmp_path / "article.json").read_text(encoding="utf-8"))
    assert document["format"] == "micro-autograd checkpoint" and document["version"] == 1
    (tmp_path / "pickled").write_bytes(pickle.dumps({"format": "micro-autograd checkpoint"}))
    with pytest.raises(CheckpointError, match="pickled: it is not"):
        nn.load(tmp_path / "pickled")


# --- atomic writes -------------------------------------------------------------


def crash(*args, **kwargs):
    raise OSError("simulated crash")


@pytest.mark.parametrize("where", ["os.fsync", "os.replace", "json.dumps"])
def test_a_crash_mid_write_leaves_the_old_file_whole_and_no_temporary_file(where, tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    nn.save(nn.article_network(), path)
    old = path.read_bytes()
    changed = nn.article_network()
    changed.parameters()[0].data = 99.0
    module, name = where.split(".")
    monkeypatch.setattr(f"nn.checkpoint.{module}.{name}", crash)
    with pytest.raises(OSError, match="simulated crash"):
        nn.save(changed, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.json"]


def test_the_new_file_is_flushed_to_disk_before_it_replaces_the_old(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        calls.append(("fsync", os.fstat(descriptor).st_size))
        real_fsync(descriptor)

    def replace(source, target):
        calls.append(("replace", Path(target).name))
        real_replace(source, target)

    monkeypatch.setattr("nn.checkpoint.os.fsync", fsync)
    monkeypatch.setattr("nn.checkpoint.os.replace", replace)
    nn.save(nn.article_network(), tmp_path / "model.json")
    size = (tmp_path / "model.json").stat().st_size
    assert calls[:2] == [("fsync", size), ("replace", "model.json")]


def test_a_checkpoint_gets_the_permissions_of_any_file_the_user_writes(tmp_path):
    previous = os.umask(0o027)
    try:
        nn.save(nn.article_network(), tmp_path / "model.json")
    finally:
        os.umask(previous)
    assert (tmp_path / "model.json").stat().st_mode & 0o777 == 0o640  # 0o666 less the umask, not a private 0o600


def test_an_interrupt_mid_write_also_cleans_up(tmp_path, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("nn.checkpoint.os.replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        nn.save(nn.article_network(), tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def saved_model_weights(path):
    return [p.data for p in nn.load(path).model.parameters()]


def recording_replace(monkeypatch):
    """Record each rename ``save`` makes, as (source, target) paths."""
    renames, real_replace = [], os.replace

    def replace(source, target):
        renames.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr("nn.checkpoint.os.replace", replace)
    return renames


def test_saving_to_a_symlink_writes_through_to_its_target_atomically_and_keeps_the_link(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    nn.save(nn.article_network(), target)
    (tmp_path / "link.json").symlink_to(Path("real") / "model.json")  # relative, as `ln -s` makes them
    (tmp_path / "link to link.json").symlink_to("link.json")
    changed = nn.article_network()
    changed.parameters()[0].data = 99.0
    renames = recording_replace(monkeypatch)

    nn.save(changed, tmp_path / "link to link.json")

    assert (tmp_path / "link to link.json").is_symlink() and (tmp_path / "link.json").is_symlink()
    assert os.readlink(tmp_path / "link.json") == str(Path("real") / "model.json")
    assert not target.is_symlink() and saved_model_weights(target)[0] == 99.0
    ((source, renamed),) = renames  # one rename: a temporary file beside the target, over the target
    assert renamed.resolve() == target.resolve() and source.parent.resolve() == target.parent.resolve()
    assert sorted(os.listdir(tmp_path)) == ["link to link.json", "link.json", "real"]
    assert os.listdir(tmp_path / "real") == ["model.json"]


def test_saving_to_a_dangling_symlink_creates_its_target(tmp_path):
    (tmp_path / "link.json").symlink_to("new.json")
    nn.save(nn.article_network(), tmp_path / "link.json")
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "new.json").is_file()
    assert saved_model_weights(tmp_path / "link.json") == [p.data for p in nn.article_network().parameters()]


def test_a_symlink_loop_is_refused_naming_the_path(tmp_path):
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    with pytest.raises(OSError, match="loop of symbolic links") as caught:
        nn.save(nn.article_network(), tmp_path / "a.json")
    assert str(tmp_path / "a.json") in str(caught.value) and ".tmp" not in str(caught.value)
    assert sorted(os.listdir(tmp_path)) == ["a.json", "b.json"]
    assert (tmp_path / "a.json").is_symlink() and (tmp_path / "b.json").is_symlink()


@pytest.mark.parametrize("name", ["m" * 250 + ".json", "é" * 125 + ".json"], ids=["ascii", "two-byte letters"])
def test_a_file_name_of_255_bytes_can_be_saved(name, tmp_path):
    assert len(name.encode("utf-8")) == 255  # the longest name most file systems allow
    nn.save(nn.article_network(), tmp_path / name)
    assert os.listdir(tmp_path) == [name]
    assert saved_model_weights(tmp_path / name) == [p.data for p in nn.article_network().parameters()]


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("missing folder/model.json", FileNotFoundError),
        ("m" * 256 + ".json", OSError),  # one name too long for the file system
        ("a folder", IsADirectoryError),
    ],
)
def test_every_save_error_names_the_users_path_never_a_temporary_file(where, error, tmp_path):
    (tmp_path / "a folder").mkdir()
    path = tmp_path / where
    with pytest.raises(error) as caught:
        nn.save(nn.article_network(), path)
    assert str(path) in str(caught.value) and ".tmp" not in str(caught.value), str(caught.value)
    assert os.listdir(tmp_path) == ["a folder"] and os.listdir(tmp_path / "a folder") == []


def test_save_refuses_what_load_would_refuse_and_writes_nothing(tmp_path):
    path = tmp_path / "model.json"
    nn.save(nn.article_network(), path)
    old = path.read_bytes()
    broken = nn.article_network()
    broken.parameters()[2].data = math.nan
    with pytest.raises(
        CheckpointError, match=r"cannot save .*model\.json: .*'layers\.0\.neurons\.1\.weights\.0' is nan"
    ):
        nn.save(broken, path)
    stranger = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(CheckpointError, match="parameter 0 is not one of the model's parameters"):
        nn.save(nn.article_network(), path, stranger)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["model.json"]


# --- bad files: a clear error naming the file, and nothing changes ---------------


def good_document():
    model = fresh_model()
    optimizer = Adam(model.parameters(), lr=0.01)
    train(model, optimizer, 2)
    return nn.checkpoint._document(model, optimizer)


def edited(change, old="", new=""):
    """A good checkpoint's text after ``change`` to its document (and one textual replacement)."""

    def make():
        document = good_document()
        change(document)
        return json.dumps(document).replace(old, new, 1)

    return make


def first_parameter(document):
    return next(iter(document["parameters"]))


def set_first(value):
    def change(document):
        document["parameters"][first_parameter(document)] = value

    return change


BAD_FILES = {
    "truncated JSON": (lambda: json.dumps(good_document())[:400], "it is not valid JSON"),
    "invalid JSON": (lambda: "{'format': 1}", "it is not valid JSON"),
    "empty file": (lambda: "", "it is not valid JSON"),
    "not UTF-8": (lambda: b"\xff\xfe\x00{", "it is not UTF-8 text"),
    "nested too deeply": (lambda: "[" * 100_000, "it is not valid JSON"),
    "a JSON list, not a checkpoint": (lambda: "[1, 2, 3]", "it is not a micro-autograd checkpoint"),
    "some other JSON object": (
        lambda: '{"name": "resnet", "weights": [1, 2]}',
        "it is not a micro-autograd checkpoint",
    ),
    "unknown format version": (edited(lambda d: d.update(version=2)), "format version 2 is not supported"),
    "version as true": (edited(lambda d: d.update(version=True)), "format version True is not supported"),
    "missing parameter": (
        edited(lambda d: d["parameters"].pop(first_parameter(d))),
        "it lacks 1 of the 41 parameters its MLP architecture has",
    ),
    "renamed parameter": (
        edited(lambda d: d["parameters"].update({"extra": d["parameters"].pop(first_parameter(d))})),
        "lacks parameter 'layers.0.neurons.0.weights.0'",
    ),
    "extra parameter": (edited(lambda d: d["parameters"].update(extra=1.0)), "unexpected parameter 'extra'"),
    "parameter with a shape": (
        edited(set_first([0.1, 0.2])),
        "wrong shape: a single number is needed, not a list of 2",
    ),
    "architecture of another shape": (
        edited(lambda d: d["model"]["architecture"].update(layer_sizes=[5, 4, 1])),
        "it lacks 8 of the 49 parameters",
    ),
    "parameter as a string": (edited(set_first("0.5")), "is not a number: '0.5'"),
    "parameter as a boolean": (edited(set_first(True)), "is not a number: True"),
    "parameter as null": (edited(set_first(None)), "is not a number: None"),
    "NaN": (edited(set_first(math.nan)), "it holds NaN, which is not a finite number"),
    "Infinity": (edited(set_first(-math.inf)), "it holds -Infinity, which is not a finite number"),
    "1e999, infinite once read": (edited(set_first(0.125), "0.125", "1e999"), "is inf; it must be finite"),
    "repeated key": (lambda: '{"format": "micro-autograd checkpoint", "format": "x"}', "repeats the key 'format'"),
    "unknown model type": (edited(lambda d: d["model"].update(type="Transformer")), "model type 'Transformer'"),
    "unknown activation": (
        edited(lambda d: d["model"]["architecture"].update(activation="swish")),
        "unknown activation 'swish'",
    ),
    "size as a boolean": (edited(lambda d: d["model"]["architecture"].update(n_inputs=True)), "of type int"),
    "labels not strings": (
        edited(lambda d: d["model"]["labels"].update({first_parameter(d): 7})),
        "names and labels must be strings",
    ),
    "optimiser buffer of the wrong length": (
        edited(lambda d: d["optimizer"]["state"]["first_moment"].pop()),
        "Adam first_moment has the wrong shape: 40 numbers where 41 are needed",
    ),
    "optimiser buffer one too long": (
        edited(lambda d: None, '"second_moment": [', '"second_moment": [0.5, '),
        "Adam second_moment has the wrong shape: 42 numbers where 41",
    ),
    "optimiser moment infinite": (
        edited(lambda d: d["optimizer"]["state"]["second_moment"].__setitem__(0, 0.125), "0.125", "1e999"),
        "Adam second_moment[0] is inf; it must be finite",
    ),
    "negative step count": (
        edited(lambda d: d["optimizer"]["state"].update(steps=-1)),
        "Adam steps must be a whole number >= 0",
    ),
    "invalid learning rate": (
        edited(lambda d: d["optimizer"]["state"].update(lr=-0.5)),
        "invalid setting: lr must be a positive finite number",
    ),
    "unknown optimiser": (edited(lambda d: d["optimizer"]["state"].update(type="LBFGS")), "optimizer type 'LBFGS'"),
    "missing optimiser entry": (edited(lambda d: d["optimizer"]["state"].pop("eps")), "lacks entry 'eps'"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_error_and_the_model_in_memory_is_untouched(case, tmp_path):
    make, message = BAD_FILES[case]
    text = make()
    path = tmp_path / "bad.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    model = fresh_model()
    optimizer = Adam(model.parameters(), lr=0.01)
    train(model, optimizer, 1)
    before = (model.state_dict(), [p.label for p in model.parameters()], optimizer.state_dict())

    with pytest.raises(CheckpointError) as loading:
        nn.load(path)
    with pytest.raises(CheckpointError) as restoring:
        nn.restore(path, model, optimizer)

    for caught in (loading, restoring):
        text_of_error = str(caught.value)
        assert text_of_error.startswith(f"{path}: "), text_of_error
        assert message in text_of_error, text_of_error
        assert isinstance(caught.value, AutogradError | ValueError)
    assert (model.state_dict(), [p.label for p in model.parameters()], optimizer.state_dict()) == before


def test_restore_refuses_a_checkpoint_of_another_architecture_and_changes_nothing(tmp_path):
    nn.save(nn.article_network(), tmp_path / "article.json")
    model = fresh_model()
    before = model.state_dict()
    with pytest.raises(
        CheckpointError, match=r"article\.json: it holds MLP\(n_inputs=2.*but the model is MLP\(n_inputs=3"
    ):
        nn.restore(tmp_path / "article.json", model)
    assert model.state_dict() == before


def test_restore_puts_the_saved_numbers_into_existing_objects(tmp_path):
    model = fresh_model()
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
    train(model, optimizer, 5)
    nn.save(model, tmp_path / "m.json", optimizer)
    other = fresh_model()
    other_optimizer = SGD(other.parameters(), lr=0.05, momentum=0.9)
    nn.restore(tmp_path / "m.json", other, other_optimizer)
    assert other.state_dict() == model.state_dict()
    assert other_optimizer.velocity == optimizer.velocity
    train(model, optimizer, 3)
    train(other, other_optimizer, 3)
    assert other.state_dict() == model.state_dict()


# --- state dicts in memory --------------------------------------------------------


def test_state_dict_names_every_parameter_and_loads_into_a_twin():
    model, twin = fresh_model(), MLP(3, [4, 4, 1], activation="tanh", seed=99)
    names = [name for name, _ in model.named_parameters()]
    assert list(model.state_dict()) == names
    twin.load_state_dict(model.state_dict())
    assert twin.state_dict() == model.state_dict()


BAD_STATES = {
    "missing": (lambda s: s.pop("layers.0.neurons.0.bias"), "lacks parameter 'layers.0.neurons.0.bias'"),
    "extra": (lambda s: s.update(bogus=1.0), "unexpected parameter 'bogus'"),
    "nan": (lambda s: s.update({"layers.2.neurons.0.bias": math.nan}), "'layers.2.neurons.0.bias' is nan"),
    "string": (lambda s: s.update({"layers.2.neurons.0.bias": "1"}), "is not a number: '1'"),
    "huge int": (lambda s: s.update({"layers.2.neurons.0.bias": 10**400}), "is too large for a float"),
}


@pytest.mark.parametrize("case", BAD_STATES)
def test_load_state_dict_refuses_a_bad_state_and_changes_nothing(case):
    model = fresh_model()
    state = fresh_model().state_dict()
    for parameter in model.parameters():
        parameter.data += 1.0
    before = model.state_dict()
    change, message = BAD_STATES[case]
    change(state)
    with pytest.raises(CheckpointError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_optimiser_load_state_dict_refuses_a_bad_state_and_changes_nothing():
    parameters = [Value(1.0), Value(2.0)]
    sgd = SGD(parameters, lr=0.1, momentum=0.5)
    sgd.velocity = [0.25, -0.5]
    before = sgd.state_dict()
    adam_state = Adam(parameters).state_dict()
    with pytest.raises(CheckpointError, match="lacks entry 'momentum'"):
        sgd.load_state_dict(adam_state)
    wrong_kind = dict(before, type="Adam")
    with pytest.raises(CheckpointError, match="for a 'Adam' optimiser, not SGD"):
        sgd.load_state_dict(wrong_kind)
    with pytest.raises(CheckpointError, match="invalid setting: SGD momentum must be in"):
        sgd.load_state_dict(dict(before, momentum=1.5))
    with pytest.raises(CheckpointError, match="velocity has the wrong shape: 3 numbers where 2"):
        sgd.load_state_dict(dict(before, velocity=[0.0, 0.0, 0.0]))
    assert sgd.state_dict() == before


# --- fuzzing the structure: every field replaced by every kind of JSON value -------

# Every JSON type, with awkward members: null, booleans, whole numbers (one too large for a
# float), fractions, strings (one a model type's name), lists and objects, empty and not.
JSON_VALUES = [
    None, True, False, 0, -1, 1, 7, 10**400, 0.5, -0.0, 1e308, "", "x", "MLP", "SGD",
    [], [0.5], [[]], [None, "x"], [0.5, 0.5], {}, {"x": 1}, {"": []},
]  # fmt: skip

FUZZED_CHECKPOINTS = {
    "MLP with Adam": lambda: (MLP(2, [2, 1], seed=3), lambda parameters: Adam(parameters, lr=0.01)),
    "Layer with SGD and momentum": lambda: (nn.Layer(2, 2, "tanh", seed=4), lambda p: SGD(p, lr=0.1, momentum=0.5)),
    "Neuron without an optimiser": lambda: (nn.Neuron(2, "relu", seed=5), None),
}


def fields(document, path=()):
    """The path to every value inside a JSON document (lists by index), the document's own first."""
    yield path
    if isinstance(document, dict | list):
        children = document.items() if isinstance(document, dict) else enumerate(document)
        for key, value in children:
            yield from fields(value, (*path, key))


def replaced(document, path, value):
    """A deep copy of ``document`` with the value at ``path`` replaced by ``value``."""
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy


def field_name(path):
    """The name an error must give for the field at ``path``: its own key, or its list's (``steps``, ``labels``)."""
    keys = [key for key in path if isinstance(key, str)]
    return keys[-1] if keys else None


def trained(kind):
    model, make_optimizer = FUZZED_CHECKPOINTS[kind]()
    optimizer = make_optimizer(model.parameters()) if make_optimizer else None
    for parameter in model.parameters():
        parameter.grad = 0.25
    if optimizer is not None:
        optimizer.step()
    return model, optimizer


def everything_about(model, optimizer):
    names = [neuron.name for neuron in nn.checkpoint._neurons(model)]
    state = optimizer.state_dict() if optimizer is not None else None
    return model.state_dict(), [p.label for p in model.parameters()], names, state


@pytest.mark.parametrize("kind", FUZZED_CHECKPOINTS)
def test_every_field_of_a_checkpoint_replaced_by_any_json_value_is_loaded_or_refused_by_name(kind, tmp_path):
    """Each field of a good checkpoint, replaced by a value of each JSON type: the file loads,
    or CheckpointError names the file and the field; never a bare TypeError, KeyError or
    AttributeError, and ``restore`` changes nothing in the model or optimiser it was given."""
    model, optimizer = trained(kind)
    document = nn.checkpoint._document(model, optimizer)
    path = tmp_path / "fuzzed.json"
    problems = []
    for where in fields(document):
        for value in JSON_VALUES:
            path.write_text(json.dumps(replaced(document, where, value)), encoding="utf-8")
            target, target_optimizer = trained(kind)
            before = everything_about(target, target_optimizer)
            for restoring in (False, True):
                try:
                    nn.restore(path, target, target_optimizer) if restoring else nn.load(path)
                except CheckpointError as error:
                    message, name = str(error), field_name(where)
                    if not message.startswith(f"{path}: ") or (name is not None and name not in message):
                        problems.append(f"{where} = {value!r}: the error names not the file and {name!r}: {message}")
                    if everything_about(target, target_optimizer) != before:
                        problems.append(f"{where} = {value!r}: a refused restore changed the model or optimiser")
                except Exception as error:  # any other exception is a defect: report it with the rest
                    problems.append(f"{where} = {value!r}: {type(error).__name__}: {error}")
    assert not problems, f"{len(problems)} problems, the first: " + "\n".join(problems[:15])


ISSUE_CASES = {  # issue 10's examples: each once raised a bare TypeError naming no file and no field
    "model type a list": ("MLP with Adam", ("model", "type"), ["MLP"], "type"),
    "model type a mapping": ("MLP with Adam", ("model", "type"), {"MLP": 1}, "type"),
    "optimizer type a list": ("MLP with Adam", ("optimizer", "state", "type"), ["Adam"], "type"),
    "Adam betas a number": ("MLP with Adam", ("optimizer", "state", "betas"), 0.9, "betas"),
    "SGD momentum a list": ("Layer with SGD and momentum", ("optimizer", "state", "momentum"), [0.5], "momentum"),
}


@pytest.mark.parametrize("case", ISSUE_CASES)
def test_a_type_betas_or_momentum_of_the_wrong_shape_is_refused_naming_the_file_and_the_field(case, tmp_path):
    kind, where, value, field = ISSUE_CASES[case]
    model, optimizer = trained(kind)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(replaced(nn.checkpoint._document(model, optimizer), where, value)), encoding="utf-8")
    before = everything_about(model, optimizer)
    with pytest.raises(CheckpointError, match=rf"^{re.escape(str(path))}: .*{field}"):
        nn.load(path)
    with pytest.raises(CheckpointError, match=rf"^{re.escape(str(path))}: .*{field}"):
        nn.restore(path, model, optimizer)
    assert everything_about(model, optimizer) == before
    if where[:2] == ("optimizer", "state"):  # in memory too: the same error, with no file to name
        with pytest.raises(CheckpointError, match=field):
            optimizer.load_state_dict(replaced(optimizer.state_dict(), where[2:], value))
        assert everything_about(model, optimizer) == before


@pytest.mark.parametrize("kind", ["MLP with Adam", "Layer with SGD and momentum"])
def test_every_field_of_an_optimiser_state_replaced_by_any_value_is_loaded_or_refused_by_name(kind):
    """``Optimizer.load_state_dict`` in memory: each field (and each buffer entry) replaced by a
    value of each JSON type or a tuple is taken, or refused by a CheckpointError naming it, and a
    refusal changes nothing."""
    model, optimizer = trained(kind)
    state = optimizer.state_dict()
    problems = []
    for where in fields(state):
        for value in [*JSON_VALUES, (0.5, 0.5), (0.5,)]:
            before = everything_about(model, optimizer)
            try:
                optimizer.load_state_dict(replaced(state, where, value) if where else value)
            except CheckpointError as error:
                name = field_name(where) or "state"
                if name not in str(error):
                    problems.append(f"{where} = {value!r}: the error does not name {name!r}: {error}")
                if everything_about(model, optimizer) != before:
                    problems.append(f"{where} = {value!r}: a refused state changed the optimiser")
            except Exception as error:  # any other exception is a defect: report it with the rest
                problems.append(f"{where} = {value!r}: {type(error).__name__}: {error}")
            optimizer.load_state_dict(state)
    assert not problems, f"{len(problems)} problems, the first: " + "\n".join(problems[:15])

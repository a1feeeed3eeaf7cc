"""nn's data: a Dataset, a seeded train/test split, shuffled minibatches and the handwritten digits."""

import random
import sys

import pytest

from nn import Dataset, load_digits, minibatches, train_test_split


def numbered(n):
    """A dataset whose sample i has input [i, -i] and target i: every sample says who it is."""
    return Dataset([[float(i), float(-i)] for i in range(n)], list(range(n)))


def test_a_dataset_needs_one_target_per_input():
    assert len(numbered(5)) == 5
    with pytest.raises(ValueError, match="one target per input: 2 inputs, 3 targets"):
        Dataset([[1.0], [2.0]], [0, 1, 2])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (["abc", "def"], "input 0 is 'abc'"),
        ([[1.0, None], [2.0, 3.0]], r"input 0 is \[1\.0, None\]"),
        ([[1.0], [True]], r"input 1 is \[True\]"),
        ([1.0, 2.0], "input 0 is 1.0"),
    ],
)
def test_a_dataset_refuses_inputs_that_are_not_sequences_of_numbers(inputs, message):
    with pytest.raises(TypeError, match=f"a Dataset's inputs must be sequences of numbers: {message}"):
        Dataset(inputs, [0, 1])


def test_a_dataset_takes_the_rows_of_a_numpy_array():
    np = pytest.importorskip("numpy")
    assert Dataset(np.array([[1.0, 2.0], [3.0, 4.0]]), [0, 1]).inputs == ((1.0, 2.0), (3.0, 4.0))


@pytest.mark.parametrize(("function", "setting"), [(train_test_split, 0.5), (minibatches, 1)])
def test_the_data_functions_refuse_what_is_not_a_dataset(function, setting):
    with pytest.raises(TypeError, match=f"{function.__name__} needs an nn.Dataset, not list"):
        next(iter(function([([1.0], 0), ([2.0], 1)], setting)))


@pytest.mark.parametrize(("n", "fraction"), [(10, 0.2), (1797, 0.2), (1437, 0.1), (7, 0.5), (3, 0.01)])
def test_split_sizes_are_scikit_learns_and_the_parts_are_disjoint_and_complete(n, fraction):
    model_selection = pytest.importorskip("sklearn.model_selection")
    train, test = train_test_split(numbered(n), fraction, seed=0)
    reference_train, reference_test = model_selection.train_test_split(list(range(n)), test_size=fraction)
    assert (len(train), len(test)) == (len(reference_train), len(reference_test))
    assert set(train.targets).isdisjoint(test.targets)
    assert sorted(train.targets + test.targets) == list(range(n))
    assert all(x == [float(t), float(-t)] for x, t in zip(map(list, train.inputs), train.targets, strict=True))


def test_the_split_is_the_documented_shuffle_and_the_same_seed_gives_the_same_split():
    order = list(range(20))
    random.Random(3).shuffle(order)  # the documented rule: random.Random(seed).shuffle of the indices
    train, test = train_test_split(numbered(20), 0.25, seed=3)
    assert list(test.targets) == order[:5] and list(train.targets) == order[5:]
    assert train_test_split(numbered(20), 0.25, seed=3) == (train, test)
    assert train_test_split(numbered(20), 0.25, seed=4) != (train, test)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, True, "0.2"])
def test_a_split_that_leaves_a_part_empty_or_is_not_a_fraction_is_refused(fraction):
    with pytest.raises(ValueError, match=r"test_fraction|leaves a part empty"):
        train_test_split(numbered(10), fraction)


def test_a_split_of_two_samples_that_would_leave_no_training_is_refused():
    with pytest.raises(ValueError, match="leaves a part empty"):
        train_test_split(numbered(2), 0.9)


def test_minibatches_cover_every_sample_once_in_batches_of_the_size_asked():
    batches = list(minibatches(numbered(10), 4, seed=1))
    assert [len(batch) for batch in batches] == [4, 4, 2]
    assert sorted(t for batch in batches for t in batch.targets) == list(range(10))
    order = list(range(10))
    random.Random(1).shuffle(order)
    assert [t for batch in batches for t in batch.targets] == order


def test_minibatches_are_reproducible_and_one_generator_gives_a_new_order_each_epoch():
    data = numbered(12)
    first = [batch.targets for batch in minibatches(data, 5, seed=7)]
    assert first == [batch.targets for batch in minibatches(data, 5, seed=7)]
    rng = random.Random(7)
    epoch_1 = [batch.targets for batch in minibatches(data, 5, seed=rng)]
    epoch_2 = [batch.targets for batch in minibatches(data, 5, seed=rng)]
    assert epoch_1 == first and epoch_2 != epoch_1


def test_minibatches_without_shuffling_keep_the_order():
    assert [batch.targets for batch in minibatches(numbered(5), 2, shuffle=False)] == [(0, 1), (2, 3), (4,)]


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_a_bad_batch_size_is_refused(size):
    with pytest.raises(ValueError, match="batch_size"):
        next(minibatches(numbered(5), size))


def test_a_bad_seed_is_refused():
    with pytest.raises(TypeError, match=r"seed must be an int or a random\.Random"):
        train_test_split(numbered(5), 0.2, seed="0")


def test_the_digits_are_scikit_learns_scaled_to_0_1():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = load_digits()
    reference = datasets.load_digits()
    assert len(digits) == 1797 and len(digits.inputs[0]) == 64
    assert list(digits.targets) == reference.target.tolist()
    assert [list(x) for x in digits.inputs] == (reference.data / 16).tolist()
    assert min(min(x) for x in digits.inputs) == 0.0 and max(max(x) for x in digits.inputs) == 1.0


def test_without_scikit_learn_the_error_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # what a missing package looks like to import
    with pytest.raises(ImportError, match=r"needs scikit-learn.*pip install 'micro-autograd\[digits\]'"):
        load_digits()

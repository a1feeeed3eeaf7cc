"""nn.make_moons, make_circles, make_xor, make_spiral: their shape, seeding, balance and geometry.

The geometry is checked against closed forms with the noise off (points on the circles they are defined by,
the quadrant rule of XOR, the spiral's radius-angle relation), and the noise against its definition: the
points' spread around the noise-free ones has the standard deviation asked for.
"""

import math
import statistics

import pytest

import nn
from nn.datasets import DATASETS

MAKERS = [nn.make_moons, nn.make_circles, nn.make_xor, nn.make_spiral]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [4, 5, 200, 201])
def test_a_dataset_is_n_points_in_the_plane_with_balanced_classes_0_and_1(make, n):
    data = make(n, seed=3)
    assert isinstance(data, nn.Dataset) and len(data) == n
    assert all(len(x) == 2 and all(math.isfinite(v) for v in x) for x in data.inputs)
    assert set(data.targets) == {0, 1} and all(type(t) is int for t in data.targets)
    assert data.targets.count(0) == n - n // 2 and data.targets.count(1) == n // 2


@pytest.mark.parametrize("make", MAKERS)
def test_the_same_seed_gives_the_same_points_and_another_seed_others(make):
    assert make(100, seed=7) == make(100, seed=7)
    assert make(100, seed=7).inputs != make(100, seed=8).inputs
    assert make(100, seed=7).targets == make(100, seed=8).targets


@pytest.mark.parametrize("make", MAKERS)
def test_the_noise_has_the_standard_deviation_asked_for(make):
    clean, noisy = make(2000, noise=0.0, seed=1), make(2000, noise=0.2, seed=1)  # the same draws, then the noise
    offsets = [b - a for p, q in zip(clean.inputs, noisy.inputs, strict=True) for a, b in zip(p, q, strict=True)]
    assert abs(statistics.fmean(offsets)) < 0.02
    assert statistics.stdev(offsets) == pytest.approx(0.2, rel=0.05)


def test_moons_without_noise_lie_on_their_half_circles():
    data = nn.make_moons(101, noise=0.0)
    for (x, y), target in zip(data.inputs, data.targets, strict=True):
        centre = (0.0, 0.0) if target == 0 else (1.0, 0.5)
        assert math.hypot(x - centre[0], y - centre[1]) == pytest.approx(1.0, abs=1e-12)
        assert (y >= -1e-12) if target == 0 else (y <= 0.5 + 1e-12)  # upper half, lower half
    assert data.inputs[0] == (1.0, 0.0) and data.inputs[-1] == pytest.approx((2.0, 0.5))  # both ends included


def test_circles_without_noise_lie_on_radius_1_and_factor():
    data = nn.make_circles(60, noise=0.0, factor=0.3)
    radii = {0: 1.0, 1: 0.3}
    for (x, y), target in zip(data.inputs, data.targets, strict=True):
        assert math.hypot(x, y) == pytest.approx(radii[target], abs=1e-12)


def test_xor_without_noise_is_the_quadrant_rule_with_both_quadrants_of_each_class():
    data = nn.make_xor(200, noise=0.0)
    quadrants = {(x > 0, y > 0) for x, y in data.inputs}
    assert quadrants == {(True, True), (False, False), (True, False), (False, True)}
    for (x, y), target in zip(data.inputs, data.targets, strict=True):
        assert target == int((x > 0) != (y > 0))
        assert 0.1 <= abs(x) <= 1 and 0.1 <= abs(y) <= 1


def test_spiral_arms_without_noise_are_half_a_turn_apart():
    data = nn.make_spiral(40, noise=0.0, turns=1.0)
    arm_0 = [p for p, t in zip(data.inputs, data.targets, strict=True) if t == 0]
    arm_1 = [p for p, t in zip(data.inputs, data.targets, strict=True) if t == 1]
    for (x0, y0), (x1, y1) in zip(arm_0, arm_1, strict=True):
        assert (x1, y1) == pytest.approx((-x0, -y0), abs=1e-12)  # turned by pi
        radius = math.hypot(x0, y0)
        angle = 2 * math.pi * radius  # one turn from radius 0 to 1
        assert (x0, y0) == pytest.approx((radius * math.cos(angle), radius * math.sin(angle)), abs=1e-12)
    assert math.hypot(*arm_0[0]) == pytest.approx(0.05) and math.hypot(*arm_0[-1]) == pytest.approx(1.0)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"n_samples": 3}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"noise": -0.1}, "noise"),
        ({"noise": math.nan}, "noise"),
        ({"noise": "a"}, "noise"),
    ],
)
def test_bad_arguments_are_refused_naming_them(make, arguments, named):
    with pytest.raises(ValueError, match=f"{make.__name__}: {named}"):
        make(**arguments)


def test_bad_shape_arguments_are_refused_naming_them():
    with pytest.raises(ValueError, match="factor"):
        nn.make_circles(factor=1.0)
    with pytest.raises(ValueError, match="turns"):
        nn.make_spiral(turns=0)
    with pytest.raises(TypeError, match="seed"):
        nn.make_moons(seed="x")


def test_the_names_table_holds_the_four():
    assert {
        "moons": nn.make_moons,
        "circles": nn.make_circles,
        "xor": nn.make_xor,
        "spiral": nn.make_spiral,
    } == DATASETS


@pytest.mark.parametrize("name", ["moons", "circles", "xor"])
def test_each_small_dataset_is_learnt_in_seconds_by_a_small_network(name):
    data = DATASETS[name](100, seed=0)
    model = nn.MLP(2, [8, 8, 2], activation="tanh", seed=0)
    nn.fit(
        model,
        nn.cross_entropy,
        data,
        optimizer=nn.Adam(model.parameters(), lr=0.05),
        epochs=30,
        batch_size=20,
        progress=False,
        compiled=True,
    )
    assert nn.evaluate(model, nn.cross_entropy, data).accuracy >= 0.95

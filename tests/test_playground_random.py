"""nn/playground/random.js is Python's random.Random: the same numbers, shuffles and starting weights.

The playground's batches and fresh weights come from it, so the page trains as nn.fit(seed=...) does on
nn.MLP(seed=...): run in Chromium against CPython's own generator, for seeds small and large.
"""

import random
from pathlib import Path

import pytest
from test_stepthrough import browser  # noqa: F401  (the fixture: headless Chromium, as the other page tests)

import nn

RANDOM_JS = Path(nn.__file__).parent / "playground" / "random.js"


def run(browser, expression):  # noqa: F811
    return browser.execute_script(RANDOM_JS.read_text(encoding="utf-8") + f"\nreturn {expression};")


@pytest.mark.parametrize("seed", [0, 1, 7, 2**32 - 1, 2**32, 12345678901234])
def test_random_numbers_are_pythons_bit_for_bit(browser, seed):  # noqa: F811
    expected = random.Random(seed)
    got = run(browser, f"(() => {{ const r = PythonRandom({seed}); return Array.from({{length: 700}}, r.random); }})()")
    assert got == [expected.random() for _ in range(700)]  # 700 > 624: past the first regeneration


@pytest.mark.parametrize(("seed", "n"), [(0, 160), (3, 1), (3, 2), (5, 1000)])
def test_shuffles_are_pythons_across_epochs(browser, seed, n):  # noqa: F811
    expected = random.Random(seed)
    orders = []
    for _ in range(3):
        order = list(range(n))
        expected.shuffle(order)
        orders.append(order)
    got = run(
        browser,
        f"(() => {{ const r = PythonRandom({seed}); "
        f"return [0, 1, 2].map(() => r.shuffle([...Array({n}).keys()])); }})()",
    )
    assert got == orders


def test_starting_weights_are_nn_mlps():
    # uniform(-1, 1) is the same call in both: checked through random() above; here the order nn.MLP draws in.
    model = nn.MLP(2, [3, 1], seed=4)
    rng = random.Random(4)
    expected = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected += [rng.uniform(-1.0, 1.0) for _ in neuron.weights] + [0.0]
    assert [p.data for p in model.parameters()] == expected

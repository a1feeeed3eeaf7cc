"""Training keeps memory flat: each step's graph is freed when the step ends.

Measured with tracemalloc (bytes Python allocated and still holds), sampled
every 1,000 steps, with the cycle collector off: a graph is a tree of
references to inputs with no cycles, so reference counting alone must free
it. A deliberately leaking loop shows that the measurement would see a leak.
No timing is involved.
"""

import gc
import tracemalloc

import nn

STEPS = 10_000
SAMPLE_EVERY = 1_000
ALLOWED_GROWTH = 64 * 1024  # bytes from the second sample to the last; one kept graph per step is 0.5-1 KB


def held_memory_while_training(steps, keep=None):
    """Bytes held after every SAMPLE_EVERY steps of the article's training loop."""
    model = nn.article_network()
    optimizer = nn.SGD(model.parameters(), lr=0.05)
    inputs = nn.article_inputs()
    samples = [0] * (steps // SAMPLE_EVERY)  # allocated before measuring
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for step in range(steps):
            loss = nn.squared_error(model(inputs), 1.0)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if keep is not None:
                keep.append(loss)
            if (step + 1) % SAMPLE_EVERY == 0:
                samples[step // SAMPLE_EVERY] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    return samples, loss.data


def test_ten_thousand_training_steps_keep_memory_flat():
    samples, final_error = held_memory_while_training(STEPS)
    assert final_error < 1e-20  # it really trained: the article's single sample is fitted
    assert samples[-1] - samples[1] < ALLOWED_GROWTH, samples


def test_the_measurement_sees_a_leak_when_graphs_are_kept():
    kept = []
    samples, _ = held_memory_while_training(3 * SAMPLE_EVERY, keep=kept)
    assert samples[-1] - samples[1] > 10 * ALLOWED_GROWTH, samples

"""Grad mode and anomaly mode are per thread (and per asyncio task), as in PyTorch.

Two threads run at the same time, held in step by a barrier, so one is
inside ``no_grad()`` (or ``detect_anomaly()``) exactly while the other works.
"""

import asyncio
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from autograd import (
    AnomalyError,
    Value,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)


def run_together(*bodies):
    """Run each body in its own thread, all started before any finishes; re-raise the first failure."""
    barrier = threading.Barrier(len(bodies), timeout=30)
    results, failures = {}, []

    def runner(index, body):
        try:
            results[index] = body(barrier)
        except BaseException as failure:  # handed back to the test thread
            failures.append(failure)
            barrier.abort()

    threads = [threading.Thread(target=runner, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise failures[0]
    return [results[i] for i in range(len(bodies))]


def test_no_grad_in_one_thread_does_not_change_another_running_at_the_same_time():
    def quiet(barrier):
        with no_grad():
            barrier.wait()  # the other thread is running now, while this one is inside no_grad
            seen = (is_grad_enabled(), (Value(2.0) * Value(3.0)).is_leaf)
            barrier.wait()  # hold no_grad until the other thread has recorded
        return seen

    def recording(barrier):
        barrier.wait()
        product = Value(2.0) * Value(3.0)
        seen = (is_grad_enabled(), product.is_leaf, product.op)
        barrier.wait()
        return seen

    assert run_together(quiet, recording) == [(False, True), (True, False, "*")]


def test_a_thread_inside_no_grad_leaves_the_main_thread_recording():
    entered, release = threading.Event(), threading.Event()

    def quiet():
        with no_grad():
            entered.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=quiet)
    thread.start()
    try:
        assert entered.wait(timeout=30)
        assert is_grad_enabled() and not (Value(1.0) + 1.0).is_leaf
    finally:
        release.set()
        thread.join(timeout=30)


def test_detect_anomaly_in_one_thread_does_not_change_another():
    def checking(barrier):
        with detect_anomaly():
            barrier.wait()
            try:
                Value(1e308) * 10
            except AnomalyError:
                outcome = "raised"
            else:
                outcome = "silent"
            barrier.wait()
        return is_anomaly_enabled(), outcome

    def plain(barrier):
        barrier.wait()
        seen = is_anomaly_enabled(), (Value(1e308) * 10).data
        barrier.wait()
        return seen

    assert run_together(checking, plain) == [(False, "raised"), (False, math.inf)]


def test_a_function_decorated_with_no_grad_runs_in_many_threads_at_once():
    @no_grad()
    def quiet_product(barrier):
        barrier.wait()
        return (Value(2.0) * Value(3.0)).is_leaf, is_grad_enabled()

    barrier = threading.Barrier(4, timeout=30)
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(quiet_product, [barrier] * 4))
    assert outcomes == [(True, False)] * 4
    assert is_grad_enabled()


def test_detect_anomaly_in_one_async_task_does_not_leak_into_another():
    async def checking(started, done):
        with detect_anomaly():
            started.set()
            await done.wait()
            with pytest.raises(AnomalyError):
                Value(1e308) * 10
            return is_anomaly_enabled()

    async def plain(started, done):
        await started.wait()  # the other task is inside detect_anomaly() now
        seen = is_anomaly_enabled(), (Value(1e308) * 10).data
        done.set()
        return seen

    async def main():
        started, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(checking(started, done), plain(started, done))

    assert asyncio.run(main()) == [True, (False, math.inf)]


@pytest.mark.parametrize("make", [no_grad, lambda: set_grad_enabled(False), enable_grad])
def test_one_grad_mode_object_used_by_several_threads_at_once_gives_each_its_own_block(make):
    shared = make()  # one object, entered by every thread (PyTorch allows this: the state is per thread)
    records = shared.enabled

    def body(barrier):
        with shared:
            barrier.wait()  # every thread is inside the block now
            inside = is_grad_enabled(), (Value(2.0) * Value(3.0)).is_leaf
            barrier.wait()
        barrier.wait()  # every thread has left it
        return inside, is_grad_enabled()

    outcomes = run_together(*[body] * 4)
    assert outcomes == [((records, not records), True)] * 4
    assert is_grad_enabled()


def test_threads_leave_one_shared_no_grad_object_in_any_order():
    shared = no_grad()
    first_inside, second_inside, first_left = threading.Event(), threading.Event(), threading.Event()

    def enters_first_leaves_first(barrier):
        with shared:
            first_inside.set()
            assert second_inside.wait(30)
        first_left.set()
        return is_grad_enabled()

    def enters_second_leaves_second(barrier):
        assert first_inside.wait(30)
        with shared:
            second_inside.set()
            assert first_left.wait(30)
            inside = is_grad_enabled()
        return inside, is_grad_enabled()

    assert run_together(enters_first_leaves_first, enters_second_leaves_second) == [True, (False, True)]


def test_one_no_grad_object_shared_by_asyncio_tasks_gives_each_its_own_block():
    shared = no_grad()

    async def task(delay):
        with shared:
            await asyncio.sleep(delay)  # the tasks enter together and leave in another order
            inside = is_grad_enabled()
        return inside, is_grad_enabled(), (Value(2.0) * Value(3.0)).is_leaf

    async def main():
        return await asyncio.gather(*(task(delay) for delay in (0.03, 0.0, 0.01, 0.02)))

    assert asyncio.run(main()) == [(False, True, False)] * 4
    assert is_grad_enabled()

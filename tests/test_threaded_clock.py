"""Moving the clock on the threaded runtime while other threads call the bank. A driver thread's
`advance` was refused as a reentrant ask (`ReentrantAsk`: "not by a job or reaction it runs")
whenever another thread's call was settling its cascade: 166 of 200 hourly advances failed beside
two threads recording deposits. Now only the caller's own job or reaction is refused; another
thread's cascade is waited for, and two threads moving the clock take turns."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from engine import Simulation
from engine.kernel.errors import ReentrantAsk

pytestmark = pytest.mark.timeout(180)
START = datetime(2024, 1, 1, tzinfo=UTC)


def closings(sim) -> int:
    sql = "SELECT COUNT(*) FROM outbox WHERE event_type = 'core.time.end-of-day'"
    return sim.journal.conn.execute(sql).fetchone()[0]


def test_a_driver_threads_advances_all_happen_while_other_threads_record_deposits():
    with Simulation(seed=1, start="2024-01-01", runtime="threaded") as sim:
        account = sim.deposit.create_account(sim.customer.create_customer("busy@bank.test"))
        stop, recorded, refused = threading.Event(), [], []

        def depositing() -> None:
            while not stop.is_set():
                sim.deposit.record_deposit(account, 1_00)
                recorded.append(1)

        workers = [threading.Thread(target=depositing) for _ in range(2)]
        for worker in workers:
            worker.start()
        try:
            for _ in range(60):
                try:
                    sim.advance(hours=1)
                except ReentrantAsk as refusal:
                    refused.append(refusal)
        finally:
            stop.set()
            for worker in workers:
                worker.join(30)
        assert refused == []
        assert sim.now == START + timedelta(hours=60)
        assert sim.deposit.balance(account) == len(recorded) * 1_00 > 0
        assert closings(sim) == 2  # 2 and 3 January 00:00 UTC, once each


def test_two_threads_moving_the_clock_take_turns():
    with Simulation(seed=1, start="2024-01-01", runtime="threaded") as sim:
        def driving() -> None:
            for _ in range(30):
                sim.advance(hours=1)

        drivers = [threading.Thread(target=driving) for _ in range(2)]
        for driver in drivers:
            driver.start()
        for driver in drivers:
            driver.join(60)
        assert sim.now == START + timedelta(hours=60)
        assert closings(sim) == 2


@pytest.mark.parametrize("runtime", ["deterministic", "threaded"])
def test_a_job_moving_the_clock_is_still_a_reentrant_ask(runtime):
    with Simulation(seed=1, start="2024-01-01", runtime=runtime) as sim:
        refused = []

        def job() -> None:
            try:
                sim.advance(hours=1)
            except ReentrantAsk as refusal:
                refused.append(refusal)

        sim.jobs.at(START + timedelta(hours=2), job)
        sim.advance(hours=3)
        assert len(refused) == 1 and refused[0].call == "advance"
        assert sim.now == START + timedelta(hours=3)

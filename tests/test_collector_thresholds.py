"""The cyclic collector's thresholds around a cascade: rarer while it runs inside a run's clock or an
import (`fewer_collections`), and the caller's own once that block ends, however many cascades ran."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest

from engine.kernel.runtime import _RARER, fewer_collections
from tests.conftest import open_account
from tests.support import Deposit


@pytest.fixture(autouse=True)
def _thresholds_kept():
    """A failing test leaves the collector's thresholds as they were for the next."""
    kept = gc.get_threshold()
    yield
    gc.set_threshold(*kept)


def test_cascades_inside_fewer_collections_keep_its_thresholds_and_the_callers_come_back_after(bank):
    open_account(bank, "a")
    before = gc.get_threshold()
    with fewer_collections():
        for amount in (1, 2, 3):
            bank.tell("account", "a", Deposit(amount))
            assert gc.get_threshold() == _RARER
            bank.settle()
            assert gc.get_threshold() == _RARER
        bank.execute("account", "a", Deposit(4))
        assert gc.get_threshold() == _RARER
    assert gc.get_threshold() == before and bank.state("account", "a").balance == 10


def test_commands_told_before_a_run_keep_the_run_at_the_rarer_thresholds_and_the_callers_come_back_after(bank):
    """Told before `advance`, the commands held the queue; the run drained it inside its clock's block
    and put the caller's thresholds back for the rest of the run (a year of days at CPython's
    defaults), then the block ended and left the rarer ones in place for the rest of the process."""
    open_account(bank, "a")
    before, inside = gc.get_threshold(), []
    bank.tell("account", "a", Deposit(1))
    assert gc.get_threshold() == _RARER
    bank.jobs.at(bank.clock.now + timedelta(hours=1), lambda: inside.append(gc.get_threshold()))
    bank.advance(hours=2)
    assert inside == [_RARER] and gc.get_threshold() == before
    assert bank.state("account", "a").balance == 1


def test_a_simulation_closed_with_commands_queued_gives_the_callers_thresholds_back(bank):
    open_account(bank, "a")
    before = gc.get_threshold()
    bank.tell("account", "a", Deposit(1))
    assert gc.get_threshold() == _RARER
    bank.close(deliver=False)
    assert gc.get_threshold() == before

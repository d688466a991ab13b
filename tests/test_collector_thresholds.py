"""The cyclic collector's thresholds around a cascade: rarer while it runs inside a run's clock or an
import (`fewer_collections`), and the caller's own once that block ends, however many cascades ran."""

from __future__ import annotations

import gc

from engine.kernel.runtime import _RARER, fewer_collections
from tests.conftest import open_account
from tests.support import Deposit


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

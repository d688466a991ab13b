"""Shared fixtures for the engine's own tests."""

from __future__ import annotations

import pytest

from engine import Simulation
from tests.support import ACCOUNT


@pytest.fixture(params=["file", "memory"])
def bank(request, tmp_path):
    """A simulation hosting only the test account aggregate; the journal/index contract tests run
    against both backends: a SQLite file and `:memory:`."""
    path = str(tmp_path / "journal.sqlite") if request.param == "file" else ":memory:"
    with Simulation(seed=7, journal=path, aggregates=[ACCOUNT]) as sim:
        yield sim


def open_account(sim, account_id: str, email: str | None = None, deposit: int = 0) -> None:
    from tests.support import Deposit, Open

    sim.execute("account", account_id, Open(account_id, email or f"{account_id}@bank.test"))
    if deposit:
        sim.execute("account", account_id, Deposit(deposit))

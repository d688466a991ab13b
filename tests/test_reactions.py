"""Reactions: policies as outbox consumers — cascades settle in the instant, cursors survive
restarts, failures are recorded and raised."""

from __future__ import annotations

import pytest

from domains.aggregate import Policy, Send
from domains.time import CALENDAR
from engine import Simulation
from engine.kernel.reaction import ReactionFailed
from tests.conftest import open_account
from tests.support import ACCOUNT, Deposit, Withdraw


def pay_interest(envelope: dict) -> tuple[Send, ...]:
    """Every end of day, one cent of interest to account 'a'."""
    return (Send("account", "a", Deposit(1)),)


def welcome_bonus(envelope: dict) -> tuple[Send, ...]:
    """A new account gets 100; the bonus itself publishes nothing, so the cascade ends."""
    return (Send("account", envelope["payload"]["entity"]["owner"], Deposit(100)),)


INTEREST = Policy("interest", ("core.time.end-of-day",), pay_interest, subject="interest-accrual")
BONUS = Policy("bonus", ("core.deposit.deposit-account-created",), welcome_bonus)


def make(path, policies=(INTEREST, BONUS)):
    return Simulation(seed=2, journal=str(path), aggregates=[ACCOUNT, CALENDAR], policies=list(policies))


def test_a_cascade_settles_before_the_call_returns(tmp_path):
    with make(tmp_path / "j.sqlite") as sim:
        open_account(sim, "a")
        sim.settle()
        assert sim.state("account", "a").balance == 100


def test_reactions_to_end_of_day_run_in_their_instant_with_causation_and_subject(tmp_path):
    with make(tmp_path / "j.sqlite") as sim:
        open_account(sim, "a")
        sim.advance(days=5)
        assert sim.state("account", "a").balance == 105
        interest = [r for r in sim.journal.stream("account", "a") if r.context["subject"] == "interest-accrual"]
        assert [r.recorded_at[:10] for r in interest] == ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05",
                                                          "2024-01-06"]
        assert all(r.context["causation"] for r in interest)


def test_consumer_cursor_resumes_after_a_restart_from_the_same_journal(tmp_path):
    path = tmp_path / "j.sqlite"
    with make(path) as sim:
        open_account(sim, "a")
        sim.advance(days=2)
    with make(path) as again:
        cursors = dict(again.journal.conn.execute("SELECT consumer, sequence FROM cursors"))
        assert cursors["interest"] > 0
        again.settle()
        assert again.state("account", "a").balance == 102  # nothing replayed twice


def test_a_failing_reaction_is_recorded_and_raised_not_lost(tmp_path):
    overdraw = Policy("overdraw", ("core.time.end-of-day",), lambda e: (Send("account", "a", Withdraw(10**9)),))
    with make(tmp_path / "j.sqlite", policies=[overdraw]) as sim:
        open_account(sim, "a")
        with pytest.raises(ReactionFailed) as err:
            sim.advance(days=1)
        assert err.value.consumer == "overdraw" and "InsufficientFunds" in err.value.error
        sim.settle(commit=True)
        rows = sim.journal.conn.execute("SELECT kind, context FROM failures ORDER BY id").fetchall()
        assert {kind for kind, _ in rows} == {"account", "consumer"}
        assert any('"event_type":"core.time.end-of-day"' in context for _, context in rows)


def test_reopening_a_journal_resumes_its_clock_and_end_of_day_sequence(tmp_path):
    path = tmp_path / "j.sqlite"
    with make(path, policies=[INTEREST]) as sim:
        open_account(sim, "a")
        sim.advance(days=2, hours=6)
    with make(path, policies=[INTEREST]) as again:
        assert again.clock.iso == "2024-01-03T06:00:00Z"
        again.advance(days=1)
        days = [e["payload"]["day"] for e in again.outbox.tail(types=["core.time.end-of-day"])]
        assert days == ["2024-01-02", "2024-01-03", "2024-01-04"]
        assert again.state("account", "a").balance == 3

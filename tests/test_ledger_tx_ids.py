"""Every id the journal records as a ledger transaction names a transaction the ledger holds:
a liquidation's proceeds of 0 cents with nothing sent out, and a fiscal year closed with no
profit or loss, post nothing, so they record no id (they used to record one naming nothing, which
a facility's history showed as the 0-cent repayment's transaction). `verify` checks it."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import orjson

from domains.accounting.fiscal_year import FiscalYearClosed
from domains.credit import std_terms
from engine import Simulation
from engine.inspect import open_readonly
from scenarios.behaviour.agents import LiquidationDesk

BTC, LOAN = 100_000_000, 1_000_000
PROCEEDS = "core.credit-collateral.liquidation-proceeds-received"


def _customer(sim) -> str:
    customer = sim.customer.create_customer("b0@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_00)
    return customer


def _posted(sim, tx_id: str) -> bool:
    found = sim.journal.conn.execute("SELECT 1 FROM ledger_transactions WHERE tx_id = ?", (tx_id,)).fetchone()
    return found is not None


def _sized_to_sell_nothing(sim) -> str:
    """Initial CVL 100 %: the crash's liquidation is sized (0 cents, 0 sats); the desk completes it."""
    terms = std_terms(duration=12, initial_cvl=Decimal(100), margin_call_cvl=Decimal(90), liquidation_cvl=Decimal(80))
    facility = sim.credit.create_proposal(_customer(sim), LOAN, terms)
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, BTC)
    desk = LiquidationDesk(sim)
    sim.price.set(700_000)  # CVL 70 %
    sim.advance(hours=3)
    assert [(e.sats_sold, e.proceeds_cents) for e in desk.executions] == [(0, 0)]
    return facility


def test_proceeds_of_a_liquidation_that_sent_nothing_name_no_ledger_transaction(tmp_path):
    """It posts nothing (no leg may hold 0): the history's 0-cent Repayment used to show a
    transaction id (`<liquidation>-proceeds`) that no ledger row had."""
    with Simulation(seed=3, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        sim.price.set(1_000_000)
        facility = _sized_to_sell_nothing(sim)
        [received] = sim.outbox.tail(types=[PROCEEDS])
        assert (received["payload"]["amount"], received["payload"]["ledger_tx_id"]) == (0, None)
        assert received["payload"]["payment_id"] is None  # nor a payment: none is recorded
        assert sim.outbox.tail(types=["core.credit-collection.payment-created"]) == []
        [repayment] = [h for h in sim.credit.history(facility) if h.kind == "Repayment"]
        assert (repayment.cents, repayment.tx_id) == (0, None)
        assert all(_posted(sim, h.tx_id) for h in sim.credit.history(facility) if h.tx_id is not None)
    with open_readonly(str(tmp_path / "j.db")) as view:
        assert view.verify()["ok"]


def test_proceeds_of_0_cents_for_dust_sent_out_name_the_transaction_that_moved_its_sats(tmp_path):
    """100 sats sold for 0 cents after slippage: the proceeds' transaction moves the sats alone."""
    with Simulation(seed=3, start="2024-01-01", journal=str(tmp_path / "j.db")) as sim:
        sim.price.set(1_000_000)
        facility = sim.credit.create_proposal(_customer(sim), LOAN, std_terms(duration=12))
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 130_000_000)
        desk = LiquidationDesk(sim, base_slippage_bps=50)
        sim.credit.record_payment(facility, LOAN - 1)
        sim.credit.update_collateral(facility, 100)
        sim.advance(hours=3)
        assert [(e.sats_sold, e.proceeds_cents) for e in desk.executions] == [(100, 0)]
        [repayment] = [h for h in sim.credit.history(facility) if h.kind == "Repayment"]
        assert repayment.cents == 0 and _posted(sim, repayment.tx_id)
        [received] = sim.outbox.tail(types=[PROCEEDS])
        assert received["payload"]["payment_id"] is None  # 0 cents pay nothing: no payment is named
    with open_readonly(str(tmp_path / "j.db")) as view:
        assert view.verify()["ok"]


def test_verify_names_an_event_recording_a_ledger_transaction_it_did_not_post(tmp_path):
    """A proceeds event edited to name a transaction (as lanasim wrote them before): verify says which."""
    path = str(tmp_path / "j.db")
    with Simulation(seed=3, start="2024-01-01", journal=path) as sim:
        sim.price.set(1_000_000)
        _sized_to_sell_nothing(sim)
    conn = sqlite3.connect(path)
    seq, payload = conn.execute("SELECT seq, payload FROM events WHERE type LIKE '%proceeds-received%'").fetchone()
    edited = orjson.loads(payload) | {"ledger_tx_id": "liq-proceeds"}
    conn.execute("UPDATE events SET payload = ? WHERE seq = ?", (orjson.dumps(edited).decode(), seq))
    conn.commit()
    conn.close()
    with open_readonly(path) as view:
        report = view.verify()
    assert not report["ok"]
    assert any(f"events seq {seq}" in p and "names ledger transaction liq-proceeds, which it does not post" in p
               for p in report["problems"]), report["problems"]


def test_a_year_closed_with_no_profit_or_loss_is_recorded_and_names_no_ledger_transaction(tmp_path):
    """Nothing to move into retained earnings: no closing transaction (Lana's would hold no entry,
    or a 0 on a new retained-earnings account), the year still closed as of 31 December with
    the balances it read (none); its id used to name a transaction the ledger never held."""
    path = str(tmp_path / "j.db")
    with Simulation(seed=3, start="2024-01-01", journal=path) as sim:
        _customer(sim)  # a deposit: the ledger has a balance sheet, no profit or loss
        sim.run_until("2025-01-02")
        for _ in range(12):
            sim.ledger.close_month()
        assert sim.ledger.close_year() == date(2024, 12, 31)
        [(_, closed)] = [(s, e) for s, e in sim.journal.events("fiscal-year", "fiscal-year-2024")
                         if isinstance(e, FiscalYearClosed)]
        assert (closed.closed_as_of, closed.balances, closed.ledger_tx_id) == (date(2024, 12, 31), (), None)
        assert sim.ledger.closed_as_of == date(2024, 12, 31)
        assert sim.ledger.balance("retained-earnings") == sim.ledger.balance("retained-losses") == 0
        assert sim.ledger.balance("deposit-omnibus") == 10_00 and sim.ledger.is_balanced()
    with open_readonly(path) as view:
        assert view.verify()["ok"]

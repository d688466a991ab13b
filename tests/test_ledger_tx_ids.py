"""Every id the journal records as a ledger transaction names a transaction the ledger holds:
a liquidation's proceeds of 0 cents with nothing sent out, and a fiscal year closed with no
profit or loss, post nothing, so they record no id (they used to record one naming nothing, which
a facility's history showed as the 0-cent repayment's transaction). `verify` checks it, for every
event naming one: deposits, withdrawals, freezes, activations, disbursals, accrual postings,
payments, allocations, collateral and liquidations (a transaction deleted from the ledger is
named with each event that names it)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from decimal import Decimal

import orjson
import pytest

from domains.accounting.fiscal_year import FiscalYearClosed
from domains.credit import CREDIT_FACILITY, DISBURSAL, INTEREST_ACCRUAL_CYCLE, DisbursalPolicy, Period, std_terms
from domains.credit.facility import DisbursalCancelled, InterestAccrualCycleConcluded, InterestAccrualsPosted
from domains.deposit import (
    DEPOSIT_ACCOUNT,
    WITHDRAWAL,
    AccountStatus,
    DepositAccountFrozen,
    WithdrawalApprovalConcluded,
    WithdrawalDenied,
    WithdrawalStatus,
)
from engine import Simulation
from engine.inspect import open_readonly
from scenarios.behaviour.agents import LiquidationDesk
from scenarios.cli import main

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


# the payload fields in which each event kind names a ledger transaction (where it posts one)
NAMING = {
    "deposit.deposit.initialized": "ledger_tx_id", "deposit.deposit.reverted": "ledger_tx_id",
    "deposit.withdrawal.initialized": "ledger_tx_id", "deposit.withdrawal.confirmed": "ledger_tx_id",
    "deposit.withdrawal.cancelled": "ledger_tx_id", "deposit.withdrawal.reverted": "ledger_tx_id",
    "deposit.account.frozen": "ledger_tx_id", "deposit.account.unfrozen": "ledger_tx_id",
    "credit.credit-facility.initialized": ("activation_tx_id", "structuring_fee_tx_id"),
    "credit.credit-facility.interest-accrual-cycle-concluded": "tx_id",
    "credit.interest-accrual-cycle.interest-accruals-posted": "tx_id",
    "credit.disbursal.initialized": "id", "credit.disbursal.settled": "tx_id",
    "credit.disbursal.structuring-fee-charged": "tx_id",
    "credit.payment.initialized": "id", "credit.payment-allocation.initialized": "id",
    "credit.collateral.updated-via-manual-input": "tx_id", "credit.collateral.updated-via-liquidation": "tx_id",
    "credit.liquidation.collateral-sent-out": "ledger_tx_id",
    "credit.liquidation.proceeds-received-and-liquidation-completed": "ledger_tx_id",
}


@pytest.fixture(scope="module")
def journal(tmp_path_factory) -> str:
    """Deposits (one reverted), withdrawals confirmed, cancelled and reverted, an account frozen
    and unfrozen with money on it and one frozen empty (it names no transaction: nothing moved), a
    multi-disbursal facility whose first cycle accrued nothing (posting nothing) before a disbursal
    awaiting approval, its interest posted and a payment allocated, and a facility with a fee
    liquidated at a crash."""
    path = str(tmp_path_factory.mktemp("ledger-ids") / "j.db")
    with Simulation(seed=3, start="2024-01-01", journal=path) as sim:
        sim.price.set(1_000_000)
        customer = sim.customer.create_customer("b0@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, 50_000_00)
        sim.deposit.revert_deposit(sim.deposit.record_deposit(account, 1_00))
        paid = sim.deposit.initiate_withdrawal(account, 100_00)
        sim.deposit.confirm_withdrawal(paid)
        sim.deposit.cancel_withdrawal(sim.deposit.initiate_withdrawal(account, 50_00))
        sim.deposit.revert_withdrawal(paid)
        sim.deposit.freeze_account(account)
        sim.deposit.unfreeze_account(account)
        sim.deposit.freeze_account(sim.deposit.create_account(customer))
        terms = std_terms(one_time_fee_rate=Decimal(0), disbursal_policy=DisbursalPolicy.MULTIPLE)
        drawn = sim.credit.create_proposal(customer, LOAN, terms)
        sim.credit.conclude_customer_approval(drawn)
        sim.credit.update_collateral(drawn, 2 * BTC)
        sim.advance(days=40)
        sim.credit.initiate_disbursal(drawn, LOAN // 2)
        sim.advance(days=35)
        sim.credit.record_payment(drawn, 10_00)
        crashed = sim.credit.create_proposal(customer, LOAN, std_terms(duration=12))
        sim.credit.conclude_customer_approval(crashed)
        sim.credit.update_collateral(crashed, 130_000_000)
        desk = LiquidationDesk(sim)
        sim.price.set(700_000)
        sim.advance(hours=3)
        assert [e.sats_sold for e in desk.executions] == [130_000_000]
    return path


def _naming(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(seq, type, `kind id`, tx id) of every id the events name in a `NAMING` field, in seq order
    (a pre-approved disbursal's id is no transaction's: it posts nothing until it settles)."""
    rows = conn.execute("SELECT e.seq, e.type, n.kind || ' ' || n.id, e.payload FROM events e "
                        "JOIN entities n ON n.entity = e.entity ORDER BY e.seq")
    found = []
    for seq, kind, entity, payload in rows:
        fields, event = NAMING.get(kind, ()), orjson.loads(payload)
        if event.get("pre_approved"):
            continue
        for field in (fields,) if isinstance(fields, str) else fields:
            tx_id = event[field]
            if tx_id is not None:
                found.append((seq, kind, entity, tx_id))
    return found


def test_a_sound_journal_of_every_kind_naming_a_ledger_transaction_verifies(journal):
    """A cycle of 0 cents names an id no transaction has, as Lana's does; nothing posted it and
    nothing says it was (the cycle's AccrualPosted shows no posting). An empty account's freeze
    names none (it named `<account>:freeze:N`, which no transaction had)."""
    conn = sqlite3.connect(journal)
    named = _naming(conn)
    held = {tx_id for (tx_id,) in conn.execute("SELECT tx_id FROM ledger_transactions")}
    conn.close()
    assert sorted({kind for _, kind, _, _ in named}) == sorted(NAMING)
    unposted = sorted({kind for _, kind, _, tx_id in named if tx_id not in held})
    assert unposted == ["credit.credit-facility.interest-accrual-cycle-concluded",
                        "credit.interest-accrual-cycle.interest-accruals-posted"]
    frozen = [orjson.loads(p) for (p,) in sqlite3.connect(journal).execute(
        "SELECT payload FROM events WHERE type = 'deposit.account.frozen' ORDER BY seq")]
    assert [(f["amount"] > 0, f["ledger_tx_id"] is None) for f in frozen] == [(True, False), (False, True)]
    with open_readonly(journal) as view:
        report = view.verify()
    assert report["ok"], report["problems"]


DELETED = ["deposit.deposit.initialized", "deposit.deposit.reverted", "deposit.withdrawal.initialized",
           "deposit.withdrawal.confirmed", "deposit.withdrawal.cancelled", "deposit.withdrawal.reverted",
           "deposit.account.frozen", "deposit.account.unfrozen", "credit.credit-facility.initialized",
           "credit.disbursal.initialized", "credit.disbursal.settled", "credit.disbursal.structuring-fee-charged",
           "credit.interest-accrual-cycle.interest-accruals-posted", "credit.payment.initialized",
           "credit.payment-allocation.initialized", "credit.liquidation.collateral-sent-out"]


def _verified_without(journal: str, tmp_path, chosen) -> tuple[list[tuple[int, str, str, str]], dict]:
    """A copy of `journal` without the ledger transactions `chosen(named, held)` names (see `_naming`),
    verified (not ok): what the events name, and verify's report with the ids deleted as `deleted`."""
    path = str(tmp_path / "j.db")
    shutil.copy(journal, path)
    conn = sqlite3.connect(path)
    named = _naming(conn)
    deleted = chosen(named, {tx_id for (tx_id,) in conn.execute("SELECT tx_id FROM ledger_transactions")})
    conn.executemany("DELETE FROM ledger_transactions WHERE tx_id = ?", [(t,) for t in deleted])
    conn.commit()
    conn.close()
    with open_readonly(path) as view:
        report = view.verify()
    assert not report["ok"]
    return named, {**report, "deleted": deleted}


@pytest.mark.parametrize("kind", DELETED)
def test_verify_names_each_event_naming_a_transaction_deleted_from_the_ledger(journal, tmp_path, kind):
    """The first transaction an event of `kind` names that the ledger holds, deleted: verify names
    every event naming it (an accrual posting's is named by its facility's concluded cycle too, a
    structuring fee's by the facility's activation, a sat sent out's by its collateral) with the id."""
    named, report = _verified_without(journal, tmp_path, lambda named, held: [
        next(t for _, k, _, t in named if k == kind and t in held)])
    [tx_id] = report["deleted"]
    expected = [f"events seq {seq}: {entity} names ledger transaction {tx_id}, which the ledger does not hold"
                for seq, _, entity, t in named if t == tx_id]
    assert len(expected) >= 1 + (kind in ("credit.interest-accrual-cycle.interest-accruals-posted",
                                          "credit.liquidation.collateral-sent-out"))
    assert sorted(p for p in report["problems"] if p.startswith("events ")) == sorted(expected)


def test_verify_exits_1_naming_a_concluded_cycle_edited_to_name_a_posting_the_ledger_lacks(journal, tmp_path,
                                                                                          capsys):
    """A facility's concluded cycle names its cycle's posting, which the cycle posts: an id edited
    into one the ledger lacks is named, from the command line too."""
    path = str(tmp_path / "j.db")
    shutil.copy(journal, path)
    conn = sqlite3.connect(path)
    seq, payload = conn.execute("SELECT seq, payload FROM events WHERE type = ? AND payload LIKE '%cycle-2%'",
                                ("credit.credit-facility.interest-accrual-cycle-concluded",)).fetchone()
    facility = conn.execute("SELECT n.id FROM events e JOIN entities n ON n.entity = e.entity WHERE e.seq = ?",
                            (seq,)).fetchone()[0]
    edited = orjson.loads(payload) | {"tx_id": "cycle-posting"}
    conn.execute("UPDATE events SET payload = ? WHERE seq = ?", (orjson.dumps(edited).decode(), seq))
    conn.commit()
    conn.close()
    assert main(["verify", path]) == 1
    line = (f"events seq {seq}: credit-facility {facility} names ledger transaction cycle-posting, which the ledger "
            "does not hold")
    assert line in capsys.readouterr().out


def test_a_denied_withdrawal_and_a_cancelled_disbursal_name_their_transactions_and_nothing_posted_names_none():
    """Kinds the journal above lacks: a denial's and a cancellation's transactions are named (they
    post them); a cycle of 0 cents, an empty account's freeze and a cycle concluded with no
    obligation name none."""
    day = date(2024, 1, 31)
    assert WITHDRAWAL.ledger_tx_ids(WithdrawalDenied("w-1:deny", WithdrawalStatus.DENIED, day)) == ("w-1:deny",)
    assert WITHDRAWAL.ledger_tx_ids(WithdrawalApprovalConcluded("w-1", False, WithdrawalStatus.DENIED)) == ()
    assert DISBURSAL.ledger_tx_ids(DisbursalCancelled("d-1-cancel", day)) == ("d-1-cancel",)
    posted = InterestAccrualsPosted(1, Period(date(2024, 1, 1), day), 0, None, day, "f-1-interest-accrual-cycle-1")
    assert INTEREST_ACCRUAL_CYCLE.ledger_tx_ids(posted) == ()
    assert CREDIT_FACILITY.ledger_tx_refs(InterestAccrualCycleConcluded(1, "f-1-interest-accrual-cycle-1", None)) == ()
    assert DEPOSIT_ACCOUNT.ledger_tx_ids(DepositAccountFrozen(AccountStatus.FROZEN, 0, None, day)) == ()
    # a journal written before empty freezes named none: its id posts nothing and is not checked
    assert DEPOSIT_ACCOUNT.ledger_tx_ids(DepositAccountFrozen(AccountStatus.FROZEN, 0, "a-1:freeze:1", day)) == ()


def test_many_bad_ledger_rows_crowd_out_none_of_the_events_naming_them(journal, tmp_path):
    """Six transactions deleted from the ledger: verify names up to five of the ledger's problems and,
    apart from them, up to five events naming a deleted transaction (they were crowded out: the check
    stopped at five problems in all, and the ledger's came first)."""
    named, report = _verified_without(journal, tmp_path, lambda named, held: list(
        dict.fromkeys(t for _, _, _, t in named if t in held))[:6])
    gone = report["deleted"]
    expected = [f"events seq {seq}: {entity} names ledger transaction {t}, which the ledger does not hold"
                for seq, _, entity, t in named if t in gone]
    events = [p for p in report["problems"] if p.startswith("events ")]
    ledger = [p for p in report["problems"] if p.startswith("ledger_transactions ")]
    assert len(expected) >= 6 and len(events) == 5 and set(events) <= set(expected)
    assert 1 <= len(ledger) <= 5

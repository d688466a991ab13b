"""One facility's life, checked day by day against the ledger (Lana:
core/credit/src/credit_facility/interest_accrual_cycle/entity.rs; core/credit/collection/src/obligation/mod.rs;
core/credit/src/ledger/credit_facility_accounts.rs).

Story: a $1M single-disbursal facility is activated at 10:00 on 15 Jan 2024 (a leap year) for three
months at 12 %. It accrues every day and posts each month; a partial payment on 10 Feb goes to the
January interest, the rest of which goes overdue on 21 Mar (due 31 Jan + 50 days); a late payment on
25 Mar clears it, February's interest and some principal. After maturity (15 Apr) everything is
due; the principal goes overdue on 4 Jun, the borrower pays everything off on 10 Jun and the
facility is completed. The bank is read every day at 10:00, after the night's work.
Covers: books == ledger receivables == obligations' outstanding, debits == credits, every day;
ceil-to-the-cent daily accrual on the principal then outstanding; activation and maturity days
charged; each posting == the sum of its cycle's accruals; allocation order and buckets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import attrs
import pytest

from domains.credit import ObligationStatus, ObligationType, std_terms
from domains.credit.facility import InterestAccrued
from engine import Simulation
from engine.bank.service.credit import Books

START, ACTIVATION_HOUR = "2024-01-15", 10
AMOUNT, RATE_PCT, OVERDUE_DAYS = 1_000_000_00, 12, 50
DEPOSIT, COLLATERAL, PRICE = 100_000_00, 30 * 100_000_000, 7_000_000
FEE = 100_00  # 0.01 % of AMOUNT, from the deposit at activation
PARTIAL_ON, PARTIAL = date(2024, 2, 10), 3_000_00
LATE_ON, LATE = date(2024, 3, 25), 15_000_00
PAYOFF_ON = date(2024, 6, 10)
ACTIVATION_DAY, MATURITY_DAY = date(2024, 1, 15), date(2024, 4, 15)
NOT_PAYABLE, PAYABLE = (ObligationStatus.NOT_YET_DUE,), (ObligationStatus.DUE, ObligationStatus.OVERDUE)


@attrs.frozen
class Day:
    """What the bank looked like at the end of one step of the story."""

    on: date
    at: datetime
    books: Books
    ledger: dict  # (account, currency, layer) -> normal-side balance, from the trial balance
    totals: dict  # (currency, layer) -> (debits, credits)
    obligations: tuple
    cycle_total: int  # accrued in the in-progress cycle, not yet posted


@attrs.frozen
class Life:
    sim: Simulation
    facility: str
    days: tuple[Day, ...]
    accruals: tuple[InterestAccrued, ...]
    principal_at: dict  # accrual period end -> the disbursed outstanding when it was accrued
    postings: tuple[dict, ...]  # `core.credit.accrual-posted` entities
    interest_obligations: tuple
    allocations: dict  # payment id -> its allocation states, in allocation order
    payments: dict  # date -> payment id


@pytest.fixture(scope="module")
def life() -> Life:
    with Simulation(seed=11, start=START) as sim:
        sim.price.set(PRICE)
        customer = sim.customer.create_customer("ledger@bank.test")
        account = sim.deposit.create_account(customer)
        sim.deposit.record_deposit(account, DEPOSIT)
        sim.advance(hours=ACTIVATION_HOUR)
        facility = sim.credit.create_proposal(customer, AMOUNT, std_terms())
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, COLLATERAL)
        days, principal_at, payments = [snapshot(sim, facility)], {}, {}
        while sim.now.date() < PAYOFF_ON:
            principal = sim.credit.principal(facility)
            sim.advance(days=1)
            for accrued in accruals_of(sim, facility):
                principal_at.setdefault(accrued.period.end, principal)
            amount = {PARTIAL_ON: PARTIAL, LATE_ON: LATE, PAYOFF_ON: sim.credit.facility(facility).books.outstanding}
            if sim.now.date() in amount:
                payments[sim.now.date()] = sim.credit.record_payment(facility, amount[sim.now.date()])
            days.append(snapshot(sim, facility))
        sim.credit.complete_facility(facility)
        days.append(snapshot(sim, facility))
        yield Life(sim, facility, tuple(days), accruals_of(sim, facility), principal_at, postings_of(sim),
                   tuple(o for o in sim.credit.obligations(facility) if o.obligation_type is ObligationType.INTEREST),
                   allocations_of(sim), payments)


def snapshot(sim, facility: str) -> Day:
    ledger, totals = {}, defaultdict(lambda: (0, 0))
    for line in sim.ledger.trial_balance():
        key = (line.currency.value, line.layer.value)
        ledger[(line.account, *key)] = line.balance
        totals[key] = (totals[key][0] + line.debit, totals[key][1] + line.credit)
    f = sim.state("credit-facility", facility)
    return Day(sim.now.date(), sim.now, sim.credit.facility(facility).books, ledger, dict(totals),
               tuple(sim.credit.obligations(facility)),
               0 if f.cycle is None else sim.state("interest-accrual-cycle", f.cycle.id).total)


def accruals_of(sim, facility: str) -> tuple[InterestAccrued, ...]:
    """Every accrual of the facility's cycles (each cycle its own aggregate), cycle by cycle."""
    cycles = sim.index("interest-accrual-cycle").ids_where("facility_id", (facility,))
    return tuple(s.event for cycle in sorted(cycles, key=lambda c: int(c.rsplit("-", 1)[1]))
                 for s in sim.journal.stream("interest-accrual-cycle", cycle) if isinstance(s.event, InterestAccrued))


def postings_of(sim) -> tuple[dict, ...]:
    return tuple(e["payload"]["entity"] for e in sim.outbox.tail(types=["core.credit.accrual-posted"]))


def allocations_of(sim) -> dict:
    allocations = defaultdict(list)
    for envelope in sim.outbox.tail(types=["core.credit-collection.payment-allocation-created"]):
        entity = envelope["payload"]["entity"]
        allocations[entity["payment_id"]].append(sim.state("payment-allocation", entity["id"]))
    return dict(allocations)


def settled(day: Day, account: str) -> int:
    return day.ledger.get((account, "USD", "settled"), 0)


def books_from_ledger(day: Day, facility: str) -> Books:
    """The facility's receivables read account by account from the trial balance."""
    def owed(kind: str, *buckets: str) -> int:
        return sum(settled(day, f"{kind}-receivable-{b}:{facility}") for b in buckets)
    return Books(owed("disbursed", "not-yet-due", "due", "overdue"), owed("interest", "not-yet-due", "due", "overdue"),
                 owed("disbursed", "due", "overdue"), owed("interest", "due", "overdue"),
                 settled(day, f"disbursed-defaulted:{facility}") + settled(day, f"interest-defaulted:{facility}"))


def books_from_obligations(day: Day) -> Books:
    """The same figures from the obligations' own outstanding amounts and statuses."""
    def owed(kind: ObligationType, statuses: tuple) -> int:
        return sum(o.outstanding for o in day.obligations if o.obligation_type is kind and o.status in statuses)
    principal, interest = ObligationType.DISBURSAL, ObligationType.INTEREST
    defaulted = (ObligationStatus.DEFAULTED,)
    return Books(owed(principal, NOT_PAYABLE + PAYABLE), owed(interest, NOT_PAYABLE + PAYABLE),
                 owed(principal, PAYABLE), owed(interest, PAYABLE),
                 owed(principal, defaulted) + owed(interest, defaulted))


def one_period_of_interest(principal: int, days: int) -> int:
    """ceil(principal × rate% × days / 365) to the cent, in integers."""
    return -(-principal * RATE_PCT * days // (100 * 365))


# -- every day ------------------------------------------------------------------------------------
def test_every_day_the_books_equal_the_facility_receivable_accounts_of_the_ledger(life):
    assert [d.on for d in life.days if d.books != books_from_ledger(d, life.facility)] == []
    assert {d.books.payable_interest > 0 for d in life.days} == {True, False}  # both states were seen


def test_every_day_the_books_equal_the_outstanding_of_the_obligations_by_type_and_status(life):
    assert [d.on for d in life.days if d.books != books_from_obligations(d)] == []


def test_every_day_debits_equal_credits_in_each_currency_and_layer(life):
    assert [(d.on, key) for d in life.days for key, (debits, credits) in d.totals.items() if debits != credits] == []
    assert {key for d in life.days for key in d.totals} == {("USD", "settled"), ("USD", "pending"), ("BTC", "settled")}


def test_every_day_the_receivables_are_what_the_uncovered_outstanding_and_payment_holding_accounts_say(life):
    """Payments debit uncovered outstanding into payment holding; allocations move holding to receivables."""
    f = life.facility
    assert [d.on for d in life.days if d.books.outstanding + d.books.defaulted
            != settled(d, f"uncovered-outstanding:{f}") + settled(d, f"payment-holding:{f}")] == []
    assert [d.on for d in life.days if settled(d, f"payment-holding:{f}") != 0] == []


def test_every_day_the_pending_interest_receivable_is_what_the_open_cycle_has_accrued(life):
    account = f"interest-receivable-not-yet-due:{life.facility}"
    assert [d.on for d in life.days if d.ledger.get((account, "USD", "pending"), 0) != d.cycle_total] == []
    assert max(d.cycle_total for d in life.days) > 0


def test_the_ledger_as_of_any_past_day_shows_that_days_balances(life):
    """Time travel: balances recomputed from the stored entries up to each instant."""
    def as_of(d: Day) -> dict:
        return {(line.account, line.currency.value, line.layer.value): line.balance
                for line in life.sim.ledger.trial_balance(as_of=d.at)}
    assert [d.on for d in earlier_instants(life) if as_of(d) != d.ledger] == []


def test_the_facility_as_of_any_past_day_has_that_days_accruals_in_progress(life):
    def in_progress(d: Day) -> int:
        cycle = life.sim.load("credit-facility", life.facility, as_of=d.at).cycle
        return 0 if cycle is None else life.sim.load("interest-accrual-cycle", cycle.id, as_of=d.at).total
    assert [d.on for d in earlier_instants(life) if in_progress(d) != d.cycle_total] == []


def earlier_instants(life: Life) -> list[Day]:
    """Days before the last instant (the payoff and the completion share 10 Jun 10:00)."""
    return [d for d in life.days if d.at < life.days[-1].at]


# -- accrual ----------------------------------------------------------------------------------------
def test_each_daily_accrual_is_the_ceiling_of_a_day_of_interest_on_the_principal_then_outstanding(life):
    wrong = [(a.period.end, a.amount) for a in life.accruals
             if a.amount != one_period_of_interest(life.principal_at[a.period.end], a.period.days)]
    assert wrong == []
    assert {a.amount for a in life.accruals} == {32_877, 32_783}  # $1M, then $997,123.42 after the late payment


def test_accruals_cover_each_day_from_the_activation_day_to_the_maturity_day_once(life):
    days = [a.period.start for a in life.accruals]
    assert all(a.period.days == 1 and a.period.start == a.period.end for a in life.accruals)
    assert (days[0], days[-1], len(days), len(set(days))) == (ACTIVATION_DAY, MATURITY_DAY, 92, 92)


def test_each_monthly_posting_equals_the_sum_of_its_cycles_daily_accruals(life):
    accrued = defaultdict(int)
    for a in life.accruals:
        accrued[(a.period.start.replace(day=1))] += a.amount
    posted = {date.fromisoformat(p["period"]["start"][:10]).replace(day=1): p["posting"]["amount"]
              for p in life.postings}
    assert posted == dict(accrued)
    assert [p["period"]["end"] for p in life.postings] == [  # the last cycle ends at maturity's first instant
        "2024-01-31T23:59:59Z", "2024-02-29T23:59:59Z", "2024-03-31T23:59:59Z", "2024-04-15T00:00:00Z"]


def test_each_posting_becomes_an_interest_obligation_due_at_the_end_of_its_cycle(life):
    posted = [(p["posting"]["amount"], p["due_at"]) for p in life.postings]
    owed = [(o.amount, o.due_date.isoformat()) for o in life.interest_obligations]
    assert owed == posted
    assert all((o.overdue_date - o.due_date).days == OVERDUE_DAYS for o in life.interest_obligations)


def test_the_leap_february_is_accrued_for_29_days(life):
    february = [a for a in life.accruals if a.period.start.month == 2]
    assert (len(february), february[-1].period.end) == (29, date(2024, 2, 29))
    assert life.postings[1]["posting"]["amount"] == 29 * 32_877


# -- payments -------------------------------------------------------------------------------------
def test_the_partial_payment_goes_to_the_january_interest_then_due(life):
    [allocation] = life.allocations[life.payments[PARTIAL_ON]]
    january = life.interest_obligations[0]
    assert (allocation.obligation_id, allocation.amount, allocation.receivable_bucket) == (january.id, PARTIAL, "due")


def test_the_late_payment_clears_the_overdue_january_interest_then_february_then_principal(life):
    allocations = life.allocations[life.payments[LATE_ON]]
    january, february = life.interest_obligations[:2]
    assert [(a.obligation_id, a.receivable_bucket) for a in allocations[:2]] == [
        (january.id, "overdue"), (february.id, "due")]
    assert [a.amount for a in allocations] == [january.amount - PARTIAL, february.amount,
                                               LATE - (january.amount - PARTIAL) - february.amount]
    principal = allocations[2]
    assert (principal.obligation_type, principal.receivable_bucket) == (ObligationType.DISBURSAL, "not-yet-due")


def test_paying_off_and_completing_leaves_the_facility_accounts_empty_and_the_collateral_returned(life):
    last, f = life.days[-1], life.facility
    owned = {account: balance for (account, _, _), balance in last.ledger.items() if account.endswith(f":{f}")}
    receivables = {a: b for a, b in owned.items() if "receivable" in a or "defaulted" in a}
    assert set(receivables.values()) == {0} and settled(last, f"uncovered-outstanding:{f}") == 0
    assert all(o.status is ObligationStatus.PAID for o in last.obligations)
    payoff = {(a.obligation_type, a.receivable_bucket) for a in life.allocations[life.payments[PAYOFF_ON]]}
    assert (ObligationType.DISBURSAL, "overdue") in payoff  # the principal went overdue on 4 Jun


def test_the_borrower_paid_the_fee_and_exactly_the_interest_posted_and_the_bank_earned_both(life):
    last, interest = life.days[-1], sum(p["posting"]["amount"] for p in life.postings)
    deposits = [balance for (account, _, layer), balance in last.ledger.items()
                if account.startswith("deposit:") and layer == "settled"]
    assert deposits == [DEPOSIT - FEE - interest]
    assert (settled(last, f"interest-income:{life.facility}"), settled(last, f"fee-income:{life.facility}")) == (
        interest, FEE)
    assert sum(b for (a, cur, _), b in last.ledger.items() if cur == "BTC" and a.startswith("collateral:")) == 0

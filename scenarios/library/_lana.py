"""Verb phrases Lana's six sim-bootstrap stories share (Lana: lana/sim-bootstrap/src/lib.rs): a
customer with a deposit, a facility opened on BTC collateral, due obligations read from the outbox,
payments, pay-off and completion, and the summary each story returns. Amounts are USD cents unless a name says `usd`
(in a summary, every amount is integer cents under a name ending `_cents`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from domains.wire import from_pascal, pascal
from scenarios.library.params import Param, checks

__all__ = [
    "FACILITY_PARAMS",
    "SATS_PER_BTC",
    "USD",
    "StoryFailed",
    "a_customer_with_deposit",
    "a_facility_is_opened",
    "bitcoin_trades_at",
    "check",
    "check_paid_off",
    "day_by_day",
    "days_since",
    "disbursed",
    "interest_posted",
    "obligations_due_since",
    "outstanding",
    "overdue_obligations",
    "paid",
    "pays",
    "pays_off_and_completes",
    "summary",
    "today",
    "usd",
]

USD, SATS_PER_BTC = 100, 100_000_000
FACILITY_PARAMS = (  # the borrower, facility, collateral and price every one of the six stories takes
    Param("deposit_usd", 10_000_000, "USD", "the borrower's deposit before the facility opens (0: none); a story "
          "that ends paid off needs the structuring fee and the facility's interest", 0, 10**10),
    Param("facility_usd", 10_000_000, "USD", "the facility amount (Lana's sim: $10M)", 1, 10**10),
    Param("btc", 230, "BTC", "collateral posted to activate the facility (CVL must reach 125 %)", 1, 21_000_000),
    Param("btc_usd", 70_000, "USD/BTC", "the bitcoin price, constant all along", 1, 10_000_000),
)
CONCLUDED, ACTIVATED = "core.credit.facility-proposal-concluded", "core.credit.facility-activated"
POSTED, SETTLED = "core.credit.accrual-posted", "core.credit.disbursal-settled"
DUE, OVERDUE = "core.credit-collection.obligation-due", "core.credit-collection.obligation-overdue"
OBLIGATION_PAID = "core.credit-collection.obligation-completed"
PAYMENT, ALLOCATION = "core.credit-collection.payment-created", "core.credit-collection.payment-allocation-created"


class StoryFailed(Exception):
    """A story's own check failed, where Lana's scenario would bail with an error."""


@checks("btc x btc_usd reaches the margin-call CVL of facility_usd (125 % on Lana's terms), or the facility "
        "never activates")
def check(params: dict) -> None:
    """`ScenarioError` naming the CVL reached and the one needed (the rule: its `checks` text)."""
    from domains.credit.terms import std_terms
    from scenarios.library.params import ScenarioError

    need = std_terms().margin_call_cvl
    cvl = params["btc"] * params["btc_usd"] * 100 / params["facility_usd"]
    if cvl < need:
        raise ScenarioError(f"collateral btc={params['btc']} at btc_usd={params['btc_usd']} is a CVL of {cvl:.0f} % "
                            f"of facility_usd={params['facility_usd']}; activation needs at least {need} %")


@checks("btc x btc_usd reaches the margin-call CVL of facility_usd (125 % on Lana's terms), and deposit_usd "
        "covers the structuring fee and the most interest the facility can charge, which the borrower pays from "
        "the deposit account")
def check_paid_off(params: dict, terms=None, draws: dict[int, int] | None = None) -> None:
    """`check`, and the deposit covers what a story that ends with the facility paid off takes from
    the deposit account beyond the principal it received: the structuring fee and the facility's
    interest (`fee_and_interest`). A smaller deposit ran until the deposit account fell short, ended
    in a bare `OverdraftPrevented` (or, at 0, `NonPositiveAmount`) and left a half-written run
    directory. The bound is the most interest the facility can charge (every drawn cent outstanding
    to the maturity day's own accrual): a story whose borrower repays on the maturity day needs one
    day's interest less, but which day the principal is repaid depends on `days` and the borrower's
    habits, so the bound a user can rely on is named. `terms` default to `std_terms()`; `draws` are
    {day after activation: cents} (default: the whole facility at activation)."""
    from domains.credit.terms import std_terms
    from scenarios.library.params import ScenarioError

    check(params)
    need = fee_and_interest(params["facility_usd"] * USD, terms or std_terms(), draws)
    if params["deposit_usd"] * USD < need:
        raise ScenarioError(
            f"deposit_usd={params['deposit_usd']} is too small: on facility_usd={params['facility_usd']} the borrower "
            f"pays up to {usd(need)} of structuring fee and interest from the deposit account; set deposit_usd to "
            f"at least {-(-need // USD)}")


STORY_START = "2024-01-01"  # each of the six stories' START, the day its facility activates


def term_days(terms) -> int:
    """Days from activation (on STORY_START) to maturity: 91 for 3 months, 366 for 12."""
    from domains.credit.math import add_months

    opened = date.fromisoformat(STORY_START)
    return (add_months(opened, terms.duration) - opened).days


def fee_and_interest(facility_cents: int, terms, draws: dict[int, int] | None = None) -> int:
    """The structuring fee plus the interest of each day from activation to maturity (the maturity
    day is its own one-day cycle) on the principal drawn by then, none of it repaid: Lana's daily
    `ceil(principal x rate / 365)`, summed. A multiple-disbursal facility's fee is also its first
    disbursal, so it accrues too."""
    from domains.credit.math import interest_for_period, one_time_fee

    fee = one_time_fee(facility_cents, terms.one_time_fee_rate)
    drawn = dict(draws) if draws is not None else {0: facility_cents}
    if not terms.is_single_disbursal:
        drawn[0] = drawn.get(0, 0) + fee
    principal, interest = 0, 0
    for day in range(term_days(terms) + 1):
        principal += drawn.get(day, 0)
        interest += interest_for_period(principal, 1, terms.annual_rate) if principal else 0
    return fee + interest


# -- the bank and its borrower -----------------------------------------------------------
def bitcoin_trades_at(sim, btc_usd: int) -> None:
    sim.price.set(btc_usd * USD)


def a_customer_with_deposit(sim, name: str, cents: int) -> str:
    """Lana's `create_customer_bypassing_kyc` + `make_deposit`: a customer whose account holds `cents`
    (0: an empty account; a deposit of 0 is no deposit, which the bank refuses to record)."""
    customer = sim.customer.create_customer(f"{name}@lana-sim.test")
    account = sim.deposit.create_account(customer)
    if cents:
        sim.deposit.record_deposit(account, cents)
    return customer


def a_facility_is_opened(sim, customer: str, amount: int, terms, btc: int = 230, patience_days: int = 30) -> str:
    """Propose, let the customer approve, post `btc` once governance approves, wait for activation."""
    facility = sim.credit.create_proposal(customer, amount, terms)
    sim.credit.conclude_customer_approval(facility)
    _waits_for(sim, CONCLUDED, facility, patience_days)
    concluded = sim.outbox.tail(types=[CONCLUDED], where={"entity.id": facility})[-1]["payload"]["entity"]
    if concluded["status"] != "Approved":  # Lana spells the status as its variant name
        raise StoryFailed(f"proposal {facility} was denied")
    sim.credit.update_collateral(facility, btc * SATS_PER_BTC)
    _waits_for(sim, ACTIVATED, facility, patience_days)
    return facility


def _waits_for(sim, event_type: str, facility: str, patience_days: int) -> None:
    for _ in range(patience_days + 1):
        if sim.outbox.tail(types=[event_type], where={"entity.id": facility}):
            return
        sim.advance(days=1)
    raise StoryFailed(f"no {event_type} for {facility} within {patience_days} days")


# -- time --------------------------------------------------------------------------------
def day_by_day(sim, days: int) -> Iterator[int]:
    """Advance one day at a time (one `EndOfDay` each), yielding the day's number from 1."""
    for day in range(1, days + 1):
        sim.advance(days=1)
        if sim.progress:
            sim.progress(day / days, sim.clock.iso)
        yield day


def today(sim) -> date:
    return sim.now.date()


def days_since(sim, day: str | date) -> int:
    return (today(sim) - (date.fromisoformat(day) if isinstance(day, str) else day)).days


# -- collection --------------------------------------------------------------------------
def obligations_due_since(sim, cursor: int, facility: str) -> tuple[list[dict], int]:
    """The facility's `ObligationDue` payloads (`entity`) published after `cursor`, and the new cursor."""
    envelopes = sim.outbox.tail(after=cursor, types=[DUE], where={"entity.beneficiary_id": facility})
    return [e["payload"]["entity"] for e in envelopes], sim.outbox.sequence


def pays(sim, facility: str, amount: int) -> int:
    """The borrower pays `amount` from the deposit account; Lana allocates it, not the borrower (Lana:
    core/credit/collection/src/obligation/mod.rs)."""
    if amount > 0:
        sim.credit.record_payment(facility, amount)
    return amount


def outstanding(sim, facility: str) -> int:
    return sim.credit.facility(facility).books.outstanding


def pays_off_and_completes(sim, facility: str, patience_days: int = 400) -> int:
    """Lana's ending: wait for the last accrual cycle (it ends on the maturity date) to be posted,
    pay whatever is outstanding, complete the facility (which returns the collateral)."""
    maturity = sim.credit.facility(facility).maturity_date.isoformat()
    last_cycle = {"entity.credit_facility_id": facility, "entity.due_at": maturity}  # the date its period ends
    for _ in range(patience_days):
        if sim.outbox.tail(types=[POSTED], where=last_cycle):
            break
        sim.advance(days=1)
    else:
        raise StoryFailed(f"the last accrual cycle of {facility} was not posted within {patience_days} days")
    amount = pays(sim, facility, outstanding(sim, facility))
    sim.credit.complete_facility(facility)
    return amount


# -- what the story reports --------------------------------------------------------------
def paid(sim, facility: str, obligation_type: str | None = None) -> int:
    """Cents allocated to the facility's obligations (of one type: `interest` or `disbursal`, which
    the payloads spell Lana's way, `Interest` or `Disbursal`)."""
    where = {"entity.beneficiary_id": facility}
    if obligation_type:
        where["entity.obligation_type"] = pascal(obligation_type)
    return sum(e["payload"]["entity"]["amount"] for e in sim.outbox.tail(types=[ALLOCATION], where=where))


def disbursed(sim, facility: str) -> int:
    settled = sim.outbox.tail(types=[SETTLED], where={"entity.credit_facility_id": facility})
    return sum(e["payload"]["entity"]["amount"] for e in settled)


def interest_posted(sim, facility: str) -> int:
    """Interest posted by the accrual cycles so far (accrued but not yet posted interest excluded)."""
    postings = sim.outbox.tail(types=[POSTED], where={"entity.credit_facility_id": facility})
    return sum(e["payload"]["entity"]["posting"]["amount"] for e in postings if e["payload"]["entity"]["posting"])


def overdue_obligations(sim, facility: str) -> list[dict]:
    """Each obligation that went Overdue: its payload, the day it did and the days it stayed overdue."""
    found = []
    for e in sim.outbox.tail(types=[OVERDUE], where={"entity.beneficiary_id": facility}):
        entity = e["payload"]["entity"]
        paid_off = sim.outbox.tail(types=[OBLIGATION_PAID], where={"entity.id": entity["id"]})
        until = date.fromisoformat((paid_off[0]["recorded_at"] if paid_off else sim.clock.iso)[:10])
        found.append({**entity, "overdue_on": e["recorded_at"][:10],
                      "days_overdue": (until - date.fromisoformat(e["recorded_at"][:10])).days})
    return found


def usd(cents: int) -> str:
    """Cents as "$1,234.56" for a message, exactly (`scenarios.analysis.units.usd`: no float division)."""
    from scenarios.analysis.units import usd as exact

    return exact(cents)


def summary(sim, facility: str, **story_specific: object) -> dict:
    """What the story ends with, under snake_case names with the unit in the name, as the stress
    family's summary.json has them: money as integer cents (`_cents`), counts as ints, dates as
    ISO text. It was text for people ("$10,302,466.56", "1 for $...", "5 / 1") that a program had
    to parse back; `lanasim run` still prints each amount in dollars beside its cents."""
    view, overdue = sim.credit.facility(facility), overdue_obligations(sim, facility)

    def published(event_type: str) -> list[dict]:
        return sim.outbox.tail(types=[event_type], where={"entity.beneficiary_id": facility})

    return {
        "facility_status": view.status.value,
        "principal_disbursed_cents": disbursed(sim, facility),
        "interest_posted_cents": interest_posted(sim, facility),
        "payments": len(published(PAYMENT)),
        "paid_cents": paid(sim, facility),
        "interest_paid_cents": paid(sim, facility, "interest"),
        "principal_paid_cents": paid(sim, facility, "disbursal"),
        "outstanding_cents": view.books.outstanding,
        "obligations_due": len(published(DUE)),
        "obligations_overdue": len(overdue),
        "days_overdue": ", ".join(f"{from_pascal(o['obligation_type'])} due {o['due_at']}: {o['days_overdue']} from "
                                  f"{o['overdue_on']}" for o in overdue) or "none",
        **story_specific,
        "ledger_balanced": sim.ledger.is_balanced(),
    }

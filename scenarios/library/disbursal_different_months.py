"""Story: a borrower draws a 12-month facility in three disbursals and pays every obligation on the
day it falls due (Lana's sim-bootstrap scenario 4, customer "4-disbursal-different-months").

A customer deposits $10,000,000 and gets a $10,000,000 facility on Lana's `std_terms_12m` (12 %,
12 months, multiple disbursals, 0.01 % fee), on 230 BTC at $70,000. On a multiple-disbursal
facility activation disburses only the structuring fee ($1,000, its own principal obligation, while
the fee itself is charged to the deposit account). The borrower then draws $1M at activation, $2M
30 days later (Jan 31) and $5M at +90 days (Mar 31): each disbursal goes through governance
(auto-approved) and becomes a principal obligation due at maturity, Jan 1 2025. Interest accrues each
day on the principal disbursed by the midnight the day's accrual runs, so a disbursal counts from
its own day: January's interest is 30 days on $1,001,000 and one on $3,001,000. Every
`ObligationDue` is paid the day it is published; the four principal obligations and December's
interest fall due on Jan 1 2025 and, allocated interest first, all clear that day. After 380 days
the borrower pays off what is left (nothing: the maturity day accrues on a principal already repaid)
and the facility is completed.

Covers: multiple-disbursal terms, the fee-sized initial disbursal, disbursals through governance,
accrual on a growing principal, a 12-month life of monthly obligations, completion.
"""

from __future__ import annotations

from domains.credit import DisbursalPolicy, std_terms
from scenarios.library._lana import (
    FACILITY_PARAMS,
    USD,
    a_customer_with_deposit,
    a_facility_is_opened,
    bitcoin_trades_at,
    day_by_day,
    obligations_due_since,
    pays,
    pays_off_and_completes,
    summary,
    usd,
)
from scenarios.library.params import Param

START = "2024-01-01"
PARAMS = (
    Param("days", 380, "days", "days simulated, one end of day each", 1, 3650),
    Param("first_usd", 1_000_000, "USD", "drawn at activation (0: none)", 0, 10**10),
    Param("second_usd", 2_000_000, "USD", "drawn on day second_on_day (0: none)", 0, 10**10),
    Param("second_on_day", 30, "day", "day after activation of the second draw", 1, 3650),
    Param("third_usd", 5_000_000, "USD", "drawn on day third_on_day (0: none)", 0, 10**10),
    Param("third_on_day", 90, "day", "day after activation of the third draw", 1, 3650),
    *FACILITY_PARAMS,
)


def check(params: dict) -> None:
    """btc x btc_usd must reach 125 % of facility_usd; the three draws fit in facility_usd and the
    second comes before the third."""
    from scenarios.library._lana import check as collateral_covers
    from scenarios.library.params import ScenarioError

    collateral_covers(params)
    drawn = params["first_usd"] + params["second_usd"] + params["third_usd"]
    if drawn > params["facility_usd"]:
        raise ScenarioError(f"first_usd + second_usd + third_usd = {drawn}"
                            f" exceeds facility_usd={params['facility_usd']}")
    if params["second_on_day"] >= params["third_on_day"]:
        raise ScenarioError(f"second_on_day={params['second_on_day']}"
                            f" must come before third_on_day={params['third_on_day']}")


def story(sim, *, days, first_usd, second_usd, second_on_day, third_usd, third_on_day, deposit_usd, facility_usd,
          btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "4-disbursal-different-months", deposit_usd * USD)
    terms = std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, terms, btc)
    draws = {0: first_usd, second_on_day: second_usd, third_on_day: third_usd}
    the_borrower_draws(sim, facility, draws.pop(0))
    cursor = sim.outbox.sequence
    for day in day_by_day(sim, days):
        if day in draws:
            the_borrower_draws(sim, facility, draws.pop(day))
        due, cursor = obligations_due_since(sim, cursor, facility)
        for obligation in due:
            pays(sim, facility, obligation["outstanding_amount"])
    paid_off = pays_off_and_completes(sim, facility)
    return summary(sim, facility, **{"disbursals": disbursals(sim, facility), "paid off at the end": usd(paid_off)})


def the_borrower_draws(sim, facility, amount_usd):
    if amount_usd > 0:
        sim.credit.initiate_disbursal(facility, amount_usd * USD)


def disbursals(sim, facility) -> str:
    settled = sim.outbox.tail(types=["core.credit.disbursal-settled"], where={"entity.credit_facility_id": facility})
    return ", ".join(f"{usd(e['payload']['entity']['amount'])} on {e['recorded_at'][:10]}" for e in settled)

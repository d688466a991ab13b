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
from scenarios.library.params import Param, checks

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


@checks("btc x btc_usd reaches 125 % of facility_usd; first_usd + second_usd + third_usd fit in facility_usd "
        "less the structuring fee drawn at activation; second_on_day and third_on_day, when drawn, come before "
        "the facility's maturity, and second_on_day before third_on_day; deposit_usd covers the structuring fee "
        "and the most interest the draws can charge")
def check(params: dict) -> None:
    """btc x btc_usd must reach 125 % of facility_usd; the three draws fit in what activation leaves
    of facility_usd (its structuring fee is drawn first); each draw comes before maturity (a matured
    facility takes no disbursal); the second comes before the third; and the deposit covers the fee
    and the interest on the draws (`_lana.check_paid_off`). Each of these ran into a typed error
    mid-run (`DisbursalAboveFacilityAmount`, `DisbursalOnInactiveFacility`, `OverdraftPrevented`)
    and left a half-written run directory; now it is a one-line refusal before anything is written."""
    from domains.credit.math import one_time_fee
    from scenarios.library._lana import check_paid_off, term_days
    from scenarios.library.params import ScenarioError

    terms, draws = _terms(), _draws(params)
    maturity = term_days(terms)
    fee = one_time_fee(params["facility_usd"] * USD, terms.one_time_fee_rate)
    room = (params["facility_usd"] * USD - fee) // USD
    drawn = params["first_usd"] + params["second_usd"] + params["third_usd"]
    if drawn > room:
        raise ScenarioError(f"first_usd + second_usd + third_usd = {drawn} exceeds facility_usd="
                            f"{params['facility_usd']} less the structuring fee drawn at activation ({usd(fee)}): "
                            f"at most {room} can be drawn")
    for name in ("second", "third"):
        if params[f"{name}_usd"] and params[f"{name}_on_day"] >= maturity:
            raise ScenarioError(f"{name}_on_day={params[f'{name}_on_day']} is on or after the facility's maturity "
                                f"(day {maturity}), when it takes no disbursal; draw by day {maturity - 1}")
    if params["second_on_day"] >= params["third_on_day"]:
        raise ScenarioError(f"second_on_day={params['second_on_day']}"
                            f" must come before third_on_day={params['third_on_day']}")
    check_paid_off(params, terms, {day: usd_ * USD for day, usd_ in draws.items()})


def _terms():
    return std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE)


def _draws(params: dict) -> dict[int, int]:
    """{day after activation: USD} of the borrower's draws (a draw of 0 is none)."""
    return {day: amount for day, amount in ((0, params["first_usd"]), (params["second_on_day"], params["second_usd"]),
                                            (params["third_on_day"], params["third_usd"])) if amount}


def story(sim, *, days, first_usd, second_usd, second_on_day, third_usd, third_on_day, deposit_usd, facility_usd,
          btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "4-disbursal-different-months", deposit_usd * USD)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, _terms(), btc)
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
    return summary(sim, facility, **disbursals(sim, facility), paid_off_at_end_cents=paid_off)


def the_borrower_draws(sim, facility, amount_usd):
    if amount_usd > 0:
        sim.credit.initiate_disbursal(facility, amount_usd * USD)


def disbursals(sim, facility) -> dict:
    """Each settled disbursal's cents and day, in the order they settled (two lists of one length)."""
    settled = sim.outbox.tail(types=["core.credit.disbursal-settled"], where={"entity.credit_facility_id": facility})
    return {"disbursals_cents": [e["payload"]["entity"]["amount"] for e in settled],
            "disbursals_on": [e["recorded_at"][:10] for e in settled]}

"""Story: a borrower holds back the first interest payment for more than 90 days (Lana's
sim-bootstrap scenario 2, customer "2-interest-late").

Same bank and borrower as timely-payments: $10M deposit, $10M facility on standard terms (3 months,
single disbursal, overdue 50 days after due), 230 BTC at $70,000. The borrower keeps the amount of
the first interest obligation (January: $101,918.08, due Jan 31) and pays it only once more than
90 days have passed since its due date (May 1); every other `ObligationDue` is paid the day it is
published, for its outstanding amount. After 200 days whatever is left is paid and the facility
completed.

What the story meant is not what Lana does: a payment is allocated to interest first, oldest first,
whatever the borrower had in mind (Lana: core/credit/collection/src/obligation/mod.rs). So February's $95,342.72 (Mar 1)
goes to January's interest,
leaving $6,575.36 of it unpaid and February's untouched. January's obligation goes Overdue on
Mar 21 (Jan 31 + 50 days) for those $6,575.36 only. On Apr 1 the principal falls due; the borrower's
$10M clears January (after 11 days overdue), February and March interest first, March's payment
then goes to principal, leaving $101,918.08 of principal. The maturity day accrues on that
($33.51, posted Apr 2, paid at once), and the held-back $101,918.08 paid on May 1 finishes the
principal, 20 days before it would have gone overdue. One obligation goes Overdue, for 11 days.

Covers: obligations overdue, payment allocation across obligations (interest first, oldest first),
interest accrual on a partly repaid principal, completion after maturity.
"""

from __future__ import annotations

from domains.credit.terms import std_terms
from scenarios.library._lana import (
    FACILITY_PARAMS,
    USD,
    a_customer_with_deposit,
    a_facility_is_opened,
    bitcoin_trades_at,
    check_paid_off,
    day_by_day,
    days_since,
    obligations_due_since,
    pays,
    pays_off_and_completes,
    summary,
)
from scenarios.library.params import Param

check = check_paid_off  # relations between its parameters: collateral and deposit against the facility
START = "2024-01-01"
PARAMS = (
    Param("days", 200, "days", "days simulated, one end of day each", 1, 3650),
    Param("hold_back_days", 90, "days", "how long after its due date the first interest obligation is paid", 0, 3650),
    *FACILITY_PARAMS,
)


def story(sim, *, days, hold_back_days, deposit_usd, facility_usd, btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "2-interest-late", deposit_usd * USD)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, std_terms(), btc)
    cursor, held_back, paid_late_on = sim.outbox.sequence, None, None
    for _ in day_by_day(sim, days):
        due, cursor = obligations_due_since(sim, cursor, facility)
        for obligation in due:
            if held_back is None and obligation["obligation_type"] == "Interest":
                held_back = obligation
            else:
                pays(sim, facility, obligation["outstanding_amount"])
        if held_back and paid_late_on is None and days_since(sim, held_back["due_at"]) > hold_back_days:
            paid_late_on = pays_the_held_back_interest(sim, facility, held_back)
    paid_off = pays_off_and_completes(sim, facility)
    return summary(sim, facility, held_back_cents=held_back["initial_amount"] if held_back else 0,
                   held_back_due_on=held_back["due_at"] if held_back else "none",
                   paid_back_late_on=paid_late_on or "never", paid_off_at_end_cents=paid_off)


def pays_the_held_back_interest(sim, facility, obligation) -> str:
    pays(sim, facility, obligation["initial_amount"])
    return sim.now.date().isoformat()

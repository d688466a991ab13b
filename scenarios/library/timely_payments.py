"""Story: a borrower pays every obligation on the day it falls due (Lana's sim-bootstrap scenario 1,
customer "1-timely-paid").

A customer deposits $10,000,000 and borrows $10,000,000 on Lana's standard terms (12 % a year,
3 months, one disbursal of the whole amount at activation, 0.01 % structuring fee, overdue 50 days
after due), posting 230 BTC at $70,000 (CVL 161 %). Each `ObligationDue` is paid in full, for its
outstanding amount, the day it is published. Interest accrues daily on the disbursed principal still
outstanding ($3,287.68 a day on $10M, each day's accrual run at the next midnight) and is posted
monthly as an obligation due on the cycle's last day, published at the next midnight: January (31
days, $101,918.08) on Feb 1, February (29, $95,342.72) on Mar 1, March ($101,918.08) on Apr 1 right
after the principal falls due (maturity, Apr 1). By Lana's rule a payment goes to interest first,
oldest first, whatever the borrower meant: the principal's $10M clears March's interest and
$9,898,081.92 of principal, and March's payment then finishes the principal. The maturity day is a
one-day cycle of its own, but its accrual runs at the next midnight on the principal outstanding
*then*, which is zero: the cycle posts nothing and creates no obligation. Interest is $299,178.88
in all. At activation + 95 days the borrower pays off what is left (nothing) and the facility is
completed: Closed, and the 230 BTC are returned. Nothing is ever overdue.

Covers: proposal, governance, collateral, activation, daily accrual, monthly posting, obligations
due, payments and their allocation, maturity, completion and collateral release.
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
    obligations_due_since,
    pays,
    pays_off_and_completes,
    summary,
)
from scenarios.library.params import Param

check = check_paid_off  # relations between its parameters: collateral and deposit against the facility
START = "2024-01-01"
PARAMS = (
    Param("days", 95, "days", "days simulated, one end of day each", 1, 3650),
    *FACILITY_PARAMS,
)


def story(sim, *, days, deposit_usd, facility_usd, btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "1-timely-paid", deposit_usd * USD)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, std_terms(), btc)
    cursor = sim.outbox.sequence
    for _ in day_by_day(sim, days):
        due, cursor = obligations_due_since(sim, cursor, facility)
        for obligation in due:
            pays(sim, facility, obligation["outstanding_amount"])
    paid_off = pays_off_and_completes(sim, facility)
    return summary(sim, facility, paid_off_at_end_cents=paid_off)

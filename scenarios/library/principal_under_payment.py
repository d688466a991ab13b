"""Story: a borrower pays every interest obligation on time but never the principal (Lana's
sim-bootstrap scenario 6, customer "6-principal-under-payment").

A customer deposits $10,000,000 and borrows $10,000,000 on Lana's `std_terms_with_liquidation`
(standard terms with a liquidation date 60 days after due), posting 230 BTC at $70,000; the story
fails if the facility is not active within 30 days. Each interest `ObligationDue` is paid the day it
is published; a principal one is only noted. After each day the borrower compares the facility's
outstanding with the principal noted so far and stops when they are equal.

January's ($101,918.08, Feb 1) and February's ($95,342.72, Mar 1) interest are paid on time. On
Apr 1, the maturity, the principal falls due and March's interest ($101,918.08) is published and
paid. The maturity day is its own one-day cycle: it accrues $3,287.68 on the unpaid principal and is
posted, due and paid on Apr 2. On Apr 3 only the $10M principal is outstanding (due, not yet
overdue: that comes on May 21, Apr 1 + 50 days; its liquidation date, May 31, is informational in
Lana) and the story stops with the facility Matured.

Covers: interest-only repayment, maturity, the principal left due, the liquidation date on
obligations.
"""

from __future__ import annotations

from domains.credit.terms import std_terms
from scenarios.library._lana import (
    FACILITY_PARAMS,
    USD,
    a_customer_with_deposit,
    a_facility_is_opened,
    bitcoin_trades_at,
    day_by_day,
    obligations_due_since,
    outstanding,
    pays,
    summary,
    today,
)
from scenarios.library._lana import check as check  # the relation between its parameters
from scenarios.library.params import Param

START = "2024-01-01"
PARAMS = (
    Param("days", 240, "days", "days simulated, one end of day each", 1, 3650),
    Param("liquidation_days", 60, "days", "days after due an unpaid obligation is sent to liquidation", 0, 3650),
    *FACILITY_PARAMS,
)


def story(sim, *, days, liquidation_days, deposit_usd, facility_usd, btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "6-principal-under-payment", deposit_usd * USD)
    terms = std_terms(obligation_liquidation_duration_from_due=liquidation_days)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, terms, btc)
    cursor, principal_unpaid, stopped_on = sim.outbox.sequence, 0, None
    for _ in day_by_day(sim, days):
        if principal_unpaid and outstanding(sim, facility) == principal_unpaid:
            stopped_on = today(sim).isoformat()
            break
        due, cursor = obligations_due_since(sim, cursor, facility)
        for obligation in due:
            if obligation["obligation_type"] == "Interest":
                pays(sim, facility, obligation["outstanding_amount"])
            else:
                principal_unpaid += obligation["outstanding_amount"]
    return summary(sim, facility, principal_unpaid_cents=principal_unpaid,
                   stopped_on=stopped_on or "never")

"""Story: a facility is activated and the borrower never pays (Lana's sim-bootstrap scenario 5,
customer "5-interest-under-payment").

A customer deposits $10,000,000 and borrows $10,000,000 on Lana's standard terms (3 months, single
disbursal), posting 230 BTC at $70,000; the story fails if the facility is not active within 30
days. Lana's scenario stops right there (having first set its manual clock 60 days back); here the
bank's clock runs on for `days` afterwards, 60 by default (0 stops where Lana's does). No
payment is ever made: January's interest ($101,918.08) falls due on Feb 1 and February's
($95,342.72) on Mar 1, and both stay unpaid. Run on (`--set days=141`) and every obligation goes
Overdue 50 days after its due date: January's interest on Mar 21, February's on Apr 19, March's on
May 20, the principal (due at maturity, Apr 1) and the maturity day's interest on May 21. Interest
stops at maturity ($302,466.56 in all); the facility stays open and keeps the collateral.

Covers: activation, daily accrual, interest obligations that are never paid, the facility's books
with receivables due and overdue.
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
    summary,
)
from scenarios.library._lana import check as check  # the relation between its parameters
from scenarios.library.params import Param

START = "2024-01-01"
PARAMS = (
    Param("days", 60, "days", "days simulated, one end of day each", 1, 3650),
    *FACILITY_PARAMS,
)


def story(sim, *, days, deposit_usd, facility_usd, btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "5-interest-under-payment", deposit_usd * USD)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, std_terms(), btc)
    for _ in day_by_day(sim, days):
        pass  # the borrower does nothing
    books = sim.credit.facility(facility).books
    return summary(sim, facility, interest_unpaid_cents=books.interest,
                   interest_due_or_overdue_cents=books.payable_interest)

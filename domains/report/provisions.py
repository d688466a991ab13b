"""The loan-provisions report (NCB-022 reserves, NRP-41 loan states): one row per facility open on
the day, then a TOTAL row. Lana's warehouse report (lana-bank `dagster/src/dbt_lana_dw/models/
intermediate/el-salvador-ssf/int_nrp_92_02_referencia.sql`) leaves out every facility past its
maturity date, which is where unpaid principal becomes past due: a bug; here every facility not
closed on the day is reported."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from domains.credit.collection.aging import days_past_due, provision
from domains.money import sats_to_cents_down

__all__ = ["COLUMNS", "Loan", "provision_rows"]

COLUMNS = ("facility_id", "customer_id", "status", "days_past_due", "loan_state", "category", "reserve_rate",
           "balance_cents", "collateral_sats", "collateral_value_cents", "net_risk_cents", "reserve_cents")


@attrs.frozen
class Loan:
    """What the report reads of a facility on the day: its obligations' (due date, outstanding
    cents), its posted balance (principal and interest, any bucket, defaulted included) and collateral."""

    facility_id: str
    customer_id: str
    status: str
    unpaid: tuple[tuple[date, int], ...]
    balance: int
    collateral_sats: int


def provision_rows(loans: Iterable[Loan], day: date, cents_per_btc: int) -> tuple[tuple[object, ...], ...]:
    """Rows in `COLUMNS` order at `cents_per_btc` (collateral valued rounded down), then TOTAL with
    the sums of balance, collateral, net risk and reserve."""
    rows, totals = [], [0, 0, 0, 0, 0]
    for loan in loans:
        value = sats_to_cents_down(loan.collateral_sats, cents_per_btc)
        p = provision(days_past_due(loan.unpaid, day), loan.balance, value)
        rows.append((loan.facility_id, loan.customer_id, loan.status, p.days_past_due, p.state.value, p.category,
                     str(p.rate), p.balance, loan.collateral_sats, value, p.net_risk, p.reserve))
        for i, amount in enumerate((p.balance, loan.collateral_sats, value, p.net_risk, p.reserve)):
            totals[i] += amount
    return (*rows, ("TOTAL", "", "", "", "", "", "", *totals))

"""Aging and loan-loss provisions by El Salvador's rules, as Lana's data warehouse applies them:
a loan's state by days past due (NRP-41), its risk category and reserve rate (NCB-022), and the
reserve = rate x max(0, balance - collateral value)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from domains.money import ceil_cents

__all__ = ["CATEGORIES", "Category", "LoanState", "Provision", "category_of", "days_past_due", "loan_state",
           "provision"]


class LoanState(str, enum.Enum):
    """NRP-41, as Lana seeds it (lana-bank
    `dagster/src/dbt_lana_dw/seeds/el-salvador-ssf/static_nrp_41_estados_del_prestamo.csv`):
    current (0 days past due), past due (1-90), overdue (91 or more)."""

    CURRENT = "current"  # Vigente - al día
    PAST_DUE = "past_due"  # Vigente - en mora
    OVERDUE = "overdue"  # Vencido


@attrs.frozen
class Category:
    """An NCB-022 risk category: its reserve rate (a fraction) for `first_day`..`last_day` past due."""

    name: str
    rate: Decimal
    first_day: int
    last_day: int | None  # None: no upper bound


# Consumer-loan bands of Lana's `static_ncb_022_porcentaje_reservas_saneamiento.csv` (same seed folder).
CATEGORIES = (
    Category("A1", Decimal("0.00"), 0, 7), Category("A2", Decimal("0.01"), 8, 30),
    Category("B", Decimal("0.05"), 31, 60), Category("C1", Decimal("0.15"), 61, 90),
    Category("C2", Decimal("0.25"), 91, 120), Category("D1", Decimal("0.50"), 121, 150),
    Category("D2", Decimal("0.75"), 151, 180), Category("E", Decimal("1.00"), 181, None),
)


@attrs.frozen
class Provision:
    """One loan's provision on a day (cents): `net_risk` = balance - collateral value (may be < 0)."""

    days_past_due: int
    state: LoanState
    category: str
    rate: Decimal
    balance: int
    collateral_value: int
    net_risk: int
    reserve: int


def days_past_due(unpaid: Iterable[tuple[date, int]], day: date) -> int:
    """Days since the earliest due date among (due date, outstanding cents) with something still
    owed, 0 when nothing owed is past due on `day`.

    Lana's warehouse (lana-bank `dagster/src/dbt_lana_dw/models/intermediate/rollups/
    int_core_obligation_events_rollup_sequence.sql`) counts from an obligation's
    *overdue* date (the due date plus the terms' grace days, 50 in Lana's standard terms) and counts
    a defaulted obligation as 0 days: a loan 50 days late, or in default, would sit in A1 at 0 %.
    Both are bugs against the norms, which count the days in arrears from the due date; fixed here."""
    late = [(day - due).days for due, owed in unpaid if owed > 0 and due < day]
    return max(late, default=0)


def loan_state(dpd: int) -> LoanState:
    if dpd <= 0:
        return LoanState.CURRENT
    return LoanState.PAST_DUE if dpd <= 90 else LoanState.OVERDUE


def category_of(dpd: int) -> Category:
    """The category whose band holds `dpd` (negative counts as 0)."""
    dpd = max(0, dpd)
    return next(c for c in CATEGORIES if c.first_day <= dpd and (c.last_day is None or dpd <= c.last_day))


def provision(dpd: int, balance: int, collateral_value: int) -> Provision:
    """The reserve for a loan `dpd` days past due owing `balance` cents against collateral worth
    `collateral_value` cents (Lana's `int_nrp_92_02_referencia.sql`), rounded up to the cent so that a
    reserve is never understated."""
    c, net_risk = category_of(dpd), balance - collateral_value
    reserve = ceil_cents(c.rate * max(0, net_risk))
    return Provision(dpd, loan_state(dpd), c.name, c.rate, balance, collateral_value, net_risk, reserve)

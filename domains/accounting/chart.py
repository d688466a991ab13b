"""The chart of accounts: account ids, each category's normal balance side and chart code (Lana:
core/credit/src/ledger/credit_facility_accounts.rs).

An account id is `"<category>:<owner>"` (owner = deposit account, facility or collateral id) or a
bare category for the shared omnibus accounts. Chart codes follow Lana's example mapping of the
credit module (Lana: bats/accounting-init/credit-module-config.json), off-balance 81.0x codes
included, with one correction: Lana files the liquidation proceeds omnibus (the USD the desk pays
in) under 81.03 with the facilities' proceeds accounts, so once proceeds pay a loan its receivables
fall while no asset rises, and the balance sheet is out by every payment of proceeds. lanasim
files that omnibus with cash (11.01.0101): the balance sheet balances through liquidations.
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from domains.accounting.errors import UnknownAccount
from domains.accounting.primitives import ObligationType, ReceivableBucket, Side

__all__ = [
    "CATEGORIES",
    "COLLATERAL_OMNIBUS",
    "Category",
    "DEPOSIT_OMNIBUS",
    "FACILITY_OMNIBUS",
    "INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS",
    "LIQUIDATION_PROCEEDS_OMNIBUS",
    "PAYMENTS_MADE_OMNIBUS",
    "RETAINED_EARNINGS",
    "RETAINED_LOSSES",
    "category_of",
    "chart_code",
    "collateral",
    "collateral_in_liquidation",
    "deposit_account",
    "facility",
    "fee_income",
    "find_category",
    "frozen_deposit",
    "interest_income",
    "liquidated_collateral",
    "normal_side",
    "payment_holding",
    "proceeds_from_liquidation",
    "receivable",
    "uncovered_outstanding",
]

DR, CR = Side.DEBIT, Side.CREDIT


@attrs.frozen
class Category:
    """A kind of account: its normal side, chart code, and whether it is one shared (omnibus) account."""

    side: Side
    code: str
    shared: bool = False


CATEGORIES = MappingProxyType({
    "deposit": Category(CR, "21.01.0101"), "frozen-deposit": Category(CR, "21.03"),
    "deposit-omnibus": Category(DR, "11.01.0101", True),
    "facility": Category(CR, "81.01"), "uncovered-outstanding": Category(CR, "81.06"),
    "payment-holding": Category(CR, "11.99.0201"), "proceeds-from-liquidation": Category(CR, "81.03"),
    "disbursed-receivable-not-yet-due": Category(DR, "11.02.0202"),
    "disbursed-receivable-due": Category(DR, "11.02.0202"),
    "disbursed-receivable-overdue": Category(DR, "11.02.0202"),
    "disbursed-defaulted": Category(DR, "11.02.0203"),
    "interest-receivable-not-yet-due": Category(DR, "11.02.0201"),
    "interest-receivable-due": Category(DR, "11.02.0201"),
    "interest-receivable-overdue": Category(DR, "11.02.0201"),
    "interest-defaulted": Category(DR, "11.02.0203"),
    "interest-income": Category(CR, "41.01"), "fee-income": Category(CR, "41.02"),
    "facility-omnibus": Category(DR, "81.01", True), "collateral-omnibus": Category(DR, "81.02", True),
    "liquidation-proceeds-omnibus": Category(DR, "11.01.0101", True),  # Lana: 81.03 (see above)
    "interest-added-to-obligations-omnibus": Category(DR, "81.05", True),
    "payments-made-omnibus": Category(CR, "81.04", True),
    "collateral": Category(CR, "81.02"), "collateral-in-liquidation": Category(CR, "81.03"),
    "liquidated-collateral": Category(CR, "81.03"),
    "retained-earnings": Category(CR, "32.01", True), "retained-losses": Category(DR, "32.02", True),
})

# (category name, has an owner) -> category: shared accounts are bare names, the others "<name>:<owner>".
_SHAPES = {(name, not category.shared): category for name, category in CATEGORIES.items()}

DEPOSIT_OMNIBUS = "deposit-omnibus"
FACILITY_OMNIBUS = "facility-omnibus"
COLLATERAL_OMNIBUS = "collateral-omnibus"
LIQUIDATION_PROCEEDS_OMNIBUS = "liquidation-proceeds-omnibus"
INTEREST_ADDED_TO_OBLIGATIONS_OMNIBUS = "interest-added-to-obligations-omnibus"
PAYMENTS_MADE_OMNIBUS = "payments-made-omnibus"
RETAINED_EARNINGS = "retained-earnings"  # a fiscal year's net gain (Lana's equity retained earnings gain)
RETAINED_LOSSES = "retained-losses"


def category_of(account: str) -> Category:
    """The account's category; `UnknownAccount` for an unknown name or a wrong shape.

    Looked up by (name, owned?) in a table of the chart's few dozen shapes, not memoized per
    account id: a per-id memo bounded below the portfolio's account count thrashes (every lookup
    a miss once a portfolio has more accounts than the bound), and an unbounded one grows with it."""
    found = find_category(account)
    if found is None:
        raise UnknownAccount(account=account)
    return found


def find_category(account: str) -> Category | None:
    """`category_of`, with None for an account outside the chart (a caller that refuses it later),
    as for a value that is no account name at all (`sim.ledger.balance(None)` was a bare AttributeError)."""
    if account.__class__ is not str:
        return None
    name, owned, owner = account.partition(":")
    found = _SHAPES.get((name, bool(owner)))
    return None if owned and not owner else found


def normal_side(account: str) -> Side:
    """The side that increases the account's balance."""
    return category_of(account).side


def chart_code(account: str) -> str:
    """The chart-of-accounts code the account reports under (trial balance)."""
    return category_of(account).code


def deposit_account(deposit_account_id: str) -> str:
    return f"deposit:{deposit_account_id}"


def frozen_deposit(deposit_account_id: str) -> str:
    return f"frozen-deposit:{deposit_account_id}"


def facility(facility_id: str) -> str:
    """The facility's remaining limit (credit-normal)."""
    return f"facility:{facility_id}"


def uncovered_outstanding(facility_id: str) -> str:
    return f"uncovered-outstanding:{facility_id}"


def payment_holding(facility_id: str) -> str:
    return f"payment-holding:{facility_id}"


def proceeds_from_liquidation(facility_id: str) -> str:
    return f"proceeds-from-liquidation:{facility_id}"


def interest_income(facility_id: str) -> str:
    return f"interest-income:{facility_id}"


def fee_income(facility_id: str) -> str:
    return f"fee-income:{facility_id}"


def receivable(facility_id: str, obligation_type: str, bucket: str = ReceivableBucket.NOT_YET_DUE) -> str:
    """The facility's receivable account for an obligation type and bucket (defaulted included)."""
    prefix = _RECEIVABLE_PREFIXES.get((obligation_type, bucket))
    if prefix is None:
        raise UnknownAccount(account=f"{obligation_type}/{bucket}:{facility_id}")
    return prefix + facility_id


def _receivable_prefix(kind: ObligationType, where: ReceivableBucket) -> str:
    prefix = "disbursed" if kind is ObligationType.DISBURSAL else "interest"
    middle = "" if where is ReceivableBucket.DEFAULTED else "-receivable"
    return f"{prefix}{middle}-{where.value}:"


# (obligation type, bucket) -> account id prefix; members and their string values both key it
_RECEIVABLE_PREFIXES = {(t, b): _receivable_prefix(kind, where)
                        for kind in ObligationType for where in ReceivableBucket
                        for t in (kind, kind.value) for b in (where, where.value)}


def collateral(collateral_id: str) -> str:
    return f"collateral:{collateral_id}"


def collateral_in_liquidation(collateral_id: str) -> str:
    return f"collateral-in-liquidation:{collateral_id}"


def liquidated_collateral(collateral_id: str) -> str:
    return f"liquidated-collateral:{collateral_id}"

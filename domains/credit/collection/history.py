"""A facility's history as Lana's admin shows it (`core/credit/src/history/`): one entry per
activation, collateral change, collateralization change, disbursal, interest posting, payment
allocation and liquidation step, newest first. Folded from the facility's public events.

A liquidation's proceeds are a Repayment (Lana's `ProceedsFromLiquidationReceived`) whatever they
are, 0 cents too (a sale of dust that fetched nothing, or a liquidation sized to sell nothing), as
in Lana; the money paid is the Payment entries that follow. Proceeds that posted nothing (0 cents,
nothing sent out) show no transaction (`tx_id` None), as an interest cycle that accrued nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from domains.wire import from_pascal

__all__ = ["HistoryEntry", "history"]


@attrs.frozen
class HistoryEntry:
    """`kind` is Lana's entry variant (Approved, Collateral, Liquidation, Repayment, Collateralization,
    PendingCreditFacilityCollateralization, Payment, Disbursal, Interest); fields that do not apply
    to it are None. Money in cents, collateral in satoshis, prices in cents per BTC."""

    kind: str
    recorded_at: str
    effective: date
    cents: int | None = None
    satoshis: int | None = None
    tx_id: str | None = None
    direction: str | None = None  # Collateral: add / remove (lanasim's spelling of Lana's Add / Remove)
    state: str | None = None  # (Pending)Collateralization: the new state, lanasim's value (fully_collateralized)
    price: int | None = None
    outstanding_disbursal: int | None = None  # Collateralization: payable principal and interest
    outstanding_interest: int | None = None
    days: int | None = None  # Interest: days in the accrual cycle


def history(envelopes: Iterable[dict[str, Any]]) -> tuple[HistoryEntry, ...]:
    """The entries of one facility's envelopes (given oldest first), newest first."""
    entries = [entry for e in envelopes if (entry := _entry(e["event_type"], e["payload"], e["recorded_at"]))]
    return tuple(reversed(entries))


def _entry(event_type: str, payload: dict[str, Any], at: str) -> HistoryEntry | None:
    entity, today = payload.get("entity", {}), date.fromisoformat(at[:10])
    match event_type:
        case "core.credit.facility-activated":
            activated = entity["activated_at"]
            return HistoryEntry("Approved", activated, date.fromisoformat(activated[:10]), cents=entity["amount"],
                                tx_id=entity["activation_tx_id"])
        case "core.credit.facility-collateralization-changed":
            c = entity["collateralization"]
            return HistoryEntry("Collateralization", at, today, satoshis=c["collateral"], state=from_pascal(c["state"]),
                                price=c["price_at_state_change"], outstanding_disbursal=c["outstanding"]["disbursed"],
                                outstanding_interest=c["outstanding"]["interest"])
        case "core.credit.pending-credit-facility-collateralization-changed":
            c = entity["collateralization"]
            return HistoryEntry("PendingCreditFacilityCollateralization", at, today, satoshis=c["collateral"],
                                state=from_pascal(c["state"]), price=c["price_at_state_change"])
        case "core.credit.disbursal-settled":
            s = entity["settlement"]
            return HistoryEntry("Disbursal", at, date.fromisoformat(s["effective"]), cents=entity["amount"],
                                tx_id=s["tx_id"])
        case "core.credit.accrual-posted":
            return _interest(entity, at)
        case "core.credit-collateral.collateral-updated":
            a = entity["adjustment"]
            return HistoryEntry("Collateral", at, today, satoshis=a["abs_diff"], tx_id=a["tx_id"],
                                direction=from_pascal(a["direction"]))
        case "core.credit-collateral.liquidation-collateral-sent-out":
            return HistoryEntry("Liquidation", at, date.fromisoformat(payload["effective"]),
                                satoshis=payload["amount"], tx_id=payload["ledger_tx_id"])
        case "core.credit-collateral.liquidation-proceeds-received":
            return HistoryEntry("Repayment", at, date.fromisoformat(payload["effective"]), cents=payload["amount"],
                                tx_id=payload["ledger_tx_id"])
        case "core.credit-collection.payment-allocation-created":
            return HistoryEntry("Payment", at, date.fromisoformat(entity["effective"]), cents=entity["amount"],
                                tx_id=entity["id"])
    return None


def _interest(entity: dict[str, Any], at: str) -> HistoryEntry:
    """A cycle that accrued nothing posts nothing: shown with 0 cents and no transaction."""
    period, posting = entity["period"], entity["posting"]  # start and end: instants
    start, end = date.fromisoformat(period["start"][:10]), date.fromisoformat(period["end"][:10])
    days = (end - start).days + 1
    if posting is None:
        return HistoryEntry("Interest", at, end, cents=0, days=days)
    return HistoryEntry("Interest", at, date.fromisoformat(posting["effective"]), cents=posting["amount"],
                        tx_id=posting["tx_id"], days=days)

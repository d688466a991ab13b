"""Loan-loss reserves through a stress run (`reserves_cents` in the timeseries): each open facility's
days past due (from its oldest unpaid obligation's due date), NCB-022 rate and reserve = rate x
max(0, outstanding - collateral value), summed over the book; the rules are the bank's own
(`domains/credit/collection/aging.py`), folded here from the outbox envelopes."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from domains.credit.collection.aging import CATEGORIES

__all__ = ["AGING_EVENTS", "Aging"]

_CREATED = "core.credit-collection.obligation-created"
_ALLOCATED = "core.credit-collection.payment-allocation-created"
_PAID = "core.credit-collection.obligation-completed"
AGING_EVENTS = frozenset({_CREATED, _ALLOCATED, _PAID})  # the only envelopes `Aging.take` reads
_STARTS = np.array([c.first_day for c in CATEGORIES], np.int64)  # from day 0: every dpd finds its band
_BASIS_POINTS = np.array([int(c.rate * 10_000) for c in CATEGORIES], np.int64)
_NONE = np.iinfo(np.int64).max  # no unpaid obligation


class Aging:
    """Unpaid obligations per facility (`index`: facility id -> position in the book's arrays)."""

    def __init__(self, index: dict[str, int]) -> None:
        self.index = index
        self.unpaid: list[dict[str, list[int]]] = [{} for _ in index]  # obligation id -> [due ordinal, owed]
        self.facility_of: dict[str, int] = {}
        self.earliest = np.full(len(index), _NONE, np.int64)
        self._rates: tuple[object, np.ndarray] | None = None  # (day, earliest version) -> basis points
        self.version = 0  # bumped whenever `earliest` changes

    def take(self, kind: str, payload: dict[str, Any]) -> None:
        """Fold one envelope (anything but obligations and allocations is ignored)."""
        if kind == _CREATED:
            entity = payload["entity"]
            i = self.index.get(entity["beneficiary_id"])
            if i is not None and entity["outstanding_amount"] > 0:
                due = date.fromisoformat(entity["due_at"]).toordinal()
                self.unpaid[i][entity["id"]] = [due, entity["outstanding_amount"]]
                self.facility_of[entity["id"]] = i
                self.earliest[i] = min(self.earliest[i], due)
                self.version += 1
        elif kind == _ALLOCATED:
            entity = payload["entity"]
            self._reduce(entity["obligation_id"], entity["amount"])
        elif kind == _PAID:
            self._reduce(payload["entity"]["id"], None)

    def _reduce(self, obligation_id: str, amount: int | None) -> None:
        i = self.facility_of.get(obligation_id)
        if i is None or obligation_id not in self.unpaid[i]:
            return
        owed = self.unpaid[i][obligation_id]
        owed[1] = 0 if amount is None else owed[1] - amount
        if owed[1] <= 0:
            del self.unpaid[i][obligation_id]
            self.earliest[i] = min((due for due, _ in self.unpaid[i].values()), default=_NONE)
            self.version += 1

    def reserves(self, owed: np.ndarray, value: np.ndarray, active: np.ndarray, at: str) -> int:
        """The book's reserve in cents on the day of instant `at` (each facility's rounded up)."""
        bp = self._basis_points(at[:10])
        whole, rest = np.divmod(np.maximum(0, owed - value), 10_000)  # exposed * bp: int64 overflow past $9.2e12
        reserve = whole * bp - (-(rest * bp) // 10_000)  # ceiling division: never understated
        return int(reserve[active].sum())

    def _basis_points(self, day: str) -> np.ndarray:
        """Each facility's reserve rate in basis points on `day` (kept until the day or an obligation changes)."""
        key = (day, self.version)
        if self._rates is None or self._rates[0] != key:
            today = date.fromisoformat(day).toordinal()
            late = self.earliest < today
            dpd = np.where(late, today - np.where(late, self.earliest, today), 0)
            self._rates = key, _BASIS_POINTS[np.searchsorted(_STARTS, dpd, side="right") - 1]
        return self._rates[1]

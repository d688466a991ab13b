"""A stress run's numbers read back from its outbox: one timeseries row per price update, one row per
facility, and the summary; each facility's collateral (sats) and outstanding (cents) are folded from
the envelopes, and every value is taken at the price of the update in force."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from attrs import frozen

from domains.wire import from_pascal
from scenarios.analysis.reserves import AGING_EVENTS, Aging
from scenarios.analysis.units import cvl_down
from scenarios.library.params import ScenarioError

__all__ = ["ACTIVATED", "CALLED_STATES", "NUMBERS", "SMALL", "Analysis", "analyse", "percentiles"]

SATS_PER_BTC = 100_000_000
CALLED_STATES = ("under_margin_call_threshold", "under_liquidation_threshold", "no_collateral")
_STATE = {"fully_collateralized": 0, "under_margin_call_threshold": 1, "under_liquidation_threshold": 2,
          "no_collateral": 2}  # counted as: fully_collateralized, under_margin_call, under_liquidation
# (no_exposure, and any state of a facility that owes nothing, counts as fully_collateralized: see _Fold._call)
_FACILITY_EVENT = "core.credit.facility-"
_LIQUIDATION = "core.credit.partial-liquidation-initiated"


@frozen
class Analysis:
    """The three outputs of a stress run, plus the marker events the plots draw."""

    summary: dict
    timeseries: pd.DataFrame
    facilities: pd.DataFrame
    markers: pd.DataFrame  # time, kind ("margin-call" | "liquidation"), facility_id, price_cents


class _Book:
    """Per-facility arrays folded from the envelopes, in the order facilities were activated."""

    def __init__(self, ids: list[str]) -> None:
        n = len(ids)
        self.ids, self.index = ids, {f: i for i, f in enumerate(ids)}
        self.sats, self.owed = np.zeros(n, np.int64), np.zeros(n, np.int64)
        self.state, self.active = np.zeros(n, np.int8), np.zeros(n, bool)
        self.cvl_start, self.cvl_min = np.full(n, np.nan), np.full(n, np.nan)
        self.cvl_end = np.full(n, np.nan)
        self.called_since = np.full(n, -1, np.int64)  # epoch seconds a call opened, -1: none open
        self.called_seconds = np.zeros(n, np.int64)
        self.calls = np.zeros(n, np.int64)
        self.liquidations, self.sold = np.zeros(n, np.int64), np.zeros(n, np.int64)
        self.proceeds = np.zeros(n, np.int64)
        self.surplus = np.zeros(n, np.int64)  # proceeds no payment took: left in the proceeds account
        self.instant_calls = np.zeros(n, np.int64)  # spells that ended at the instant they began: no calls
        self.defaulted = np.zeros(n, np.int64)  # defaulted cents still unpaid: out of `owed`, in reserves


ACTIVATED = "core.credit.facility-activated"


def analyse(envelopes: Iterable[dict], *, seed: int, digest: str, facility_ids: list[str] | None = None,
            counted_from: dict | None = None) -> Analysis:
    """The run's timeseries, facilities and summary from its outbox envelopes (oldest first).
    `facility_ids`, the facilities in activation order (the `ACTIVATED` envelopes' entity ids), lets
    `envelopes` be a stream read once (`Outbox.stream`); without them the envelopes are held whole.

    `counted_from` (`{"sequence": n, "at": iso}`, a branched run's `run_from`): the envelopes up to
    sequence n are the run's starting position, not its figures. They are folded (collateral,
    outstanding, states, liquidations in flight) but nothing they did is counted; the figures
    start at instant `at`, where a margin-call spell already open counts as a spell of the run
    from `at`, and a liquidation already started counts when the desk sells it. Facilities closed
    before `at` are left out."""
    if facility_ids is None:
        envelopes = list(envelopes)
        facility_ids = [e["payload"]["entity"]["id"] for e in envelopes if e["event_type"] == ACTIVATED]
    fold, last = _Fold(_Book(facility_ids)), None
    after = counted_from["sequence"] if counted_from else None
    for envelope in envelopes:
        if after is not None and envelope["sequence"] > after:
            fold.begin(counted_from["at"])  # type: ignore[index]
            after = None
        fold.take(envelope)
        last = envelope["recorded_at"]
    if after is not None:  # nothing after the branch point
        fold.begin(counted_from["at"])  # type: ignore[index]
        last = counted_from["at"]  # type: ignore[index]
    fold.close(last)
    timeseries = fold.timeseries()
    facilities = fold.facilities(facility_ids)
    if fold.open_at_start is not None:
        facilities = facilities[fold.open_at_start].reset_index(drop=True)
    markers = pd.DataFrame([m for m in fold.markers if m is not None],  # None: an instant, no call
                           columns=["time", "kind", "facility_id", "price_cents"])
    markers["time"] = pd.to_datetime(markers["time"], utc=True)
    return Analysis(_summary(fold, timeseries, facilities, seed, digest), timeseries, facilities, markers)


SMALL = 32  # up to this many values, `percentiles` interpolates in Python


def percentiles(values: np.ndarray) -> tuple[float, float, float]:
    """`np.percentile(values, [5, 50, 95])`, the same floats: for a few values (`SMALL`, no NaN)
    numpy's default 'linear' rule is followed step for step on the sorted list (index `(n - 1) q`,
    `a + (b - a) t`, or `b - (b - a)(1 - t)` from t = 0.5), without numpy's fixed cost of about
    30 us a call: a timeseries row is made at every price tick, which for a book of a few facilities
    was about a seventh of a sweep run's CPU. Larger arrays go to numpy."""
    listed = values.tolist() if values.size <= SMALL else None
    if listed is None or math.isnan(sum(listed)):  # a NaN (or opposite infinities): as numpy has it
        p05, p50, p95 = np.percentile(values, [5, 50, 95])
        return float(p05), float(p50), float(p95)
    ordered, found = sorted(listed), []
    last = len(ordered) - 1
    for q in (5 / 100, 50 / 100, 95 / 100):
        at = last * q
        if at >= last:  # numpy takes the last value twice, its weight measured from index -1
            low = high = last
            t = at + 1
        else:
            low = math.floor(at)
            high, t = low + 1, at - low
        a, b = ordered[low], ordered[high]
        found.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)
    return found[0], found[1], found[2]


_INT64 = 2**63 - 1


def _within_int64(cents: int, cents_per_btc: int) -> None:
    """The outputs keep cents in int64: a collateral value past it (a book opened at $1 a BTC, marked
    at a price a path may reach, up to $10 trillion) ended the report in an OverflowError traceback."""
    if cents > _INT64:
        raise ScenarioError(f"collateral worth {cents // 100:,} USD at {cents_per_btc // 100:,} USD a BTC is "
                            "beyond what the outputs hold (int64 cents, about 92 quadrillion USD): "
                            "the price rose too far above the book's")


def _total(values: np.ndarray, cents_per_btc: int) -> int:
    """The exact sum of `values` (cents): numpy's int64 sum wraps without a word, and the book's
    collateral value came out negative (a book opened at $1 a BTC and marked at $100 billion)."""
    if values.size and int(values.max()) > _INT64 // values.size:
        exact = sum(values.tolist())
        _within_int64(exact, cents_per_btc)
        return exact
    return int(values.sum())


def collateral_value(sats: np.ndarray, cents_per_btc: int) -> np.ndarray:
    """Each facility's collateral at the price, rounded down to the cent (`sats_to_cents_down`),
    exact in int64: `sats * price` itself overflows from about $922 million of collateral (a
    $100 million facility at 1,000 % CVL, in range), which wrapped to negative values (a CVL of
    -845 %, a shortfall of $945 million on a facility covered ten times). Whole bitcoins and the
    remaining sats are priced apart, each product well inside int64 below $922 million per BTC;
    above that price (a csv market may say anything up to MAX_CENTS) Python's integers do it."""
    if cents_per_btc > _INT64 // SATS_PER_BTC:
        exact = [s * cents_per_btc // SATS_PER_BTC for s in sats.tolist()]
        _within_int64(max(exact, default=0), cents_per_btc)
        return np.array(exact, dtype=object).astype(np.int64)
    whole, rest = np.divmod(sats, SATS_PER_BTC)
    return whole * cents_per_btc + rest * cents_per_btc // SATS_PER_BTC


@lru_cache(maxsize=4096)
def _epoch(instant: str) -> int:
    return int(datetime.fromisoformat(instant).timestamp())


class _Fold:
    """Walks the envelopes once; a price update's timeseries row is taken when the clock has moved
    past the update's instant: everything recorded at that instant (the cascade the update caused:
    collateralizations, margin calls, liquidations initiated) is in it, and nothing later (a borrower's
    top-up minutes after, the desk's sale hours after)."""

    def __init__(self, book: _Book) -> None:
        self.book, self.price, self.at = book, None, None
        self.rows: list[dict] = []
        self.markers: list[tuple | None] = []  # None: a spell found to be an instant (_instant)
        self.in_flight, self.queued, self.started = 0, 0, 0
        self.executed, self.sold, self.proceeds, self.slippage = 0, 0, 0, 0
        self.paying: dict[str, int] = {}  # a proceeds' payment id -> its facility's position, until paid
        self.pending: dict[str, tuple[int, int]] = {}  # liquidation id -> (sats sent, their value, cents)
        self.end = 0  # epoch seconds of the last envelope
        self.aging = Aging(book.index)  # unpaid obligations, for reserves_cents
        self.open_at_start: np.ndarray | None = None  # a branched run's facilities open at its start
        self.carried: dict[str, int] = {}  # liquidation id -> sats sent before the branch point, not yet sold
        self.due_row = False  # a price update's row not yet taken (its instant not yet over)
        self.defaulted: dict[str, int] = {}  # defaulted obligation id -> its facility's position
        self.updates = 0  # price updates the run published (a branched run's: after its branch point)
        self.fresh: dict[int, int] = {}  # facility position -> its open spell's marker (the spell _call opened)

    def begin(self, at: str) -> None:
        """The branch point (see `analyse`'s `counted_from`): everything counted so far is dropped,
        the position is kept; the price in force opens the first row at `at`. That price was published
        before the branch (by the source run, or the book's import), so the row is no price update of
        the run: `price_updates` counted it (145 for a 6-day hourly branch that published 144)."""
        b, now = self.book, _epoch(at)
        self.open_at_start = b.active.copy()
        self.rows, self.markers, self.fresh = [], [], {}
        self.started, self.executed, self.sold, self.proceeds, self.slippage, self.updates = 0, 0, 0, 0, 0, 0
        self.carried = {liquidation_id: sats for liquidation_id, (sats, _) in self.pending.items()}
        for name in ("calls", "instant_calls", "liquidations", "sold", "proceeds", "surplus", "called_seconds"):
            getattr(b, name)[:] = 0
        b.cvl_start[:], b.cvl_min[:], b.cvl_end[:] = np.nan, np.nan, np.nan
        called = b.called_since >= 0
        b.called_since[called], b.calls[called] = now, 1
        self.markers = [(at, "margin-call", b.ids[i], self.price) for i in np.flatnonzero(called)]
        if self.price is not None:
            self.at, self.due_row = at, True

    def take(self, envelope: dict) -> None:
        kind, payload, at = envelope["event_type"], envelope["payload"], envelope["recorded_at"]
        if self.due_row and at != self.at:  # the update's instant is over, and its cascade with it
            self._row()
        if kind == "core.price.price-updated":
            if self.due_row:
                self._row()
            self.price, self.at, self.due_row = payload["PriceUpdated"]["price"], at, True
            self.updates += 1
            return
        if kind in AGING_EVENTS:
            self.aging.take(kind, payload)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, payload, _epoch(at), at)
        elif kind.startswith(_FACILITY_EVENT) and "collateralization" in payload.get("entity", {}):
            self._facility(payload["entity"], _epoch(at), at)

    def _facility(self, entity: dict, now: int, at: str) -> None:
        b, i = self.book, self.book.index.get(entity["id"])
        if i is None:
            return
        b.active[i] = entity["completed_at"] is None
        state = from_pascal(entity["collateralization"]["state"])  # Lana's spelling -> lanasim's value
        b.state[i] = _STATE.get(state, 0)
        self._call(i, now, at)

    def _call(self, i: int, now: int, at: str) -> None:
        """Open or close facility i's margin-call spell. One is open while the facility is open, in a
        called state (`CALLED_STATES`) and owes something (defaulted balances included). Lana says
        `NoCollateral` whenever the collateral is worth nothing, owed or not: a liquidation that sold
        all of it and repaid the whole debt (a bad print's, the price back up by the sale) left the
        facility `NoCollateral` owing nothing, and it was counted under margin call, and under
        liquidation, to the end of the run (`still_under_margin_call` 38 of 38 such facilities in a
        150-facility GBM run with a -40 % print). Such a facility is treated as Lana's `NoExposure`."""
        b = self.book
        called = bool(b.active[i] and b.state[i] > 0 and b.owed[i] + b.defaulted[i] > 0)
        if called and b.called_since[i] < 0:
            b.called_since[i], b.calls[i] = now, b.calls[i] + 1
            self.fresh[i] = len(self.markers)
            self.markers.append((at, "margin-call", b.ids[i], self.price))
        elif not called and b.called_since[i] >= 0:
            marker = self.fresh.pop(i, None)
            if marker is not None and now == b.called_since[i]:
                self._instant(i, marker)
            b.called_seconds[i] += now - b.called_since[i]
            b.called_since[i] = -1

    def _instant(self, i: int, marker: int) -> None:
        """A spell that ends at the instant it began is no margin call: a desk sale is recorded as its
        collateral sent out, then its proceeds applied, at one instant, and Lana's state passes through
        under liquidation or no collateral between the two (46 of 122 `margin_calls` in a 150-facility
        GBM run with a -40 % print were such instants, none lasting a second). It is taken out of the
        facility's calls and markers, and counted in `margin_call_instants`."""
        self.book.calls[i] -= 1
        self.book.instant_calls[i] += 1
        self.markers[marker] = None

    def _row(self) -> None:
        self.due_row = False
        if self.price is None:
            return
        b = self.book
        value = collateral_value(b.sats, self.price)
        owing = b.active & (b.owed > 0)
        cvl = np.where(owing, value * 100.0 / np.maximum(b.owed, 1), np.nan)
        b.cvl_min = np.fmin(b.cvl_min, cvl)
        first = owing & np.isnan(b.cvl_start)
        b.cvl_start[first] = cvl[first]
        b.cvl_end = np.where(b.active, cvl, b.cvl_end)
        live = cvl[owing]
        p05, p50, p95 = percentiles(live) if live.size else (np.nan,) * 3
        owes = b.owed + b.defaulted > 0  # one owing nothing is fully collateralized, whatever its state
        states = np.bincount(np.where(owes, b.state, 0)[b.active], minlength=3)
        self.rows.append({
            "time": self.at, "price_cents": self.price, "facilities_active": int(b.active.sum()),
            "fully_collateralized": int(states[0]), "under_margin_call": int(states[1]),
            "under_liquidation": int(states[2]), "cvl_p05": p05, "cvl_p50": p50, "cvl_p95": p95,
            "cvl_min": float(live.min()) if live.size else np.nan,
            "outstanding_cents": int(b.owed[b.active].sum()),
            "collateral_value_cents": _total(value[b.active], self.price),
            "shortfall_cents": int(_shortfall(b, value)[b.active].sum()),
            "reserves_cents": self.aging.reserves(b.owed + b.defaulted, value, b.active, self.at),
            "liquidations_in_flight": self.in_flight, "desk_queue": self.queued,
            "liquidations_executed_cum": self.executed, "proceeds_cents_cum": self.proceeds})

    def close(self, last: str | None) -> None:
        if self.due_row:
            self._row()
        self.end = _epoch(last) if last else 0
        b = self.book
        open_ = b.called_since >= 0
        b.called_seconds[open_] += self.end - b.called_since[open_]

    def timeseries(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(self.rows[0]) if self.rows else ["time", "price_cents"])
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        return frame

    def facilities(self, ids: list[str]) -> pd.DataFrame:
        b = self.book
        return pd.DataFrame({
            "facility_id": ids, "cvl_start_pct": b.cvl_start, "cvl_min_pct": b.cvl_min, "cvl_end_pct": b.cvl_end,
            "hours_under_margin_call": b.called_seconds / 3600.0, "margin_calls": b.calls,
            "margin_call_instants": b.instant_calls,
            "liquidations": b.liquidations, "sats_sold": b.sold, "proceeds_cents": b.proceeds,
            "proceeds_surplus_cents": b.surplus,
            "collateral_sats_end": b.sats, "outstanding_cents_end": b.owed,
            "shortfall_cents": np.where(b.active, _shortfall(b, collateral_value(b.sats, self.price or 0)), 0),
        })


def _shortfall(b: _Book, value: np.ndarray) -> np.ndarray:
    """Each facility's debt not covered by its collateral's value: what it owes, defaulted balances
    included (Lana's outstanding, and so its CVL, leaves them out, but they are still owed: $10,000
    defaulted against $6,000 of collateral read as no shortfall at all), less the value, at least 0."""
    return np.maximum(0, b.owed + b.defaulted - value)


def _on(kind: str):
    def register(fn):
        _HANDLERS[kind] = fn
        return fn
    return register


_HANDLERS: dict = {}


@_on("core.credit-collateral.collateral-updated")
def _collateral(fold: _Fold, payload: dict, now: int, at: str) -> None:
    i = fold.book.index.get(payload["entity"]["secured_loan_id"])
    if i is not None:
        fold.book.sats[i] = payload["entity"]["amount"]


def _owed(fold: _Fold, facility_id: str, cents: int, now: int, at: str) -> None:
    i = fold.book.index.get(facility_id)
    if i is not None:
        fold.book.owed[i] += cents
        fold._call(i, now, at)  # paid off (or owing again): its margin-call spell follows


_on("core.credit.disbursal-settled")(
    lambda f, p, now, at: _owed(f, p["entity"]["credit_facility_id"], p["entity"]["amount"], now, at))
_on("core.credit.accrual-posted")(
    lambda f, p, now, at: _owed(f, p["entity"]["credit_facility_id"], _posted(p["entity"]), now, at))


def _posted(entity: dict) -> int:
    """A cycle that accrued nothing (its facility repaid or liquidated) posts nothing: `posting` is null."""
    posting = entity["posting"]
    return 0 if posting is None else int(posting["amount"])


@_on("core.credit-collection.payment-allocation-created")
def _allocated(fold: _Fold, payload: dict, now: int, at: str) -> None:
    entity = payload["entity"]
    i = fold.defaulted.get(entity["obligation_id"])
    if i is None:
        _owed(fold, entity["beneficiary_id"], -entity["amount"], now, at)
    else:  # a payment on a defaulted obligation: out of what was owed already
        fold.book.defaulted[i] -= entity["amount"]
        fold._call(i, now, at)


@_on("core.credit-collection.obligation-defaulted")
def _defaulted(fold: _Fold, payload: dict, now: int, at: str) -> None:
    """A defaulted obligation's unpaid balance leaves the facility's outstanding (as the bank's CVL
    leaves it out); reserves still count it."""
    entity = payload["entity"]
    i = fold.book.index.get(entity["beneficiary_id"])
    if i is not None:
        fold.defaulted[entity["id"]] = i
        fold.book.owed[i] -= entity["outstanding_amount"]
        fold.book.defaulted[i] += entity["outstanding_amount"]


@_on(_LIQUIDATION)
def _initiated(fold: _Fold, payload: dict, now: int, at: str) -> None:
    fold.in_flight, fold.queued, fold.started = fold.in_flight + 1, fold.queued + 1, fold.started + 1
    fold._facility(payload["entity"], now, at)


@_on("core.credit-collateral.liquidation-collateral-sent-out")
def _sent_out(fold: _Fold, payload: dict, now: int, at: str) -> None:
    """A liquidation's collateral may go out in several sends (Lana's are repeatable): each adds its
    sats and their value at the price then; the first takes it off the desk's queue and counts it."""
    liquidation_id, sats = payload["liquidation_id"], payload["amount"]
    first = liquidation_id not in fold.pending
    sent, value = fold.pending.get(liquidation_id, (0, 0))
    fold.pending[liquidation_id] = (sent + sats, value + sats * (fold.price or 0) // SATS_PER_BTC)
    i = fold.book.index.get(payload["secured_loan_id"])
    if i is not None:
        fold.book.sold[i] += sats
        fold.book.liquidations[i] += int(first)
    if first:
        fold.queued -= 1
        fold.markers.append((at, "liquidation", payload["secured_loan_id"], fold.price))


@_on("core.credit-collateral.liquidation-proceeds-received")
def _proceeds(fold: _Fold, payload: dict, now: int, at: str) -> None:
    """A liquidation sized to sell nothing completes with 0 cents and no collateral sent out: it
    leaves the desk's queue here, as another does at its first send (`_sent_out`)."""
    if payload["liquidation_id"] not in fold.pending:
        _sent_out(fold, {**payload, "amount": 0}, now, at)
    sats, value = fold.pending.pop(payload["liquidation_id"], (0, 0))
    cents = payload["amount"]
    fold.executed, fold.sold, fold.proceeds = fold.executed + 1, fold.sold + sats, fold.proceeds + cents
    fold.slippage += value - cents
    i = fold.book.index.get(payload["secured_loan_id"])
    before = fold.carried.pop(payload["liquidation_id"], None)
    if i is not None:
        fold.book.proceeds[i] += cents
        fold.book.surplus[i] += cents  # until its payment (`_paid`) takes what the facility owes
        if payload["payment_id"] is not None:  # null: nothing was payable, all of it is surplus
            fold.paying[payload["payment_id"]] = i
        if before is not None:  # sent out before the branch point: counted sold now
            fold.book.sold[i] += before
            fold.book.liquidations[i] += 1


@_on("core.credit-collection.payment-created")
def _paid(fold: _Fold, payload: dict, now: int, at: str) -> None:
    """A liquidation's proceeds are paid up to what the facility owes (`domains.credit.collateral.proceeds`);
    the rest stays in its proceeds-from-liquidation account: `proceeds_surplus_cents`."""
    entity = payload["entity"]
    i = fold.paying.pop(entity["id"], None)
    if i is not None:
        fold.book.surplus[i] -= entity["amount"]


@_on("core.credit-collateral.liquidation-completed")
def _completed(fold: _Fold, payload: dict, now: int, at: str) -> None:
    fold.in_flight -= 1


NUMBERS = ("facilities", "price_updates", "price_start_cents", "price_trough_cents", "price_end_cents", "margin_calls",
           "facilities_called", "still_under_margin_call", "margin_call_instants", "liquidations_started",
           "liquidations_executed", "btc_sold_sats", "proceeds_cents", "proceeds_surplus_cents", "slippage_cents",
           "shortfall_max_cents", "shortfall_end_cents", "min_cvl_pct", "hours_under_margin_call_mean",
           "hours_under_margin_call_max")  # _summary's, but the seed


def _summary(fold: _Fold, ts: pd.DataFrame, fac: pd.DataFrame, seed: int, digest: str) -> dict:
    called = fac[fac["margin_calls"] > 0]["hours_under_margin_call"]
    prices = ts["price_cents"] if len(ts) else pd.Series([0])
    cvl = fac["cvl_min_pct"].dropna()
    # the book at the end, at the price in force: a feed that published nothing at the end (stale, a gap,
    # updates off the horizon) left the desk's sales after its last update out of that update's row
    end = int(fac["shortfall_cents"].sum()) if len(ts) else 0
    return {
        "seed": int(seed), "facilities": len(fac), "price_updates": fold.updates,  # not the branch point's row
        "run_start_utc": ts["time"].iloc[0].isoformat() if len(ts) else None,
        "run_end_utc": pd.Timestamp(fold.end, unit="s", tz="UTC").isoformat() if len(ts) else None,
        "price_start_cents": int(prices.iloc[0]), "price_trough_cents": int(prices.min()),
        "price_end_cents": int(prices.iloc[-1]),
        "margin_calls": int(fac["margin_calls"].sum()), "facilities_called": len(called),
        "still_under_margin_call": int((fold.book.called_since >= 0).sum()),
        "margin_call_instants": int(fac["margin_call_instants"].sum()),
        "liquidations_started": fold.started, "liquidations_executed": fold.executed,
        "btc_sold_sats": fold.sold, "proceeds_cents": fold.proceeds,
        "proceeds_surplus_cents": int(fac["proceeds_surplus_cents"].sum()), "slippage_cents": fold.slippage,
        "shortfall_max_cents": max(int(ts["shortfall_cents"].max()), end) if len(ts) else 0,
        "shortfall_end_cents": end,
        "min_cvl_pct": cvl_down(cvl.min()) if len(cvl) else None,  # cut, not rounded up past a threshold
        "hours_under_margin_call_mean": round(float(called.mean()), 2) if len(called) else 0.0,
        "hours_under_margin_call_max": round(float(called.max()), 2) if len(called) else 0.0,
        "digest": digest,
    }

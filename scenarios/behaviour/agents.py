"""Agents of a stress run (the risk metrics lending desks publish): the bank's liquidation desk and the borrowers, both
outbox consumers (`sim.reactions`) whose reactions only record and schedule: the work runs later as a
`sim.jobs` job, outside the cascade that asked for it. Borrowers draw from one stream, `borrowers`."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import attrs

from domains.aggregate import Policy, Send
from domains.money import SATS_PER_BTC, cents_to_sats_up, sats_to_cents_down
from domains.wire import from_pascal
from engine.kernel.clock import Priority, parse_instant
from engine.kernel.errors import EngineError
from scenarios.behaviour.behaviours import (
    Behaviour,
    InvalidBorrowerBehaviour,
    NeverPay,
    PayLate,
    RepayEarly,
    TopUp,
    exact,
    number,
)

__all__ = ["Action", "Behaviour", "Borrowers", "Execution", "InvalidBorrowerBehaviour", "InvalidDeskSettings",
           "LiquidationDesk", "MarginCall", "NeverPay", "PayLate", "RepayEarly", "TopUp"]

HOUR, DAY, BPS = 3600, 86_400, 10_000
INITIATED, DUE = "core.credit.partial-liquidation-initiated", "core.credit-collection.obligation-due"
CHANGED = "core.credit.facility-collateralization-changed"
CALLED = ("under_margin_call_threshold", "under_liquidation_threshold", "no_collateral")  # or worse, while open


class InvalidDeskSettings(EngineError):
    """A liquidation desk setting is out of range (fields: field, value, problem)."""


# -- the liquidation desk ------------------------------------------------------------------------
@attrs.frozen
class Execution:
    """One liquidation as the desk carried it out (times are sim seconds since the start)."""

    facility_id: str
    liquidation_id: str
    started: int
    executed: int
    sats_sold: int
    proceeds_cents: int
    slippage_cents: int  # market value of the sats sold minus the proceeds
    slippage_bps: Fraction


class LiquidationDesk:
    """Sells collateral of each partial liquidation FIFO, `delay_hours` after it starts, at most
    `capacity_per_hour` per clock hour, at the market price less `base_slippage_bps` +
    `slippage_bps_per_btc` × BTC sold (capped at `max_slippage_bps`), then records the proceeds."""

    def __init__(self, sim, delay_hours: float = 2, capacity_per_hour: int = 5,
                 slippage_bps_per_btc: float | Decimal = 25, base_slippage_bps: float | Decimal = 50,
                 max_slippage_bps: float | Decimal = 5_000, *, name: str = "liquidation-desk") -> None:
        number(InvalidDeskSettings, "capacity_per_hour", capacity_per_hour, 1, whole=True)
        limits = {"delay_hours": (delay_hours, math.inf), "slippage_bps_per_btc": (slippage_bps_per_btc, math.inf),
                  "base_slippage_bps": (base_slippage_bps, BPS), "max_slippage_bps": (max_slippage_bps, BPS)}
        for field, (value, high) in limits.items():  # 10,000 bps of slippage or more leaves no price
            number(InvalidDeskSettings, field, value, 0, high)
        if max_slippage_bps < base_slippage_bps:
            raise InvalidDeskSettings(field="max_slippage_bps", value=max_slippage_bps,
                                      problem=f"must not be below base_slippage_bps {base_slippage_bps}")
        self.sim, self.name, self.delay, self.capacity = sim, name, round(delay_hours * HOUR), capacity_per_hour
        self.per_btc, self.base = exact(slippage_bps_per_btc), exact(base_slippage_bps)
        self.cap = exact(max_slippage_bps)
        self.executions: list[Execution] = []
        self._hour, self._used, self._last = -1, 0, 0
        self.pending: dict[int, tuple[str, str, int, int]] = {}  # job place -> order not yet executed
        sim.reactions.add(Policy(name, (INITIATED,), self.receive, subject=name))

    def slippage_bps(self, sats: int) -> Fraction:
        return min(self.cap, self.base + self.per_btc * Fraction(sats, SATS_PER_BTC))

    def proceeds(self, sats: int, cents_per_btc: int) -> int:
        """Cents received for `sats` at the price less slippage, rounded down to the cent."""
        return math.floor(Fraction(sats * cents_per_btc, SATS_PER_BTC) * (1 - self.slippage_bps(sats) / BPS))

    def receive(self, envelope: dict) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        trigger, started = entity["liquidation_trigger"], self.sim.elapsed
        order = (entity["id"], trigger["liquidation_id"], trigger["initially_estimated_to_liquidate"], started)
        self.book(self._slot(started + self.delay), order)
        return ()

    def take_over(self) -> None:
        """Queue the partial liquidations still open whose initiation the journal's earlier run told
        its desk of (those up to this desk's journaled cursor): a run on a branch of another run
        inherits them, but not that desk's queue, which lived in its jobs. In initiation order, each
        `started` at the instant it was initiated, as that desk had it: ready `delay_hours` after,
        so sold when it would have been (already past: at once, or at the first hour with room).
        Capacity counts this desk's sales; the earlier desk's before the run do not use it up.
        Liquidations the journal's desk was never told of (an imported book's) reach this desk as
        any initiation does, when it starts listening. Call once, when a run (not a resume) starts."""
        told = self.sim.reactions.stored.get(self.name, 0)
        if told == 0:
            return
        orders = []  # all found before any is booked: one due already is sold at once
        for envelope in self.sim.outbox.stream(0, INITIATED):
            if envelope["sequence"] > told:
                break
            entity = envelope["payload"]["entity"]
            trigger, running = entity["liquidation_trigger"], self.sim.credit.liquidation(entity["id"])
            if running is not None and running.id == trigger["liquidation_id"]:
                started = int((parse_instant(envelope["recorded_at"]) - self.sim.clock.start).total_seconds())
                orders.append((entity["id"], running.id, trigger["initially_estimated_to_liquidate"], started))
        for order in orders:
            self.book(self._slot(order[3] + self.delay), order)

    def book(self, when: int, order: tuple[str, str, int, int]) -> None:
        """Execute `order` (facility, liquidation, estimated sats, started) at sim second `when`; until
        then it is in `pending` under its job's place (what a checkpoint records, in job order)."""
        place = self.sim.jobs.reserve()
        self.pending[place] = order

        def execute() -> None:
            del self.pending[place]
            self._execute(*order)

        self.sim.jobs.at(when, execute, Priority.LIQUIDATION, place=place)

    @property
    def hour_used(self) -> list[int]:
        """The desk's capacity bookkeeping: [clock hour, executions booked in it, last slot]."""
        return [self._hour, self._used, self._last]

    @hour_used.setter
    def hour_used(self, value: list[int]) -> None:
        self._hour, self._used, self._last = value

    def _slot(self, ready: int) -> int:
        """The first instant >= ready and every earlier order's, in an hour with room (a slot due
        now runs after the cascade that booked it: `Jobs.at` defers it)."""
        when = max(ready, self._last, self.sim.elapsed)
        if when // HOUR == self._hour and self._used >= self.capacity:
            when = (self._hour + 1) * HOUR
        if when // HOUR != self._hour:
            self._hour, self._used = when // HOUR, 0
        self._used, self._last = self._used + 1, when
        return when

    def _execute(self, facility_id: str, liquidation_id: str, estimated_sats: int, started: int) -> None:
        """Sell the estimate (at most the collateral left) unless the liquidation ended or would fetch 0."""
        credit, price = self.sim.credit, self.sim.price.current()
        running = credit.liquidation(facility_id)
        if running is None or running.id != liquidation_id:
            return
        sats = min(estimated_sats, self.sim.state("collateral", running.collateral_id).amount)
        proceeds = self.proceeds(sats, price)
        if proceeds <= 0:
            return
        credit.send_collateral_to_liquidation(facility_id, sats)
        credit.record_liquidation_proceeds(facility_id, proceeds)
        self.executions.append(Execution(facility_id, liquidation_id, started, self.sim.elapsed, sats, proceeds,
                                         sats_to_cents_down(sats, price) - proceeds, self.slippage_bps(sats)))


# -- borrowers (their `Behaviour`s: scenarios.behaviour.behaviours) ---------------------------------
@attrs.define
class MarginCall:
    """A spell under the margin-call CVL, liquidation or all collateral gone (sim seconds; None: open)."""

    facility_id: str
    started: int
    ended: int | None = None
    topped_up_sats: int = 0
    repaid_cents: int = 0


Action = tuple[object, ...]  # ("top_up", call, target_cvl) | ("repay", call, fraction) | ("pay", facility, obligation)


class Borrowers:
    """Each facility's borrower acting on its `Behaviour`; margin calls are timed for every facility."""

    def __init__(self, sim, behaviours: dict[str, Behaviour], *, name: str = "borrowers") -> None:
        self.sim, self.name, self.behaviours, self.rng = sim, name, dict(behaviours), sim.random("borrowers")
        self.calls: dict[str, list[MarginCall]] = {}
        self.pending: dict[int, Action] = {}  # job place -> an action not yet taken
        sim.reactions.add(Policy(f"{name}.margin-calls", (CHANGED,), self.collateralization_changed, subject=name))
        sim.reactions.add(Policy(f"{name}.obligations", (DUE,), self.obligation_due, subject=name))

    def margin_calls(self) -> list[MarginCall]:
        return sorted((c for calls in self.calls.values() for c in calls), key=lambda c: c.started)

    def time_under_margin_call(self, facility_id: str) -> int:
        """Seconds the facility has spent under its margin-call CVL (an open call counts to now)."""
        now = self.sim.elapsed
        return sum((now if c.ended is None else c.ended) - c.started for c in self.calls.get(facility_id, ()))

    def collateralization_changed(self, envelope: dict) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        facility_id = entity["id"]
        called = _called(entity)
        calls = self.calls.setdefault(facility_id, [])
        open_call = calls[-1] if calls and calls[-1].ended is None else None
        if called and open_call is None:
            calls.append(MarginCall(facility_id, self.sim.elapsed))
            self._answer(calls[-1], self.behaviours.get(facility_id))
        elif not called and open_call is not None:
            open_call.ended = self.sim.elapsed
        return ()

    def _answer(self, call: MarginCall, behaviour: Behaviour | None) -> None:
        match behaviour:
            case TopUp(probability=p, cure_window_hours=hours, target_cvl=target):
                tops_up, when = self.rng.random() < p, self.rng.random()  # two draws either way
                if tops_up:
                    self.later(self.sim.elapsed + int(hours * HOUR * when), ("top_up", call, target))
            case RepayEarly(fraction=fraction, after_hours=hours):
                self.later(self.sim.elapsed + round(hours * HOUR), ("repay", call, fraction))

    def obligation_due(self, envelope: dict) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        delay = _pays_after(self.behaviours.get(entity["beneficiary_id"]))
        if delay is not None:
            self.later(self.sim.elapsed + delay, ("pay", entity["beneficiary_id"], entity["id"]))
        return ()

    def take_over(self) -> None:
        """Book what these borrowers would still do after now for the margin calls and obligations
        the journal's earlier run told its borrowers of (up to their journaled cursors): a run on a
        branch of another run inherits those, but not that run's pending actions, which lived in its
        jobs. Each facility's margin-call spell open at the cursor is rebuilt (`started` when it
        opened) and answered by the facility's behaviour in this run, in the order the spells
        opened; then each obligation fallen due is paid as the behaviour pays, in the order they
        fell due. An action timed at or before now was the earlier run's to take (the journal holds
        whether it did), so only later ones are booked: a repayment `after_hours` after its call
        opened, a late payment `days` after its obligation fell due. A top-up borrower whose call is
        still open has not posted yet: with the chance that leaves (`probability` × the share of the
        cure window still ahead, over 1 − `probability` × the share gone), it posts at a time drawn
        uniformly over the rest of the window (two draws per call either way). Calls and obligations
        the earlier borrowers were never told of (an imported book's) reach these borrowers as any
        event does, when they start listening. Call once, when a run (not a resume) starts."""
        stored, now = self.sim.reactions.stored, self.sim.elapsed
        told = stored.get(f"{self.name}.margin-calls", 0)
        spells: dict[str, tuple[int, int] | None] = {}  # facility -> (instant, sequence) its open spell began
        for envelope in self.sim.outbox.stream(0, CHANGED):
            if envelope["sequence"] > told:
                break
            entity = envelope["payload"]["entity"]
            if not _called(entity):
                spells[entity["id"]] = None
            elif spells.get(entity["id"]) is None:
                spells[entity["id"]] = (self._instant(envelope), envelope["sequence"])
        for began, facility_id in sorted((s, f) for f, s in spells.items() if s is not None):
            call = MarginCall(facility_id, began[0])
            self.calls.setdefault(facility_id, []).append(call)
            self._answer_late(call, self.behaviours.get(facility_id), now)
        told = stored.get(f"{self.name}.obligations", 0)
        for envelope in self.sim.outbox.stream(0, DUE) if told else ():
            if envelope["sequence"] > told:
                break
            entity = envelope["payload"]["entity"]
            delay = _pays_after(self.behaviours.get(entity["beneficiary_id"]))
            if delay is not None and self._instant(envelope) + delay > now:
                self.later(self._instant(envelope) + delay, ("pay", entity["beneficiary_id"], entity["id"]))

    def _instant(self, envelope: dict) -> int:
        return int((parse_instant(envelope["recorded_at"]) - self.sim.clock.start).total_seconds())

    def _answer_late(self, call: MarginCall, behaviour: Behaviour | None, now: int) -> None:
        """`_answer` for a call opened before now whose earlier actions are history (`take_over`)."""
        match behaviour:
            case TopUp(probability=p, cure_window_hours=hours, target_cvl=target):
                window = hours * HOUR
                gone = min(1.0, (now - call.started) / window)
                chance = 0.0 if gone >= 1 else p * (1 - gone) / (1 - p * gone)
                tops_up, when = self.rng.random() < chance, self.rng.random()
                if tops_up:
                    self.later(now + int((call.started + window - now) * when), ("top_up", call, target))
            case RepayEarly(fraction=fraction, after_hours=hours):
                if call.started + round(hours * HOUR) > now:
                    self.later(call.started + round(hours * HOUR), ("repay", call, fraction))

    def later(self, when: int, action: Action) -> None:
        """Take `action` at sim second `when` (now: after the current cascade, which `Jobs.at`
        guarantees); until then it is in `pending` under its job's place."""
        place = self.sim.jobs.reserve()
        self.pending[place] = action

        def act() -> None:
            del self.pending[place]
            self._act(action)

        self.sim.jobs.at(when, act, Priority.SCENARIO, place=place)

    def _act(self, action: Action) -> None:
        match action:
            case ("top_up", MarginCall() as call, Decimal() as target):
                self._top_up(call, target)
            case ("repay", MarginCall() as call, float() | int() as fraction):
                self._repay(call, fraction)
            case ("pay", str(facility_id), str(obligation_id)):
                self._pays(facility_id, self.sim.state("obligation", obligation_id).outstanding)
            case _:
                raise ValueError(f"not a borrower's action: {action!r}")

    def _top_up(self, call: MarginCall, target_cvl: Decimal) -> None:
        view, price = self.sim.credit.facility(call.facility_id), self.sim.price.current()
        needed = cents_to_sats_up(math.ceil(view.books.outstanding * exact(target_cvl) / 100), price)
        if call.ended is None and needed > view.collateral_sats:  # else cured meanwhile (the price came back)
            self.sim.credit.update_collateral(call.facility_id, needed)
            call.topped_up_sats += needed - view.collateral_sats

    def _repay(self, call: MarginCall, fraction: float) -> None:
        if call.ended is None:  # else cured meanwhile
            owed = self.sim.credit.books(call.facility_id).outstanding
            call.repaid_cents += self._pays(call.facility_id, math.floor(owed * exact(fraction)))

    def _pays(self, facility_id: str, cents: int) -> int:
        """Pay `cents` from the borrower's deposit account, or as much as it holds."""
        account = self.sim.state("credit-facility", facility_id).disbursal_credit_account_id
        amount = min(cents, self.sim.deposit.balance(account))
        if amount > 0:
            self.sim.credit.record_payment(facility_id, amount)
        return max(0, amount)


def _called(entity: dict) -> bool:
    """Whether a collateralization change leaves its facility under a margin call (or worse)."""
    return from_pascal(entity["collateralization"]["state"]) in CALLED and entity["completed_at"] is None


def _pays_after(behaviour: Behaviour | None) -> int | None:
    """Seconds after an obligation falls due that `behaviour` pays it (None: never)."""
    match behaviour:
        case TopUp() | RepayEarly():
            return 0
        case PayLate(days=days):
            return days * DAY
    return None

"""The bank's liquidation desk in a stress run (the risk metrics lending desks publish): an outbox
consumer (`sim.reactions`) whose reaction only records and schedules; each sale runs later as a
`sim.jobs` job, outside the cascade that asked for it."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import attrs

from domains.aggregate import Policy, Send
from domains.money import SATS_PER_BTC, sats_to_cents_down
from engine.kernel.clock import Priority, parse_instant
from engine.kernel.errors import EngineError
from scenarios.behaviour.behaviours import exact, number

__all__ = ["MAX_SLIPPAGE_BPS", "Execution", "InvalidDeskSettings", "LiquidationDesk"]

HOUR, BPS = 3600, 10_000
MAX_SLIPPAGE_BPS = 5_000  # the desk never sells below half the market price
INITIATED = "core.credit.partial-liquidation-initiated"


class InvalidDeskSettings(EngineError):
    """A liquidation desk setting is out of range (fields: field, value, problem)."""


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
                 max_slippage_bps: float | Decimal = MAX_SLIPPAGE_BPS, *, name: str = "liquidation-desk") -> None:
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
        """Sell the estimate (at most the collateral left) unless the liquidation ended. A sale that
        fetches nothing is still done and its 0 cents recorded: dust worth under a cent after
        slippage (a facility's last crumbs of collateral) goes out, and a liquidation sized to
        sell nothing sends none. Left open, either stayed in flight to the end of the run and
        blocked every later liquidation of its facility (Lana completes a liquidation only by its
        proceeds, and starts none while one runs)."""
        credit, price = self.sim.credit, self.sim.price.current()
        running = credit.liquidation(facility_id)
        if running is None or running.id != liquidation_id:
            return
        sats = min(estimated_sats, self.sim.state("collateral", running.collateral_id).amount)
        proceeds = self.proceeds(sats, price)
        if sats > 0:
            credit.send_collateral_to_liquidation(facility_id, sats)
        credit.record_liquidation_proceeds(facility_id, proceeds)
        self.executions.append(Execution(facility_id, liquidation_id, started, self.sim.elapsed, sats, proceeds,
                                         sats_to_cents_down(sats, price) - proceeds, self.slippage_bps(sats)))

"""The borrowers of a stress run, each acting on its `Behaviour` (scenarios.behaviour.behaviours): an
outbox consumer (`sim.reactions`) whose reactions only record and schedule; top-ups and payments run
later as `sim.jobs` jobs, outside the cascade that asked for them. They draw from one stream, `borrowers`."""

from __future__ import annotations

import math
from decimal import Decimal

import attrs

from domains.aggregate import Policy, Send
from domains.money import cents_to_sats_up
from domains.wire import from_pascal
from engine.kernel.clock import Priority, parse_instant
from scenarios.behaviour.behaviours import Behaviour, PayLate, RepayEarly, TopUp, exact

__all__ = ["Action", "Borrowers", "CALLED", "MarginCall"]

HOUR, DAY = 3600, 86_400
DUE = "core.credit-collection.obligation-due"
CHANGED = "core.credit.facility-collateralization-changed"
CALLED = ("under_margin_call_threshold", "under_liquidation_threshold", "no_collateral")  # or worse, while open


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
            facility = self.sim.state("credit-facility", call.facility_id)
            wallet = self.sim.state("collateral", facility.collateral_id).custody_wallet_id
            if wallet is None:
                self.sim.credit.update_collateral(call.facility_id, needed)
            else:  # sent to the custody wallet: its custodian reports the balance, which the collateral
                # follows (a manual update of wallet-backed collateral is refused, and stopped the run)
                self.sim.custody.update_balance(wallet, needed)
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

"""A stress run's participants and pending jobs as data, and back: what a day-end checkpoint holds
so a stopped run continues from it, running every job the run that never stopped would have, in
the same order (jobs of one instant and priority run in the order they were scheduled)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from engine.kernel.clock import Priority
from engine.kernel.errors import EngineError
from engine.kernel.jobqueue import described, put_back, take_all
from scenarios.behaviour.agents import (
    Behaviour,
    Borrowers,
    LiquidationDesk,
    MarginCall,
    NeverPay,
    PayLate,
    RepayEarly,
    TopUp,
)

__all__ = ["CannotRestore", "DayEnds", "behaviours_as_data", "behaviours_from_data", "capture", "restore"]

_BEHAVIOURS: dict[str, type] = {c.__name__: c for c in (TopUp, RepayEarly, PayLate, NeverPay)}


class CannotRestore(EngineError):
    """A checkpoint does not fit the simulation reopened at it (fields: problem)."""


def behaviours_as_data(book: list[str], behaviours: dict[str, Behaviour]) -> dict:
    """The borrowers' behaviours in book order: the distinct ones, and each facility's index among them."""
    kinds: list[list[Any]] = []
    of: list[int] = []
    for facility in book:
        b = behaviours[facility]
        entry = [type(b).__name__, {k: str(v) for k, v in attrs.asdict(b).items()}]
        if entry not in kinds:
            kinds.append(entry)
        of.append(kinds.index(entry))
    return {"kinds": kinds, "of": of}


def behaviours_from_data(book: list[str], data: dict) -> dict[str, Behaviour]:
    kinds = [_behaviour(name, fields) for name, fields in data["kinds"]]
    return {facility: kinds[i] for facility, i in zip(book, data["of"], strict=True)}


def _behaviour(name: str, fields: dict[str, str]) -> Behaviour:
    cls = _BEHAVIOURS[name]
    decimals = {f.name for f in attrs.fields(cls) if f.type == "Decimal"}
    behaviour: Behaviour = cls(**{k: Decimal(v) if k in decimals else _number(v) for k, v in fields.items()})
    return behaviour


def _number(text: str) -> int | float:
    """The int or float whose str() is `text` (a behaviour holds what the parameters gave it)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


class DayEnds:
    """Stages, with the commit that ends each day (`expect` names the day and its last second), the
    run's checkpoint in its metadata: the instant, the journal's last seq and outbox sequence, ids and
    random streams, the participants and the pending jobs. A day whose pending jobs cannot all be
    described keeps the previous day's checkpoint."""

    def __init__(self, sim, desk: LiquidationDesk, borrowers: Borrowers) -> None:
        self.sim, self.desk, self.borrowers = sim, desk, borrowers
        self.day, self.due = 0, -1
        sim.journal.before_commit.append(self.stage)

    def expect(self, day: int, due: int) -> None:
        self.day, self.due = day, due

    def stage(self) -> None:
        """A `before_commit` hook: the commit at the day's end, once its jobs have all run, gets the
        checkpoint. Not the commit of a simulation closed by a stop or a failure at that instant
        (`Jobs.reached` is then short of it): that day's jobs did not all run, and a resume from a
        checkpoint claiming them would skip the rest (an interrupted branch of 5,000 imported
        facilities resumed without that midnight's accruals)."""
        sim = self.sim
        if sim.elapsed != self.due or sim.jobs.stepping or sim.jobs.reached != self.due:
            return
        self.due = -1
        state = capture(sim, self.desk, self.borrowers)
        if state is not None:
            sim.journal.set_meta(checkpoint={"day": self.day, "now": sim.clock.iso, "seq": sim.journal.last_seq,
                                             "outbox": sim.outbox.sequence, "ids": sim.ids.state(), **state})


def capture(sim, desk: LiquidationDesk, borrowers: Borrowers) -> dict | None:
    """Every pending job as data in the order they will run, the desk's hour and the margin calls
    open or awaited; None when some pending job is not one a checkpoint knows how to restore."""
    if sim.jobs.deferred:
        return None
    calls: list[list[Any]] = []
    refs: dict[int, int] = {}

    def ref(call: MarginCall) -> int:
        if id(call) not in refs:
            refs[id(call)] = len(calls)
            nth = next(i for i, c in enumerate(borrowers.calls[call.facility_id]) if c is call)
            calls.append([call.facility_id, nth, call.started, call.ended, call.topped_up_sats, call.repaid_cents])
        return refs[id(call)]

    queue: list[list[Any]] = []
    untagged: set[int] = set()
    for t, priority, place in described(sim.jobs):
        job = _describe(sim, desk, borrowers, place, ref)
        if job is None:
            if priority not in (Priority.PRICE, Priority.END_OF_DAY) or priority in untagged:
                return None
            untagged.add(priority)
            job = ["price"] if priority == Priority.PRICE else ["end-of-day"]
        queue.append([t, priority, *job])
    for facility_calls in borrowers.calls.values():
        if facility_calls and facility_calls[-1].ended is None:
            ref(facility_calls[-1])
    return {"queue": queue, "calls": calls, "desk": desk.hour_used}


def _describe(sim, desk: LiquidationDesk, borrowers: Borrowers, place: int,
              ref: Callable[[MarginCall], int]) -> list[Any] | None:
    alarm = sim.alarms.describe(place)
    if alarm is not None:
        return alarm
    if place in desk.pending:
        return ["desk", *desk.pending[place]]
    action = borrowers.pending.get(place)
    match action:
        case None:
            return None
        case ("top_up", MarginCall() as call, target):
            return ["top_up", ref(call), str(target)]
        case ("repay", MarginCall() as call, fraction):
            return ["repay", ref(call), fraction]
        case _:
            return list(action)


def restore(sim, desk: LiquidationDesk, borrowers: Borrowers, checkpoint: dict,
            follow: Callable[[int], None]) -> None:
    """Replace the jobs the reopened simulation scheduled with the checkpoint's, in its order, and
    give the desk and the borrowers their state; `follow(t)` restarts the price feed at second t."""
    taken = take_all(sim.jobs)
    for eid in sorted(taken):
        if taken[eid][1] < min(Priority):  # simpy's own (the stop event of the clock's run to the instant)
            put_back(sim.jobs, taken.pop(eid))
    walks = sim.alarms.forget_stored()  # the reopening's walks of its stored alarms: the checkpoint has its own
    kept = {eid: job for eid, job in taken.items() if eid not in walks}
    closings = [job for job in kept.values() if job[1] == Priority.END_OF_DAY]
    if len(kept) != 1 or len(closings) != 1:
        raise CannotRestore(problem=f"the reopened simulation scheduled {sorted(kept.values())[:4]} besides its "
                                    "stored alarms; a checkpoint restores exactly one: the end of day")
    calls = []
    for facility, _, started, ended, topped, repaid in sorted(checkpoint["calls"], key=lambda c: (c[0], c[1])):
        call = MarginCall(facility, started, ended, topped, repaid)
        borrowers.calls.setdefault(facility, []).append(call)
        calls.append(call)
    by_ref = [calls[i] for i in _order(checkpoint["calls"])]
    desk.hour_used = list(checkpoint["desk"])
    for t, _, tag, *args in checkpoint["queue"]:
        match tag:
            case "alarm" | "stored":
                sim.alarms.restore(sim.kinds, t, tag, *args)
            case "desk":
                desk.book(t, tuple(args))
            case "top_up":
                borrowers.later(t, ("top_up", by_ref[args[0]], Decimal(args[1])))
            case "repay":
                borrowers.later(t, ("repay", by_ref[args[0]], args[1]))
            case "pay":
                borrowers.later(t, ("pay", *args))
            case "price":
                follow(t)
            case "end-of-day":
                if closings[0][0] != t:
                    raise CannotRestore(problem=f"the end of day falls at second {closings[0][0]}, not {t}")
                put_back(sim.jobs, closings[0])
            case _:
                raise CannotRestore(problem=f"a pending job of kind {tag!r} cannot be restored")


def _order(calls: list[list[Any]]) -> list[int]:
    """For each call in checkpoint order, its position once sorted by (facility, index)."""
    ranked = sorted(range(len(calls)), key=lambda i: (calls[i][0], calls[i][1]))
    position = {original: rank for rank, original in enumerate(ranked)}
    return [position[i] for i in range(len(calls))]

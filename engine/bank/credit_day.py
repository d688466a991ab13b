"""The credit module's day end (Lana's interest and maturity jobs): one pass over the cycles in
progress accrues the period each owes (one batch), the facilities whose maturity has come mature,
and the cycles that ended post once obligations are current. `CreditFlow` registers it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final, Protocol

from domains.aggregate import Envelope, Send
from domains.credit.facility import AccrueInterest, Mature, accrual_due_end, due_to_mature, ends_cycle, post_cycle
from engine.bank.credit_reads import FACILITY_KIND, CreditReads, CreditStates
from engine.bank.ports import JobScheduling
from engine.kernel.authz import System
from engine.kernel.batch import Batch
from engine.kernel.clock import Priority
from engine.kernel.ids import Ids

__all__ = ["CYCLE", "SUBJECT", "DayEnd", "FlowKernel"]

CYCLE: Final = "interest-accrual-cycle"
SUBJECT: Final = "credit-flow"  # the system principal the credit consumers act as


class FlowKernel(CreditStates, Protocol):
    """What the credit process managers use of the kernel: typed entity states and indexes, id draws,
    the time, deferred jobs and fire-and-forget tells (`engine.kernel.port.Kernel` is one)."""

    @property
    def ids(self) -> Ids: ...
    @property
    def jobs(self) -> JobScheduling: ...
    @property
    def now(self) -> datetime: ...
    def tell(self, kind: str, entity_id: str, command: object, *, subject: str = ...) -> None: ...


class DayEnd:
    """The `end-of-day` consumer and what it schedules, as a base of `CreditFlow`, whose state it
    uses: `kernel`, `reads`, the open facilities (`active`), the accrual batch (`accruals`, None: one
    tell per cycle) and the cycles posted since the last day end (`posted`)."""

    kernel: FlowKernel
    reads: CreditReads
    active: dict[str, None]
    accruals: Batch | None
    posted: list[str]

    def end_of_day(self, envelope: Envelope) -> tuple[Send, ...]:
        """One pass over the cycles in progress since `day` or before (the index, in (first day, id)
        order), each accruing the period it owes, if any, all in one batch; then the facilities
        whose maturity date has come. Cycles that end today are posted once obligations are
        current. A closed facility's cycle accrues no more; a posted cycle leaves memory."""
        day, due, posting = date.fromisoformat(envelope["payload"]["day"]), [], []
        today, active, state, principal = day.isoformat(), self.active, self.kernel.state, self.reads.principal
        live = self.accruals.live_state if self.accruals is not None else None  # the batch's actors, read first
        self.evict_posted()
        for cycle_id, first_day in self.kernel.index(CYCLE).scan("accruing_from"):
            if first_day > today:
                break
            cycle = live(cycle_id) if live is not None else None
            if cycle is None:
                cycle = state(CYCLE, cycle_id)
            end = accrual_due_end(cycle, day)  # of the period it owes (the accrual builds the period)
            if end is None or cycle.facility_id not in active:
                continue
            due.append((cycle_id, AccrueInterest(day, principal(cycle.facility_id))))
            if ends_cycle(cycle, end):
                posting.append(cycle_id)
        sends = self.accrue(due, envelope)
        for facility_id, maturity in self.kernel.index(FACILITY_KIND).scan("maturity_date"):
            if maturity > today:
                break
            if facility_id in active and due_to_mature(state(FACILITY_KIND, facility_id), day):
                sends.append(Send(FACILITY_KIND, facility_id, Mature(day)))
        if posting:
            self.kernel.jobs.at(self.kernel.now, lambda: self.post_cycles(posting), Priority.CYCLE_POSTING)
        return tuple(sends)

    def accrue(self, due: list[tuple[str, AccrueInterest]], envelope: Envelope) -> list[Send]:
        """Run the day's accruals as one batch, each a command of its cycle issued as this
        consumer's would be (same audit row, command id and context); returns what is left to
        send (everything, on the threaded runtime)."""
        if self.accruals is None:
            return [Send(CYCLE, cycle_id, command) for cycle_id, command in due]
        if due:
            self.accruals.run(due, subject=System(SUBJECT), causation=envelope["id"], trace_id=envelope["trace_id"])
        return []

    def post_cycles(self, cycle_ids: list[str]) -> None:
        """After obligations are current (Lana's AwaitObligationsSync): post each fully accrued cycle
        with its interest obligation, due on the cycle's last day; the facility concludes it."""
        for cycle_id in cycle_ids:
            for send in post_cycle(self.kernel.state(CYCLE, cycle_id), self.kernel.ids.entity()):
                self.kernel.tell(send.kind, send.id, send.command, subject=System("interest-accrual"))
        self.posted.extend(cycle_ids)

    def evict_posted(self) -> None:
        """Drop the actors of the cycles posted since the last day end (no command reaches a posted
        cycle again; a read folds it from the journal), so memory stays flat over a long run."""
        if self.accruals is not None and self.posted:
            state = self.kernel.state
            self.accruals.evict([c for c in self.posted if state(CYCLE, c).posted])
        self.posted = []

"""A batch's commands are journaled and audited as the same commands told one by one: each draws
its own command id, and shares the batch's subject, cause and trace (or, with no trace id, is its
own trace); their audit rows are the ones a tell stages."""

from __future__ import annotations

import json
from datetime import date

import pytest

from domains.credit.facility import AccrueInterest
from engine import Simulation
from engine.kernel.authz import System
from engine.kernel.entity import Executed
from tests.test_accrual_batch import CYCLE, open_book

SUBJECT = System("credit-flow")


def journaled(batched: bool, causation: str | None, trace_id: str | None) -> tuple[list[tuple], list[tuple]]:
    with Simulation(seed=3, start="2024-01-01") as sim:
        open_book(sim, 3)
        sim.advance(days=3)
        cycles = [cycle for cycle, _ in sim.index(CYCLE).scan("accruing_from")]
        due = [(cycle, AccrueInterest(date(2024, 1, 4), 100_000_00)) for cycle in cycles]
        first = sim.journal.last_seq + 1
        if batched:
            outcomes = sim.credit.flow.accruals.run(due, subject=SUBJECT, causation=causation, trace_id=trace_id)
            assert [type(o) for o in outcomes] == [Executed] * 3
        else:
            for cycle, command in due:
                sim.tell(CYCLE, cycle, command, subject=SUBJECT, causation=causation, trace_id=trace_id)
            sim.settle()
        sim.advance(days=1)  # the next day end's commands draw the ids that follow
        sim.journal.flush()
        conn = sim.journal.conn
        events = conn.execute("SELECT seq, type, context FROM events WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
        audit = conn.execute("SELECT recorded_at, subject, object, action, authorized, command FROM audit "
                             "ORDER BY id").fetchall()
        return events, audit


@pytest.mark.parametrize(("causation", "trace_id"), [("evt-1", "trace-1"), (None, None), ("evt-1", None)])
def test_a_batch_journals_the_contexts_and_audit_rows_of_its_commands_told_one_by_one(causation, trace_id):
    batched, told = journaled(True, causation, trace_id), journaled(False, causation, trace_id)
    assert batched == told
    contexts = [json.loads(context) for _, _, context in batched[0][:3]]
    assert len({c["command"] for c in contexts}) == 3  # each command its own id
    assert [c["causation"] for c in contexts] == [causation] * 3
    assert [c["trace"] for c in contexts] == [trace_id or c["command"] for c in contexts]
    assert len(batched[0]) > 3  # and the next day's

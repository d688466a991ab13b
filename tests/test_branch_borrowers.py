"""A run on a branch of another run inherits the margin calls and obligations its borrowers had not
yet answered at the branch point: they top up, repay and pay late after it as their behaviours say."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from engine.inspect import open_readonly
from scenarios.book.branch import run_from
from scenarios.library import resume_journal, run_scenario
from scenarios.library.crashes import crash_image

ADDED, PAID = "core.credit-collateral.collateral-updated", "core.credit-collection.payment-created"
SOURCE = {"facilities": 20, "days": 1, "top_up_probability": 1}  # ends 2020-03-13T00:00Z, mid-crash
FLAT = {"days": 3, "lead_days": 0, "path": "constant:", "top_up_probability": 1}  # nothing new happens after


def _source(tmp_path) -> tuple[str, dict]:
    """The source run and its metadata (its last checkpoint: what its borrowers had booked at its end)."""
    run_scenario("march-2020", 1, SOURCE, tmp_path / "source")
    with open_readonly(str(tmp_path / "source" / "journal.sqlite")) as view:
        return str(tmp_path / "source"), view.journal.meta()


def _after_branch(journal) -> tuple[dict, list[dict]]:
    """The branch's metadata and the envelopes it wrote itself (after its branch point)."""
    with open_readonly(str(journal)) as view:
        meta = view.journal.meta()
        since = json.loads(view.journal.conn.execute(
            "SELECT value FROM lanasim_meta WHERE key = 'run_from'").fetchone()[0])["sequence"]
        return meta, [e for e in view.outbox(types=[ADDED, PAID]) if e["sequence"] > since]


def test_a_branch_mid_crash_makes_the_top_ups_and_repayments_its_source_had_booked(tmp_path):
    source, source_meta = _source(tmp_path)
    checkpoint = source_meta["checkpoint"]
    calls = checkpoint["calls"]  # [facility, nth, started, ...]
    top_ups = {calls[job[3]][0]: calls[job[3]][2] for job in checkpoint["queue"] if job[2] == "top_up"}
    repays = {(calls[job[3]][0], job[0]) for job in checkpoint["queue"] if job[2] == "repay"}
    assert top_ups and repays
    summary = run_from("march-2020", source, seed=1, params=FLAT, run_dir=tmp_path / "a")

    meta, envelopes = _after_branch(tmp_path / "a" / "journal.sqlite")
    added = {e["payload"]["entity"]["secured_loan_id"]: e["recorded_at"] for e in envelopes
             if e["event_type"] == ADDED and e["payload"]["entity"]["adjustment"]["direction"] == "Add"}
    assert meta["stress_run"]["behaviours"] == source_meta["stress_run"]["behaviours"]  # same seed, same book
    assert set(added) == set(top_ups)
    for facility, started in top_ups.items():  # within the 72-hour cure window of the call
        assert "2020-03-13T00:00:00Z" <= added[facility] <= _iso(started + 72 * 3600)
    paid = {(e["payload"]["entity"]["beneficiary_id"], e["recorded_at"]) for e in envelopes if e["event_type"] == PAID}
    assert paid == {(facility, _iso(t)) for facility, t in repays}  # when the source would have

    again = run_from("march-2020", source, seed=1, params=FLAT, run_dir=tmp_path / "b")
    assert again["digest"] == summary["digest"]


def test_a_branch_before_a_late_payment_makes_it_the_day_its_source_did(tmp_path):
    source, _ = _source(tmp_path)
    with open_readonly(source + "/journal.sqlite") as view:  # no margin call before 12 March: all late payments
        late = {(e["payload"]["entity"]["beneficiary_id"], e["recorded_at"], e["payload"]["entity"]["amount"])
                for e in view.outbox(types=[PAID]) if "2020-03-05" < e["recorded_at"] < "2020-03-12"}
    assert late
    run_from("march-2020", source, at="2020-03-05T00:00:00Z", seed=1, params={**FLAT, "days": 5},
             run_dir=tmp_path / "late")
    _, envelopes = _after_branch(tmp_path / "late" / "journal.sqlite")
    assert {(e["payload"]["entity"]["beneficiary_id"], e["recorded_at"], e["payload"]["entity"]["amount"])
            for e in envelopes if e["event_type"] == PAID} == late


def test_a_branch_killed_while_its_inherited_top_ups_wait_resumes_to_the_uninterrupted_digest(tmp_path):
    source, _ = _source(tmp_path)
    whole = run_from("march-2020", source, seed=1, params=FLAT, run_dir=tmp_path / "whole")

    def kill(fraction: float, _: str) -> None:
        if round(fraction * 3) == 1:
            crash_image(tmp_path / "run" / "journal.sqlite", tmp_path / "killed")

    run_from("march-2020", source, seed=1, params=FLAT, run_dir=tmp_path / "run", progress=kill)
    with open_readonly(str(tmp_path / "killed" / "journal.sqlite")) as view:
        checkpoint = view.journal.meta()["checkpoint"]
    assert checkpoint["day"] == 1
    assert any(job[2] == "top_up" for job in checkpoint["queue"])  # booked by the take-over, still waiting
    assert resume_journal(tmp_path / "killed")[1]["digest"] == whole["digest"]


def _iso(seconds: int) -> str:
    """The instant `seconds` after the source's start (2020-02-25, 16 lead days before 12 March)."""
    return (datetime(2020, 2, 25, tzinfo=UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

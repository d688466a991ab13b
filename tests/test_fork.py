"""Branching a journal at any instant: the original is only read, the branch holds exactly the history
up to the instant, continues deterministically, never repeats an id, and can be stressed with `run --from`."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from engine.inspect import open_readonly
from scenarios import run_stress
from scenarios.cli import main

AT = "2020-03-13T06:00:00Z"  # mid-crash: margin calls and liquidations under way


@pytest.fixture(scope="module")
def stressed(tmp_path_factory):
    out = tmp_path_factory.mktemp("stressed") / "run"
    run_stress("march-2020", seed=1, out=str(out), facilities=8, lead_days=0, days=3)
    return out / "journal.sqlite"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_forking_leaves_the_original_bytes_unchanged(stressed, tmp_path):
    before = sha(stressed)
    assert main(["fork", str(stressed), "--at", AT, "--journal", str(tmp_path / "branch.sqlite")]) == 0
    assert sha(stressed) == before


def test_a_branch_holds_the_history_up_to_the_instant_and_verifies(stressed, tmp_path):
    branch = tmp_path / "branch.sqlite"
    assert main(["fork", str(stressed), "--at", AT, "--journal", str(branch)]) == 0
    assert main(["verify", str(branch)]) == 0
    with open_readonly(str(stressed)) as original, open_readonly(str(branch)) as cut:
        kept = cut.outbox()
        assert kept == [e for e in original.outbox() if e["recorded_at"] <= AT]
        facility = next(e["payload"]["entity"]["id"] for e in kept
                        if e["event_type"] == "core.credit.facility-activated")
        assert cut.entity("credit-facility", facility) == original.entity("credit-facility", facility, as_of=AT)
        assert cut.journal.meta()["now"] == AT


def test_a_branch_continues_deterministically_in_memory_or_in_a_file(stressed, tmp_path):
    digests = []
    for journal in (":memory:", str(tmp_path / "a.sqlite"), ":memory:"):
        with _reader(stressed) as sim:
            branch = sim.fork(at=AT, journal=journal)
        branch.advance(days=2)
        digests.append(branch.journal.digest())
        branch.close()
    assert digests[0] == digests[1] == digests[2]


def _reader(journal):
    from scenarios.book.export import branch_at

    return branch_at(str(journal), None)


def test_a_branch_never_reuses_an_id_the_history_holds(stressed):
    with _reader(stressed) as sim:
        branch = sim.fork(at=AT)
        held = {row[0] for row in branch.journal.conn.execute("SELECT id FROM entities")}
        customer = branch.customer.create_customer("new@bank.test")
        assert customer not in held
        branch.close()


def test_a_fork_outside_the_journal_is_refused_and_writes_nothing(stressed, tmp_path, capsys):
    branch = tmp_path / "early.sqlite"
    assert main(["fork", str(stressed), "--at", "2019-01-01", "--journal", str(branch)]) == 2
    assert "outside the journal" in capsys.readouterr().err and not branch.exists()


def test_a_stress_runs_on_a_branch_of_an_existing_journal(stressed, tmp_path, capsys):
    branch, out = tmp_path / "branch.sqlite", tmp_path / "run"
    assert main(["fork", str(stressed), "--at", "2020-03-12T00:00:00Z", "--journal", str(branch)]) == 0
    before = sha(branch)
    assert main(["run", "june-2022", "--from", str(branch), "--set", "lead_days=0", "--set", "days=1",
                 "--out", str(out), "--seed", "2"]) == 0
    assert sha(branch) == before and main(["verify", str(out)]) == 0
    with open_readonly(str(out / "journal.sqlite")) as run:
        assert run.journal.meta()["branched_from"] == str(branch)


def test_a_run_on_a_branch_counts_what_happens_after_the_branch_point_not_the_history_before_it(stressed, tmp_path):
    out = tmp_path / "run"
    assert main(["run", "march-2020", "--from", str(stressed), "--at", AT, "--set", "lead_days=0",
                 "--set", "days=2", "--out", str(out), "--seed", "2"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    facilities = pd.read_parquet(out / "facilities.parquet")
    with open_readonly(str(out / "journal.sqlite")) as run:
        start = run.journal.meta()["run_from"]
        envelopes = list(run.outbox_reader.stream())
        open_at_branch = run.journal.meta()["book"]["facilities"]
    before = [e for e in envelopes if e["sequence"] <= start["sequence"]]
    after = [e for e in envelopes if e["sequence"] > start["sequence"]]

    def count(kind, envelopes):
        return [e for e in envelopes if e["event_type"] == f"core.credit{kind}"]

    assert start["at"] == AT and summary["run_start_utc"] == "2020-03-13T06:00:00+00:00"
    assert count("-collateral.liquidation-proceeds-received", before)  # history the figures leave out
    assert summary["liquidations_started"] == len(count(".partial-liquidation-initiated", after))
    sold = count("-collateral.liquidation-proceeds-received", after)
    assert summary["liquidations_executed"] == len(sold) > 0
    assert summary["proceeds_cents"] == sum(e["payload"]["amount"] for e in sold) == facilities["proceeds_cents"].sum()
    assert summary["btc_sold_sats"] == facilities["sats_sold"].sum()
    assert summary["facilities"] == len(open_at_branch) == len(facilities)
    assert sorted(facilities["facility_id"]) == sorted(open_at_branch)


def test_a_branch_hosts_the_custom_aggregates_of_the_run_it_was_forked_from():
    from datetime import timedelta

    from engine import Simulation
    from tests.test_alarms import REMINDER, Remind

    with Simulation(seed=1, aggregates=[REMINDER]) as sim:
        due = sim.now + timedelta(days=2)
        sim.execute("reminder", "r", Remind(due, "pay"))
        sim.advance(days=1)
        branch = sim.fork()
    with branch:
        branch.advance(days=2)
        assert branch.state("reminder", "r").rang_at == (due,)
        assert set(branch.kinds) == {"reminder"}


def test_an_export_or_book_view_outside_the_journal_is_a_one_line_refusal_naming_the_instant(stressed, tmp_path,
                                                                                            capsys):
    out = tmp_path / "book.csv"
    assert main(["export", str(stressed), "--as-of", "2001-01-01", "--out", str(out)]) == 2
    assert main(["show", str(stressed), "book", "--as-of", "2001-01-01"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all("2001-01-01T00:00:00Z is outside the journal" in e for e in errors)
    assert all(e.endswith("(InvalidArgument)") and "fork" not in e for e in errors)  # words, not the engine's repr
    assert not out.exists()


@pytest.mark.parametrize("content", [None, b"hello, not a database"])
def test_a_stress_from_a_missing_or_foreign_file_is_refused_before_its_run_directory_is_made(tmp_path, capsys,
                                                                                             content):
    source = tmp_path / "source.sqlite"
    if content is not None:
        source.write_bytes(content)
    assert main(["run", "ftx-2022", "--from", str(source), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"lanasim: error: {source}: "), err
    assert not (tmp_path / "run").exists()
    assert content is None or source.read_bytes() == content


@pytest.mark.parametrize("at, fragment", [("nope", "an instant is an ISO-8601 date or time"),
                                          ("2019-01-01", "is outside")])
def test_a_stress_from_a_bad_instant_is_refused_before_its_run_directory_is_made(stressed, tmp_path, capsys, at,
                                                                                 fragment):
    assert main(["run", "ftx-2022", "--from", str(stressed), "--at", at, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("argv", [["show", "JOURNAL", "book", "--as-of", "soon"],
                                  ["export", "JOURNAL", "--as-of", "soon", "--out", "OUT"],
                                  ["fork", "JOURNAL", "--at", "soon", "--journal", "OUT"]])
def test_an_instant_that_is_no_date_is_a_one_line_refusal_naming_it(stressed, tmp_path, capsys, argv):
    out = tmp_path / "out"  # a name that says no format: the instant is what is refused
    assert main([str(stressed) if a == "JOURNAL" else str(out) if a == "OUT" else a for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lanasim: error: an instant is an ISO-8601 date or time (2024-06-01, 2024-06-01T12:00:00Z), "
                   "got 'soon'"]
    assert not out.exists()


def test_reading_a_journal_to_export_show_or_fork_it_leaves_no_file_beside_it(stressed, tmp_path):
    beside = lambda: sorted(p.name for p in stressed.parent.iterdir() if p.name.startswith(stressed.name))
    assert beside() == ["journal.sqlite"]
    before = sha(stressed)
    assert main(["export", str(stressed), "--out", str(tmp_path / "book.csv")]) == 0
    assert main(["show", str(stressed), "book"]) == 0
    assert main(["fork", str(stressed), "--at", AT, "--journal", str(tmp_path / "branch.sqlite")]) == 0
    assert beside() == ["journal.sqlite"] and sha(stressed) == before


def test_a_fork_at_something_that_is_no_instant_or_into_a_missing_directory_is_refused_by_argument(tmp_path):
    from engine import Simulation
    from engine.kernel.errors import InvalidArgument

    with Simulation(seed=1, start="2024-01-01") as sim:
        sim.advance(days=1)
        with pytest.raises(InvalidArgument) as refused:
            sim.fork(at=5)
        assert (refused.value.argument, refused.value.value) == ("instant", 5)
        with pytest.raises(InvalidArgument, match="no such directory") as refused:
            sim.fork(journal=str(tmp_path / "missing" / "branch.sqlite"))
        assert refused.value.argument == "journal" and not (tmp_path / "missing").exists()
        assert sim.fork().now == sim.now  # the simulation is still whole


def test_a_fork_onto_a_file_that_exists_is_refused_as_journal_exists_and_the_file_kept(tmp_path):
    """It was raised as `NotALanasimJournal`, which a caller reads as "that file is no journal";
    `JournalExists` says what is wrong (and is still a `NotALanasimJournal` for older callers)."""
    from engine import JournalExists, NotALanasimJournal, Simulation

    mine = tmp_path / "mine.sqlite"
    mine.write_bytes(b"a file lanasim did not make")
    with Simulation(seed=1, start="2024-01-01") as sim:
        sim.advance(days=1)
        with pytest.raises(JournalExists, match="exists already") as refused:
            sim.fork(journal=str(mine))
    assert isinstance(refused.value, NotALanasimJournal) and refused.value.path == str(mine)
    assert mine.read_bytes() == b"a file lanasim did not make"


def test_borrowers_whose_collateral_a_custody_wallet_holds_top_up_through_the_wallet(tmp_path):
    """A stress run on a journal with wallet-backed collateral (Lana's custodians) stopped at the
    first margin call a borrower answered: the top-up was a manual update, which the bank refuses
    for such collateral (`lanasim: error: ManualUpdateError(...)`, exit 2, 40 % into the run). The
    borrower now sends the bitcoin to the wallet and the custodian reports its balance, which the
    collateral follows; a manually held facility is topped up by the operator as before."""
    from domains.credit import std_terms
    from engine import Simulation

    journal, out = tmp_path / "custody.sqlite", tmp_path / "run"
    with Simulation(seed=3, start="2024-05-01", journal=str(journal)) as sim:
        sim.price.set(6_000_000)
        custodian = sim.custody.create_custodian("bitgo", provider="simulated")
        for i, held_by in enumerate([custodian, None]):
            customer = sim.customer.create_customer(f"w{i}@bank.test")
            sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
            facility = sim.credit.create_proposal(customer, 50_000_00, std_terms(duration=12), custodian_id=held_by)
            sim.credit.conclude_customer_approval(facility)
            wallet = sim.state("credit-facility-proposal", facility).custody_wallet_id
            if held_by:
                sim.custody.update_balance(wallet, 125_000_000)
            else:
                sim.credit.update_collateral(facility, 125_000_000)
        sim.advance(days=3)
    assert main(["run", "ftx-2022", "--from", str(journal), "--set", "days=10", "--set", "top_up_share=1",
                 "--set", "top_up_probability=1", "--set", "repay_share=0", "--set", "late_share=0",
                 "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["facilities_called"] == 2 and summary["still_under_margin_call"] == 0
    with open_readonly(str(out / "journal.sqlite")) as run:
        raised = [e["payload"]["entity"] for e in run.outbox_reader.stream()
                  if e["event_type"] == "core.credit-collateral.collateral-updated"
                  and e["payload"]["entity"]["amount"] > 125_000_000]
    assert len(raised) == 2
    assert main(["verify", str(out)]) == 0

"""A sweep `--from JOURNAL` whose journal is deleted mid-sweep: every run left failed the same way,
each a `failed` row, which is final, so a rerun with the journal restored (its modification time
kept, so the same run keys) never ran them. Now the runs that failed for it are `lost`, the sweep
stops in one line, and the same command runs the rest once the journal is back. The closing line
counts failed and lost runs apart."""

from __future__ import annotations

import logging
import re
import shutil

import pytest

from scenarios.cli import main
from scenarios.library import ScenarioError
from scenarios.sweep import read_runs, sweep

pytestmark = pytest.mark.timeout(120)

BOOK = ["facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
        "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
        "liquidation_cvl_pct",
        "f-1,ada@example.com,100000,100000,80000,812.33,2.5,12,12,2024-01-15,140,125,105",
        "f-2,bob@example.com,50000,50000,50000,0,1.1,9.5,6,2024-03-01,150,130,110"]
SEEDS = list(range(1, 7))


@pytest.fixture(scope="module")
def cluster():
    """A local cluster of 2 single-threaded processes on 127.0.0.1, shared by this module's tests."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


@pytest.fixture
def journal(tmp_path):
    """An imported two-facility book, and a copy of it with the same modification time."""
    (tmp_path / "book.csv").write_text("\n".join(BOOK) + "\n")
    path = tmp_path / "book.sqlite"
    assert main(["import", str(tmp_path / "book.csv"), "--as-of", "2024-03-10", "--price-usd", "60000",
                 "--journal", str(path)]) == 0
    shutil.copy2(path, tmp_path / "backup.sqlite")
    return path


def test_a_journal_deleted_mid_sweep_stops_it_with_lost_runs_that_the_same_command_runs_once_restored(
        tmp_path, cluster, journal):
    out, seen = tmp_path / "sweep", []

    def delete_after_the_first_run(done, total, row):
        seen.append(row)
        if done == 1:
            journal.unlink()

    settings = [f"book_from={journal}", "days=2"]
    with pytest.raises(ScenarioError, match=re.escape(
            f"the source journal disappeared mid-sweep: {journal} (No such file or directory); the sweep stopped, "
            f"and the runs that finished are kept in {out} (restore the journal and run the same command")):
        sweep("ftx-2022", SEEDS, [], settings, out, scheduler=cluster, progress=delete_after_the_first_run)
    kept = read_runs(out)
    assert set(kept["status"]) == {"ok", "lost"} and (kept["status"] == "ok").sum() >= 1
    assert all(error.startswith(f"SourceGone: {journal} (No such file") for error in kept[kept.status == "lost"].error)
    # one run a task here: the first lost row was the last one taken, the runs after it were never scheduled
    assert [row["status"] for row in seen].index("lost") == len(seen) - 1
    shutil.copy2(tmp_path / "backup.sqlite", journal)  # restored as it was, modification time included
    again = sweep("ftx-2022", SEEDS, [], settings, out, scheduler=cluster)
    assert (again.counts["skipped"], again.counts["ran"]) == ((kept.status == "ok").sum(), len(SEEDS) - len(seen) + 1)
    assert list(again.runs["status"]) == ["ok"] * len(SEEDS) and again.runs["digest"].nunique() == len(SEEDS)


@pytest.mark.parametrize(("lose", "why"), [(lambda path: path.unlink(), "No such file or directory"),
                                          (lambda path: path.write_text("garbage"), "no longer an SQLite file")],
                         ids=["deleted", "overwritten"])
def test_a_run_whose_journal_cannot_be_read_is_lost_naming_it_and_one_that_can_runs(journal, lose, why):
    from scenarios.sweep import books, worker
    from scenarios.sweep.plan import plan_grid

    spec = plan_grid("ftx-2022", [1], [{}], [f"book_from={journal}", "days=1"])[0]
    (journal.parent / "sweep").mkdir()
    book = books.build(spec, str(journal.parent / "sweep"))
    assert worker.source_gone(spec) is None and worker.run_one(spec, book=book)["status"] == "ok"
    lose(journal)
    row = worker.run_one(spec, book=book)
    assert (row["status"], row["error"]) == ("lost", f"SourceGone: {journal} ({why})") and row["key"] == spec.key


def delete_the_journal_after_a_run(path: str | None) -> None:
    """Injected into a worker process: the first run that ends there deletes `path` (None: undone)."""
    import os

    from scenarios.library import Scenario

    real = getattr(Scenario, "real_execute", Scenario.execute)
    Scenario.real_execute = real

    def execute(self, **kwargs):
        summary = real(self, **kwargs)
        if path is not None and os.path.exists(path):
            os.unlink(path)
        return summary

    Scenario.execute = execute if path is not None else real


def test_the_cli_says_in_one_line_that_the_journal_disappeared_and_exits_2(
        tmp_path, cluster, journal, capsys):
    from dask.distributed import Client

    argv = ["sweep", "ftx-2022", "--from", str(journal), "--seeds", "1-6", "--set", "days=2", "--scheduler", cluster,
            "--out", str(tmp_path / "sweep")]
    with Client(cluster) as client:
        client.run(delete_the_journal_after_a_run, str(journal))
        try:
            assert main(argv) == 2
        finally:
            client.run(delete_the_journal_after_a_run, None)
    err = capsys.readouterr().err
    assert err.count("lanasim: error: the source journal disappeared mid-sweep") == 1 and "Traceback" not in err
    assert set(read_runs(tmp_path / "sweep")["status"]) <= {"ok", "lost"}


def lose_two_fail_three(on: bool) -> None:
    """Injected into a worker process: the run of seed 2 comes back lost (its worker died), seed 3's failed."""
    from scenarios.sweep import worker

    real = getattr(worker, "real_run_one", worker.run_one)
    worker.real_run_one = real

    def run_one(spec, journals=None, book=None):
        if spec.seed == 2:
            return worker.lost_run(spec, RuntimeError("injected: its worker died"))
        row = real(spec, journals, book)
        if spec.seed == 3:
            row.update(status="failed", error="RuntimeError: injected")
        return row

    worker.run_one = run_one if on else real


def test_the_closing_line_counts_failed_and_lost_runs_apart_and_a_rerun_runs_only_the_lost_one(
        tmp_path, cluster, capsys):
    from dask.distributed import Client

    argv = ["sweep", "march-2020", "--seeds", "1-3", "--set", "facilities=3", "--set", "days=1", "--scheduler",
            cluster, "--out", str(tmp_path / "sweep")]
    with Client(cluster) as client:
        client.run(lose_two_fail_three, True)
        try:
            assert main(argv) == 0
        finally:
            client.run(lose_two_fail_three, False)
    assert ("3 runs: 3 ran (1 failed, 1 lost: the same command runs them again), 0 already done;"
            in capsys.readouterr().err)
    assert main(argv) == 0
    assert "3 runs: 1 ran (0 failed, 0 lost), 2 already done;" in capsys.readouterr().err
    assert list(read_runs(tmp_path / "sweep")["status"]) == ["ok", "ok", "failed"]


PRICES = "date,close\n2024-08-01,65000\n2024-08-03,52000\n2024-08-05,49000\n2024-08-08,59000\n"


@pytest.mark.parametrize(("lose", "why"), [(lambda path: path.unlink(), "No such file or directory"),
                                          (lambda path: path.write_text(PRICES.replace("49000", "39000")),
                                           "changed since the sweep was planned")],
                         ids=["deleted", "edited"])
def test_a_run_whose_price_file_is_gone_or_edited_is_lost_naming_it_not_figures_of_another_file(
        tmp_path, lose, why):
    """Runs of a `csv:` market are keyed by the hash of the file planned with: a run of an edited file
    recorded its figures under the old file's key (a rerun found it done), one of a deleted file was a
    final `failed` row."""
    from scenarios.sweep import worker
    from scenarios.sweep.plan import plan_grid

    prices = tmp_path / "btc.csv"
    prices.write_text(PRICES)
    spec = plan_grid("stress", [1], [{}], [f"path=csv:{prices}", "facilities=3", "days=2"])[0]
    assert worker.price_file_changed(spec) is None and worker.run_one(spec)["status"] == "ok"
    lose(prices)
    row = worker.run_one(spec)
    assert (row["status"], row["error"]) == ("lost", f"SourceGone: price file {prices} ({why})")
    assert row["key"] == spec.key


def test_a_price_file_deleted_mid_sweep_stops_it_and_the_same_command_runs_the_rest_once_restored(
        tmp_path, cluster):
    prices, out = tmp_path / "btc.csv", tmp_path / "sweep"
    prices.write_text(PRICES)

    def delete_after_the_first_run(done, total, row):
        if done == 1:
            prices.unlink()

    settings = [f"path=csv:{prices}", "facilities=3", "days=2"]
    with pytest.raises(ScenarioError, match=re.escape(
            f"the price file changed or disappeared mid-sweep: {prices} (No such file or directory); the sweep "
            f"stopped, and the runs that finished are kept in {out} (put the file back as it was")):
        sweep("stress", SEEDS, [], settings, out, scheduler=cluster, progress=delete_after_the_first_run)
    kept = read_runs(out)
    assert set(kept["status"]) == {"ok", "lost"}
    prices.write_text(PRICES)  # the same bytes: the same run keys
    again = sweep("stress", SEEDS, [], settings, out, scheduler=cluster)
    assert again.counts["skipped"] == (kept.status == "ok").sum()
    assert list(again.runs["status"]) == ["ok"] * len(SEEDS)

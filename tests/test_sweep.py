"""`lanasim sweep` on Dask: the same digests as in-process runs, rows streamed to Parquet, resumable,
failures recorded with a repro command, bad input refused before anything is touched."""

from __future__ import annotations

import logging
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scenarios.cli import main
from scenarios.library import ScenarioError, load_scenario, parse_params
from scenarios.sweep import is_sweep_dir, read_runs, report, run_sweep, sweep
from scenarios.sweep.plan import RunSpec, plan_grid
from scenarios.sweep.store import read_manifest

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "days=2"]


def in_process_digest(seed: int, **params) -> str:
    scenario = load_scenario("march-2020")
    values = parse_params(scenario, [f"{k}={v}" for k, v in params.items()])
    return scenario.execute(seed=seed, journal=":memory:", params=values)["digest"]


def digests(out: Path) -> dict[tuple[int, str], str]:
    runs = read_runs(out)
    return {(int(r.seed), r.param_facilities): r.digest for r in runs.itertuples()}


@pytest.fixture(scope="module")
def cluster():
    """One local cluster (2 single-threaded processes) shared by the tests that pass --scheduler."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


def test_a_sweep_on_a_local_cluster_of_two_workers_gives_the_digests_of_in_process_runs(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "march-2020", "--seeds", "1-2", "--grid", "facilities=4,6", *SMALL, "--workers", "2",
                 "--out", str(out)]) == 0
    assert "2 workers" in capsys.readouterr().err
    expected = {(s, str(f)): in_process_digest(s, facilities=f, days=2) for s in (1, 2) for f in (4, 6)}
    assert digests(out) == expected
    assert len(set(expected.values())) == 4
    assert len(read_manifest(out)["books"]) == 2  # a grid over the book's size opens a book per value


def test_a_sweep_over_seeds_and_a_market_grid_opens_its_book_once_and_gives_the_digests_of_in_process_runs(
        tmp_path, cluster):
    result = sweep("march-2020", [1, 2, 3], ["desk_capacity_per_hour=1,5"], ["facilities=4", "days=2"],
                   tmp_path / "s", scheduler=cluster)
    books = read_manifest(result.path)["books"]
    assert (result.counts["books_built"], list(books)) == (1, list(set(result.runs["book"])))
    assert [path.name.split("-")[0] for path in (result.path / "books").iterdir()] == list(books)
    assert {(r.seed, r.param_desk_capacity_per_hour): r.digest for r in result.runs.itertuples()} == {
        (s, str(c)): in_process_digest(s, facilities=4, days=2, desk_capacity_per_hour=c) for s in (1, 2, 3)
        for c in (1, 5)}
    assert result.runs["repro"].str.split(" --out ").str[1].is_unique  # a cell's repro never replaces another's


def test_a_sweep_through_dask_scheduler_and_dask_worker_processes_gives_the_same_digests(tmp_path, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address, env = f"tcp://127.0.0.1:{port}", {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "cwd": str(tmp_path)}
    scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", "1", "--nthreads",
                               "1", "--no-dashboard", "--host", "127.0.0.1"], **quiet)
    try:
        from dask.distributed import Client

        with Client(address, timeout=20) as client:
            client.wait_for_workers(1, timeout=30)
        out = tmp_path / "sweep"
        assert main(["sweep", "march-2020", "--seeds", "3", "--grid", "facilities=4,6", *SMALL,
                     "--scheduler", address, "--out", str(out)]) == 0
        assert f"dask: 1 workers at {address}; dashboard none\n" in capsys.readouterr().err  # --no-dashboard
        assert digests(out) == {(3, str(f)): in_process_digest(3, facilities=f, days=2) for f in (4, 6)}
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=15)


def test_rerunning_a_sweep_skips_finished_runs_and_never_rewrites_earlier_parts(tmp_path, cluster, capsys):
    out = tmp_path / "sweep"
    first = sweep("march-2020", [1, 2], ["facilities=4"], ["days=2"], out, scheduler=cluster)
    parts = {p: p.read_bytes() for p in (out / "runs.parquet").iterdir()}
    again = sweep("march-2020", [1, 2, 3], ["facilities=4"], ["days=2"], out, scheduler=cluster)
    assert (first.counts["ran"], again.counts["ran"], again.counts["skipped"]) == (2, 1, 2)
    assert (first.counts["books_built"], again.counts["books_built"], again.counts["books_kept"]) == (1, 0, 1)
    assert all(p.read_bytes() == content for p, content in parts.items())
    assert list(again.runs["seed"]) == [1, 2, 3]
    assert list(again.runs["digest"][:2]) == list(first.runs["digest"])


def test_rerunning_a_finished_sweep_starts_no_cluster_and_rewrites_its_outputs_the_same(tmp_path, cluster,
                                                                                     monkeypatch):
    from scenarios.sweep import runner

    out = tmp_path / "sweep"
    first = sweep("march-2020", [1, 2], ["facilities=3,4"], ["days=1"], out, scheduler=cluster)
    risk = (out / "risk.parquet").read_bytes()

    def no_cluster(**_):
        raise AssertionError("a finished sweep started a cluster")

    monkeypatch.setattr(runner, "connect", no_cluster)
    said: list[str] = []
    again = sweep("march-2020", [1, 2], ["facilities=3,4"], ["days=1"], out, echo=said.append)
    assert (again.counts["ran"], again.counts["skipped"]) == (0, 4) and said == [f"dask: not started, {out} holds "
                                                                                 "every planned run"]
    assert (out / "risk.parquet").read_bytes() == risk and again.runs.equals(first.runs)


def fail_seed_two(on: bool) -> None:
    """A fault injected into a process: the march-2020 run of seed 2 refuses its price path."""
    from scenarios.library import Scenario
    from scenarios.market.paths import InvalidPricePath

    if not hasattr(Scenario, "real_execute"):
        Scenario.real_execute = Scenario.execute

    def execute(self, *, seed, **kwargs):
        if seed == 2:
            raise InvalidPricePath(field="s0_cents", value=0, problem="injected fault")
        return self.real_execute(seed=seed, **kwargs)

    Scenario.execute = execute if on else Scenario.real_execute


def test_a_failing_run_is_a_row_with_its_error_and_a_command_that_reproduces_it(tmp_path, cluster, capsys,
                                                                               monkeypatch):
    from dask.distributed import Client

    monkeypatch.chdir(tmp_path)
    with Client(cluster) as client:
        client.run(fail_seed_two, True)
        try:
            result = sweep("march-2020", [1, 2, 3], [], ["facilities=4", "days=1"], tmp_path / "s",
                           scheduler=cluster)
        finally:
            client.run(fail_seed_two, False)
    assert list(result.runs["status"]) == ["ok", "failed", "ok"]
    failed = result.runs.iloc[1]
    assert failed.error.startswith("InvalidPricePath") and "injected fault" in failed.error and failed.digest == ""
    assert failed.repro == ("lanasim run march-2020 --seed 2 --set facilities=4 --set days=1 "
                            f"--out out/repro/march-2020-seed2-{failed.key[:8]} --force")
    assert result.counts == {"planned": 3, "skipped": 0, "ran": 3, "failed": 1, "lost": 0, "books_built": 1,
                             "books_kept": 0}
    fail_seed_two(True)
    try:
        capsys.readouterr()
        assert main(shlex.split(failed.repro)[1:]) == 2
        assert "injected fault" in capsys.readouterr().err
    finally:
        fail_seed_two(False)


def test_an_interrupted_sweep_keeps_its_finished_runs_and_the_same_command_finishes_it(tmp_path, cluster):
    out = tmp_path / "sweep"

    def stop_after_two(done, total, row):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep("march-2020", [1, 2, 3, 4, 5, 6], ["facilities=3"], ["days=1"], out, scheduler=cluster,
              progress=stop_after_two)
    kept = read_runs(out)
    assert len(kept) >= 2 and set(kept["status"]) == {"ok"}
    finished = sweep("march-2020", [1, 2, 3, 4, 5, 6], ["facilities=3"], ["days=1"], out, scheduler=cluster)
    assert finished.counts["skipped"] == len(kept) and list(finished.runs["seed"]) == [1, 2, 3, 4, 5, 6]


BOOK = ["facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
        "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
        "liquidation_cvl_pct",
        "f-1,ada@example.com,100000,100000,80000,812.33,2.5,12,12,2024-01-15,140,125,105",
        "f-2,bob@example.com,50000,50000,50000,0,1.1,9.5,6,2024-03-01,150,130,110",
        "f-3,cy@example.com,30000,30000,30000,0,0.9,12,12,2024-02-01,140,125,105"]


@pytest.mark.parametrize("shares", [True, False], ids=["workers-branch-from-the-book-file", "book-shipped-as-bytes"])
def test_a_sweep_from_an_imported_book_opens_it_once_and_each_run_is_the_run_from_it_alone(tmp_path, cluster,
                                                                                            capsys, monkeypatch,
                                                                                            shares):
    from scenarios.sweep import runner

    seen, real = [], runner._shares_files  # a local cluster's workers see the sweep directory; a remote one's may not
    monkeypatch.setattr(runner, "_shares_files", lambda client, out: seen.append(real(client, out)) or shares)
    (tmp_path / "book.csv").write_text("\n".join(BOOK) + "\n")
    journal, out = tmp_path / "book.sqlite", tmp_path / "sweep"
    assert main(["import", str(tmp_path / "book.csv"), "--as-of", "2024-03-10", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    before = journal.read_bytes()
    assert main(["sweep", "ftx-2022", "--from", str(journal), "--seeds", "1-3", "--set", "days=4",
                 "--scheduler", cluster, "--out", str(out)]) == 0
    assert "3 ran (0 failed, 0 lost)" in capsys.readouterr().err and journal.read_bytes() == before
    runs = read_runs(out).sort_values("seed")
    assert list(runs["status"]) == ["ok"] * 3 and set(runs["facilities"]) == {3.0}
    assert len(read_manifest(out)["books"]) == 1 and len(set(runs["digest"])) == 3
    assert seen == [True] and [p.name for p in (out / "books").iterdir()] == [f"{runs['book'].iloc[0]}-"
                                                                            f"{runs['code_version'].iloc[0]}.sqlite"]
    for seed, digest in zip(runs["seed"], runs["digest"]):
        alone = tmp_path / f"alone-{seed}"
        assert main(["run", "ftx-2022", "--from", str(journal), "--seed", str(seed), "--set", "days=4",
                     "--out", str(alone)]) == 0
        assert digest in capsys.readouterr().out  # the row's digest is the digest of the run on its own


@pytest.mark.parametrize("shares", [True, False], ids=["workers-branch-from-the-book-file", "book-shipped-as-bytes"])
def test_a_sweep_from_a_book_file_imports_it_once_and_each_run_is_the_run_from_that_file_alone(
        tmp_path, cluster, capsys, monkeypatch, shares):
    """`sweep --from BOOK.csv --at DATE` was refused (import the book, then sweep the journal): the book
    is imported once, at DATE with BTC at btc_usd, and each row is `run --from BOOK.csv` of its seed."""
    from scenarios.sweep import runner

    monkeypatch.setattr(runner, "_shares_files", lambda client, out: shares)
    book, out = tmp_path / "book.csv", tmp_path / "sweep"
    book.write_text("\n".join(BOOK) + "\n")
    before = book.read_bytes()
    assert main(["sweep", "ftx-2022", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--seeds", "1-3", "--set", "days=4", "--scheduler", cluster, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "3 ran (0 failed, 0 lost), 0 already done; 1 book(s) opened" in err
    assert "opening 1 book(s) on the workers; the runs of each start once it is open" in err  # a big one takes minutes
    assert re.search(r"^book from-file-[0-9a-f]{16} open in \d+\.\d s \([\d.,]+ MB\)$", err, flags=re.MULTILINE)
    assert book.read_bytes() == before
    runs = read_runs(out).sort_values("seed")
    assert list(runs["status"]) == ["ok"] * 3 and set(runs["facilities"]) == {3.0}
    assert set(runs["price_start_cents"]) == {6_000_000} and len(set(runs["digest"])) == 3
    for seed, digest, repro in zip(runs["seed"], runs["digest"], runs["repro"]):
        alone = tmp_path / f"alone-{seed}"
        assert main(["run", "ftx-2022", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                     "--seed", str(seed), "--set", "days=4", "--out", str(alone)]) == 0
        assert digest in capsys.readouterr().out  # the row's digest is the digest of the run on its own
        assert f"--set book_from={book}" in repro and "--set book_at=2024-03-10T00:00:00Z" in repro


def test_a_sweep_from_a_bad_book_file_names_every_problem_as_import_does_and_makes_no_directory(tmp_path, capsys):
    book, out = tmp_path / "book.csv", tmp_path / "sweep"
    rows = [BOOK[0], BOOK[1].replace(",2.5,", ",-2.5,"), BOOK[2], BOOK[3].replace(",0.9,", ",0.9x,")]
    book.write_text("\n".join(rows) + "\n")
    assert main(["sweep", "ftx-2022", "--from", str(book), "--at", "2024-03-10", "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"lanasim: error: {book}: line 2, collateral_btc: negative ('-2.5')"
    assert lines[1].startswith(f"lanasim: error: {book}: line 4, collateral_btc: not a number ('0.9x')")
    assert lines[2:] == [f"lanasim: error: {book}: refused (2 problems); nothing run"]
    assert not out.exists()


def test_a_book_file_edited_or_stressed_at_another_price_gives_its_runs_new_keys(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("\n".join(BOOK) + "\n")
    keys = lambda *more: [run.key for run in plan_grid("ftx-2022", [1, 2], [{}], [f"book_from={book}",
                                                                                  "book_at=2024-03-10", *more])]
    before = keys("btc_usd=60000")
    assert keys("btc_usd=60000") == before and len(set(before)) == 2
    assert not set(keys("btc_usd=50000")) & set(before)
    book.write_text("\n".join(BOOK).replace(",1.1,", ",1.2,") + "\n")  # another book under the same name
    assert not set(keys("btc_usd=60000")) & set(before)


def test_a_book_held_in_a_journal_that_changed_gives_its_runs_new_keys(tmp_path):
    (tmp_path / "book.csv").write_text("\n".join(BOOK) + "\n")
    journal = tmp_path / "book.sqlite"
    assert main(["import", str(tmp_path / "book.csv"), "--as-of", "2024-03-10", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    keys = lambda: [run.key for run in plan_grid("ftx-2022", [1, 2], [{}], [f"book_from={journal}"])]
    before = keys()
    assert keys() == before and len(set(before)) == 2
    os.utime(journal, ns=(1, 1))  # rewritten since: a rerun must not take the old rows for its runs
    assert not set(keys()) & set(before)


def test_a_run_on_a_big_book_journals_in_a_temporary_file_it_removes_with_the_digest_of_a_run_in_memory(
        tmp_path, monkeypatch):
    import tempfile

    from scenarios.sweep import books, worker

    (tmp_path / "book.csv").write_text("\n".join(BOOK) + "\n")
    journal, scratch = tmp_path / "book.sqlite", tmp_path / "scratch"
    assert main(["import", str(tmp_path / "book.csv"), "--as-of", "2024-03-10", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    spec = plan_grid("ftx-2022", [1], [{}], [f"book_from={journal}", "days=3"])[0]
    (tmp_path / "sweep").mkdir()
    book = books.build(spec, str(tmp_path / "sweep"))
    assert book["error"] == "" and Path(book["path"]).is_file() and "bytes" not in book
    in_memory = worker.run_one(spec, book=book)
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(worker, "SPILL_BYTES", book["size"] - 1)  # this book is now a big one
    made = []
    real = worker.TemporaryDirectory
    monkeypatch.setattr(worker, "TemporaryDirectory", lambda **kw: made.append(real(**kw)) or made[-1])
    spilled = worker.run_one(spec, book=book)
    assert (spilled["status"], spilled["digest"]) == ("ok", in_memory["digest"]) and in_memory["status"] == "ok"
    assert len(made) == 1 and list(scratch.iterdir()) == []  # the run's journal was a file, removed after


def test_a_run_whose_worker_cannot_see_the_sweeps_book_file_is_lost_so_that_a_rerun_tries_it_again(tmp_path):
    from scenarios.sweep import worker

    spec = plan_grid("march-2020", [1], [{}], ["days=2", "facilities=3"])[0]
    book = {"key": spec.book, "code": spec.code, "path": str(tmp_path / "gone.sqlite"), "size": 1, "build_s": 0.0,
            "error": ""}
    row = worker.run_one(spec, book=book)
    assert (row["status"], row["key"]) == ("lost", spec.key) and "gone.sqlite is not on this worker" in row["error"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "book.csv"], "--from book.csv needs --at DATE (the day the book stands at)"),
    (["--from", "book.parquet", "--at", "2024-03-10"], "error: book.parquet: no such file; refused, nothing run"),
    (["--from", "book.xlsx", "--at", "9999-01-01"], "--at 9999-01-01: start 9999-01-01T00:00:00Z is outside"),
    (["--at", "2024-03-10"], "--at needs --from JOURNAL"),
    (["--from", "missing.sqlite"], "missing.sqlite: no such file"),
    (["--set", "book_at=2024-03-10"], "book_at needs book_from"),
])
def test_a_sweep_from_a_book_that_is_no_journal_is_refused_in_one_line(tmp_path, capsys, argv, message,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "ftx-2022", *argv, "--out", "absent"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--seeds", "5-3"], "empty range"),
    (["--seeds", ""], "--seeds expects N, A-B or A,B,C; got ''"),  # ran the default seeds 1-4
    (["--seeds", "1180591620717411303424"], "seed 1180591620717411303424 is not a seed: a seed is an integer from"),
    (["--seeds", "1-9223372036854775808"], "seed 9223372036854775808 is not a seed"),
    (["--seeds", "1-100000000"], "--seeds 1-100000000 plans 100,000,000 runs; a sweep plans at most 1,000,000"),
    (["--seeds", "1-1000", "--grid", f"facilities={','.join(map(str, range(1, 1002)))}"],
     "1,000 seed(s) x 1,001 grid cell(s) plans 1,001,000 runs; a sweep plans at most 1,000,000"),
    (["--design", "sobol", "--grid", "facilities=1:10", "--samples", str(2**20)],
     "plans 3,145,728 runs; a sweep plans at most 1,000,000"),
    (["--grid", "nonsense=1,2"], "unknown parameter 'nonsense'"),
    (["--seeds", "1-2", "--grid", "top_up_share=nan,0.5"],
     "parameter top_up_share=nan is not a finite number; a number in [0 .. 1]"),
    (["--design", "sobol", "--grid", "top_up_share=0:inf"], "with finite LOW < HIGH"),
    (["--design", "sobol", "--grid", "top_up_share=nan:1"], "with finite LOW < HIGH"),
    (["--design", "sobol", "--grid", "top_up_share=0:5"], "top_up_share=0:5 leaves the parameter's range [0 .. 1]"),
    (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the dask scheduler"),
    (["--set", "facilities"], "--set expects KEY=VALUE, got 'facilities'"),
    (["--set", "path"], "--set expects KEY=VALUE, got 'path'"),
    (["--design", "sobol", "--grid", "facilities=2:6", "--set", "days"], "--set expects KEY=VALUE, got 'days'"),
    (["--set", "days=1", "--set", "days=2"], "--set days is given twice (days=1 and days=2); give it once"),
    (["--design", "sobol", "--grid", "top_up_share=0:0.5", "--seeds", "1-200"], "--seeds is for --design grid"),
    (["--samples", "8"], "--samples is for --design sobol"),
    (["--metric", "liquidations_executed"], "--metric is for --design sobol"),
])
def test_bad_input_gets_one_line_exit_2_and_touches_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "absent"
    assert main(["sweep", "march-2020", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("seeds", "message"), [
    ("1-2", "seeds must be ints, not the text '1-2' (parse_seeds reads N, A-B or A,B,C)"),
    ([1, True], "seed True is not a seed"),
    ([1, 2**64], f"seed {2**64} is not a seed"),
    (7, "seeds must be ints, not 7"),
    ([1, 1, 2], "seed 1 is given twice: a sweep runs each seed once per cell"),  # ran seeds 1 and 2, said nothing
])
def test_run_sweep_refuses_seeds_that_are_not_64_bit_ints_before_making_a_directory(tmp_path, seeds, message):
    out = tmp_path / "absent"
    with pytest.raises(ScenarioError, match=re.escape(message)):
        run_sweep("march-2020", seeds=seeds, settings={"days": 1}, out=out)
    assert not out.exists()


def test_a_directory_holding_another_sweep_or_other_files_is_refused_untouched(tmp_path, cluster, capsys):
    out = tmp_path / "sweep"
    sweep("march-2020", [1], ["facilities=3"], ["days=1"], out, scheduler=cluster)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["sweep", "march-2020", "--grid", "facilities=5", "--set", "days=1", "--scheduler", cluster,
                 "--out", str(out)]) == 2
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep")
    assert main(["sweep", "march-2020", "--scheduler", cluster, "--out", str(tmp_path / "notes")]) == 2
    err = capsys.readouterr().err
    assert "holds another sweep (they differ in grid)" in err and "holds no sweep" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert os.listdir(tmp_path / "notes") == ["mine.txt"]


def test_the_python_api_returns_runs_and_risk_and_report_regenerates_the_outputs(tmp_path, cluster, capsys):
    result = run_sweep("march-2020", seeds=range(1, 3), grid={"facilities": [3, 4]}, settings={"days": 1},
                       out=tmp_path / "s", scheduler=cluster)
    assert isinstance(result.runs, pd.DataFrame) and len(result.runs) == 4
    assert list(result.risk["cell"]) == ["facilities=3", "facilities=4"] and list(result.risk["runs"]) == [2, 2]
    assert is_sweep_dir(result.path) and not is_sweep_dir(tmp_path)
    (result.path / "risk.parquet").unlink()
    (result.path / "report.html").unlink()
    report(result.path)
    assert pd.read_parquet(result.path / "risk.parquet")["cell"].tolist() == ["facilities=3", "facilities=4"]
    assert "Risk per grid cell" in (result.path / "report.html").read_text()


def test_a_sobol_design_reports_first_and_total_order_indices_with_seed_noise_as_a_factor(tmp_path, cluster):
    result = run_sweep("march-2020", grid={"facilities": (2, 6)}, settings={"days": 1}, out=tmp_path / "s",
                       design="sobol", samples=4, metric="events_journaled", scheduler=cluster)
    planned = read_manifest(result.path)["plan"]
    assert len(planned) == 4 * (2 + 2)  # N x (factors + 2): facilities and the seed
    assert len(result.runs) == len(set(planned)) and set(result.runs["status"]) == {"ok"}
    table = result.sensitivity.set_index("factor")
    assert list(table.index) == ["facilities", "seed (noise)"]
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert table.loc["facilities", "ST"] > table.loc["seed (noise)", "ST"]  # more loans, more events
    assert (result.path / "sobol.png").exists()


@pytest.mark.parametrize("grid", [{"facilities": 5}, {"facilities": "5,10"}])
def test_run_sweep_refuses_a_grid_value_that_is_not_a_list(grid, tmp_path):
    from scenarios.sweep import run_sweep

    with pytest.raises(ScenarioError, match=r"grid\['facilities'\] must be a list of values"):
        run_sweep("march-2020", seeds=[1], grid=grid, out=tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_a_grid_over_values_that_hold_commas_separates_them_with_bars_on_the_cli_and_from_python(tmp_path):
    from scenarios.sweep.api import _joined
    from scenarios.sweep.plan import parse_grid

    calm, wild = "gbm:mu=0,sigma=0.3,start=60000", "gbm:mu=0,sigma=1.2,start=60000"
    cells = parse_grid([f"path={calm}|{wild}", "facilities=3,4"])
    assert cells == [{"path": calm, "facilities": "3"}, {"path": calm, "facilities": "4"},
                     {"path": wild, "facilities": "3"}, {"path": wild, "facilities": "4"}]
    planned = plan_grid("stress", [1], cells, ["days=1"])
    assert [dict(run.assignments)["path"] for run in planned] == [calm, calm, wild, wild]
    assert parse_grid([f"path={_joined([calm, wild])}"]) == [{"path": calm}, {"path": wild}]


def test_a_sobol_sweep_rerun_with_another_metric_reuses_its_runs_and_explains_the_new_metric(tmp_path, cluster):
    first = run_sweep("march-2020", grid={"facilities": (2, 6)}, settings={"days": 1}, out=tmp_path / "s",
                      design="sobol", samples=4, metric="events_journaled", scheduler=cluster)
    again = run_sweep("march-2020", grid={"facilities": (2, 6)}, settings={"days": 1}, out=tmp_path / "s",
                      design="sobol", samples=4, metric="outbox_events", scheduler=cluster)
    assert again.counts["ran"] == 0 and again.counts["skipped"] == first.counts["planned"]
    assert read_manifest(again.path)["metric"] == "outbox_events"
    assert not first.sensitivity.equals(again.sensitivity)


def test_one_grid_value_that_holds_commas_is_one_value_from_python_and_with_a_trailing_bar(tmp_path):
    """`run_sweep(grid={"path": ["gbm:mu=0,sigma=0.3,start=60000"]})` split the one market at its
    commas (`gbm:mu=0` refused as needing a start price); `grid={"days": ["1,2"]}` ran two cells."""
    from scenarios.sweep.api import _joined
    from scenarios.sweep.plan import parse_grid

    calm = "gbm:mu=0,sigma=0.3,start=60000"
    assert parse_grid([f"path={_joined([calm])}"]) == [{"path": calm}]
    assert parse_grid([f"path={calm}|"]) == [{"path": calm}]
    assert parse_grid(["days=1,2"]) == [{"days": "1"}, {"days": "2"}]
    with pytest.raises(ScenarioError, match="no empty value"):
        parse_grid([f"path={calm}||"])


def test_one_market_with_commas_and_no_bar_is_refused_saying_to_end_it_with_a_bar(tmp_path, capsys):
    """`lanasim sweep stress --grid 'path=gbm:mu=0,sigma=0.3,start=60000'` split the spec at its commas and
    said only `market spec 'gbm:mu=0' needs a start price`; values that are whole specs still split."""
    from scenarios.sweep.plan import parse_grid

    assert main(["sweep", "stress", "--seeds", "1", "--grid", "path=gbm:mu=0,sigma=0.3,start=60000",
                 "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "path=gbm:mu=0,sigma=0.3,start=60000|" in err
    assert not (tmp_path / "s").exists()
    assert parse_grid(["path=gbm:start=60000,constant:50000"]) == [{"path": "gbm:start=60000"},
                                                                    {"path": "constant:50000"}]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"settings": ["days=1"]}, "settings must be a mapping of parameter names to values"),
    ({"design": "sobol", "samples": 2, "grid": {"top_up_share": (0, 0.5, 1)}}, "must be a (low, high) pair"),
    ({"grid": [("facilities", [5, 10])]}, "grid must be a mapping of parameter names to values"),  # AttributeError
    ({"workers": "2"}, "--workers (workers=) must be a whole number of at least 1, got '2'"),  # TypeError ('<')
])
def test_run_sweep_refuses_settings_or_a_range_of_the_wrong_shape_in_one_typed_error(tmp_path, kwargs, message):
    """A list of "KEY=VALUE" settings was an AttributeError, a range of three values a ValueError."""
    from scenarios.sweep import run_sweep

    with pytest.raises(ScenarioError, match=re.escape(message)):
        run_sweep("march-2020", **{"seeds": [1], **kwargs}, out=tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_a_runs_key_follows_the_content_of_its_csv_markets_price_file(tmp_path):
    """A sweep rerun after its `path=csv:FILE` changed found every run "already done" (same
    parameters, same key) and reported the old file's figures; a market without a file keeps its key."""
    prices = tmp_path / "btc.csv"
    prices.write_text("date,close\n2024-08-01,65000\n2024-08-05,49000\n")
    keys = lambda: [run.key for run in plan_grid("stress", [1], [{}], [f"path=csv:{prices}", "facilities=2"])]
    before = keys()
    assert keys() == before
    prices.write_text("date,close\n2024-08-01,65000\n2024-08-05,20000\n")
    assert keys() != before
    drawn = plan_grid("stress", [1], [{}], ["facilities=2"])[0]
    assert drawn.data == "" and drawn.key == RunSpec(*[getattr(drawn, f) for f in
                                                       ("scenario", "assignments", "seed", "code", "cell", "book")]).key


def test_a_sweep_given_a_seed_twice_on_the_command_line_is_refused_in_one_line(tmp_path, capsys):
    """`--seeds 1,1,2` ran two seeds and the sweep's report counted them as the three asked for."""
    out = tmp_path / "absent"
    assert main(["sweep", "march-2020", "--seeds", "1,1,2", "--out", str(out), "--set", "days=1"]) == 2
    assert "lanasim: error: seed 1 is given twice" in capsys.readouterr().err and not out.exists()


def test_run_sweep_refuses_an_out_that_is_no_path_naming_it():
    """`run_sweep(..., out=5)` was pathlib's TypeError: expected str, bytes or os.PathLike object, not int."""
    with pytest.raises(ScenarioError, match="out must be a directory path"):
        run_sweep("march-2020", seeds=[1], settings={"days": 1}, out=5)


def test_run_sweep_refusals_name_the_python_argument_beside_the_flag(tmp_path):
    """From `run_sweep` a refusal spoke only of command-line flags (`--out ... is a file`, `--samples
    must be`): the Python caller passed `out=` and `samples=`."""
    (tmp_path / "file").write_text("mine")
    with pytest.raises(ScenarioError, match=re.escape(f"--out (out=) {tmp_path / 'file'} is a file")):
        run_sweep("march-2020", seeds=[1], settings={"days": 1}, out=tmp_path / "file")
    with pytest.raises(ScenarioError, match=re.escape("--samples (samples=) must be a power of two")):
        run_sweep("march-2020", design="sobol", samples=3, grid={"top_up_share": (0, 0.5)}, out=tmp_path / "s")
    assert (tmp_path / "file").read_text() == "mine" and not (tmp_path / "s").exists()


def test_runs_parquet_read_whole_keeps_every_figure_when_its_first_part_holds_only_a_run_that_gave_none(tmp_path):
    """`pd.read_parquet(OUT/runs.parquet)` takes its columns from the first part: a part holding only
    failed or lost runs (a book that would not open, a worker that died, the first ten seconds' runs)
    had none of the summary's columns, so every figure of the runs after it vanished without a word.
    A stress-family row carries each figure, NaN when the run gave none, as README says."""
    import math

    from scenarios.sweep import worker
    from scenarios.sweep.store import Store

    specs = plan_grid("march-2020", [1, 2], [{}], ["days=1", "facilities=3"])
    gone = {"key": specs[0].book, "code": specs[0].code, "path": str(tmp_path / "gone.sqlite"), "size": 1,
            "build_s": 0.0, "error": ""}
    lost, ok = worker.run_one(specs[0], book=gone), worker.run_one(specs[1])
    store = Store(tmp_path / "s", {"scenario": "march-2020", "design": "grid"}, [s.key for s in specs]).open()
    for row in (lost, ok):
        store.add(row)
        store.flush()
    runs = pd.read_parquet(tmp_path / "s" / "runs.parquet").set_index("seed")
    assert (runs.loc[1, "status"], runs.loc[2, "status"]) == ("lost", "ok")
    assert math.isnan(runs.loc[1, "shortfall_end_cents"]) and runs.loc[2, "price_updates"] == ok["price_updates"] > 0
    assert {"events_journaled", "min_cvl_pct", "hours_under_margin_call_max"} <= set(runs.columns)


@pytest.mark.parametrize("damage", [lambda book: book.write_bytes(book.read_bytes()[:5000]),
                                    lambda book: book.write_text("garbage")], ids=["cut-short", "overwritten"])
def test_a_kept_book_damaged_between_two_invocations_is_refused_naming_it_and_runs_again_once_deleted(
        tmp_path, cluster, damage):
    """Every run branched from a kept book cut short or overwritten failed ('database disk image is
    malformed', 'file is not a database'), and a failed run is final: a rerun never ran them again."""
    out = tmp_path / "sweep"
    sweep("march-2020", [1], [], ["facilities=3", "days=1"], out, scheduler=cluster)
    (book,) = (out / "books").glob("*.sqlite")
    damage(book)
    with pytest.raises(ScenarioError, match=f"{re.escape(str(book))}: a kept book that is not the file this "
                                            "sweep wrote .* delete it and run the same command"):
        sweep("march-2020", [1, 2], [], ["facilities=3", "days=1"], out, scheduler=cluster)
    book.unlink()
    again = sweep("march-2020", [1, 2], [], ["facilities=3", "days=1"], out, scheduler=cluster)
    assert list(again.runs["status"]) == ["ok", "ok"]
    assert again.runs.set_index("seed").loc[2, "digest"] == in_process_digest(2, facilities=3, days=1)


@pytest.mark.parametrize("verb", [["verify"], ["outbox"], ["show", "book"], ["trial-balance"], ["export"]])
def test_a_journal_command_given_a_sweep_directory_says_where_a_sweep_keeps_journals(tmp_path, cluster, capsys,
                                                                                     verb):
    """`lanasim verify SWEEP` said 'SWEEP/journal.sqlite: no such file', as if the sweep had lost a file."""
    out = tmp_path / "s"
    sweep("march-2020", [1], [], ["facilities=2", "days=1"], out, scheduler=cluster)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    capsys.readouterr()
    extra = ["--out", str(tmp_path / "book.csv")] if verb == ["export"] else []
    assert main([verb[0], str(out), *verb[1:], *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"lanasim: error: {out}: a sweep's directory, which holds no journal: a sweep keeps its runs' "
                   f"journals only when run with --keep-journals, as {out / 'journals'}/KEY.sqlite (its runs: "
                   f"lanasim report {out})"]
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_a_grid_value_given_twice_is_refused_in_one_line_before_anything_is_written(tmp_path, capsys):
    """`--grid facilities=10,10` planned one cell twice, which the sweep ran once: the risk table then
    held one cell where the user typed two, and nothing said so."""
    out = tmp_path / "s"
    assert main(["sweep", "march-2020", "--seeds", "1-2", "--grid", "facilities=10,20,10", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "lanasim: error: --grid (grid=) 'facilities=10,20,10' gives '10' twice: give each value once"]
    with pytest.raises(ScenarioError, match=re.escape("gives 'gbm:mu=0,sigma=0.8' twice")):
        run_sweep("march-2020", seeds=[1], grid={"path": ["gbm:mu=0,sigma=0.8", "gbm:mu=0,sigma=0.8"]}, out=out)
    assert not out.exists()

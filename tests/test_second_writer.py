"""A second writer to a name another lanasim is writing (import, export, fork, `show --csv`, `run --from
BOOK.csv`) is refused as it starts, in one line naming the file and the writer, and leaves the writer's
file alone: two imports of a book to one name each imported the whole book, and the second was told
only at its end that the name was taken. The test holds the writer's lock itself, as a live writer
holds its `NAME.<12 hex digits>.partial` file, rather than racing two imports."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest

from engine.kernel import aside
from engine.kernel.aside import BeingWritten, written_aside
from scenarios.book import cli as book_cli
from scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
          "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
          "liquidation_cvl_pct")
ROWS = [f"fac-{i},b{i}@example.com,100000,100000,80000,0,2.5,12,12,2024-03-01,140,125,105" for i in range(3)]


@contextmanager
def _writing(target: Path) -> Iterator[Path]:
    """A live writer to `target`: its partial file, held locked as long as the block lasts."""
    partial = target.with_name(f"{target.name}.0123456789ab.partial")
    partial.write_bytes(b"being written")
    fd = os.open(partial, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield partial
    finally:
        os.close(fd)


def _refusal(target: Path, partial: Path) -> str:
    return (f"lanasim: error: {target}: being written by another lanasim (process {os.getpid()}, into "
            f"{partial.name}); wait for it to finish, or choose another name (BeingWritten)")


def _book(tmp_path: Path) -> Path:
    book = tmp_path / "book.csv"
    book.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return book


def test_a_second_import_to_a_name_being_written_is_refused_naming_the_writer(tmp_path):
    journal = tmp_path / "book.sqlite"
    argv = ["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000", "--journal", str(journal)]
    with _writing(journal) as partial:  # another process: this test's
        done = subprocess.run([sys.executable, "-m", "scenarios.cli", *argv], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    assert (done.returncode, done.stderr.splitlines()) == (2, [_refusal(journal, partial)])
    assert partial.read_bytes() == b"being written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", partial.name]


def test_an_export_to_a_name_being_written_is_refused_naming_the_writer(tmp_path, capsys):
    journal, out = tmp_path / "book.sqlite", tmp_path / "out.csv"
    assert main(["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    capsys.readouterr()
    with _writing(out) as partial:
        assert main(["export", str(journal), "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [_refusal(out, partial)]
    assert partial.read_bytes() == b"being written" and not out.exists()


def test_a_run_from_a_book_into_a_directory_whose_book_is_being_imported_is_refused_naming_the_writer(tmp_path,
                                                                                                     capsys):
    """It said `holds files but no lanasim journal; choose an empty or new --out directory`."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with _writing(run_dir / "journal.sqlite") as partial:
        assert main(["run", "june-2022", "--from", str(_book(tmp_path)), "--at", "2024-06-01", "--set",
                     "btc_usd=60000", "--set", "days=1", "--out", str(run_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [_refusal(run_dir / "journal.sqlite", partial)]
    assert sorted(p.name for p in run_dir.iterdir()) == [partial.name]


def test_a_writer_that_finds_a_live_writer_once_it_holds_its_own_partial_file_writes_nothing(tmp_path):
    """Two that start at once both pass the check at their start: the one that finds the other once
    its own partial file is held is refused before its work, and removes its own file only."""
    target, entered = tmp_path / "book.sqlite", []
    with _writing(target) as partial, pytest.raises(BeingWritten) as refused, \
            written_aside(str(target), lambda: AssertionError("not reached")):
        entered.append(True)
    assert (refused.value.fields["partial"], refused.value.fields["pid"], entered) == (partial.name, os.getpid(), [])
    assert sorted(p.name for p in tmp_path.iterdir()) == [partial.name]


def test_of_two_writers_starting_at_once_exactly_one_is_refused(tmp_path, monkeypatch):
    """Both made and locked their partial files, then each found the other's held, and both were
    refused. The test holds each writer's look for the other's file, and its finding, until the other
    has got there too (at most half a second each: one waiting for the directory's lock never does)."""
    target, outcomes = tmp_path / "book.sqlite", {}
    partials, held = aside._partials, aside._held
    listing, probing = threading.Barrier(2, timeout=0.5), threading.Barrier(2, timeout=0.5)

    def meet(barrier: threading.Barrier) -> None:
        with suppress(threading.BrokenBarrierError):
            barrier.wait()

    def listed(path: str, keep: str) -> list[Path]:
        meet(listing)  # both partial files made and locked before either looks for the other's
        return partials(path, keep)

    def probed(partial: Path) -> bool | None:
        found = held(partial)
        meet(probing)  # neither refused (its partial file removed) before the other has probed it
        return found

    monkeypatch.setattr(aside, "_partials", listed)
    monkeypatch.setattr(aside, "_held", probed)
    ended = [threading.Event(), threading.Event()]

    def writer(i: int) -> None:
        try:
            with written_aside(str(target), lambda: FileExistsError(target)) as partial:
                Path(partial).write_text(f"writer {i}")
                ended[1 - i].wait(10)  # the other has started and ended before this one places its file
            outcomes[i] = "written"
        except BeingWritten:
            outcomes[i] = "refused"
        finally:
            ended[i].set()

    threads = [threading.Thread(target=writer, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["refused", "written"]
    [winner] = [i for i, outcome in outcomes.items() if outcome == "written"]
    assert target.read_text() == f"writer {winner}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_partial_file_is_never_removed_as_abandoned_between_its_creation_and_its_writers_lock(tmp_path,
                                                                                               monkeypatch):
    """Another lanasim removing abandoned partial files (a new writer, `run` choosing its directory)
    in that instant found the new file unlocked and removed it under its writer. The test runs such
    a removal there and holds the writer until it ends (at most a second while it waits)."""
    target, removed = tmp_path / "book.sqlite", []
    remove, flock = aside.remove_journal, fcntl.flock
    sweeper: list[threading.Thread] = []

    def recorded(path: str) -> None:
        if threading.current_thread() in sweeper:
            removed.append(Path(path).name)
        remove(path)

    def locking(fd: int, operation: int) -> None:
        if not sweeper and os.readlink(f"/proc/self/fd/{fd}").endswith(".partial"):
            sweeper.append(threading.Thread(target=aside.remove_abandoned, args=(str(target),)))
            sweeper[0].start()
            sweeper[0].join(1)
        flock(fd, operation)

    monkeypatch.setattr(aside, "remove_journal", recorded)
    monkeypatch.setattr(aside.fcntl, "flock", locking)
    with written_aside(str(target), lambda: FileExistsError(target)) as partial:
        Path(partial).write_text("whole")
        sweeper[0].join(10)
        assert Path(partial).read_text() == "whole"
    assert (removed, target.read_text()) == ([], "whole")


def test_an_import_that_finds_the_other_writer_only_as_it_starts_writing_is_refused_in_one_line(tmp_path, capsys,
                                                                                                 monkeypatch):
    """Two imports started at once both pass the check before the book is read; the one refused as
    it starts writing ended in a traceback (`UnboundLocalError`: no partial file of its own to name)."""
    journal, book = tmp_path / "book.sqlite", _book(tmp_path)
    read = book_cli._read
    with ExitStack() as other:
        def read_then_other_writer_starts(args):
            found = read(args)
            other.enter_context(_writing(journal))
            return found

        monkeypatch.setattr(book_cli, "_read", read_then_other_writer_starts)
        assert main(["import", str(book), "--as-of", "2024-06-01", "--price-usd", "60000",
                     "--journal", str(journal)]) == 2
        partial = journal.with_name(f"{journal.name}.0123456789ab.partial")
        assert capsys.readouterr().err.splitlines() == [_refusal(journal, partial)]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", partial.name]


def _in_a_thread(work) -> bool:
    """Whether `work()` ended within 30 s (run in a thread: a hang fails the test, not the suite)."""
    done = threading.Thread(target=work, daemon=True)
    done.start()
    done.join(30)
    return not done.is_alive()


def test_a_write_aside_in_a_directory_this_process_holds_for_a_resume_does_not_wait_for_itself(tmp_path):
    """A resume holds its run directory's lock for the whole run; writing its journal aside there took
    the same directory's lock on another descriptor and waited for the process itself, for ever."""
    from scenarios.library.rundir import held

    target = tmp_path / "journal.sqlite"

    def write() -> None:
        with held(tmp_path), written_aside(str(target), lambda: FileExistsError(target)) as partial:
            Path(partial).write_text("whole")

    assert _in_a_thread(write) and target.read_text() == "whole"


def test_a_writer_goes_on_without_the_directory_lock_another_process_holds_for_a_whole_run(tmp_path, monkeypatch):
    """Another process's resume holds the directory: a writer there waits a moment, then writes as it did
    before writers' starts took the lock (the test holds it on a descriptor of its own, as that process)."""
    monkeypatch.setattr(aside, "_WAIT_S", 0.2)
    target, fd = tmp_path / "book.sqlite", os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        def write() -> None:
            with written_aside(str(target), lambda: FileExistsError(target)) as partial:
                Path(partial).write_text("whole")

        assert _in_a_thread(write) and target.read_text() == "whole"
    finally:
        os.close(fd)

"""An import or an export killed on the way (kill -9, a power cut) leaves nothing under the name asked
for: before, a killed `lanasim import` left a journal of the facilities it had committed under the
new journal's name, which `verify` passed and `run --from`, `show` and `export` read as the whole
book, and a killed `lanasim export` left a CSV cut short that `import` read as a smaller book. Both
now write aside (`NAME.<random>.partial`) and put the file in place whole, as a fork does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.inspect import open_readonly
from scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
          "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
          "liquidation_cvl_pct")
ROWS = [f"fac-{i},b{i}@example.com,100000,100000,80000,0,2.5,12,12,2024-03-01,140,125,105" for i in range(3)]

# The import's chunks one facility each; killed (no handler runs) once the first one is committed.
IMPORT_KILLED_AFTER_ONE_CHUNK = (
    "import os, sys, engine.bank.importer as importer\n"
    "real = importer.import_chunks\n"
    "def one_then_die(chunks):\n"
    "    for chunk in chunks:\n"
    "        yield chunk[:1]\n"
    "        os._exit(9)  # kill -9 after the first chunk's commit\n"
    "importer.import_chunks = lambda sim, chunks, price: real(sim, one_then_die(chunks), price)\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)

# The export killed once the first rows are written out to its file.
EXPORT_KILLED_WHILE_WRITING = (
    "import os, sys, scenarios.book.export as export\n"
    "real = export.book_rows\n"
    "def die_after(rows):\n"
    "    yield from rows[:1] * 200  # more than a write buffer: the file holds rows when the process dies\n"
    "    os._exit(9)\n"
    "def rows_then_die(sim, *args):\n"
    "    return die_after(real(sim, *args))  # read while the journal is open\n"
    "export.book_rows = rows_then_die\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _killed(script: str, *argv: str) -> None:
    done = subprocess.run([sys.executable, "-c", script, *argv], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 9, done.stderr


def _book(tmp_path: Path) -> Path:
    book = tmp_path / "book.csv"
    book.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return book


def test_an_import_killed_on_the_way_leaves_no_journal_under_its_name_and_the_next_import_succeeds(tmp_path):
    book = _book(tmp_path)
    argv = ["import", str(book), "--as-of", "2024-06-01", "--price-usd", "60000",
            "--journal", str(tmp_path / "book.sqlite")]
    _killed(IMPORT_KILLED_AFTER_ONE_CHUNK, *argv)
    assert not (tmp_path / "book.sqlite").exists()  # before: 1 of the 3 facilities, verifying ok
    assert main(argv) == 0
    with open_readonly(str(tmp_path / "book.sqlite")) as view:
        assert view.verify()["ok"]
    assert main(["export", str(tmp_path / "book.sqlite"), "--out", str(tmp_path / "out.csv")]) == 0
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 1 + len(ROWS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "book.sqlite", "out.csv"]


def test_an_export_killed_while_it_writes_leaves_no_book_under_its_name_and_the_next_export_succeeds(tmp_path):
    journal = tmp_path / "book.sqlite"
    assert main(["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    argv = ["export", str(journal), "--out", str(tmp_path / "out.csv")]
    _killed(EXPORT_KILLED_WHILE_WRITING, *argv)
    assert not (tmp_path / "out.csv").exists()  # before: a book of one facility written 200 times, cut short
    assert main(argv) == 0
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 1 + len(ROWS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "book.sqlite", "out.csv"]


def test_a_new_file_in_a_directory_it_cannot_write_is_named_as_asked_not_by_its_partial_name(tmp_path, capsys,
                                                                                           monkeypatch):
    """On a read-only file system `lanasim import` and `fork` said `NAME.872ef28681d7.partial: Read-only
    file system`, naming a file the user never asked for."""
    import engine.kernel.aside as aside

    def read_only(path, *args, **kwargs):
        raise OSError(30, "Read-only file system", path)

    monkeypatch.setattr(aside.os, "open", read_only)
    journal = tmp_path / "book.sqlite"
    assert main(["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000",
                 "--journal", str(journal)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"lanasim: error: {journal}: Read-only file system"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv"]


def test_a_run_whose_journal_sqlite_cannot_create_names_the_journal(tmp_path, capsys, monkeypatch):
    """A run into a directory on a read-only file system said `lanasim: error: journal: unable to open
    database file`, naming no file."""
    import sqlite3

    import engine.kernel.journal_file as journal_file

    real = sqlite3.connect

    def read_only(path, *args, **kwargs):  # SQLite's own SQLITE_CANTOPEN, as a read-only directory gives it
        return real(tmp_path / "no-such-dir" / "journal.sqlite", *args, **kwargs)

    monkeypatch.setattr(journal_file.sqlite3, "connect", read_only)
    run_dir = tmp_path / "run"
    assert main(["run", "onboarding", "--set", "days=1", "--out", str(run_dir)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"lanasim: error: {run_dir / 'journal.sqlite'}: unable to open database file; nothing was written")


def test_a_journal_sqlite_cannot_open_for_its_disk_is_not_called_foreign(tmp_path):
    """A killed run's journal (its write-ahead log beside it) on a read-only file system: verify,
    show, fork and --resume said `not a lanasim journal (unable to open database file)` of a sound
    journal; SQLite's errors of the disk (SQLITE_CANTOPEN, _READONLY, _IOERR*, _FULL) are
    `JournalUnreadable`, which the CLI words as a disk's problem with the file kept."""
    import sqlite3

    from engine.kernel.errors import JournalUnreadable, NotALanasimJournal
    from engine.kernel.journal_file import refusal

    try:
        sqlite3.connect(f"file:{tmp_path}/no-such-dir/journal.sqlite?mode=ro", uri=True).execute("SELECT 1")
    except sqlite3.OperationalError as cannot_open:
        assert isinstance(refusal("journal.sqlite", cannot_open), JournalUnreadable)
    (tmp_path / "text.sqlite").write_text("not a database, and long enough to be read as one's header" * 10)
    try:
        sqlite3.connect(tmp_path / "text.sqlite").execute("SELECT name FROM sqlite_master")
    except sqlite3.DatabaseError as not_a_database:
        refused = refusal("text.sqlite", not_a_database)
        assert type(refused) is NotALanasimJournal


def test_report_on_a_read_only_directory_names_the_file_asked_for(tmp_path, capsys, monkeypatch):
    """`lanasim report DIR` on a read-only file system said `DIR/.lanasim-outputs.json.partial:
    Read-only file system`."""
    run_dir = tmp_path / "run"
    assert main(["run", "stress", "--set", "facilities=3", "--set", "days=1", "--out", str(run_dir)]) == 0
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    real = Path.write_text

    def read_only(self, *args, **kwargs):
        if self.parent == run_dir:
            raise OSError(30, "Read-only file system", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", read_only)
    capsys.readouterr()
    assert main(["report", str(run_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"lanasim: error: {run_dir / '.lanasim-outputs.json'}: Read-only file system"]
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before


def test_run_from_a_journal_whose_rows_sqlite_cannot_decode_names_that_journal(tmp_path, capsys):
    """A byte flipped inside a stored payload of the journal `run --from` reads said `lanasim: error:
    journal: Could not decode to UTF-8 ...`, naming no file (for a moment, the new run's journal)."""
    import sqlite3

    source = tmp_path / "book.sqlite"
    assert main(["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000",
                 "--journal", str(source)]) == 0
    with sqlite3.connect(source) as conn:  # as a flipped byte on the disk leaves it: no longer UTF-8
        conn.execute("UPDATE events SET payload = CAST(X'ff' || CAST(payload AS BLOB) AS TEXT) WHERE seq = 1")
    conn.close()
    capsys.readouterr()
    assert main(["run", "march-2020", "--from", str(source), "--set", "lead_days=0", "--set", "days=1",
                 "--out", str(tmp_path / "run")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"lanasim: error: {source}: "), line


def test_an_export_removes_a_killed_exports_partial_file_but_not_a_users_file_of_a_like_name(tmp_path):
    """The sweep of abandoned partial files matched `NAME.*.partial`: an export to `out.csv` deleted
    a user's `out.csv.old.partial`, a file lanasim did not create."""
    journal = tmp_path / "book.sqlite"
    assert main(["import", str(_book(tmp_path)), "--as-of", "2024-06-01", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    users, killed = tmp_path / "out.csv.old.partial", tmp_path / "out.csv.0123456789ab.partial"
    users.write_text("mine")
    killed.write_text("left by a killed export")
    assert main(["export", str(journal), "--out", str(tmp_path / "out.csv")]) == 0
    assert users.read_text() == "mine" and not killed.exists()


# `run --from BOOK.csv` killed (no handler runs) before its book is imported (its scenario committed) or
# once the import has committed, before the run's first day.
RUN_KILLED_AROUND_ITS_IMPORT = (
    "import os, sys, scenarios.book.filed as filed\n"
    "real = filed.import_positions\n"
    "def import_then_die(*args, **kwargs):\n"
    "    if os.environ['KILL_AT'] == 'after':\n"
    "        real(*args, **kwargs)\n"
    "    os._exit(9)\n"
    "filed.import_positions = import_then_die\n"
    "from scenarios.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize("kill_at", ["before", "after"])
def test_a_run_from_a_book_killed_around_its_import_resumes_to_the_journal_of_a_run_never_killed(
        tmp_path, monkeypatch, kill_at):
    """Killed while it imported its book, `run --from BOOK.csv` once left `journal.sqlite.partial` that
    `--resume` and a rerun (even with `--force`) refused, and killed once the book was in place a
    journal whose `--resume` was refused. The run now commits its scenario before the import, as every
    run does: `--resume` re-executes it, the import again, to the journal of the run never killed; the
    book file is only read."""
    never, run_dir = tmp_path / "never", tmp_path / "run"
    argv = ["run", "june-2022", "--from", str(_book(tmp_path)), "--at", "2024-06-01", "--set", "btc_usd=60000",
            "--set", "days=1"]
    assert main([*argv, "--out", str(never)]) == 0
    monkeypatch.setenv("KILL_AT", kill_at)
    _killed(RUN_KILLED_AROUND_ITS_IMPORT, *argv, "--out", str(run_dir))
    assert (run_dir / "journal.sqlite").is_file()
    assert main(["run", "--resume", str(run_dir)]) == 0
    with open_readonly(str(run_dir / "journal.sqlite")) as view, open_readonly(str(never / "journal.sqlite")) as ref:
        assert view.verify()["ok"] and view.journal.meta()["finished"]
        assert view.journal.digest() == ref.journal.digest()
    assert (tmp_path / "book.csv").is_file()


def test_a_run_from_a_book_killed_before_its_first_day_is_not_resumed_on_an_edited_book(tmp_path, monkeypatch,
                                                                                          capsys):
    """Resumed after its book file was edited, a run killed before its first day ended imported the other
    book and ran every day before it said `ResumeDiverged`. It is refused first, naming the file; with the
    file as it was, the same resume runs."""
    run_dir, book = tmp_path / "run", _book(tmp_path)
    argv = ["run", "june-2022", "--from", str(book), "--at", "2024-06-01", "--set", "btc_usd=60000",
            "--set", "days=1", "--out", str(run_dir)]
    monkeypatch.setenv("KILL_AT", "after")
    _killed(RUN_KILLED_AROUND_ITS_IMPORT, *argv)
    kept = book.read_text()
    book.write_text(kept.replace(",2.5,", ",2.6,", 1))
    assert main(["run", "--resume", str(run_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"lanasim: error: {run_dir}: its book file ({book}) is not the one the run imported (edited since, or another "
        "of that name where the resume runs), and a run stopped before its first day ended imports it again; resume "
        "it with that file"]
    book.write_text(kept)
    assert main(["run", "--resume", str(run_dir)]) == 0

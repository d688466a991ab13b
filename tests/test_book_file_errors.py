"""A book file that cannot be read or written, an `as_of` that is no date and rows that are no book
rows: from Python a typed error naming the file (or the argument) and the problem in one line, from
the shell one `lanasim: error:` line and exit status 2, with nothing written or deleted that lanasim
did not create. They were bare OSError, TypeError, AttributeError and ValueError from Python."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine import InvalidInstant
from engine.kernel.errors import InvalidArgument
from scenarios.book.format import BookNotWritten, BookRefused, book_chunks, check_book, read_book, write_book
from tests.test_book import ROWS, write

AS_OF = date(2024, 3, 10)
READERS = [read_book, check_book, lambda path, as_of: list(book_chunks(path, as_of))]


def _row(**cells: str) -> dict[str, str]:
    return {"facility_id": "fac-1", "customer_email": "ada@example.com", **cells}


@pytest.mark.parametrize("read", READERS, ids=["read_book", "check_book", "book_chunks"])
@pytest.mark.parametrize(("where", "problem"), [
    ("missing.csv", "no such file"), (".", "a directory, not a file"),
    ("book.csv/inner.csv", "no such file (a part of its path is no directory)")])
def test_a_book_path_that_is_no_readable_file_is_refused_naming_the_file(tmp_path, read, where, problem):
    write(tmp_path, ROWS)
    path = tmp_path / where
    with pytest.raises(BookRefused) as refused:
        read(path, AS_OF)
    assert (refused.value.path, [str(p) for p in refused.value.problems]) == (str(path), [problem])
    assert str(refused.value) == f"{path}: refused, 1 problem(s): {problem}"


def test_a_book_file_without_read_permission_is_refused_naming_the_file(tmp_path, monkeypatch):
    """Run as root here, so the permission is denied by the open itself."""
    book = write(tmp_path, ROWS)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(BookRefused, match="permission denied") as refused:
        read_book(book, AS_OF)
    assert refused.value.path == str(book)


@pytest.mark.parametrize("read", READERS, ids=["read_book", "check_book", "book_chunks"])
@pytest.mark.parametrize(("as_of", "error"), [(None, InvalidArgument), (20240310, InvalidArgument),
                                               ("2024-03-32", InvalidInstant), ("soon", InvalidInstant)])
def test_an_as_of_that_is_no_date_is_refused_as_no_date(tmp_path, read, as_of, error):
    book = write(tmp_path, ROWS)
    with pytest.raises(error) as refused:
        read(book, as_of)
    assert refused.value.fields.get("argument", "as_of") == "as_of" and refused.value.value == as_of


def test_an_as_of_given_as_iso_text_or_a_datetime_is_its_utc_day(tmp_path):
    book = write(tmp_path, ROWS)
    expected = read_book(book, AS_OF)
    assert read_book(book, "2024-03-10") == expected
    assert read_book(book, datetime(2024, 3, 10, 23, tzinfo=UTC)) == expected


@pytest.mark.parametrize(("rows", "problem"), [
    ([_row(), 5], "row 2 is not a dict keyed by the book's columns"),
    (["fac-1,ada@example.com"], "row 1 is not a dict keyed by the book's columns"),
    ([_row(colour="red")], "row 1 has keys that are no book column"),
    (None, "not rows: a list of dicts keyed by the book's columns"),
    (_row(), "not rows: a list of dicts keyed by the book's columns")])
def test_rows_that_are_no_book_rows_are_refused_naming_the_row(tmp_path, rows, problem):
    with pytest.raises(InvalidArgument) as refused:
        write_book(rows, io.StringIO())
    assert (refused.value.argument, refused.value.problem) == ("rows", problem)
    target = tmp_path / "out.csv"
    with pytest.raises(InvalidArgument):
        write_book(rows, target)
    assert not target.exists()  # the file write_book created for them is removed


def test_a_book_written_to_a_path_is_a_new_file_and_never_overwrites_one(tmp_path):
    target = tmp_path / "out.csv"
    write_book([_row()], target)
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("fac-1,ada@example.com,")
    before = target.read_bytes()
    with pytest.raises(BookNotWritten, match="exists already") as refused:
        write_book([_row(facility_id="fac-2")], str(target))
    assert refused.value.path == str(target) and target.read_bytes() == before
    for where, problem in (("missing/out.csv", f"no such directory {tmp_path / 'missing'}"),
                           (".", "exists already; choose a new file (lanasim never overwrites it)")):
        with pytest.raises(BookNotWritten) as refused:
            write_book([_row()], tmp_path / where)
        assert str(refused.value) == f"{tmp_path / where}: {problem}; no book written"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


# -- from the shell -------------------------------------------------------------------------------
def _cli(capsys, *argv: str) -> tuple[int, list[str]]:
    from scenarios.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err.strip().splitlines()


def test_lanasim_import_of_an_unreadable_book_is_one_line_and_writes_no_journal(tmp_path, capsys, monkeypatch):
    """A book the CLI found to be a file but could not open (no permission) was the OSError handler's
    `PATH: Permission denied`; it is the refused book's line now, and no journal is left."""
    book, journal = write(tmp_path, ROWS), tmp_path / "new.sqlite"
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self == book:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    code, err = _cli(capsys, "import", str(book), "--as-of", "2024-03-10", "--price-usd", "60000",
                     "--journal", str(journal))
    assert (code, err) == (2, [f"lanasim: error: {book}: permission denied; refused, no journal written"])
    assert not journal.exists()


@pytest.fixture
def journal(tmp_path, capsys):
    book, journal = write(tmp_path, ROWS), tmp_path / "book.sqlite"
    code, _ = _cli(capsys, "import", str(book), "--as-of", "2024-03-10", "--price-usd", "60000",
                   "--journal", str(journal))
    assert code == 0
    return journal


@pytest.mark.parametrize(("out", "problem"), [
    ("missing/x.csv", "no such directory {tmp}/missing"),
    (".", "exists already; choose a new file (lanasim never overwrites it)"),
    ("book.csv", "exists already; choose a new file (lanasim never overwrites it)")])
def test_lanasim_export_to_a_path_it_cannot_write_is_one_line_and_touches_nothing(tmp_path, capsys, journal, out,
                                                                                  problem):
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    target = tmp_path / out
    code, err = _cli(capsys, "export", str(journal), "--out", str(target))
    assert (code, err) == (2, [f"lanasim: error: {target}: {problem.format(tmp=tmp_path)}"])
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_lanasim_export_whose_write_fails_removes_only_the_file_it_created(tmp_path, capsys, journal, monkeypatch):
    import scenarios.book.format as book_format

    def failing(self, row):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(book_format.csv.DictWriter, "writerow", failing)
    target = tmp_path / "out.csv"
    code, err = _cli(capsys, "export", str(journal), "--out", str(target))
    assert (code, err) == (2, [f"lanasim: error: {target}: no space left on device; no book written"])
    assert not target.exists() and journal.exists()


@pytest.mark.parametrize("flag", ["--csv", "--parquet"])
def test_show_book_to_a_full_disk_is_one_line_naming_the_file_and_leaves_no_part_of_it(tmp_path, capsys, journal,
                                                                                      monkeypatch, flag):
    """`show JOURNAL book --csv FILE` on a full disk left the 64 KiB it had written of the table under
    the name and said `lanasim: error: [Errno 28] No space left on device`, naming no file."""
    import pandas as pd

    def full(self, path, *args, **kwargs):
        Path(path).write_text("facility_id,status\nfac-1,act")  # what fitted before the disk filled
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv" if flag == "--csv" else "to_parquet", full)
    target = tmp_path / "table.out"
    code, err = _cli(capsys, "show", str(journal), "book", flag, str(target))
    assert (code, err) == (2, [f"lanasim: error: {target}: no space left on device; nothing written"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["book.csv", "book.sqlite"])

"""A book kept as an Excel workbook: its first sheet read as Excel saved its values (not as the cells
display them), imported to the journal of its CSV, its rows named as Excel numbers them, and what a
workbook can hold that a book cannot (formulas never calculated, day numbers, ratios for percents,
true/false) refused whole, naming row and column."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from engine.inspect import open_readonly
from scenarios.book.format import BookRefused, read_book
from scenarios.cli import main

HEADER = ["facility_id", "customer_email", "facility_usd", "disbursed_usd", "principal_outstanding_usd",
          "interest_outstanding_usd", "collateral_btc", "annual_rate_pct", "duration_months", "activated_on",
          "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct"]
ROWS = [["fac-1", "ada@example.com", 100000, 100000, 80000, 812.33, 2.5, 12, 12, datetime(2024, 1, 15), 140, 125,
         105],
        ["fac-2", "bob@example.com", 50000, 50000, 50000, 0, 1.1, 9.5, 6, datetime(2024, 3, 1), 150, 130, 110]]
CSV = ["fac-1,ada@example.com,100000,100000,80000,812.33,2.5,12,12,2024-01-15,140,125,105",
       "fac-2,bob@example.com,50000,50000,50000,0,1.1,9.5,6,2024-03-01,150,130,110"]


def workbook(path, rows, above=()):
    """`rows` under the header on the first sheet (after `above`'s rows), a second sheet besides."""
    book = Workbook()
    sheet = book.active
    for row in [*above, HEADER, *rows]:
        sheet.append(list(row))
    book.create_sheet("notes").append(["not the book"])
    book.save(path)
    return path


def digest(journal) -> str:
    with open_readonly(str(journal)) as sim:
        return sim.journal.digest()


def imports(book, journal) -> int:
    return main(["import", str(book), "--as-of", "2024-03-10", "--price-usd", "60000", "--journal", str(journal)])


def test_an_excel_book_imports_to_the_journal_of_its_csv(tmp_path):
    csv = tmp_path / "book.csv"
    csv.write_text("\n".join([",".join(HEADER), *CSV]) + "\n")
    book = workbook(tmp_path / "book.xlsx", ROWS, above=[[], [None, None]])  # empty rows above the header
    assert imports(csv, tmp_path / "csv.sqlite") == 0 and imports(book, tmp_path / "xlsx.sqlite") == 0
    assert digest(tmp_path / "xlsx.sqlite") == digest(tmp_path / "csv.sqlite")


def test_a_formula_reads_as_the_value_excel_saved_with_it_and_one_never_saved_is_refused(tmp_path):
    """openpyxl writes a formula without a value (only Excel calculates it): such a cell was read as
    empty, `missing value`. The value Excel saves with it (put in by hand here) is the cell's."""
    path = workbook(tmp_path / "book.xlsx", [[*ROWS[0][:5], "=800+12.33", *ROWS[0][6:]]])
    with pytest.raises(BookRefused) as refused:
        read_book(path, date(2024, 3, 10))
    assert [str(p) for p in refused.value.problems] == [
        "row 2, interest_outstanding_usd: a formula whose value was never saved (=800+12.33): open and save the "
        "workbook in Excel"]
    saved = tmp_path / "saved.xlsx"  # as Excel saves it: the formula and its value
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>800\+12.33</f><v ?/>", b"<f>800+12.33</f><v>812.33</v>", data)
            target.writestr(item, data)
    [position] = read_book(saved, date(2024, 3, 10))
    assert position.interest == 812_33


@pytest.mark.parametrize(("cell", "column", "says"), [
    (9, 45306, "row 2, activated_on: not a date ('45306' is a number; where a sheet shows it as a date, format its "
               "column as dates)"),
    (10, 1.4, "row 2, initial_cvl_pct: '1.4' is read as a CVL of 1.4 %: the column is in percent"),  # 140 % as %
    (6, True, "row 2, collateral_btc: True, a true/false value: no book column holds one"),
    (13, "stray", "row 2, -: a cell in column 14, which the header does not name ('stray')"),
])
def test_what_a_workbook_holds_that_a_book_cannot_is_refused_by_its_excel_row(tmp_path, capsys, cell, column, says):
    row = [*ROWS[0], None]
    row[cell] = column
    book, journal = workbook(tmp_path / "book.xlsx", [row]), tmp_path / "book.sqlite"
    assert imports(book, journal) == 2 and not journal.exists()
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err, err


def test_a_zip_that_is_no_workbook_and_a_stress_from_a_workbook(tmp_path, capsys):
    other = tmp_path / "book.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")  # a .docx renamed, say
    assert imports(other, tmp_path / "no.sqlite") == 2
    assert "a ZIP archive that is no readable Excel workbook" in capsys.readouterr().err
    book, out = workbook(tmp_path / "real.xlsx", ROWS), tmp_path / "run"
    assert main(["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=2", "--out", str(out), "--json"]) == 0
    assert '"facilities": 2' in capsys.readouterr().out


def test_an_empty_sheet_and_a_header_alone_are_refused_as_the_files_problem(tmp_path):
    blank, header = tmp_path / "blank.xlsx", workbook(tmp_path / "header.xlsx", [])
    Workbook().save(blank)
    for path, says in ((blank, "an empty sheet: a book's first row names its columns"), (header, "no facilities")):
        with pytest.raises(BookRefused) as refused:
            read_book(path, date(2024, 3, 10))
        assert [str(p) for p in refused.value.problems] == [says]


def test_the_book_is_the_first_sheet_whose_header_names_book_columns(tmp_path):
    """A workbook whose first sheet is a cover page was refused for that sheet's title."""
    path = tmp_path / "book.xlsx"
    book = Workbook()
    book.active.title = "cover"
    book.active.append(["Loan book, March 2024"])
    sheet = book.create_sheet("facilities")
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.create_sheet("more").append(HEADER)  # a later sheet with a header: not read
    book.save(path)
    assert [p.facility_id for p in read_book(path, date(2024, 3, 10))] == ["fac-1", "fac-2"]

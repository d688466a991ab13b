"""A book file as spreadsheets and other systems write it: what is unambiguous is read exactly (and
exported back to the same cents and satoshis), what is not is refused whole, naming the line, the
column, the cell and how to write it, with no journal written and no traceback."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.cli import main

NAMES = ["facility_id", "customer_email", "facility_usd", "disbursed_usd", "principal_outstanding_usd",
         "interest_outstanding_usd", "collateral_btc", "annual_rate_pct", "duration_months", "activated_on",
         "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct"]
ROW = ["fac-1", "ada@example.com", "100000.01", "100000.01", "80000.99", "812.33", "2.12345678", "12", "12",
       "2024-01-15", "140", "125", "105"]


def book(tmp_path, text, name="book.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def imports(path, as_of="2024-06-30"):
    journal = path.parent / "book.sqlite"
    code = main(["import", str(path), "--as-of", as_of, "--price-usd", "60000", "--journal", str(journal)])
    return code, journal


def refusal(tmp_path, capsys, text, **kwargs):
    """The import's stderr lines, asserted to be a refusal (exit 2, no journal, no traceback)."""
    code, journal = imports(book(tmp_path, text, **kwargs))
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists() and "Traceback" not in err, err
    return err


def exported(journal, as_of="2024-06-30"):
    out = journal.parent / "back.csv"
    assert main(["export", str(journal), "--as-of", as_of, "--out", str(out)]) == 0
    with out.open() as handle:
        return list(csv.DictReader(handle))


def test_an_excel_export_with_bom_crlf_spaced_cells_capitalised_names_and_rows_of_commas_imports_exactly(tmp_path):
    header = ",".join(f" {n.title()} " if n.endswith("_id") else n for n in NAMES) + ","  # Facility_Id, a blank column
    row = ",".join(f" {cell} " for cell in ROW[:9]) + f',"{ROW[9]} 00:00:00",' + ",".join(ROW[10:]) + ","
    text = "\ufeff" + "\r\n".join([header, row, "," * 13, "," * 13]) + "\r\n"  # Excel's trailing formatted rows
    code, journal = imports(book(tmp_path, text))
    assert code == 0 and main(["verify", str(journal)]) == 0
    [back] = exported(journal)
    assert [back[n] for n in NAMES] == ["fac-1", "ada@example.com", "100000.01", "100000.01", "80000.99", "812.33",
                                        "2.12345678", "12", "12", "2024-01-15", "140", "125", "105"]


def test_a_semicolon_separated_book_reads_its_decimal_comma_and_refuses_a_point_that_may_group_thousands(
        tmp_path, capsys):
    cells = [*ROW[:2], "100000,01", "100000,01", "80000,99", "812,33", "2,12345678", *ROW[7:]]
    code, journal = imports(book(tmp_path, ";".join(NAMES) + "\n" + ";".join(cells) + "\n"))
    assert code == 0
    back = exported(journal)[0]
    assert (back["principal_outstanding_usd"], back["interest_outstanding_usd"], back["collateral_btc"]) == \
        ("80000.99", "812.33", "2.12345678")
    journal.unlink()
    capsys.readouterr()
    cells[2] = cells[3] = "100.000,01"
    err = refusal(tmp_path, capsys, ";".join(NAMES) + "\n" + ";".join(cells) + "\n")
    assert "line 2, facility_usd: not a number ('100.000,01'): write digits with ',' as the decimal mark" in err


@pytest.mark.parametrize(("column", "cell", "problem"), [
    ("facility_usd", '"$100,000.01"', "not a number ('$100,000.01'): write digits with '.' as the decimal mark and "
                                      "no currency sign, thousands separator or %, e.g. 1234.56"),
    ("annual_rate_pct", "12%", "not a number ('12%')"),
    ("facility_usd", "100_000.01", "not a number ('100_000.01')"),  # Python's Decimal reads it; no sheet writes it
    ("facility_usd", "1.00000E+05", "in scientific notation ('1.00000E+05'), as a spreadsheet shows a number it "
                                    "rounded: format the column as a number with all its decimals"),
    ("activated_on", "1/15/2024", "not a date ('1/15/2024'): write it as YYYY-MM-DD, e.g. 2024-01-15"),
    ("activated_on", "2024-02-30", "no such day ('2024-02-30')"),
    ("collateral_btc", "2.123456789", "too many decimals ('2.123456789': at most 8)"),
    ("duration_months", "12.5", "not a whole number ('12.5')"),
])
def test_a_cell_written_for_display_is_refused_naming_the_cell_and_how_to_write_it(tmp_path, capsys, column, cell,
                                                                                   problem):
    row = [cell if name == column else value for name, value in zip(NAMES, ROW, strict=True)]
    err = refusal(tmp_path, capsys, ",".join(NAMES) + "\n" + ",".join(row) + "\n")
    assert f"line 2, {column}: {problem}" in err, err


def test_a_date_written_as_a_number_of_seconds_is_refused_rather_than_read_as_a_day_of_1970(tmp_path, capsys):
    row = [("86400" if name == "activated_on" else value) for name, value in zip(NAMES, ROW, strict=True)]
    err = refusal(tmp_path, capsys, ",".join(NAMES) + "\n" + ",".join(row) + "\n")
    assert "line 2, activated_on: not a date ('86400' is a number; where a sheet shows it as a date, format its " \
           "column as dates)" in err


def test_amounts_up_to_the_banks_largest_import_exactly_and_one_above_is_refused_by_line_and_column(tmp_path, capsys):
    largest = [*ROW[:2], *["10000000000000.00"] * 3, "0.00", "21000000.00000000", *ROW[7:]]
    code, journal = imports(book(tmp_path, ",".join(NAMES) + "\n" + ",".join(largest) + "\n"))
    assert code == 0
    [back] = exported(journal)
    assert [back[n] for n in NAMES] == largest
    journal.unlink()
    capsys.readouterr()
    above = [*ROW[:2], *["10000000000000.01"] * 3, "0", "21000000.00000001", *ROW[7:]]
    err = refusal(tmp_path, capsys, ",".join(NAMES) + "\n" + ",".join(above) + "\n")
    assert "line 2, facility_usd: above the largest amount lanasim takes (10000000000000 USD)" in err
    assert "line 2, collateral_btc: above the largest amount lanasim takes (21000000 BTC)" in err


@pytest.mark.parametrize(("content", "problem"), [
    (b"PK\x03\x04\x14\x00\x06\x00", "line 1, -: not a UTF-8 text file (a ZIP archive that is no readable Excel "
                                     "workbook"),
    (gzip.compress(b"facility_id\n"), "line 1, -: not a UTF-8 text file (gzip-compressed); save the sheet as 'CSV"),
    (",".join(NAMES).encode("utf-16"), "line 1, -: not a UTF-8 text file (UTF-16 text)"),
    (b"", "line 1, -: an empty file: a book's first line names its columns"),
    (("Loan book, June 2024\n" + ",".join(NAMES) + "\n" + ",".join(ROW) + "\n").encode(),
     "line 1, -: names none of a book's columns (facility_id, ...): the first line is the header (delete any title"),
    ("\t".join(NAMES).encode(), "line 1, -: tab-separated: a book is comma-separated; save the sheet as 'CSV UTF-8"),
    ((",".join(NAMES) + "\n" + ",".join(ROW) + "\n" + ",".join(ROW).replace("ada", "zo\xeb").replace("-1", "-2")
      + "\n").encode("latin-1"), "line 3, -: not UTF-8 text; save the sheet as 'CSV UTF-8 (Comma delimited)'"),
    ((",".join(NAMES) + "\n" + '"' + "x" * 200_000 + '"' + "\n").encode(),
     "line 2, -: not readable as CSV (field larger than field limit (131072))"),
])
def test_a_file_that_is_no_comma_separated_utf8_sheet_is_refused_in_one_line_saying_what_it_is(tmp_path, capsys,
                                                                                               content, problem):
    err = refusal(tmp_path, capsys, content)
    assert err.count("\n") == 1 and problem in err, err


def test_an_unknown_column_is_refused_with_the_column_it_likely_meant_or_told_to_go(tmp_path, capsys):
    header = ",".join(NAMES).replace("collateral_btc", "colateral_btc") + ",notes"
    err = refusal(tmp_path, capsys, header + "\n" + ",".join(ROW) + ",called Monday\n")
    assert "line 1, colateral_btc: unknown column; did you mean collateral_btc?" in err
    assert "line 1, notes: unknown column; delete it (README: 'Your own book' lists the columns)" in err


def test_a_quote_left_open_is_reported_from_the_line_its_row_starts_on(tmp_path, capsys):
    second = ",".join(ROW).replace("fac-1", "fac-2")
    err = refusal(tmp_path, capsys, ",".join(NAMES) + "\n" + ",".join(ROW).replace("ada@", '"ada@') + "\n" + second
                  + "\n" + second.replace("fac-2", "fac-3") + "\n")
    assert err.splitlines()[0].endswith("book.csv: line 2, -: the row runs on to line 4: a quote left open?"), err
    assert "line 2, customer_email: not an email address ('ada@example.com,100000.01,100000.01,8...')" in err


def test_a_book_exported_where_the_locale_is_not_utf8_is_utf8_and_imports_again(tmp_path):
    row = [("zoë@exämple.com" if name == "customer_email" else value) for name, value in zip(NAMES, ROW, strict=True)]
    code, journal = imports(book(tmp_path, ",".join(NAMES) + "\n" + ",".join(row) + "\n"))
    out = tmp_path / "back.csv"
    env = {**os.environ, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-X", "utf8=0", "-c", "import sys; from scenarios.cli import main; "
                           f"sys.exit(main(['export', {str(journal)!r}, '--out', {str(out)!r}]))"],
                          env=env, capture_output=True, text=True, check=False)
    assert code == 0 and done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].split(",")[1] == "zoë@exämple.com"
    again = tmp_path / "again"
    again.mkdir()
    assert imports(book(again, out.read_bytes()))[0] == 0


def test_an_exported_book_with_its_term_columns_imports_again_as_the_same_book(tmp_path):
    header = ",".join(NAMES) + ",accrual_interval,obligation_overdue_duration_from_due,disbursal_policy"
    code, journal = imports(book(tmp_path, header + "\n" + ",".join(ROW) + ",end_of_month,30,multiple_disbursal\n"))
    first = exported(journal)
    again = tmp_path / "again"
    again.mkdir()
    code_again, journal_again = imports(book(again, (tmp_path / "back.csv").read_bytes()))
    assert code == code_again == 0 and main(["verify", str(journal_again)]) == 0
    assert exported(journal_again) == first
    assert (first[0]["accrual_interval"], first[0]["obligation_overdue_duration_from_due"]) == ("end_of_month", "30")


def test_single_disbursal_written_out_refuses_a_partly_disbursed_facility_as_the_default_does(tmp_path, capsys):
    row = [("60000.00" if name == "disbursed_usd" else "50000.00" if name == "principal_outstanding_usd" else value)
           for name, value in zip(NAMES, ROW, strict=True)]
    err = refusal(tmp_path, capsys, ",".join(NAMES) + ",disbursal_policy\n" + ",".join(row) + ",single_disbursal\n")
    assert "line 2, disbursed_usd: inconsistent amounts: single_disbursal terms pay out the whole facility" in err


def test_a_book_holding_more_than_every_bitcoin_is_refused_before_any_journal(tmp_path, capsys):
    rows = [[(f"fac-{i}" if name == "facility_id" else "21000000" if name == "collateral_btc" else value)
             for name, value in zip(NAMES, ROW, strict=True)] for i in (1, 2)]
    err = refusal(tmp_path, capsys, "\n".join(",".join(r) for r in [NAMES, *rows]) + "\n")
    assert "collateral_btc: the book's total, 42000000 BTC, is more than every bitcoin there will ever be" in err


def test_a_book_whose_dollars_outgrow_a_ledger_account_is_refused_before_any_journal(tmp_path, capsys, monkeypatch):
    from scenarios.book import format as book_format

    monkeypatch.setattr(book_format, "MAX_TOTAL", 150_000_00)  # as 9,224 facilities of USD 10 trillion would
    rows = [[(f"fac-{i}" if name == "facility_id" else value) for name, value in zip(NAMES, ROW, strict=True)]
            for i in (1, 2)]
    err = refusal(tmp_path, capsys, "\n".join(",".join(r) for r in [NAMES, *rows]) + "\n")
    assert "facility_usd: the book's facilities and interest total 201624.68 USD, more than a ledger account" in err


def test_show_book_prints_the_cvl_of_a_facility_owing_nothing_as_an_empty_cell(tmp_path, capsys):
    header = ",".join(NAMES) + ",disbursal_policy"
    row = [("0" if name.endswith(("disbursed_usd", "outstanding_usd")) else value)
           for name, value in zip(NAMES, ROW, strict=True)]
    code, journal = imports(book(tmp_path, header + "\n" + ",".join(row) + ",multiple_disbursal\n"))
    capsys.readouterr()
    assert code == 0 and main(["show", str(journal), "book"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split() == ["facility_id", "status", "state", "cvl_pct", "outstanding_cents", "collateral_sats"]
    assert table[2].split() == ["fac-1", "active", "no_exposure", "0", "212345678"]  # no CVL: infinite


def test_a_run_from_a_bad_book_reports_each_problem_on_its_own_line_and_runs_nothing(tmp_path, capsys):
    row = ",".join(ROW).replace("812.33", "$812.33").replace(",12,", ",12%,", 1)
    path = book(tmp_path, ",".join(NAMES) + "\n" + row + "\n")
    out = tmp_path / "run"
    assert main(["run", "june-2022", "--from", str(path), "--at", "2024-06-30", "--set", "btc_usd=60000",
                 "--out", str(out)]) == 2
    err = [line.removeprefix(f"lanasim: error: {path}: ") for line in capsys.readouterr().err.splitlines()]
    assert [line.partition(" (")[0] for line in err] == ["line 2, interest_outstanding_usd: not a number",
                                                        "line 2, annual_rate_pct: not a number", "refused"]
    assert err[-1] == "refused (2 problems); nothing run" and not out.exists()


def test_terms_with_many_decimals_are_exported_without_an_exponent_and_import_again(tmp_path):
    header = ",".join(NAMES) + ",one_time_fee_rate"
    code, journal = imports(book(tmp_path, header + "\n" + ",".join(ROW).replace(",12,12,", ",0.0000001,12,")
                                 + ",0.00000005\n"))
    [back] = exported(journal)
    assert code == 0 and (back["annual_rate_pct"], back["one_time_fee_rate"]) == ("0.0000001", "0.00000005")
    again = tmp_path / "again"
    again.mkdir()
    assert imports(book(again, (tmp_path / "back.csv").read_bytes()))[0] == 0


def test_a_facility_activated_after_the_import_date_is_refused_as_not_yet_active_not_as_bad_amounts(tmp_path, capsys):
    code, journal = imports(book(tmp_path, ",".join(NAMES) + "\n" + ",".join(ROW).replace("812.33", "0") + "\n"),
                            as_of="2024-01-10")
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists()
    assert "line 2, activated_on: not yet active: activated on 2024-01-15, after the import date 2024-01-10" in err


def test_cvl_thresholds_written_as_ratios_are_refused_naming_each_column(tmp_path, capsys):
    """1.4 / 1.25 / 1.05 (a CVL as a ratio) would import as CVLs of 1.4 % and less: a facility at 150 %
    that no crash ever margin-calls. Each of the three cells is refused with what to write instead;
    a threshold of 10 % and more is a percentage and imports."""
    ratio = ",".join([*ROW[:10], "1.4", "1.25", "1.05"])
    err = refusal(tmp_path, capsys, ",".join(NAMES) + "\n" + ratio + "\n")
    for column, cell in (("initial_cvl_pct", "1.4"), ("margin_call_cvl_pct", "1.25"), ("liquidation_cvl_pct", "1.05")):
        assert f"line 2, {column}: '{cell}' is read as a CVL of {cell} %: the column is in percent, e.g. 140" in err
    assert "3 problems" in err
    code, _ = imports(book(tmp_path, ",".join(NAMES) + "\n" + ",".join([*ROW[:10], "150", "120", "10"]) + "\n",
                           name="ten.csv"))
    assert code == 0

"""Your own book: a CSV of facilities imported into a journal, every figure as the row says, bad books
refused whole, exported back at any instant, shown as a portfolio table, stressed with `run --from`."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from domains.credit import ObligationStatus, ObligationType
from engine.inspect import open_readonly
from scenarios.book.export import branch_at
from scenarios.cli import main

HEADER = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
          "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
          "liquidation_cvl_pct")
ROWS = [
    "fac-1,ada@example.com,100000.00,100000.00,80000.00,812.33,2.5,12,12,2024-01-15,140,125,105",
    "fac-2,bob@example.com,50000,50000,50000,0,1.1,9.5,6,2024-03-01,150,130,110",
    "fac-3,ada@example.com,20000.50,20000.50,20000.50,0,0.40000001,12,3,2023-12-01,140,125,105",
]


def write(tmp_path, rows, header=HEADER, name="book.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def imported(tmp_path, rows=ROWS, header=HEADER, as_of="2024-03-10", price="60000"):
    journal = tmp_path / "book.sqlite"
    code = main(["import", str(write(tmp_path, rows, header)), "--as-of", as_of, "--price-usd", price,
                 "--journal", str(journal)])
    return code, journal


def test_an_imported_facility_owes_holds_and_matures_what_its_row_says(tmp_path):
    code, journal = imported(tmp_path)
    assert code == 0
    with branch_at(str(journal), None) as sim:
        view = sim.credit.facility("fac-1")
        assert (view.books.principal, view.books.interest, view.collateral_sats) == (80_000_00, 812_33, 250_000_000)
        assert view.amount == 100_000_00 and sim.state("credit-facility", "fac-1").disbursed_total == 100_000_00
        assert view.maturity_date == date(2025, 1, 15)  # activated 2024-01-15 + 12 months
        interest, principal = sorted(sim.credit.obligations("fac-1"), key=lambda o: o.obligation_type != "interest")
        assert (interest.obligation_type, interest.outstanding, interest.due_date) == \
            (ObligationType.INTEREST, 812_33, date(2024, 2, 29))  # the last cycle that ended before the import
        assert interest.status is ObligationStatus.DUE
        assert (principal.outstanding, principal.due_date) == (80_000_00, date(2025, 1, 15))
        cycle = sim.state("interest-accrual-cycle", sim.state("credit-facility", "fac-1").cycle.id)
        assert (cycle.period.start, cycle.accrued_through) == (date(2024, 3, 1), date(2024, 3, 9))
        assert cycle.total == 236_72  # 1-9 March as one accrual: $80,000 x 12 % x 9 / 365, rounded up
        posted = sim.state("interest-accrual-cycle", "fac-1-cycle-2")  # February's: the posted interest
        assert (posted.period.end, posted.total, posted.posted) == (date(2024, 2, 29), 812_33, True)
        # $60,000 x 2.5 BTC / $80,812.33 = 185.6 %: fully collateralized, CVL truncated as Lana does
        assert (view.collateralization_state, view.cvl) == ("fully_collateralized", Decimal("185.00"))
        assert sim.state("credit-facility", "fac-3").status.value == "matured"  # 2023-12-01 + 3 months


def test_an_import_reports_its_progress_on_stderr_up_to_the_whole_book(tmp_path, capsys):
    code, _ = imported(tmp_path)
    captured = capsys.readouterr()
    assert code == 0 and captured.out.startswith("imported 3 facilities into ")
    assert captured.err.splitlines()[-1] == "100% 3 of 3 facilities"  # a line per tenth off a terminal


def test_an_import_and_export_of_one_facility_say_so_and_the_price_in_dollars_and_cents(tmp_path, capsys):
    """`imported 1 facilities ... at $60,000.5 per BTC` of a book of one row at --price-usd 60000.50."""
    code, journal = imported(tmp_path, ROWS[:1], price="60000.50")
    captured = capsys.readouterr()
    assert code == 0 and captured.out.startswith(
        f"imported 1 facility into {journal} as of 2024-03-10 at $60,000.50 per BTC (")
    assert captured.err.splitlines()[-1] == "100% 1 of 1 facility"  # was '1 of 1 facilities'
    assert main(["export", str(journal), "--out", str(tmp_path / "out.csv")]) == 0
    assert capsys.readouterr().out == f"wrote 1 facility to {tmp_path / 'out.csv'}\n"


def test_a_run_on_an_imported_journal_names_it_in_its_title_as_a_run_on_a_book_file_does(tmp_path, monkeypatch,
                                                                                           capsys):
    """`run march-2020 --from book.sqlite` was titled 'march-2020 seed 0', as a drawn book's run is;
    `run june-2022 --from book.csv --at ...` 'june-2022 from book.csv seed 0'."""
    imported(tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["run", "march-2020", "--from", "book.sqlite", "--set", "lead_days=0", "--set", "days=1",
                 "--out", "crash"]) == 0
    assert capsys.readouterr().out.splitlines()[0].strip() == "march-2020 from book.sqlite seed 0"


def test_the_posted_interest_ages_by_the_dates_the_terms_imply(tmp_path):
    header = HEADER + ",obligation_overdue_duration_from_due"
    code, journal = imported(tmp_path, [ROWS[0] + ",5"], header)
    assert code == 0
    with branch_at(str(journal), None) as sim:
        interest = next(o for o in sim.credit.obligations("fac-1") if o.obligation_type == "interest")
        assert interest.status is ObligationStatus.OVERDUE  # due 2024-02-29, overdue 5 days later
        assert sim.credit.facility("fac-1").books.payable_interest == 812_33


def test_an_import_verifies_and_is_deterministic(tmp_path):
    code, journal = imported(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    assert code == 0 and imported(again)[0] == 0
    assert main(["verify", str(journal)]) == 0

    with open_readonly(str(journal)) as a, open_readonly(str(again / "book.sqlite")) as b:
        assert a.journal.digest() == b.journal.digest()


def test_import_then_export_gives_back_the_same_values(tmp_path):
    code, journal = imported(tmp_path)
    out = tmp_path / "back.csv"
    assert code == 0 and main(["export", str(journal), "--as-of", "2024-03-10", "--out", str(out)]) == 0
    with out.open() as handle:
        back = {row["facility_id"]: row for row in csv.DictReader(handle)}
    for line in ROWS:
        given = dict(zip(HEADER.split(","), line.split(","), strict=True))
        row = back[given["facility_id"]]
        for column, value in given.items():
            same = Decimal(value) == Decimal(row[column]) if column.endswith(("usd", "btc", "pct", "months")) \
                else value == row[column]
            assert same, (column, value, row[column])


def test_export_at_an_earlier_instant_is_the_book_as_it_stood_then(tmp_path):
    _, journal = imported(tmp_path)
    branch = tmp_path / "later.sqlite"
    with branch_at(str(journal), None) as sim:
        later = sim.fork(journal=str(branch))
        later.advance(days=40)  # March's interest is posted on the way
        later.close()
    out_then, out_later = tmp_path / "then.csv", tmp_path / "later.csv"
    assert main(["export", str(branch), "--as-of", "2024-03-10", "--out", str(out_then)]) == 0
    assert main(["export", str(branch), "--out", str(out_later)]) == 0
    then = {r["facility_id"]: r for r in csv.DictReader(out_then.open())}
    after = {r["facility_id"]: r for r in csv.DictReader(out_later.open())}
    assert then["fac-1"]["interest_outstanding_usd"] == "812.33"
    assert Decimal(after["fac-1"]["interest_outstanding_usd"]) > Decimal("812.33")


@pytest.mark.parametrize(("rows", "header", "line", "column", "problem"), [
    ([ROWS[0]], HEADER.replace(",collateral_btc", ""), 1, "collateral_btc", "missing column"),
    ([ROWS[0].replace("80000.00", "eighty")], HEADER, 2, "principal_outstanding_usd", "not a number"),
    ([ROWS[0], ROWS[1].replace(",1.1,", ",-1.1,")], HEADER, 3, "collateral_btc", "negative ('-1.1')"),
    ([ROWS[0].replace("812.33", "812.333")], HEADER, 2, "interest_outstanding_usd", "too many decimals"),
    ([ROWS[0].replace(",2.5,", ",2.123456789,")], HEADER, 2, "collateral_btc", "too many decimals"),
    ([ROWS[0].replace(",140,125,105", ",120,125,105")], HEADER, 2, "margin_call_cvl_pct", "unknown terms"),
    ([ROWS[0].replace(",12,12,", ",12,100000,")], HEADER, 2, "duration_months", "unknown terms: must be a whole "
     "number of months, 1 to 1200"),  # a maturity in year 10357: a ValueError traceback after the import began
    ([ROWS[0], ROWS[1], ROWS[0].replace("ada@", "cy@")], HEADER, 4, "facility_id",
     "duplicate id 'fac-1' (first on line 2): a facility_id names one facility"),
    ([ROWS[1].replace("50000,50000,50000", "50000,60000,50000")], HEADER, 2, "disbursed_usd",
     "disbursed above the facility: disbursed_usd '60000' is above facility_usd '50000': a facility disburses "
     "at most its amount"),
    ([ROWS[1].replace("50000,50000,50000", "50000,50000,50000.01")], HEADER, 2, "principal_outstanding_usd",
     "inconsistent amounts: principal_outstanding_usd '50000.01' is above disbursed_usd '50000'"),
    ([ROWS[1].replace(",0,1.1,", ",5.00,1.1,")], HEADER, 2, "interest_outstanding_usd", "inconsistent amounts"),
    ([ROWS[0], ROWS[1] + ",stray"], HEADER, 3, "-", "14 cells, but the header names 13"),
])
def test_a_bad_book_is_refused_whole_naming_line_column_and_problem(tmp_path, capsys, rows, header, line, column,
                                                                  problem):
    code, journal = imported(tmp_path, rows, header)
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists()
    assert f"line {line}, {column}: {problem}" in err, err
    assert "Traceback" not in err


def test_every_bad_row_is_reported_not_just_the_first(tmp_path, capsys):
    rows = [ROWS[0].replace("812.33", "x"), ROWS[1], ROWS[2].replace("20000.50,0", "20000.50,-1")]
    code, journal = imported(tmp_path, rows)
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists()
    assert "line 2, interest_outstanding_usd: not a number" in err and "line 4, interest_outstanding_usd" in err


def test_a_problem_many_rows_share_is_one_line_naming_every_row_and_the_others_stay_a_line_each(tmp_path, capsys):
    """A book whose 3,000 rows all write the date the same wrong way (or an outbox export of another
    system, every line lacking the same field) printed a line per row: 3,001 lines no one reads."""
    rows = [ROWS[1].replace("fac-2", f"f-{i}").replace("2024-03-01", "01/03/2024") for i in range(3_000)]
    rows[4] = rows[4].replace(",1.1,", ",-1.1,")  # another problem besides, on one row
    code, journal = imported(tmp_path, rows)
    err = capsys.readouterr().err.splitlines()
    book = tmp_path / "book.csv"
    assert code == 2 and not journal.exists()
    assert err == [f"lanasim: error: {book}: lines 2-3001 (3,000 lines), activated_on: not a date ('01/03/2024'): "
                   "write it as YYYY-MM-DD, e.g. 2024-01-15",
                   f"lanasim: error: {book}: line 6, collateral_btc: negative ('-1.1')",
                   f"lanasim: error: {book}: refused (3,001 problems); no journal written"]
    outbox = tmp_path / "events.jsonl"
    outbox.write_text('{"id": 1}\n' * 40)
    assert main(["import", "--from-outbox", str(outbox), "--journal", str(tmp_path / "o.sqlite")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"lanasim: error: {outbox}: lines 1-40 (40 lines), -: not a lanasim outbox envelope ('event_type' is missing "
        "or not a JSON string)")


def test_blank_lines_and_empty_cells_past_the_header_are_ignored_and_a_column_named_twice_is_refused(tmp_path):
    from scenarios.book.format import BookRefused, read_book

    header = " " + HEADER.replace(",", " , ")  # spaces around names are not part of them
    rows = ["", ROWS[0] + ",,", "", ROWS[1], ""]  # a trailing comma, as spreadsheets write
    positions = read_book(write(tmp_path, rows, header), date(2024, 3, 10))
    assert [(p.facility_id, p.principal, p.terms.annual_rate) for p in positions] == [
        ("fac-1", 8_000_000, Decimal("12")), ("fac-2", 5_000_000, Decimal("9.5"))]
    repeated = write(tmp_path, [ROWS[0] + ",", ROWS[1] + ",fac-9"], HEADER + ",facility_id", name="repeated.csv")
    with pytest.raises(BookRefused) as refused:  # which of its cells holds the id? the book does not say
        read_book(repeated, date(2024, 3, 10))
    assert [str(p) for p in refused.value.problems] == ["line 1, facility_id: column named twice (cells 1 and 14); "
                                                        "keep one"]


def test_an_existing_journal_is_never_overwritten_by_an_import(tmp_path, capsys):
    (tmp_path / "book.sqlite").write_text("mine")
    code, journal = imported(tmp_path)
    assert code == 2 and journal.read_text() == "mine"


def test_show_book_prints_the_portfolio_and_writes_it_as_parquet(tmp_path, capsys):
    code, journal = imported(tmp_path)
    capsys.readouterr()
    table = tmp_path / "book.parquet"
    assert code == 0 and main(["show", str(journal), "book", "--as-of", "2024-03-10", "--parquet", str(table)]) == 0
    out = capsys.readouterr().out
    assert "fac-1" in out and "fully_collateralized" in out
    frame = pd.read_parquet(table).set_index("facility_id")
    assert frame.loc["fac-2", "outstanding_cents"] == 50_000_00 and frame.loc["fac-2", "collateral_sats"] == 110_000_000
    assert frame.loc["fac-2", "cvl_pct"] == 132  # $66,000 of BTC for $50,000 owed
    assert str(frame["cvl_pct"].dtype) == "Int64"  # the bank's CVL, a whole percent: never printed as 132.0
    assert " 132 " in out and "132.0" not in out


def test_show_book_ends_with_the_books_totals_and_its_cvl_at_the_price_then(tmp_path, capsys):
    """What a lender's open-book report gives, under the table: $150,812.83 owed (80,000 + 812.33 +
    50,000 + 20,000.50) against 4.00000001 BTC at $60,000 (240,000.0006, floored to the cent)."""
    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["show", str(journal), "book", "--as-of", "2024-03-10"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "3 open facilities at $60,000.00 per BTC: outstanding $150,812.83, collateral 4.00000001 BTC worth "
        "$240,000.00, book CVL 159.13 %; fully_collateralized 2, under_margin_call_threshold 1")  # 240,000 / 150,812.83
    assert main(["show", str(journal), "book", "--csv", "-"]) == 0  # for a program: the rows alone
    assert "open facilities" not in capsys.readouterr().out


def test_show_book_csv_to_stdout_is_the_csv_file_a_program_reads(tmp_path, capsys):
    """`--csv -` writes the rows to stdout as `--csv FILE` writes them (no table, no title line), so
    `lanasim show J book --csv - | program` needs no temporary file; Parquet, binary, is refused there."""
    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["show", str(journal), "book", "--as-of", "2024-03-10", "--csv", "-",
                               "--parquet", str(tmp_path / "b.parquet")]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(out.splitlines()))
    assert [r["facility_id"] for r in rows][:2] == ["fac-1", "fac-2"] and rows[1]["cvl_pct"] == "132"
    assert pd.read_parquet(tmp_path / "b.parquet").astype(str).to_dict("records") == rows
    assert main(["show", str(journal), "book", "--parquet", "-"]) == 2
    assert "Parquet is binary" in capsys.readouterr().err


def test_show_book_of_a_journal_without_facilities_says_so_in_one_line(tmp_path, capsys):
    from engine import Simulation

    with Simulation(seed=1, start="2024-01-01", journal=str(tmp_path / "empty.sqlite")) as sim:
        sim.advance(days=1)
    assert main(["show", str(tmp_path / "empty.sqlite"), "book"]) == 0
    assert capsys.readouterr().out == "book as of 2024-01-02T00:00:00Z: no open facilities\n"


def test_show_book_parquet_of_an_empty_book_has_the_column_types_of_a_full_one(tmp_path, capsys):
    """A book with no open facility wrote its columns as Parquet's `null` type (ids, amounts): a program
    that stacks the books of several dates, or checks their schema, read cents as objects."""
    import pyarrow.parquet as pq

    from engine import Simulation

    code, journal = imported(tmp_path)
    with Simulation(seed=1, start="2024-01-01", journal=str(tmp_path / "empty.sqlite")) as sim:
        sim.advance(days=1)
    full, empty = tmp_path / "full.parquet", tmp_path / "empty.parquet"
    assert code == 0 and main(["show", str(journal), "book", "--parquet", str(full)]) == 0
    assert main(["show", str(tmp_path / "empty.sqlite"), "book", "--parquet", str(empty)]) == 0
    schema = pq.read_schema(empty)
    assert schema.remove_metadata() == pq.read_schema(full).remove_metadata()
    assert [str(t) for t in schema.types] == ["large_string"] * 3 + ["int64"] * 3
    assert pd.read_parquet(empty)["outstanding_cents"].dtype == "int64"


def test_a_stress_runs_on_an_imported_book_from_the_books_own_price(tmp_path, capsys):
    book = write(tmp_path, ROWS)
    out = tmp_path / "run"
    assert main(["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=2", "--out", str(out), "--seed", "3", "--json"]) == 0
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["facilities"] == 3 and summary["price_start_cents"] == 6_000_000
    assert summary["price_trough_cents"] < 6_000_000 * 0.6  # Black Thursday's -50 % from the book's price
    assert main(["verify", str(out)]) == 0


def test_a_run_exported_to_its_outbox_and_reimported_yields_the_same_book(tmp_path, capsys):
    from scenarios import run_stress

    run_stress("march-2020", seed=4, out=str(tmp_path / "run"), facilities=6, days=6)
    capsys.readouterr()
    assert main(["outbox", str(tmp_path / "run")]) == 0
    (tmp_path / "events.jsonl").write_text(capsys.readouterr().out)
    journal = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(journal)]) == 0
    assert main(["export", str(tmp_path / "run"), "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(journal), "--out", str(tmp_path / "b.csv")]) == 0
    original = (tmp_path / "a.csv").read_text()
    assert original == (tmp_path / "b.csv").read_text() and original.count("\n") == 7
    assert main(["verify", str(journal)]) == 0


def test_an_outbox_import_in_chunks_writes_the_journal_of_one_pass(tmp_path, capsys, monkeypatch):
    from scenarios.book import format as book_format

    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["outbox", str(journal)]) == 0
    (tmp_path / "events.jsonl").write_text(capsys.readouterr().out)
    digests = []
    for chunk in (500, 1):  # three facilities: one chunk, then three
        monkeypatch.setattr(book_format, "CHUNK", chunk)
        again = tmp_path / f"again-{chunk}.sqlite"
        assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(again)]) == 0
        with open_readonly(str(again)) as view:
            digests.append(view.journal.digest())
    assert digests[0] == digests[1]


def test_an_imported_book_exported_to_its_outbox_and_reimported_yields_the_same_book(tmp_path, capsys):
    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["outbox", str(journal)]) == 0
    events = capsys.readouterr().out
    assert events.count('"event_type":"lanasim.credit.facility-imported"') == len(ROWS)
    (tmp_path / "events.jsonl").write_text(events)
    again = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(again)]) == 0
    assert main(["export", str(journal), "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(again), "--out", str(tmp_path / "b.csv")]) == 0
    original = (tmp_path / "a.csv").read_text()
    assert original == (tmp_path / "b.csv").read_text() and original.count("\n") == len(ROWS) + 1
    assert main(["verify", str(again)]) == 0


def test_an_outbox_export_piped_into_import_from_stdin_yields_the_same_book(tmp_path, capsys, monkeypatch):
    """`lanasim outbox J | lanasim import --from-outbox - --journal NEW`: the export is read once, so a
    pipe serves as well as a file (it was refused as 'no such file'); a book CSV, read twice, is not."""
    import io
    import sys

    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["outbox", str(journal)]) == 0
    events = capsys.readouterr().out.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(events)))
    piped = tmp_path / "piped.sqlite"
    assert main(["import", "--from-outbox", "-", "--journal", str(piped)]) == 0
    assert main(["export", str(journal), "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["export", str(piped), "--out", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    capsys.readouterr()
    assert main(["import", "-", "--as-of", "2024-06-30", "--price-usd", "60000", "--journal",
                 str(tmp_path / "csv.sqlite")]) == 2
    assert "-: no such file" in capsys.readouterr().err


def test_an_outbox_stripped_of_lanasims_extension_envelopes_is_refused_by_name(tmp_path, capsys):
    code, journal = imported(tmp_path)
    capsys.readouterr()
    assert code == 0 and main(["outbox", str(journal)]) == 0
    lana_only = [line for line in capsys.readouterr().out.splitlines() if '"lanasim.' not in line]
    (tmp_path / "events.jsonl").write_text("\n".join(lana_only) + "\n")
    again = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(tmp_path / "events.jsonl"), "--journal", str(again)]) == 2
    assert "fac-1: no envelope carries this facility's terms" in capsys.readouterr().err and not again.exists()


@pytest.mark.parametrize("verb", [["show", "{}", "book"], ["export", "{}", "--out", "out.csv"],
                                  ["fork", "{}", "--journal", "branch.sqlite"]])
def test_show_export_and_fork_name_a_file_that_is_no_journal_and_leave_it_as_it_was(tmp_path, capsys, verb,
                                                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    assert main([a.format("notes.txt") for a in verb]) == 2
    assert capsys.readouterr().err == "lanasim: error: notes.txt: not a lanasim journal (file is not a database)\n"
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("how", ["from-outbox", "book"])
def test_a_binary_file_such_as_a_journal_is_refused_as_a_book_or_outbox_in_one_line(tmp_path, capsys, how):
    code, journal = imported(tmp_path)
    assert code == 0
    capsys.readouterr()
    again = tmp_path / "again.sqlite"
    source = ["--from-outbox", str(journal)] if how == "from-outbox" else [
        str(journal), "--as-of", "2024-03-10", "--price-usd", "60000"]
    assert main(["import", *source, "--journal", str(again)]) == 2
    err = capsys.readouterr().err
    kind = "" if how == "from-outbox" else (" (an SQLite database); a lanasim journal is stressed as it is (lanasim "
                                            "run SCENARIO --from JOURNAL), and lanasim export JOURNAL --out book.csv "
                                            "writes its book")
    assert err == f"lanasim: error: {journal}: line 1, -: not a UTF-8 text file{kind}; refused, no journal written\n"
    assert not again.exists()


def test_an_outbox_price_that_is_no_whole_number_of_cents_is_refused_by_line(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text('{"event_type": "core.price.price-updated", "payload": {"PriceUpdated": {"price": "x"}}, '
                      '"recorded_at": "2024-03-10T00:00:00Z"}\n')
    assert main(["import", "--from-outbox", str(events), "--journal", str(tmp_path / "again.sqlite")]) == 2
    assert "line 1, -: not a lanasim outbox envelope (price 'x' is not a whole number of cents > 0)" in \
        capsys.readouterr().err
    assert not (tmp_path / "again.sqlite").exists()


@pytest.mark.parametrize("as_of", ["9999-12-31", "0999-12-31"])
def test_an_as_of_date_outside_the_years_a_simulation_starts_in_is_refused_in_one_line(tmp_path, capsys, as_of):
    code, journal = imported(tmp_path, as_of=as_of)
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists()
    assert err.startswith(f"lanasim: error: --as-of {as_of}: start {as_of} is outside 1000-01-01 .. 8999-12-31")
    assert err.count("\n") == 1


def test_a_run_from_a_book_at_a_date_where_no_simulation_starts_is_refused_before_its_directory(tmp_path, capsys):
    book, out = write(tmp_path, ROWS), tmp_path / "run"
    assert main(["run", "june-2022", "--from", str(book), "--at", "9999-12-31", "--set", "btc_usd=60000",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lanasim: error: --at 9999-12-31: start 9999-12-31T00:00:00Z is outside 1000-01-01")
    assert err.count("\n") == 1 and not out.exists()


def test_an_imported_facility_has_its_repayment_plan_and_history_in_python_and_from_the_shell(tmp_path, capsys):
    """Both read models looked for the facility's proposal, which an import does not make: every
    imported facility was `UnknownEntity` to `sim.credit.repayment_plan` and `lanasim show J repayment-plan`."""
    code, journal = imported(tmp_path)
    assert code == 0
    with branch_at(str(journal), None) as sim:
        plan = sim.credit.repayment_plan("fac-1")
        history = sim.credit.history("fac-1")
    posted = [e for e in plan if e.obligation_id is not None]
    assert sorted((e.repayment_type.value, e.outstanding, e.due_at) for e in posted) == \
        [("disbursal", 80_000_00, date(2025, 1, 15)), ("interest", 812_33, date(2024, 2, 29))]
    march = next(e for e in plan if e.obligation_id is None)  # the first interest to come, on $80,000 at 12 %
    assert (march.due_at, march.initial) == (date(2024, 3, 31), 31 * 26_31)  # a day's interest rounded up, x 31
    assert plan[-1].due_at == date(2025, 1, 15)  # the plan runs to maturity
    assert {e.kind for e in history} >= {"Approved", "Disbursal", "Interest", "Collateral"}
    capsys.readouterr()
    assert main(["show", str(journal), "repayment-plan", "fac-1"]) == 0
    assert '"obligation_id":null' in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--from", "BOOK"], ["--from", "BOOK", "--at", "2024-03-10"],
                                  ["--resume", "RUN", "--from", "BOOK"]])
def test_run_from_without_a_scenario_or_with_resume_is_refused_in_one_line(tmp_path, capsys, argv):
    """`run --from BOOK` with no SCENARIO, or `run --resume DIR --from BOOK`, ended in an
    AttributeError traceback (the scenario None looked up by name), exit status 1."""
    book, run = write(tmp_path, ROWS), tmp_path / "run"
    run.mkdir()
    args = [str(book) if a == "BOOK" else str(run) if a == "RUN" else a for a in argv]
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lanasim: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert list(run.iterdir()) == []


def test_a_finished_run_from_a_book_csv_is_not_resumed_and_its_journal_is_left_as_it_was(tmp_path, capsys):
    """Its journal never recorded that the run had finished, so `run --resume` re-ran its last day
    from the checkpoint and wrote the journal again, where a finished run is refused untouched."""
    import hashlib

    book, out = write(tmp_path, ROWS), tmp_path / "run"
    assert main(["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=2", "--out", str(out)]) == 0
    before = hashlib.sha256((out / "journal.sqlite").read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["run", "--resume", str(out)]) == 2
    assert "holds a finished run and its outputs; nothing to resume" in capsys.readouterr().err
    assert hashlib.sha256((out / "journal.sqlite").read_bytes()).hexdigest() == before


def test_a_run_from_a_book_csv_prints_its_report_and_the_chain_head_verify_checks(tmp_path, capsys):
    """It printed only `run directory: DIR`: no report path and no chain head to keep for
    `lanasim verify --expect-head`, as every other run prints."""
    import re

    book, out = write(tmp_path, ROWS), tmp_path / "run"
    capsys.readouterr()
    assert main(["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'report.html'}" in printed
    head = re.search(r"chain head: ([0-9a-f]{64})", printed).group(1)
    assert main(["verify", str(out), "--expect-head", head]) == 0


@pytest.mark.parametrize("price", ["1e30", "100000000000000"])
def test_a_price_usd_above_ten_trillion_dollars_is_refused_naming_the_flag(tmp_path, capsys, price):
    """`--price-usd 1e30` ended in a decimal.InvalidOperation traceback, and 100000000000000 in a bare
    AmountOutOfRange(field='price', ...) that did not name --price-usd."""
    code, journal = imported(tmp_path, price=price)
    err = capsys.readouterr().err
    assert code == 2 and not journal.exists()
    assert err == f"lanasim: error: --price-usd must be at most 10,000,000,000,000 USD a BTC, got {price}\n"


def test_a_run_from_a_book_csv_stopped_while_importing_resumes_to_the_journal_of_a_run_never_stopped(
        tmp_path, monkeypatch, capsys):
    """Ctrl-C while the book is being imported stops the run as any run stops (its scenario is committed
    first): `--resume` re-executes it from the start, the import again, to the journal of the run
    never stopped."""
    from scenarios.book import filed

    real = filed.import_positions

    def stopped(sim, positions, price):
        real(sim, positions[:1], price)  # some of the book staged, then Ctrl-C
        sim.settle(commit=True)
        raise KeyboardInterrupt

    book, out, whole = write(tmp_path, ROWS), tmp_path / "run", tmp_path / "whole"
    command = ["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
               "--set", "lead_days=0", "--set", "days=2"]
    assert main([*command, "--out", str(whole)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(filed, "import_positions", stopped)
    assert main([*command, "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    monkeypatch.setattr(filed, "import_positions", real)
    assert main(["run", "--resume", str(out)]) == 0
    with open_readonly(str(out / "journal.sqlite")) as resumed, open_readonly(str(whole / "journal.sqlite")) as never:
        assert resumed.journal.digest() == never.journal.digest()


def test_a_rate_written_as_a_fraction_is_imported_as_written_with_a_note_naming_the_facilities(tmp_path, capsys):
    """0.12 in `annual_rate_pct` is a legal 0.12 % (the book is imported, exit 0) but likely 12 % written
    as a fraction: the import says so on stderr, naming the facilities, and a book of 12 % says nothing."""
    rows = [ROWS[0].replace(",2.5,12,12,", ",2.5,0.12,12,"), ROWS[1], ROWS[2].replace(",12,3,", ",0.5,3,")]
    code, journal = imported(tmp_path, rows)
    err = capsys.readouterr().err
    assert code == 0 and journal.exists()
    note, = [line for line in err.splitlines() if line.startswith("lanasim: note:")]
    assert note.startswith(f"lanasim: note: {tmp_path / 'book.csv'}: 2 facilities have annual_rate_pct above 0 "
                           "and below 1 (fac-1, fac-3)")
    with branch_at(str(journal), None) as sim:
        assert sim.state("credit-facility", "fac-1").terms.annual_rate == Decimal("0.12")  # imported as written
    (tmp_path / "book.sqlite").unlink()
    assert imported(tmp_path)[0] == 0 and "lanasim: note:" not in capsys.readouterr().err


def test_a_run_from_a_book_with_a_fractional_rate_notes_it_and_runs(tmp_path, capsys):
    book = write(tmp_path, [ROWS[0].replace(",2.5,12,12,", ",2.5,0.12,12,"), ROWS[1]])
    assert main(["run", "march-2020", "--from", str(book), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=1", "--out", str(tmp_path / "run")]) == 0
    assert f"lanasim: note: {book}: 1 facility has annual_rate_pct above 0 and below 1 (fac-1)" in \
        capsys.readouterr().err


def test_the_rates_note_names_three_facilities_and_counts_the_rest():
    from scenarios.book.format import rates_note

    assert rates_note([f"f-{i}" for i in range(5)]).startswith(
        "5 facilities have annual_rate_pct above 0 and below 1 (f-0, f-1, f-2 and 2 more): the column is a percentage")

"""A book as a Parquet file: what pandas writes of an analyst's table (floats, integers, timestamps,
text) is read exactly as its CSV would be, a bad one is refused whole naming the row (rows have
numbers, not lines) and column, and `export --out BOOK.parquet` writes typed columns (decimals, never
floats) that import back to the same journal."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.inspect import open_readonly
from engine.kernel.errors import InvalidArgument
from scenarios.book.format import BookRefused, read_book, write_book
from scenarios.cli import main

HEADER = ["facility_id", "customer_email", "facility_usd", "disbursed_usd", "principal_outstanding_usd",
          "interest_outstanding_usd", "collateral_btc", "annual_rate_pct", "duration_months", "activated_on",
          "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct"]
ROWS = [["fac-1", "ada@example.com", "100000.00", "100000.00", "80000.00", "812.33", "2.5", "12", "12",
         "2024-01-15", "140", "125", "105"],
        ["fac-2", "bob@example.com", "50000", "50000", "50000", "0", "1.1", "9.5", "6", "2024-03-01", "150", "130",
         "110"],
        ["fac-3", "ada@example.com", "20000.50", "20000.50", "20000.50", "0", "0.40000001", "12", "3", "2023-12-01",
         "140", "125", "105"]]


def imports(book, journal) -> int:
    return main(["import", str(book), "--as-of", "2024-03-10", "--price-usd", "60000", "--journal", str(journal)])


def digest(journal) -> str:
    with open_readonly(str(journal)) as sim:
        return sim.journal.digest()


def as_pandas_writes_it() -> pd.DataFrame:
    """The book as an analyst's pandas table holds it: dollars, BTC and rates as floats, months and
    CVLs as integers, the activation as a timestamp."""
    frame = pd.DataFrame(ROWS, columns=HEADER)
    for column in ("facility_usd", "disbursed_usd", "principal_outstanding_usd", "interest_outstanding_usd",
                   "collateral_btc", "annual_rate_pct"):
        frame[column] = frame[column].astype(float)
    for column in ("duration_months", "initial_cvl_pct", "margin_call_cvl_pct", "liquidation_cvl_pct"):
        frame[column] = frame[column].astype(int)
    frame["activated_on"] = pd.to_datetime(frame["activated_on"])
    return frame


@pytest.fixture
def csv_book(tmp_path):
    path = tmp_path / "book.csv"
    path.write_text("\n".join(",".join(row) for row in [HEADER, *ROWS]) + "\n")
    return path


def test_a_book_pandas_wrote_as_parquet_imports_to_the_journal_of_its_csv(tmp_path, csv_book):
    parquet = tmp_path / "book.parquet"
    frame = as_pandas_writes_it()
    frame["one_time_fee_rate"] = np.nan  # an optional column pandas left empty: the default
    frame.index = ["a", "b", "c"]  # written as pandas' index column, which is no book column
    frame.to_parquet(parquet)
    assert "__index_level_0__" in pq.read_schema(parquet).names
    assert imports(csv_book, tmp_path / "from-csv.sqlite") == 0
    assert imports(parquet, tmp_path / "from-parquet.sqlite") == 0
    assert digest(tmp_path / "from-parquet.sqlite") == digest(tmp_path / "from-csv.sqlite")


def test_export_to_parquet_writes_exact_typed_columns_that_import_back_to_the_same_journal(tmp_path, csv_book):
    journal, out = tmp_path / "book.sqlite", tmp_path / "back.parquet"
    assert imports(csv_book, journal) == 0
    assert main(["export", str(journal), "--out", str(out)]) == 0
    schema = pq.read_schema(out)
    assert schema.field("facility_usd").type == pa.decimal128(38, 2)
    assert schema.field("collateral_btc").type == pa.decimal128(38, 8)
    assert schema.field("annual_rate_pct").type == pa.decimal128(38, 1)  # 9.5: the column's longest
    assert schema.field("duration_months").type == pa.int64()
    assert schema.field("activated_on").type == pa.date32()
    assert schema.field("obligation_overdue_duration_from_due").type == pa.int64()  # all null: Lana's "never"
    frame = pd.read_parquet(out).set_index("facility_id")
    assert frame.loc["fac-3", "collateral_btc"] == Decimal("0.40000001")  # a Decimal, not 0.40000000999999...
    assert frame.loc["fac-1", "interest_outstanding_usd"] == Decimal("812.33")
    assert frame["obligation_overdue_duration_from_due"].isna().all()
    again = tmp_path / "again.sqlite"
    assert imports(out, again) == 0 and digest(again) == digest(journal)
    assert main(["export", str(journal), "--out", str(tmp_path / "back.csv")]) == 0
    assert main(["export", str(again), "--out", str(tmp_path / "again.csv")]) == 0
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "back.csv").read_bytes()
    with (tmp_path / "back.csv").open() as handle:
        assert [row["facility_id"] for row in csv.DictReader(handle)] == list(frame.index)


def test_a_bad_parquet_book_is_refused_whole_by_row_and_column_and_no_journal_is_written(tmp_path, capsys):
    parquet, journal = tmp_path / "book.parquet", tmp_path / "book.sqlite"
    frame = as_pandas_writes_it()
    frame.loc[1, "interest_outstanding_usd"] = 0.1 + 0.2  # a float's sum: 0.30000000000000004
    frame.loc[1, "collateral_btc"] = -1.0
    frame.loc[2, "facility_id"] = "fac-1"
    frame.to_parquet(parquet, index=False)
    assert imports(parquet, journal) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"lanasim: error: {parquet}: row 2, interest_outstanding_usd: too many decimals "
                   "('0.30000000000000004': at most 2)",
                   f"lanasim: error: {parquet}: row 2, collateral_btc: negative ('-1')",
                   f"lanasim: error: {parquet}: row 3, facility_id: duplicate id 'fac-1' (first on row 1): a "
                   "facility_id names one facility",
                   f"lanasim: error: {parquet}: refused (3 problems); no journal written"]
    assert not journal.exists()


@pytest.mark.parametrize(("table", "says"), [
    (None, "not readable as Parquet (Parquet magic bytes not found in footer."),
    (pa.table({"facility_id": ["a"]}), "collateral_btc: missing column"),
    (pa.table({c: pa.array([], pa.string()) for c in HEADER}), "no facilities; refused, no journal written"),
])
def test_a_parquet_file_that_is_no_book_is_refused_in_one_line(tmp_path, capsys, table, says):
    parquet, journal = tmp_path / "book.parquet", tmp_path / "book.sqlite"
    if table is None:
        parquet.write_bytes(b"PAR1" + b"\0" * 64)  # its magic, then nothing Parquet
    else:
        pq.write_table(table, parquet)
    assert imports(parquet, journal) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and not journal.exists()


def test_a_stress_runs_from_a_parquet_book(tmp_path, capsys):
    parquet, out = tmp_path / "book.pq", tmp_path / "run"
    as_pandas_writes_it().to_parquet(parquet, index=False)
    assert main(["run", "march-2020", "--from", str(parquet), "--at", "2024-03-10", "--set", "btc_usd=60000",
                 "--set", "lead_days=0", "--set", "days=2", "--out", str(out), "--json"]) == 0
    assert '"facilities": 3' in capsys.readouterr().out
    assert main(["verify", str(out)]) == 0


def test_write_book_to_a_parquet_path_refuses_a_cell_no_column_holds_and_leaves_no_file(tmp_path):
    row = dict(zip(HEADER, ROWS[0], strict=True))
    target = tmp_path / "book.parquet"
    with pytest.raises(InvalidArgument, match="row 2, collateral_btc: not a book cell"):
        write_book([row, {**row, "collateral_btc": "0.123456789"}], target)  # 9 places: no satoshi
    assert not target.exists()
    write_book([row], target)
    assert pd.read_parquet(target)["collateral_btc"].tolist() == [Decimal("2.5")]


def one_row_table(**columns) -> pa.Table:
    """The first book row as Arrow columns, some of them given as other Arrow types."""
    return pa.table({name: columns.get(name, pa.array([cell])) for name, cell in zip(HEADER, ROWS[0], strict=True)})


@pytest.mark.parametrize("column", [
    {"interest_outstanding_usd": pa.array([812.33], pa.float32())},  # not 812.3300170898438, as a float64 of it
    {"collateral_btc": pa.array([Decimal("2.5")], pa.decimal256(40, 8))},
    {"activated_on": pa.array([datetime(2024, 1, 15, 5, tzinfo=UTC)], pa.timestamp("ns", "America/New_York"))},
    {"activated_on": pa.array([datetime(2024, 1, 15)], pa.timestamp("ms"))},
    {"activated_on": pa.array([date(2024, 1, 15)], pa.date64())},
    {"facility_id": pa.array([b"fac-1"], pa.binary()),
     "customer_email": pa.array(["ada@example.com"]).dictionary_encode()},
    {"facility_id": pa.array(["fac-1"], pa.large_string()), "duration_months": pa.array([12], pa.uint8())},
])
def test_arrow_types_of_the_same_values_read_as_the_same_position(tmp_path, column):
    """A float32 column's 812.33 was read as 812.3300170898438 and refused; a New York midnight as
    no date; a binary id as the text "b'fac-1'"."""
    plain, typed = tmp_path / "plain.parquet", tmp_path / "typed.parquet"
    pq.write_table(one_row_table(), plain)
    pq.write_table(one_row_table(**column), typed)
    assert read_book(typed, date(2024, 3, 10)) == read_book(plain, date(2024, 3, 10))


@pytest.mark.parametrize(("column", "says"), [
    ({"duration_months": pa.array([True])}, "row 1, duration_months: True, a true/false value: no book column "
                                            "holds one"),
    ({"facility_id": pa.array([["fac-1"]])}, "row 1, facility_id: a list (['fac-1']), not one value"),
    ({"facility_id": pa.array([b"\xff\xfe"], pa.binary())}, "row 1, facility_id: bytes that are no UTF-8 text"),
])
def test_a_value_that_is_no_cell_is_refused_naming_its_row_and_column_once(tmp_path, column, says):
    path = tmp_path / "book.parquet"
    pq.write_table(one_row_table(**column), path)
    with pytest.raises(BookRefused) as refused:
        read_book(path, date(2024, 3, 10))
    [problem] = refused.value.problems  # not also "missing value" for the cell it could not read
    assert str(problem).startswith(says)


def test_a_directory_of_parquet_parts_is_told_how_to_make_it_one_book_file(tmp_path, capsys):
    """Dask's, Spark's and pandas' partitioned `to_parquet` write a directory of parts under a
    `.parquet` name: `import` said only `not a file`, `run --from` `a directory, not a file`."""
    parts = tmp_path / "book.parquet"
    parts.mkdir()
    for i, row in enumerate(ROWS):
        pq.write_table(pa.table({name: [cell] for name, cell in zip(HEADER, row, strict=True)}),
                       parts / f"part.{i}.parquet")
    says = (f"{parts}: a directory of Parquet parts, not a file: write them as one, e.g. "
            f"pandas.read_parquet('{parts}').to_parquet('book.parquet')")
    assert imports(parts, tmp_path / "book.sqlite") == 2
    assert capsys.readouterr().err == f"lanasim: error: {says}\n"
    assert main(["run", "march-2020", "--from", str(parts), "--at", "2024-03-10", "--out", str(tmp_path / "r")]) == 2
    assert says in capsys.readouterr().err and not (tmp_path / "r").exists()
    one = tmp_path / "one.parquet"
    pd.read_parquet(parts).to_parquet(one)  # as it says
    assert imports(one, tmp_path / "book.sqlite") == 0

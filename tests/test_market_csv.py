"""`csv:FILE` reads exchange-style exports: named columns in any case, ISO or unix times, linear between rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scenarios.market import PathSpecError, path_from_spec

HOUR, DAY = 3600, 86400

YAHOO_DAILY = """Date,Open,High,Low,Close,Adj Close,Volume
2022-06-01,31792.55,31957.29,29501.59,29799.08,29799.08,41135817341
2022-06-02,29794.89,30604.73,29652.71,30467.49,30467.49,29083562061
2022-06-03,30467.81,30633.04,29375.69,29704.39,29704.39,26175547452
"""


def csv_path(tmp_path, text: str, name: str = "btc.csv") -> str:
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


def test_a_daily_date_close_export_starts_on_its_first_date_and_moves_linearly_between_closes(tmp_path):
    path = path_from_spec(f"csv:{csv_path(tmp_path, YAHOO_DAILY)}", seed=1)
    assert path.start == datetime(2022, 6, 1, tzinfo=UTC)
    assert [path.price_at(t) for t in (0, DAY, 2 * DAY)] == [2_979_908, 3_046_749, 2_970_439]
    assert path.price_at(DAY // 2) == round((2_979_908 + 3_046_749) / 2)
    assert path.price_at(DAY // 4) == 2_979_908 + round((3_046_749 - 2_979_908) / 4)
    assert path.price_at(-HOUR) == 2_979_908 and path.price_at(30 * DAY) == 2_970_439
    assert path.length_s == 2 * DAY and path.describe()["rows"] == 3


def test_an_intraday_unix_seconds_export_is_read_in_utc(tmp_path):
    text = "timestamp,price\n1654041600,31800\n1654045200,31500.5\n"
    path = path_from_spec(f"csv:{csv_path(tmp_path, text)}", seed=1)
    assert path.start == datetime(2022, 6, 1, tzinfo=UTC)
    assert (path.price_at(0), path.price_at(HOUR // 2), path.price_at(HOUR)) == (3_180_000, 3_165_025, 3_150_050)


def test_unix_milliseconds_iso_times_any_case_and_newest_first_are_understood(tmp_path):
    def read(text: str, name: str):
        return path_from_spec(f"csv:{csv_path(tmp_path, text, name)}", seed=1)

    millis = read("TIME,CLOSE\n1654041600000,100\n", "ms.csv")
    iso = read("time,Price\n2022-06-01T02:00:00+02:00,100\n", "iso.csv")
    newest_first = "Date,Close\n2022-06-03,\"$30,000.00\"\n2022-06-02,29000\n2022-06-01,28000\n"
    reversed_path = read(newest_first, "rev.csv")
    assert millis.start == iso.start == reversed_path.start == datetime(2022, 6, 1, tzinfo=UTC)
    assert [reversed_path.price_at(t) for t in (0, DAY, 2 * DAY)] == [2_800_000, 2_900_000, 3_000_000]


def test_a_csv_replays_its_relative_moves_from_a_given_price_and_ignores_the_seed(tmp_path):
    spec = f"csv:{csv_path(tmp_path, YAHOO_DAILY)}"
    scaled = path_from_spec(spec, seed=1, price_cents=5_000_000)
    assert scaled.price_at(0) == 5_000_000
    assert scaled.price_at(2 * DAY) == round(5_000_000 * 2_970_439 / 2_979_908)
    assert path_from_spec(spec, seed=1).price_at(DAY // 3) == path_from_spec(spec, seed=2).price_at(DAY // 3)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("", 1, "file is empty"),
    ("\n  \n", 1, "file is empty"),
    ("\nOpen,High\n1,2\n", 2, "lacks a time column"),
    ("Open,High\n1,2\n", 1,
     "lacks a time column (timestamp, date, datetime, time, snapped_at, open_time, unix, observation_date) and a "
     "price column"),
    ("date,volume\n2022-06-01,5\n", 1, "lacks a price column (close, price, price_usd, "),
    ("date,value,volume\n2022-06-01,5,1\n", 1, "or value beside the time alone)"),  # `value` of what, here?
    ("Date,Close\n", 2, "no price rows"),
    ("Date,Close\n2022-06-01,100\n2022-06-02,100\n2022-13-01,100\n", 4, "neither ISO-8601 nor unix seconds"),
    ("Date,Close\n2022-06-01,100\n2022-06-02,null\n", 3, "no price on this row ('null', as FRED and others mark a "
     "day without one): delete the row (the price moves straight from the row before it to the row after)"),
    ("observation_date,CBBTCUSD\n2022-06-01,100\n2022-06-02,.\n", 3, "no price on this row ('.', as FRED"),
    ("Date,Close\n2022-06-01,100\n2022-06-02, \n", 3, "no price on this row (an empty cell): delete the row"),
    ("Date,Close\n2022-06-01,100\n2022-06-02,-5\n", 3, "at least one cent"),
    ("Date,Close\n2022-06-01,100\n2022-06-02,10000000000000.01\n", 3, "above $10 trillion a BTC"),
    ("Date,Close\n2022-06-01,100\n2022-06-03,100\n2022-06-02,100\n", 4, "is not after"),
    ("Date,Close\n2022-06-03,100\n2022-06-02,100\n2022-06-04,100\n", 4, "is not before"),
    ("Date,Close\n2022-06-01,100\n2022-06-02\n", 3, "expected 2+ fields"),
    ('"Date","Price"\n"03/14/2020","5,361.3"\n', 2,  # Investing.com's export: no day or month order guessed
     "'03/14/2020' is not ISO-8601: write dates as YYYY-MM-DD (this one is 2020-03-14: the month comes first)"),
    ("Date;Close\n14.03.2020;5361\n", 2, "(this one is 2020-03-14: the day comes first)"),
    ("Date,Close\n03/04/2020,5361\n", 2, "whether the day or the month comes first, this row does not tell"),
    ("Date,Close\n31/02/2020,5361\n", 2, "('31/02/2020' is no date either way)"),
])
def test_a_malformed_file_is_refused_in_one_line_naming_the_line_number_and_problem(tmp_path, text, line, words):
    file = csv_path(tmp_path, text, "bad.csv")
    with pytest.raises(PathSpecError) as refused:
        path_from_spec(f"csv:{file}", seed=1)
    assert (refused.value.path, refused.value.line) == (file, line)
    assert f"{file} line {line}: " in str(refused.value) and words in str(refused.value)
    assert "\n" not in str(refused.value)


def test_blank_lines_before_the_header_are_no_part_of_the_file(tmp_path):
    """A blank first line (an export's, or an editor's) was a bare IndexError: the header was read
    from it."""
    file = csv_path(tmp_path, "\n \ndate;close\n2024-08-05;49000\n\n2024-08-06;50000\n")
    path = path_from_spec(f"csv:{file}", seed=1)
    assert (path.price_at(0), path.price_at(DAY)) == (4_900_000, 5_000_000)


CRYPTODATADOWNLOAD = """https://www.CryptoDataDownload.com
unix,date,symbol,open,high,low,close,Volume BTC,Volume USD
1584057600,2020-03-13 00:00:00,BTC/USD,4800,5900,3850,5600,1000,5600000
1583971200,2020-03-12 00:00:00,BTC/USD,7900,7950,4700,4800,1000,4800000
1583884800,2020-03-11 00:00:00,BTC/USD,7800,7950,7600,7900,1000,7900000
"""


def test_a_title_line_of_one_cell_before_the_header_is_skipped(tmp_path):
    """CryptoDataDownload's exports (Bitstamp, Gemini, Binance history) begin with the site's URL on
    a line of its own: read as the header, it had the file refused for lacking a time and a price
    column. Its line numbers stay the file's own."""
    path = path_from_spec(f"csv:{csv_path(tmp_path, CRYPTODATADOWNLOAD)}", seed=1)
    assert path.start == datetime(2020, 3, 11, tzinfo=UTC)
    assert [path.price_at(t) for t in (0, DAY, 2 * DAY)] == [790_000, 480_000, 560_000]
    semicolons = csv_path(tmp_path, "BTC/EUR daily\n\ndate;close\n2024-08-05;49000,5\n2024-08-06;50000\n", "eu.csv")
    assert path_from_spec(f"csv:{semicolons}", seed=1).price_at(0) == 4_900_050  # `;` read from the header line
    bad = csv_path(tmp_path, CRYPTODATADOWNLOAD.replace(",4800,1000", ",x,1000"), "bad.csv")
    with pytest.raises(PathSpecError) as refused:
        path_from_spec(f"csv:{bad}", seed=1)
    assert refused.value.line == 4 and "not a number: 'x'" in str(refused.value)
    alone = csv_path(tmp_path, "prices\n2024-08-05\n", "alone.csv")  # no line of several cells: no title skipped
    with pytest.raises(PathSpecError, match="line 1: header \\['prices'\\] lacks a time column"):
        path_from_spec(f"csv:{alone}", seed=1)


@pytest.mark.parametrize("text", [
    "observation_date,CBBTCUSD\n2020-03-11,7900\n2020-03-12,4800.00\n",  # FRED's Coinbase series
    "DATE,CBBTCUSD\n2020-03-11,7900\n2020-03-12,4800\n",  # FRED's older downloads
    "timestamp,value\n2020-03-11T00:00:00Z,7900\n2020-03-12T00:00:00Z,4800\n",  # Glassnode
    "Date,Value\n2020-03-12,4800\n2020-03-11,7900\n",  # Nasdaq Data Link (BCHAIN/MKPRU), newest first
    # CoinDesk's Bitcoin Price Index export, below
    "Currency,Date,Closing Price (USD),24h Open (USD)\nBTC,2020-03-11,7900,7800\nBTC,2020-03-12,4800,7900\n",
    "date,price_usd,volume_usd\n2020-03-11,7900,1\n2020-03-12,4800,1\n",
])
def test_a_price_series_named_by_its_source_is_read_as_prices(tmp_path, text):
    """FRED's `CBBTCUSD`, Glassnode's and Nasdaq Data Link's `value`, CoinDesk's `Closing Price (USD)`:
    each was refused as lacking a price column (close, price). `value` is a price only beside the time
    alone (next to `volume` it is refused: a value of what?)."""
    path = path_from_spec(f"csv:{csv_path(tmp_path, text)}", seed=1)
    assert path.start == datetime(2020, 3, 11, tzinfo=UTC)
    assert [path.price_at(0), path.price_at(DAY)] == [790_000, 480_000]


def test_a_carriage_return_inside_text_given_as_such_is_refused_naming_its_line():
    """Files are read with universal newlines; text handed to the reader as it is (`CsvReplay.from_text`)
    could hold a lone carriage return, which was a bare `_csv.Error`."""
    from scenarios.market.csvfile import read_points
    from scenarios.market.paths import MalformedPriceFile

    with pytest.raises(MalformedPriceFile) as refused:
        read_points("date,close\n2024-08-05,4\r9000\n", "prices.csv")
    assert refused.value.line == 2 and "new-line character" in str(refused.value)


def test_a_missing_file_is_refused_naming_it(tmp_path):
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(PathSpecError) as refused:
        path_from_spec(f"csv:{missing}", seed=1)
    assert refused.value.path == missing and "No such file" in str(refused.value)


def test_a_one_row_file_is_a_constant_price_from_its_date(tmp_path):
    file = csv_path(tmp_path, "date,close\n2024-08-05,49000\n")
    path = path_from_spec(f"csv:{file}", seed=1)
    assert path.length_s == 0 and {path.price_at(t) for t in (-1, 0, 10 * DAY)} == {4_900_000}


def test_a_price_above_ten_trillion_dollars_is_refused_naming_the_line_and_no_run_directory_is_left(tmp_path, capsys):
    """Such a file passed the file's check and failed at the run's first price event: the one line
    was a bare AmountOutOfRange naming neither file nor line, and the run directory stayed behind."""
    from scenarios.cli import main

    file, out = csv_path(tmp_path, "date,close\n2024-08-01,100000000000000\n"), tmp_path / "run"
    assert main(["run", "stress", "--set", f"path=csv:{file}", "--set", "facilities=2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{file} line 2: price is above $10 trillion" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_file_replayed_from_a_btc_usd_that_lifts_it_past_ten_trillion_dollars_is_refused_before_the_run(
        tmp_path, capsys):
    """Each row was within range, but replayed from btc_usd the file's rise went past what a price can
    be: the run began, its price event failed as a bare AmountOutOfRange, the directory stayed."""
    from scenarios.cli import main

    file, out = csv_path(tmp_path, "date,close\n2024-08-01,1\n2024-08-02,10000000000\n"), tmp_path / "run"
    argv = ["run", "stress", "--set", f"path=csv:{file}", "--set", "btc_usd=10000", "--set", "facilities=2",
            "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "rises to 100,000,000,000,000.00 USD a BTC, above $10 trillion" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_price_history_kept_as_parquet_replays_as_its_csv_does_and_names_bad_rows(tmp_path, capsys):
    """A data lake's table (`frame.to_parquet`), or a pandas series of closes indexed by time, was
    refused as no UTF-8 text; it is read as the CSV it stands for, its bad rows named as rows."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scenarios.cli import main
    from scenarios.market.spec import price_file_digest

    days = pd.to_datetime(["2022-06-01", "2022-06-02", "2022-06-03"])
    csv = path_from_spec(f"csv:{csv_path(tmp_path, YAHOO_DAILY)}", seed=1)
    closes = [29799.08, 30467.49, 29704.39]
    frame, series = tmp_path / "frame.parquet", tmp_path / "series.parquet"
    pd.DataFrame({"Date": days, "Close": closes}).to_parquet(frame)
    pd.Series(closes, index=days).to_frame("close").to_parquet(series)  # the times in an unnamed index
    float32 = tmp_path / "float32.parquet"
    pq.write_table(pa.table({"timestamp": pa.array(days), "price": pa.array(closes, pa.float32())}), float32)
    for file in (frame, series, float32):
        path = path_from_spec(f"csv:{file}", seed=1)
        assert path.start == csv.start and [path.price_at(t) for t in (0, DAY, 2 * DAY)] == \
            [csv.price_at(t) for t in (0, DAY, 2 * DAY)], file
        assert path.params["sha256"] == price_file_digest(f"csv:{file}")  # what a resume compares
    gap = tmp_path / "gap.parquet"
    pd.DataFrame({"date": days, "close": [1.0, np.nan, 3.0]}).to_parquet(gap)
    with pytest.raises(PathSpecError, match=f"{gap} row 2: no price on this row \\(an empty cell\\)"):
        path_from_spec(f"csv:{gap}", seed=1)
    out = tmp_path / "run"
    assert main(["run", "stress", "--set", f"path=csv:{frame}", "--set", "facilities=5", "--set", "days=2",
                 "--out", str(out), "--json"]) == 0
    assert '"price_start_cents": 2979908' in capsys.readouterr().out

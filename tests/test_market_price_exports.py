"""`csv:FILE` reads price files as exchanges and data vendors export them, or refuses them in one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scenarios.cli import main
from scenarios.market import PathSpecError, path_from_spec

DAY = 86400
AUG_1 = datetime(2024, 8, 1, tzinfo=UTC)


def read(tmp_path, text: str | bytes, name: str = "btc.csv"):
    file = tmp_path / name
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path_from_spec(f"csv:{file}", seed=1)


def refusal(tmp_path, text: str | bytes) -> PathSpecError:
    with pytest.raises(PathSpecError) as refused:
        read(tmp_path, text, "bad.csv")
    assert "\n" not in str(refused.value)
    return refused.value


@pytest.mark.parametrize("text", [
    'Date,Close\n2024-08-01,"64600,50"\n',                      # quoted decimal comma
    "Date,Close\n2024-08-01,64600,50\n",                        # unquoted: a third cell
    "Date,Open,Close\n2024-08-01,64000,5,64600,5\n",            # unquoted: the close column shifts
])
def test_a_decimal_comma_in_a_comma_separated_file_is_refused_not_read_as_another_price(tmp_path, text):
    refused = refusal(tmp_path, text)
    assert refused.line == 2 and "65000.12" in str(refused)


def test_a_semicolon_separated_export_reads_a_lone_comma_as_the_decimal_mark(tmp_path):
    european = read(tmp_path, "Datum;Date;Schluss;Close\n;2024-08-01;;64600,50\n;2024-08-02;;\"65.000,12\"\n", "eu.csv")
    assert (european.start, european.price_at(0), european.price_at(DAY)) == (AUG_1, 6_460_050, 6_500_012)
    coinmarketcap = ('timeOpen;timeClose;name;open;close;timestamp\n'
                     '"2024-08-01T00:00:00.000Z";"2024-08-01T23:59:59.999Z";"2781";64625.84;65353.5;'
                     '"2024-08-01T00:00:00.000Z"\n')
    assert read(tmp_path, coinmarketcap, "cmc.csv").price_at(0) == 6_535_350
    assert "ambiguous" in str(refusal(tmp_path, "Date;Close\n2024-08-01;64.600\n"))


def test_thousands_separators_are_read_only_when_they_group_digits_in_threes(tmp_path):
    grouped = read(tmp_path, 'Date,Close\n2024-08-01,"65,000.12"\n2024-08-02,"$1,234,567"\n')
    assert (grouped.price_at(0), grouped.price_at(DAY)) == (6_500_012, 123_456_700)
    assert refusal(tmp_path, 'Date,Close\n2024-08-01,"1,2345.6"\n').line == 2


def test_unix_micro_and_nanosecond_times_are_read_by_their_magnitude(tmp_path):
    seconds = 1722470400
    for scale, name in ((1, "s.csv"), (10**3, "ms.csv"), (10**6, "us.csv"), (10**9, "ns.csv")):
        path = read(tmp_path, f"timestamp,close\n{seconds * scale},64600\n{(seconds + DAY) * scale},65000\n", name)
        assert (path.start, path.length_s) == (AUG_1, DAY), name


def test_a_coingecko_export_with_snapped_at_and_a_utc_suffix_is_read(tmp_path):
    text = ("snapped_at,price,market_cap,total_volume\n2024-08-01 00:00:00 UTC,64600.5,1,1\n"
            "2024-08-02 00:00:00 UTC,65300.25,1,1\n")
    path = read(tmp_path, text)
    assert (path.start, path.price_at(0), path.price_at(DAY)) == (AUG_1, 6_460_050, 6_530_025)


def test_a_headerless_binance_klines_file_replays_its_close_column_from_its_open_times(tmp_path):
    text = ("1722470400000,64000,65000,63000,64600.5,100,1722556799999,1,1,1,1,0\n"
            "1722556800000,64600,65500,61000,65300.25,100,1722643199999,1,1,1,1,0\n")
    path = read(tmp_path, text)
    assert (path.start, path.price_at(0), path.price_at(DAY)) == (AUG_1, 6_460_050, 6_530_025)
    assert path.describe()["rows"] == 2


def test_a_file_that_is_not_utf8_text_is_refused_saying_what_to_do(tmp_path):
    assert "not UTF-8 text" in str(refusal(tmp_path, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xa1\xff"))


def test_a_misspelt_market_suggests_the_nearest_name_and_a_bare_file_name_suggests_csv():
    with pytest.raises(PathSpecError, match="did you mean 'june-2022'"):
        path_from_spec("june2022", seed=1)
    with pytest.raises(PathSpecError, match=r"write csv:btc\.csv"):
        path_from_spec("btc.csv", seed=1)
    with pytest.raises(PathSpecError, match="a thousands separator"):
        path_from_spec("gbm:start=60,000", seed=1)


def test_a_run_on_a_misread_prone_file_exits_2_in_one_line_and_writes_no_run_directory(tmp_path, capsys):
    (tmp_path / "eu.csv").write_text('Date,Close\n2024-08-01,"64600,50"\n')
    out = tmp_path / "run"
    code = main(["run", "stress", "--set", f"path=csv:{tmp_path / 'eu.csv'}", "--set", "facilities=20",
                 "--set", "days=2", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert len(err.splitlines()) == 1 and "eu.csv line 2" in err and "Traceback" not in err


def test_a_headerless_file_other_than_binance_klines_is_refused_saying_to_add_a_header(tmp_path):
    kraken = "1722470400,64000,65000,63000,64600.5,1.5,10\n1722556800,64600,65500,61000,65300.25,2.5,12\n"
    refused = refusal(tmp_path, kraken)
    assert refused.line == 1 and "add a first line naming the columns" in str(refused)


@pytest.mark.parametrize("row", ["1722470400,64000,65000,63000,64600.5,1.5,10",  # Kraken OHLCVT: 7 fields
                                 "1722470400,64600.5",
                                 "1722470400,64000,65000,63000,64600.5"])
def test_the_header_a_headerless_file_is_told_to_add_makes_it_read(tmp_path, row):
    """The hint named five columns whatever the file had: a Kraken OHLCVT file given them, as told,
    was refused again ('7 fields but the header names 5: a decimal comma?')."""
    second = row.replace("1722470400", "1722556800", 1)
    hint = str(refusal(tmp_path, f"{row}\n{second}\n")).split("e.g. ", 1)[1].split()[0]
    assert read(tmp_path, "\n".join((hint, row, second, "")), "fixed.csv").price_at(0) == 6_460_050


def test_describe_stress_names_every_historical_shape_a_path_can_be(capsys):
    from scenarios.market import SHAPES

    assert main(["describe", "stress"]) in (0, None)
    described = capsys.readouterr().out
    assert all(name in described for name in SHAPES) and len(SHAPES) == 6


def test_an_excel_serial_date_is_refused_rather_than_read_as_seconds_after_1970(tmp_path):
    refused = refusal(tmp_path, "Date,Close\n45505,64600\n45506,65000\n")
    assert refused.line == 2 and "Excel serial date" in str(refused)


def test_a_repeated_time_is_refused_naming_both_lines(tmp_path):
    refused = refusal(tmp_path, "Date,Close\n2024-08-01,64600\n2024-08-02,65000\n2024-08-02,65000\n")
    assert refused.line == 4 and "the time of line 3 (a duplicate row?)" in str(refused)


def test_a_missing_relative_file_is_refused_naming_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PathSpecError) as refused:
        path_from_spec("csv:prices/btc.csv", seed=1)
    assert f"cannot read prices/btc.csv ({tmp_path / 'prices' / 'btc.csv'}): No such file" in str(refused.value)


def test_a_file_under_the_home_directory_may_be_named_with_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "btc.csv").write_text("Date,Close\n2024-08-01,64600\n")
    assert path_from_spec("csv:~/btc.csv", seed=1).price_at(0) == 6_460_000

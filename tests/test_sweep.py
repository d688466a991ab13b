"""`lanasim sweep`: a grid x seeds, one CSV row per run, failures recorded without stopping."""

from __future__ import annotations

import csv

from scenarios.cli import main


def read(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_sweep_writes_one_row_per_grid_point_and_seed_in_order(tmp_path, capsys):
    assert main(["sweep", "timely-payments", "--seeds", "1-2", "--grid", "days=5,10", "--workers", "1",
                 "--out", str(tmp_path)]) == 0
    rows = read(capsys.readouterr().out.strip())
    assert [(r["days"], r["seed"], r["status"]) for r in rows] == [
        ("5", "1", "ok"), ("5", "2", "ok"), ("10", "1", "ok"), ("10", "2", "ok")]
    assert rows[0]["journal digest"] != rows[1]["journal digest"]  # seeds differ, so do journals


def test_a_failing_run_is_a_row_and_the_sweep_goes_on(tmp_path, capsys):
    assert main(["sweep", "march-2020", "--seeds", "1", "--grid", "btc_usd=0,7900", "--grid", "facilities=5",
                 "--grid", "days=1", "--workers", "1", "--out", str(tmp_path)]) == 0
    rows = read(capsys.readouterr().out.strip())
    assert [r["status"] for r in rows] == ["failed", "ok"]
    assert "InvalidPricePath" in rows[0]["error"] and rows[1]["journal digest"]


def test_bad_sweep_arguments_get_one_line(capsys):
    assert main(["sweep", "timely-payments", "--seeds", "one"]) == 2
    assert "--seeds expects" in capsys.readouterr().err

"""A damaged sweep directory (a part of its runs truncated or deleted, a manifest cut short) is
refused in one line naming the file, by `lanasim report` and by a rerun of the sweep; both ended in
a traceback (Parquet's ArrowInvalid, a KeyError) or a line naming only the path."""

from __future__ import annotations

import json

import pytest

from scenarios.cli import main
from scenarios.library import ScenarioError
from scenarios.sweep.store import MANIFEST, Store

IDENTITY = {"scenario": "march-2020", "design": "grid", "grid": [], "settings": ["days=1"]}


def _sweep(path):
    store = Store(path, IDENTITY, ["k1"]).open()
    store.add({"key": "k1", "scenario": "march-2020", "cell": "all", "seed": 1, "status": "ok",
               "shortfall_end_cents": 0.0})
    store.flush()
    return path / json.loads((path / MANIFEST).read_text())["parts"][0]


@pytest.mark.parametrize(("damage", "words"), [
    (lambda part: part.write_bytes(b"junk\n"), "a part of the sweep's runs that cannot be read (Could not open"),
    (lambda part: part.unlink(), "a part of the sweep's runs that cannot be read (no such file)"),
    (lambda part: (part.parent.parent / MANIFEST).write_text(json.dumps({"format": "lanasim-sweep/1"})),
     "sweep.json: a damaged sweep manifest (no scenario)"),
])
def test_a_damaged_sweep_directory_is_refused_in_one_line_by_report_and_by_a_rerun(tmp_path, capsys, damage, words):
    part = _sweep(tmp_path / "sweep")
    damage(part)
    assert main(["report", str(tmp_path / "sweep")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    with pytest.raises(ScenarioError, match="choose another --out"):
        Store.check(tmp_path / "sweep", IDENTITY)  # what `lanasim sweep ... --out` runs first


def test_report_json_of_a_sweep_is_refused_rather_than_printing_the_table_where_json_is_read(tmp_path, capsys):
    """`lanasim report SWEEP --json` printed the risk table on standard output, which a program
    reading summary.json's JSON there cannot parse."""
    _sweep(tmp_path / "sweep")
    assert main(["report", str(tmp_path / "sweep"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "a sweep has no summary.json for --json" in captured.err


def test_a_sweep_manifest_that_is_no_json_is_named_as_damaged_not_as_missing(tmp_path, capsys):
    """`lanasim report` of a sweep whose sweep.json was garbled said "(no sweep.json)" beside it."""
    part = _sweep(tmp_path / "sweep")
    (part.parent.parent / MANIFEST).write_text("garbage")
    assert main(["report", str(tmp_path / "sweep")]) == 2
    err = capsys.readouterr().err
    assert "sweep.json: not a lanasim sweep manifest" in err and "no sweep.json" not in err

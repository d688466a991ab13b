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
    (lambda part: (part.unlink(), part.mkdir()), "a part of the sweep's runs that cannot be read (a directory"),
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


@pytest.mark.parametrize(("damage", "words"), [
    (lambda m: m.write_text(m.read_text()[:100]), "sweep.json: a damaged sweep manifest (not JSON: "),
    (lambda m: m.write_bytes(b"\x00\xffgarbage"), "sweep.json: a damaged sweep manifest (not JSON: 'utf-8' codec"),
    (lambda m: m.write_text("[1, 2, 3]"), "sweep.json: not a lanasim sweep manifest (damaged, or another's)"),
    (lambda m: m.write_text(json.dumps({**json.loads(m.read_text()), "parts": "runs.parquet/part-00000.parquet"})),
     "sweep.json: a damaged sweep manifest (its parts are not a list of file names)"),
    (lambda m: m.unlink(), "sweep.json: no sweep manifest to read (No such file or directory)"),
], ids=["cut-short", "garbled", "a-list", "parts-a-string", "deleted"])
def test_read_runs_and_a_rerun_name_a_damaged_manifest_and_its_problem(tmp_path, damage, words):
    """read_runs(OUT) of a manifest cut short, garbled or deleted raised JSONDecodeError,
    UnicodeDecodeError or FileNotFoundError; parts given as one string were read letter by letter
    ('OUT/r: ... no such file'); a rerun of the sweep said only that OUT 'holds no sweep'."""
    from scenarios.sweep import read_runs

    _sweep(tmp_path / "sweep")
    manifest = tmp_path / "sweep" / MANIFEST
    damage(manifest)
    with pytest.raises(ScenarioError) as refused:
        read_runs(tmp_path / "sweep")
    assert words in str(refused.value)
    if manifest.exists():
        with pytest.raises(ScenarioError) as rerun:
            Store.check(tmp_path / "sweep", IDENTITY)
        assert words in str(rerun.value)

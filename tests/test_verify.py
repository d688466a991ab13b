"""`lanasim verify PATH [--expect-head HEAD] [--json]`: read-only (the file's bytes unchanged), ok
or not ok naming the first bad row, exit 1 when not ok; `lanasim run` prints the chain head."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
STRESS = ["run", "march-2020", "--set", "facilities=3", "--set", "lead_days=1", "--set", "price_every_minutes=1440"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(run directory, the chain head `lanasim run` printed) of a three-facility stress run."""
    out = tmp_path_factory.mktemp("runs") / "stress"
    capture = tmp_path_factory.mktemp("out") / "stdout"
    proc = subprocess.run([sys.executable, "-m", "scenarios.cli", *STRESS, "--out", str(out)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
                          check=False)
    capture.write_text(proc.stdout)
    heads = [line.split(": ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("chain head: ")]
    assert proc.returncode == 0 and len(heads) == 1, proc.stderr
    return out, heads[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edited_copy(run_dir: Path, tmp_path: Path, sql: str) -> Path:
    copy = tmp_path / "journal.sqlite"
    shutil.copy(run_dir / "journal.sqlite", copy)
    conn = sqlite3.connect(copy)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    return copy


def test_run_prints_the_chain_head_and_verify_accepts_it(run, capsys):
    run_dir, head = run
    assert main(["verify", str(run_dir), "--expect-head", head]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok" and f"chain head: {head}" in out


def test_verify_says_ok_once(run, capsys):
    """It printed `ok` and then `ok: True` (and `first bad row: None`): the verdict twice."""
    assert main(["verify", str(run[0])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok" and not [line for line in out[1:] if line.startswith(("ok", "first bad row"))]


def test_a_failed_verify_names_the_first_bad_row_once(run, tmp_path, capsys):
    copy = edited_copy(run[0], tmp_path, "DELETE FROM chain")
    assert main(["verify", str(copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("not ok: chain -: no hash chain over the rows of audit, entities, events")
    assert out[0].endswith("(its links were deleted)")  # it named the first audit row as "added after the last commit"
    assert not [line for line in out[1:] if line.startswith(("ok", "not ok", "first bad row"))]


def test_verify_json_reports_ok_the_head_and_no_bad_row(run, capsys):
    run_dir, head = run
    assert main(["verify", str(run_dir / "journal.sqlite"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["chain head"] == head and report["first bad row"] is None


def test_a_zeroed_liquidation_trigger_in_the_facility_index_fails_verify_naming_the_facility(run, tmp_path, capsys):
    run_dir, _ = run
    conn = sqlite3.connect(run_dir / "journal.sqlite")
    facility = conn.execute("SELECT id FROM index_credit_facility WHERE trigger_below > 0 ORDER BY id").fetchone()[0]
    conn.close()
    copy = edited_copy(run_dir, tmp_path, f"UPDATE index_credit_facility SET trigger_below = 0 WHERE id = '{facility}'")
    assert main(["verify", str(copy), "--json"]) == 1
    bad = json.loads(capsys.readouterr().out)["first bad row"]
    assert (bad["table"], bad["key"]) == ("index_credit_facility", f"id {facility}")
    assert bad["problem"].startswith("trigger_below is 0.0, the events give ")


def test_a_moved_ledger_line_fails_verify_and_the_first_line_says_where(run, tmp_path, capsys):
    run_dir, _ = run
    copy = edited_copy(run_dir, tmp_path, "UPDATE ledger_transactions SET entries = json_set(entries, '$[0][0]', "
                                          "json_extract(entries, '$[0][0]') % 3 + 1) WHERE id = 4")
    assert main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("not ok: ledger_transactions id 4: edited")


def test_an_unknown_expected_head_fails_verify_as_a_truncated_tail(run, capsys):
    run_dir, _ = run
    assert main(["verify", str(run_dir), "--expect-head", "0" * 64, "--json"]) == 1
    bad = json.loads(capsys.readouterr().out)["first bad row"]
    assert bad["table"] == "chain" and "truncated" in bad["problem"]


def test_verify_leaves_the_journal_bytes_unchanged_even_when_it_fails(run, tmp_path, capsys):
    run_dir, _ = run
    copy = edited_copy(run_dir, tmp_path, "DELETE FROM outbox WHERE sequence = 3")
    before = sha(copy), sorted(p.name for p in tmp_path.iterdir())
    assert main(["verify", str(copy)]) == 1
    assert (sha(copy), sorted(p.name for p in tmp_path.iterdir())) == before
    assert "not ok: outbox sequence 3: deleted" in capsys.readouterr().out


CRASH = """
import os
from engine import Simulation
sim = Simulation(seed=1, journal="j.sqlite")
sim.price.set(4_000_000)
sim.settle(commit=True)
os._exit(0)  # a crash: the committed pages stay in the write-ahead log
"""


def test_verify_of_a_crashed_run_reads_its_write_ahead_log_without_checkpointing_it(tmp_path):
    subprocess.run([sys.executable, "-c", CRASH], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   check=True, timeout=60)
    wal = tmp_path / "j.sqlite-wal"
    assert wal.stat().st_size > 0
    before = sha(tmp_path / "j.sqlite"), sha(wal)
    from engine.inspect import open_readonly

    with open_readonly(str(tmp_path / "j.sqlite")) as view:
        assert view.journal.last_seq > 0  # the committed events are read from the log
        report = view.verify()
    assert report["ok"] and report["chain links"] >= 1, report["problems"]
    assert (sha(tmp_path / "j.sqlite"), sha(wal)) == before


def test_verify_names_the_row_whose_text_a_damaged_byte_made_undecodable(tmp_path):
    """A byte flipped inside a stored payload (no longer UTF-8) was reported as `sqlite -: Could not
    decode to UTF-8 column 'payload' with text ...`, naming neither table nor row."""
    import sqlite3

    from engine import Simulation
    from engine.inspect import open_readonly

    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, start="2024-03-01", journal=str(path)) as sim:
        sim.price.set(6_000_000)
        sim.advance(days=2)
    with sqlite3.connect(path) as conn:  # as a flipped byte on the disk leaves it
        conn.execute("UPDATE events SET payload = CAST(X'ff' || CAST(payload AS BLOB) AS TEXT) WHERE seq = 2")
    conn.close()
    with open_readonly(str(path)) as view:
        report = view.verify()
    assert not report["ok"] and report["first bad row"] == {
        "table": "events", "key": "seq 2", "problem": "column payload holds text that is not UTF-8 (a damaged byte)"}


def test_lanasim_verify_names_the_ledger_row_a_damaged_byte_made_undecodable(tmp_path, capsys):
    """The same damage in a ledger transaction's entries stopped verify before its checks (`not ok:
    sqlite -: malformed JSON`); it names the row."""
    import sqlite3

    from scenarios.cli import main

    path = tmp_path / "run" / "journal.sqlite"
    assert main(["run", "stress", "--set", "facilities=2", "--set", "days=1", "--out", str(path.parent)]) == 0
    with sqlite3.connect(path) as conn:  # as a flipped byte on the disk leaves it, whatever the table's CHECK says
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE ledger_transactions SET entries = CAST(CAST(entries AS BLOB) || X'a2' AS TEXT) "
                     "WHERE rowid = 3")
    conn.close()
    capsys.readouterr()
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "not ok: ledger_transactions id 3: column entries holds text that is not UTF-8 (a damaged byte)")

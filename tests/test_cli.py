"""The `lanasim` command: a real scenario end to end, and one-line errors for bad input."""

from __future__ import annotations

import json
import sqlite3

import pytest

from scenarios.cli import main


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["run", "onboarding", "--seed", "3", "--set", "days=3", "--out", str(out)]) == 0
    return out / "onboarding-seed3.sqlite"


def test_run_prints_a_summary_read_from_the_outbox(journal, capsys):
    assert main(["run", "onboarding", "--seed", "3", "--set", "days=3", "--journal", ":memory:"]) == 0
    lines = dict(line.split(None, 1) if "  " not in line else line.split("  ", 1)
                 for line in capsys.readouterr().out.splitlines())
    assert lines["end of day closings"].strip() == "3"
    assert int(lines["prospects"]) == 24


def test_outbox_prints_json_lines_filtered_by_type_and_sequence(journal, capsys):
    assert main(["outbox", str(journal), "--type", "core.time.end-of-day", "--after", "5"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["payload"]["day"] for r in rows] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert all(r["sequence"] > 5 for r in rows)


def test_show_prints_an_entity_as_of_a_time(journal, capsys):
    main(["outbox", str(journal), "--type", "core.price.price-updated"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert main(["show", str(journal), "price", "btc-usd", "--as-of", "2024-01-01T00:00:00Z"]) == 0
    assert json.loads(capsys.readouterr().out)["price"] == first["payload"]["price"]


def test_verify_replays_the_journal_and_checks_the_digest(journal, capsys):
    assert main(["verify", str(journal)]) == 0
    assert "ok: True" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["run", "no-such-story"], "unknown scenario 'no-such-story'"),
    (["run", "onboarding", "--set", "days=soon"], "parameter days expects int"),
    (["run", "onboarding", "--set", "mood=calm"], "unknown parameter 'mood'"),
    (["run", "onboarding", "--set", "days"], "--set expects KEY=VALUE"),
    (["outbox", "/no/such/journal.sqlite"], "no such file"),
    (["show", "JOURNAL", "planet", "x"], "UnknownKind"),
    (["show", "JOURNAL", "customer", "ghost"], "UnknownEntity"),
    (["outbox", "JOURNAL", "--type", "core.price.nope"], "UnknownEventType"),
])
def test_bad_input_gets_one_line_and_exit_status_2(journal, capsys, argv, fragment):
    argv = [str(journal) if a == "JOURNAL" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lanasim: error:") and fragment in err and "\n" not in err


def test_a_foreign_file_is_refused_without_being_modified(tmp_path, capsys):
    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    assert main(["verify", str(foreign)]) == 2
    assert "NotALanasimJournal" in capsys.readouterr().err and foreign.read_bytes() == before

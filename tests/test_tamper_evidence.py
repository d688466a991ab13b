"""An auditor's tampering with a copy of a stress run's journal: `verify` names the table and row of
each edit, cut tail and insertion, and neither a fork nor a branch (`run --from`) of a tampered
journal goes on: either would seal the copied rows under a new link, a chain that verifies."""

from __future__ import annotations

import sqlite3

import pytest

from scenarios import run_stress
from scenarios.cli import main
from tests.test_chain import tampered  # a copy of the journal with `sql` run on it


@pytest.fixture(scope="module")
def stressed(tmp_path_factory):
    out = tmp_path_factory.mktemp("stressed") / "run"
    run_stress("march-2020", seed=1, out=str(out), facilities=6, lead_days=0, days=2)
    return out / "journal.sqlite"


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lanasim: error: "), err
    return err[0]


_LAST_5 = "DELETE FROM {table} WHERE {key} > (SELECT MAX({key}) - 5 FROM {table})"


@pytest.mark.parametrize("sql, named", [
    (_LAST_5.format(table="events", key="seq"), "not ok: events seq "),
    (_LAST_5.format(table="outbox", key="sequence"), "not ok: outbox sequence "),
    (_LAST_5.format(table="audit", key="id"), "not ok: audit id "),
    (_LAST_5.format(table="ledger_transactions", key="id"), "not ok: ledger_transactions id "),
    ("UPDATE events SET payload = replace(payload, '\"amount\":', '\"amount\":9') "
     "WHERE seq = (SELECT MAX(seq) FROM events WHERE payload LIKE '%\"amount\":%')", "not ok: events seq "),
    ("DELETE FROM events WHERE seq = 20; INSERT INTO events SELECT 20, entity, entity_seq + 100, type, version, "
     "payload, recorded_at, context FROM events WHERE seq = 21", "not ok: events seq 20: "),
    ("DELETE FROM chain", "not ok: chain -: no hash chain over the rows of audit, entities, events, ledger_accounts, "
     "ledger_templates, ledger_transactions, outbox (its links were deleted)"),  # it named the first audit row as
    # "added after the last commit"
    ("DROP TABLE chain", "not ok: chain -: table dropped (a journal of this format has a hash chain)"),
    ("UPDATE lanasim_meta SET value = '2' WHERE key = 'seed'", "not ok: lanasim_meta key seed: edited"),
])
def test_a_cut_tail_an_edit_or_a_removed_chain_fails_verify_naming_the_row(stressed, tmp_path, capsys, sql, named):
    copy = tampered(stressed, tmp_path, sql)
    assert main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(named)


@pytest.mark.parametrize("sql, named", [
    (_LAST_5.format(table="events", key="seq"), "events seq "),
    ("DROP TABLE chain", "chain -: table dropped"),
    ("DELETE FROM chain", "chain -: no hash chain over the rows of audit, entities, events, ledger_accounts, "
     "ledger_templates, ledger_transactions, outbox (its links were deleted)"),
    ("UPDATE lanasim_meta SET value = '2' WHERE key = 'seed'", "lanasim_meta key seed: edited"),
    ("DROP TABLE chain; UPDATE lanasim_meta SET value = '\"lanasim-journal/2\"' WHERE key = 'format'",
     "chain -: table dropped"),  # passed off as a journal from before the chain, which has no format-3 ledger
])
def test_a_fork_of_a_tampered_journal_is_refused_and_writes_nothing(stressed, tmp_path, capsys, sql, named):
    copy = tampered(stressed, tmp_path, sql)
    before = copy.read_bytes()
    new = tmp_path / "fork.sqlite"
    assert main(["fork", str(copy), "--journal", str(new)]) == 2
    line = one_error_line(capsys)
    assert f"{copy}: fails its hash chain at {named}" in line and line.endswith("(ChainBroken)"), line
    assert not new.exists() and copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]


def test_a_run_from_a_tampered_journal_is_refused_before_its_run_directory_is_made(stressed, tmp_path, capsys):
    copy = tampered(stressed, tmp_path, _LAST_5.format(table="events", key="seq"))
    out = tmp_path / "run"
    assert main(["run", "march-2020", "--from", str(copy), "--set", "days=1", "--out", str(out)]) == 2
    assert "fails its hash chain at events seq " in one_error_line(capsys)
    assert not out.exists()


def test_an_untampered_journal_still_forks_and_the_fork_verifies(stressed, tmp_path, capsys):
    new = tmp_path / "fork.sqlite"
    assert main(["fork", str(stressed), "--journal", str(new)]) == 0
    assert main(["verify", str(new)]) == 0


_CUT_LAST_LINK = """
    DELETE FROM audit
     WHERE id > json_extract((SELECT marks FROM chain WHERE n = (SELECT MAX(n) - 1 FROM chain)), '$.audit');
    DELETE FROM chain WHERE n = (SELECT MAX(n) FROM chain);
    UPDATE lanasim_meta SET value = json_quote((SELECT hash FROM chain ORDER BY n DESC LIMIT 1))
     WHERE key = 'chain_head';
"""  # the last link and the rows it covers cut away, the head pointed at the link before


@pytest.mark.parametrize("sql, named", [
    ("DROP TABLE chain", "chain -: no hash chain over the rows of audit, entities, events"),
    ("DELETE FROM chain", "chain -: no hash chain over the rows of audit, entities, events"),
    (_LAST_5.format(table="audit", key="id"), "audit id "),
    ("INSERT INTO audit (recorded_at, subject, object, action, authorized, command) "
     "VALUES ('2020-03-01T00:00:00Z', 'admin', 'x', 'y', 1, 'z')", "audit id "),
    (_CUT_LAST_LINK, "lanasim_meta key digest: not written by any commit"),
    ("UPDATE lanasim_meta SET value = '2' WHERE key = 'seed'", "lanasim_meta key seed: edited"),
])
def test_a_simulation_reopening_a_tampered_journal_refuses_to_write_to_it(stressed, tmp_path, sql, named):
    from engine import Simulation
    from engine.kernel.chain_check import ChainBroken

    copy = tampered(stressed, tmp_path, sql)
    before = copy.read_bytes()
    with pytest.raises(ChainBroken) as refused:
        Simulation(seed=1, journal=str(copy))
    assert str(refused.value).startswith(f"{copy}: fails its hash chain at {named}"), str(refused.value)
    assert copy.read_bytes() == before
    assert main(["verify", str(copy)]) == 1  # what the refused writer would have sealed over still shows


def test_an_untampered_journal_reopens_and_continues_to_a_journal_that_verifies(stressed, tmp_path):
    """The finished run itself is only read (`RunFinished`); its branch in a file, reopened, goes on."""
    from engine import Simulation

    copy, branch = tampered(stressed, tmp_path, ""), tmp_path / "branch.sqlite"
    with Simulation(seed=1, journal=str(copy)) as sim:
        sim.fork(journal=str(branch)).close()
    with Simulation(seed=1, journal=str(branch)) as sim:
        sim.advance(days=1)
    assert main(["verify", str(branch)]) == 0 and main(["verify", str(copy)]) == 0


@pytest.mark.parametrize("sql, table", [
    ("UPDATE audit SET subject = 'mallory' WHERE id = 5", "audit"),
    ("UPDATE lanasim_meta SET value = replace(value, '\"days\":\"30\"', '\"days\":\"31\"') WHERE key = 'params'",
     "lanasim_meta"),
])
def test_a_resume_of_a_tampered_stopped_story_is_refused_and_keeps_its_journal(tmp_path, capsys, sql, table):
    """A story's resume re-executes it and proves only the events and outbox: an edited audit row or
    parameter was replaced by a clean journal (its evidence gone), or re-run with the edited value."""
    from tests.test_resume import stopped_run

    run_dir, _ = stopped_run(tmp_path, "timely-payments", {"days": "30"}, at=12)
    conn = sqlite3.connect(run_dir / "journal.sqlite")
    conn.executescript(sql)
    conn.commit()
    conn.close()
    before = (run_dir / "journal.sqlite").read_bytes()
    assert main(["run", "--resume", str(run_dir)]) == 2
    line = one_error_line(capsys)
    assert f"the stopped journal fails its hash chain at {table} " in line and line.endswith("(ResumeDiverged)")
    assert (run_dir / "journal.sqlite").read_bytes() == before
    assert sorted(p.name for p in run_dir.iterdir()) == ["journal.sqlite"]


def test_a_journal_passed_off_as_one_from_before_the_chain_is_not_written_to(stressed, tmp_path):
    from engine import Simulation
    from engine.kernel.chain_check import ChainBroken

    copy = tampered(stressed, tmp_path, "DROP TABLE chain; "
                                        "UPDATE lanasim_meta SET value = '\"lanasim-journal/2\"' WHERE key = 'format'")
    with pytest.raises(ChainBroken, match="no hash chain over the rows of audit"):
        Simulation(seed=1, journal=str(copy))


_SAME_CRC = ("8755d764", "4170cb18")  # zlib.crc32 of each is 1584421652: a row edited from one to the
# other, in place, keeps its CRC-32 (CRC is linear); only the link's digest of the range shows it


def test_an_edit_that_keeps_the_rows_crc_fails_verify_and_fork_on_the_ranges_digest(stressed, tmp_path, capsys):
    from engine.kernel.chain import rebuild

    copy = tampered(stressed, tmp_path, f"UPDATE audit SET subject = '{_SAME_CRC[0]}' WHERE id = 5")
    conn = sqlite3.connect(copy, isolation_level=None)
    rebuild(conn)  # sealed as it is: the copy verifies
    conn.close()
    assert main(["verify", str(copy)]) == 0
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE audit SET subject = ? WHERE id = 5", (_SAME_CRC[1],))
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("not ok: audit rowid 1..")
    new = tmp_path / "fork.sqlite"
    assert main(["fork", str(copy), "--journal", str(new)]) == 2
    line = one_error_line(capsys)
    assert f"{copy}: fails its hash chain at audit rowid 1.." in line and "forged check values" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]


def test_a_fork_of_a_tampered_journal_at_an_instant_outside_it_is_refused_for_its_chain(stressed, tmp_path, capsys):
    """The chain is checked while the cut is copied: the copy's own refusal (the instant) waits for
    the check, whose `ChainBroken` comes first, as when the check ran before the copy."""
    copy = tampered(stressed, tmp_path, _LAST_5.format(table="events", key="seq"))
    assert main(["fork", str(copy), "--at", "1999-01-01", "--journal", str(tmp_path / "fork.sqlite")]) == 2
    assert f"{copy}: fails its hash chain at events seq " in one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]


def test_a_fork_interrupted_while_it_copies_stops_its_chain_check_and_leaves_no_file(stressed, tmp_path, capsys,
                                                                                  monkeypatch):
    import threading

    import engine.kernel.fork as fork

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fork, "copy_cut", interrupted)
    copy = tampered(stressed, tmp_path, "")
    assert main(["fork", str(copy), "--journal", str(tmp_path / "fork.sqlite")]) != 0
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]
    assert not [t for t in threading.enumerate() if t.name == "chain check"]


_EDITED_AMOUNT = ("UPDATE events SET payload = replace(payload, '\"amount\":', '\"amount\":9') "
                  "WHERE seq = (SELECT MIN(seq) FROM events WHERE payload LIKE '%\"amount\":%')")


@pytest.mark.parametrize(("argv", "refused"), [
    (["export", "{j}", "--out", "{d}/book.csv"], "no book is exported"),
    (["show", "{j}", "book", "--csv", "{d}/book.csv"], "its book is not read"),
    (["outbox", "{j}"], "its outbox is not written"),
])
def test_an_export_book_view_or_outbox_of_an_edited_journal_is_refused_and_writes_nothing(stressed, tmp_path, capsys,
                                                                                          argv, refused):
    """They printed or wrote the edited amount as the book's, and the exported book or outbox imports
    into a new journal whose chain verifies: an edit carried on, as a fork would carry it."""
    copy = tampered(stressed, tmp_path, _EDITED_AMOUNT)
    before = copy.read_bytes()
    assert main([a.format(j=copy, d=tmp_path) for a in argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and f"{copy}: fails its hash chain at events seq " in err
    assert err.rstrip().endswith(f"{refused} (lanasim verify lists what changed) (ChainBroken)"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"] and copy.read_bytes() == before


def test_a_damaged_chain_link_fails_verify_naming_it_and_refuses_a_fork(stressed, tmp_path, capsys):
    """A damaged byte in a link's stored JSON was a JSONDecodeError traceback of verify, fork, export."""
    copy = tampered(stressed, tmp_path, "UPDATE chain SET marks = '{' WHERE n = 1")
    assert main(["verify", str(copy)]) == 1
    assert capsys.readouterr().out.startswith("not ok: chain n 1: link unreadable (its text is damaged)")
    assert main(["fork", str(copy), "--journal", str(tmp_path / "fork.sqlite")]) == 2
    assert "fails its hash chain at chain n 1: link unreadable" in one_error_line(capsys)


def test_a_journal_whose_schema_text_is_damaged_is_refused_in_one_line(stressed, tmp_path, capsys):
    """A byte of the schema's text that is not UTF-8 was a UnicodeDecodeError traceback of every verb."""
    copy = tmp_path / "copy.sqlite"
    data = bytearray(stressed.read_bytes())
    at = data.index(b"tablechainchain")  # the chain table's row in sqlite_master: type, name, table name
    data[at + len("table")] = 0xB3  # its name, which SQLite does not parse but Python decodes
    copy.write_bytes(bytes(data))
    for argv in (["verify", str(copy)], ["export", str(copy), "--out", str(tmp_path / "b.csv")]):
        assert main(argv) == 2
        assert "its schema holds text that is not UTF-8" in one_error_line(capsys)


def test_a_facility_history_over_a_damaged_outbox_row_names_the_damage_instead_of_a_traceback(stressed, tmp_path,
                                                                                             capsys):
    """`show J history ID` folds the outbox; a row that no longer decodes was a JSONDecodeError (or a
    KeyError) traceback. When a view fails that way the chain is checked, which names the row."""
    from engine.inspect import open_readonly

    with open_readonly(str(stressed)) as view:
        facility = view.journal.conn.execute(
            "SELECT id FROM entities WHERE kind = 'credit-facility' ORDER BY entity LIMIT 1").fetchone()[0]
    copy = tampered(stressed, tmp_path, "UPDATE outbox SET payload = '{x' WHERE sequence = "
                    "(SELECT MIN(sequence) FROM outbox WHERE event_type LIKE '%facility-activated')")
    assert main(["show", str(copy), "history", facility]) == 2
    line = one_error_line(capsys)
    assert "fails its hash chain at outbox sequence " in line and "it is not shown" in line, line

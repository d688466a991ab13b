"""The hash chain hashes each commit's rows as the journal wrote them; whatever it cannot vouch for
(a value SQLite converts, a row written past the journal) it reads back, so `verify` agrees either
way. Journals whose links encoded rows with SQLite's json_array (format 3) still verify."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from engine import Simulation
from engine.kernel.chain import CHAIN, HEAD_KEY, digest_range, is_chained, keyed_state, link_hash, tables
from engine.kernel.chain_check import check_chain
from engine.kernel.chain_rows import Written
from engine.kernel.codec import Codec, dumps, loads
from engine.kernel.journal import Journal
from tests.support import ACCOUNT, Deposit, Open
from tests.test_chain import first_bad, tampered, verify_accounts

_MIXED = ("CREATE TABLE extra (id INTEGER PRIMARY KEY, label TEXT, amount INTEGER, rate REAL, data BLOB, "
          "note NUMERIC)")
_INSERT = "INSERT INTO extra (label, amount, rate, data, note) VALUES (?, ?, ?, ?, ?)"


def _journal(path) -> Journal:
    journal = Journal(str(path), Codec())
    journal.conn.execute(_MIXED)
    return journal


@pytest.mark.parametrize("row", [
    ("plain \x00 nul", 1, 1.5, b"\x00", 3),
    ('quote " backslash \\ newline \n tab \t é 😀', -2**63, -1.5e-300, None, -7),
    ("", 2**63 - 1, 1e300, b"", None),
    (None, None, None, None, None),
    ("[1],[2]", 0, 0.1, b"\xff" * 3, 12),
])
def test_rows_hashed_as_written_match_the_rows_read_back(tmp_path, row):
    journal = _journal(tmp_path / "j.sqlite")
    journal.stage_many(_INSERT, [row, row])
    journal.sync()
    assert journal.written.digest("extra", 0, 2) == digest_range(journal.conn, "extra", 0, 2)
    journal.close()
    assert check_chain(sqlite3.connect(tmp_path / "j.sqlite"))[0] == []


@pytest.mark.parametrize("row", [
    (5, 1, 1.0, None, 1),  # an int into a TEXT column is stored as text
    ("x", "7", 1.0, None, 1),  # numeric text into an INTEGER column is stored as an integer
    ("x", 1, 2, None, 1),  # an int into a REAL column is stored as a float
    ("x", 1, 1.0, None, 2.0),  # an integral float into a NUMERIC column is stored as an integer
    ("x", 1, -0.0, None, 1),  # -0.0 is stored as 0.0
])
def test_a_value_sqlite_converts_is_read_back_and_the_chain_verifies(tmp_path, row):
    journal = _journal(tmp_path / "j.sqlite")
    journal.stage_many(_INSERT, [row])
    journal.sync()
    assert journal.written.digest("extra", 0, 1) is None  # not vouched for: the seal reads the table back
    journal.close()
    assert check_chain(sqlite3.connect(tmp_path / "j.sqlite"))[0] == []


def test_rows_written_past_the_journal_in_the_open_transaction_are_read_back(tmp_path):
    journal = _journal(tmp_path / "j.sqlite")
    journal.stage_many(_INSERT, [("a", 1, 1.0, None, 1)])
    journal.sync()
    journal.conn.execute(_INSERT, ("b", 2, 2.0, None, 2))  # not through the journal
    assert journal.written.digest("extra", 0, 2) is None
    journal.close()
    assert check_chain(sqlite3.connect(tmp_path / "j.sqlite"))[0] == []
    copy = tampered(tmp_path / "j.sqlite", tmp_path, "UPDATE extra SET label = 'c' WHERE id = 2")
    assert check_chain(sqlite3.connect(copy))[0][0].key == "id 2"


def test_only_append_only_tables_are_chained_row_by_row():
    assert is_chained("events") and is_chained("audit") and is_chained("ledger_transactions")
    assert not any(map(is_chained, ("lanasim_meta", "cursors", "ephemeral", CHAIN, "index_account")))


def test_a_second_statement_into_a_table_makes_the_seal_read_it_back(tmp_path):
    journal = _journal(tmp_path / "j.sqlite")
    written = Written(journal.conn, is_chained)
    journal.conn.execute("INSERT INTO extra (label) VALUES ('a')")
    written.wrote("INSERT INTO extra (label) VALUES (?)", [("a",)])
    journal.conn.execute(_INSERT, ("b", 1, 1.0, None, 1))
    written.wrote(_INSERT, [("b", 1, 1.0, None, 1)])
    assert written.digest("extra", 0, 2) is None
    journal.close()


def _as_format_3(path) -> None:
    """Rewrite a journal's chain as format 3 wrote it: one link, rows encoded by SQLite's json_array."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"DELETE FROM {CHAIN}")
    conn.execute("UPDATE lanasim_meta SET value = ? WHERE key = 'format'", (dumps("lanasim-journal/3"),))
    append, keyed = tables(conn)
    marks, covers, crcs = {}, {}, b""
    for table in append:
        top = conn.execute(f'SELECT MAX(rowid) FROM "{table}"').fetchone()[0] or 0
        if top:
            digest, found = digest_range(conn, table, 0, top, None, None)
            found.byteswap()
            covers[table], marks[table], crcs = [0, top, len(found), digest], top, crcs + found.tobytes()
    state = keyed_state(conn, keyed)
    head = link_hash("", 1, marks, covers, state, crcs)
    canonical = [json.dumps(x, sort_keys=True, separators=(",", ":")) for x in (marks, covers, state)]
    conn.execute(f"INSERT INTO {CHAIN} VALUES (1, ?, ?, ?, ?, ?)", (*canonical, crcs, head))
    conn.execute("UPDATE lanasim_meta SET value = ? WHERE key = ?", (dumps(head), HEAD_KEY))
    conn.execute("COMMIT")
    conn.close()


@pytest.fixture
def format_3(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Simulation(seed=3, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        for amount in range(1, 6):
            sim.execute("account", "a", Deposit(amount))
    _as_format_3(path)
    return path


def test_a_format_3_journal_still_verifies_and_names_an_edited_row(format_3, tmp_path):
    assert verify_accounts(format_3)["ok"]
    copy = tampered(format_3, tmp_path, "UPDATE events SET payload = replace(payload, '4', '40') WHERE seq = 5")
    assert first_bad(verify_accounts(copy)) == ("events", "seq 5")


def test_a_writer_extends_a_format_3_chain_and_marks_the_file_format_4(format_3, tmp_path):
    copy = tmp_path / "copy.sqlite"
    shutil.copy(format_3, copy)
    with Simulation(seed=3, journal=str(copy), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Deposit(9))
    report = verify_accounts(copy)
    assert report["ok"] and report["chain links"] >= 2, report["problems"]
    conn = sqlite3.connect(copy)
    assert loads(conn.execute("SELECT value FROM lanasim_meta WHERE key = 'format'").fetchone()[0]) == \
        "lanasim-journal/4"
    conn.close()

"""The ledger's index of account names and the journal's of entity names are built after an import's
rows rather than written row by row, and still refuse a second name; a journal from before, whose
account names are unique by a column constraint, is given no second index."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine.bank.importer import import_positions
from engine.inspect import open_readonly
from engine.simulation import Simulation
from scenarios.book.format import read_book
from tests.test_book import ROWS, write

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2024, 3, 10)
INDEX = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_accounts'"


def test_an_imported_journal_has_its_unique_index_of_account_names(tmp_path):
    path = tmp_path / "book.sqlite"
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(path)) as sim:
        import_positions(sim, read_book(write(tmp_path, ROWS), AS_OF), 6_000_000)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute(INDEX)] == [
        "CREATE UNIQUE INDEX ledger_accounts_account ON ledger_accounts (account)"]
    account = conn.execute("SELECT account FROM ledger_accounts ORDER BY id LIMIT 1").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO ledger_accounts (id, account) VALUES (?, ?)", (10**6, account))
    assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 'idx_entities_kind_id'").fetchone()[0] == \
        'CREATE UNIQUE INDEX "idx_entities_kind_id"\n    ON "entities" ("kind", "id")'  # as the journal made it
    kind, entity_id = conn.execute("SELECT kind, id FROM entities LIMIT 1").fetchone()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO entities (entity, kind, id) VALUES (?, ?, ?)", (10**6, kind, entity_id))


def test_a_journal_whose_account_names_are_unique_by_a_column_constraint_gets_no_second_index(tmp_path):
    path = tmp_path / "old.sqlite"
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(path)) as sim:
        assert sim.ledger.lookups() == [("ledger_accounts_account", "CREATE UNIQUE INDEX IF NOT EXISTS "
                                         "ledger_accounts_account ON ledger_accounts (account)")]
    conn = sqlite3.connect(path)  # the layout before: the names' uniqueness a column constraint
    assert conn.execute("SELECT COUNT(*) FROM ledger_accounts").fetchone()[0] == 0
    conn.executescript("DROP VIEW ledger_entries; DROP TABLE ledger_accounts; CREATE TABLE ledger_accounts "
                       "(id INTEGER PRIMARY KEY, account TEXT NOT NULL UNIQUE);")
    conn.close()
    with Simulation(journal=str(path)) as sim:
        assert sim.ledger.lookups() == []
        sim.deposit.record_deposit(sim.deposit.create_account(sim.customer.create_customer("ada@example.com")), 100)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute(INDEX)] == [None]  # the constraint's own index only
    assert conn.execute("SELECT COUNT(*) FROM ledger_accounts").fetchone()[0] > 0



KILLED = """
import os
from engine import Simulation
from engine.kernel.schema import ENTITY_NAMES
sim = Simulation(seed=1, journal="j.sqlite")
sim.customer.create_customer("a@bank.test")
sim.journal.defer_index(*ENTITY_NAMES)  # as an import does, killed before it builds the index again
sim.settle(commit=True)
os._exit(0)  # killed before the import's end, which would have built it
"""


def test_a_journal_killed_while_its_index_of_entity_names_was_off_gets_it_back_when_next_opened(tmp_path):
    subprocess.run([sys.executable, "-c", KILLED], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   check=True, timeout=60)
    path, names = tmp_path / "j.sqlite", "SELECT sql FROM sqlite_master WHERE name = 'idx_entities_kind_id'"
    with open_readonly(str(path)) as view:
        assert view.journal.conn.execute(names).fetchone() is None  # the killed writer left it off
    with Simulation(seed=1, journal=str(path)) as sim:
        assert sim.journal.conn.execute(names).fetchone()[0] == \
            'CREATE UNIQUE INDEX "idx_entities_kind_id"\n    ON "entities" ("kind", "id")'
        sim.customer.create_customer("b@bank.test")

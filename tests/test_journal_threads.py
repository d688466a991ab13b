"""Rows staged on one thread while another writes the staged rows into the open transaction. A
sync copies each statement's staged rows, writes them (SQLite lets other threads run meanwhile),
then clears the list: a row another thread appended in between was cleared unwritten. On the
threaded runtime that was an actor's entity row, interned as the actor was set up on the calling
thread, without the journal's lock: its events then named an entity the journal did not hold and
`verify` failed (1 of 40 trials of operator threads beside a thread advancing the clock). Staging
now takes the journal's lock, as writing does."""

from __future__ import annotations

import sys
import threading

import pytest

from engine.kernel.codec import Codec
from engine.kernel.journal import Journal

ENTITIES = 3_000


@pytest.fixture
def busy():
    """Threads take turns often, as on a busy machine (without the fix: lost rows in 3 runs of 3)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_no_row_staged_on_one_thread_is_lost_to_a_sync_on_another(tmp_path, busy):
    journal = Journal(str(tmp_path / "j.sqlite"), Codec())
    done = threading.Event()

    def interning() -> None:
        for i in range(ENTITIES):
            journal.intern("thing", f"id-{i}")
            journal.stage("INSERT OR REPLACE INTO lanasim_meta (key, value) VALUES (?, ?)", (f"k{i}", '"v"'))
        done.set()

    worker = threading.Thread(target=interning)
    worker.start()
    while not done.is_set():
        journal.sync()
    worker.join()
    journal.flush()
    conn = journal.conn
    assert conn.execute("SELECT COUNT(*) FROM entities WHERE kind = 'thing'").fetchone()[0] == ENTITIES
    assert conn.execute("SELECT COUNT(*) FROM lanasim_meta WHERE key LIKE 'k%'").fetchone()[0] == ENTITIES
    journal.close()

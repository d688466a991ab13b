"""Journal contract: sequences, optimistic concurrency, group commit, locking, foreign files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest

from engine import (
    ConcurrentModification,
    DuplicateValue,
    JournalLocked,
    NotALanasimJournal,
    Simulation,
    UnsupportedJournalFormat,
)
from engine.kernel.codec import Codec
from engine.kernel.journal import Journal
from engine.kernel.journal_commit import JournalWriteFailed
from tests.conftest import open_account
from tests.support import ACCOUNT, Deposit, Deposited, Open


def test_seq_is_global_and_gap_free_and_entity_seq_is_per_entity(bank):
    open_account(bank, "a", deposit=10)
    open_account(bank, "b", deposit=20)
    bank.execute("account", "a", Deposit(5))
    rows = list(bank.journal.rows())
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert [(r[2], r[3]) for r in rows] == [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("a", 3)]


def test_second_writer_of_the_same_entity_seq_gets_concurrent_modification_and_writes_nothing(bank):
    open_account(bank, "a", deposit=10)
    entity = bank.journal.intern("account", "a")
    before = bank.journal.digest()
    bank.journal.append(entity, 2, [Deposited(1)], bank.clock.iso, "{}")  # first writer at seq 2 -> 3
    with pytest.raises(ConcurrentModification) as err:
        bank.journal.append(entity, 2, [Deposited(99)], bank.clock.iso, "{}")  # stale second writer
    assert (err.value.kind, err.value.id, err.value.expected, err.value.actual) == ("account", "a", 2, 3)
    amounts = [s.event.amount for s in bank.journal.stream("account", "a") if isinstance(s.event, Deposited)]
    assert amounts == [10, 1] and bank.journal.digest() != before


def test_a_refused_command_leaves_events_index_and_outbox_unchanged(bank):
    open_account(bank, "a", email="ada@bank.test")
    before = (bank.journal.digest(), bank.outbox.tail(), bank.index("account").count())
    with pytest.raises(DuplicateValue) as err:
        bank.execute("account", "b", Open("b", "ada@bank.test"))
    assert (err.value.kind, err.value.column, err.value.value) == ("account", "email", "ada@bank.test")
    assert (bank.journal.digest(), bank.outbox.tail(), bank.index("account").count()) == before


def test_events_become_durable_at_group_commit(tmp_path):
    path = tmp_path / "j.sqlite"
    sim = Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT])
    open_account(sim, "a", deposit=5)
    sim.close()
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as again:
        assert again.state("account", "a").balance == 5
        again.execute("account", "a", Deposit(1))
        assert [r[3] for r in again.journal.rows()] == [1, 2, 3]


def test_stream_uniqueness_is_a_durable_constraint_after_the_run(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a")
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO events (seq, entity, entity_seq, type, version, payload, recorded_at, context) "
                     "VALUES (99, 1, 1, 'test.account.deposited', 1, '{}', 'x', '{}')")


def test_a_second_simulation_cannot_write_a_journal_in_use(tmp_path):
    path = str(tmp_path / "j.sqlite")
    with Simulation(seed=1, journal=path, aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a")
        with pytest.raises(JournalLocked) as err:
            Journal(path, Codec())
        assert err.value.path == path


@pytest.mark.parametrize("content", [b"hello, not a database", b""])
def test_a_file_that_is_not_a_lanasim_journal_is_refused(tmp_path, content):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    if not content:  # an empty file is a valid new journal
        Journal(str(path), Codec()).close()
        return
    with pytest.raises(NotALanasimJournal) as err:
        Journal(str(path), Codec())
    assert err.value.path == str(path)


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    copy = path.read_bytes()
    with pytest.raises(NotALanasimJournal, match="no lanasim_meta table"):
        Journal(str(path), Codec())
    assert path.read_bytes() == copy


def test_digest_covers_every_row_and_is_stable(tmp_path):
    digests = []
    for run in range(2):
        shutil.rmtree(tmp_path / str(run), ignore_errors=True)
        (tmp_path / str(run)).mkdir()
        with Simulation(seed=3, journal=str(tmp_path / str(run) / "j.sqlite"), aggregates=[ACCOUNT]) as sim:
            open_account(sim, "a", deposit=7)
            digests.append(sim.journal.digest())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def _read_whole(journal) -> str:
    """The digest's definition, every row read again."""
    h = hashlib.sha256()
    for row in journal.rows():
        h.update("\x1f".join(map(str, row)).encode() + b"\n")
    return h.hexdigest()


def test_a_digest_asked_again_after_commits_refusals_and_a_failed_commit_is_the_whole_journals(tmp_path):
    path = tmp_path / "j.sqlite"
    failures = iter([True])

    def fault(point: str) -> None:
        if point == "commit" and next(failures, False):
            raise sqlite3.OperationalError("disk I/O error")

    seen = []
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        ask = lambda: seen.append((sim.journal.digest(), _read_whole(sim.journal)))
        open_account(sim, "a", email="ada@bank.test", deposit=3)
        ask()  # nothing committed yet
        sim.settle(commit=True)
        ask()
        sim.execute("account", "a", Deposit(4))
        ask()  # one row beyond the commit
        with pytest.raises(DuplicateValue):
            open_account(sim, "b", email="ada@bank.test")  # refused: its rows are rolled back
        ask()
        sim.journal.fault = fault
        with pytest.raises(JournalWriteFailed):
            sim.settle(commit=True)  # the group is rolled back and kept for the next flush
        ask()
        sim.settle(commit=True)
        sim.execute("account", "a", Deposit(5))
        ask()
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as again:
        seen.append((again.journal.digest(), seen[-1][1]))  # reopened: read whole, the same
    assert all(kept == whole for kept, whole in seen) and len({whole for _, whole in seen}) == 3


def test_commits_fold_their_events_into_the_digest_so_a_close_reads_no_committed_row(tmp_path, monkeypatch):
    """An import asks for no digest before its close, which read and hashed every event again: each
    commit now folds the events it made durable in, a failed commit's when they are written again."""
    path = tmp_path / "j.sqlite"
    failures = iter([True])

    def fault(point: str) -> None:
        if point == "commit" and next(failures, False):
            raise sqlite3.OperationalError("disk I/O error")

    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        open_account(sim, "a", email="ada@bank.test", deposit=3)
        sim.settle(commit=True)
        sim.execute("account", "a", Deposit(4))
        sim.journal.fault = fault
        with pytest.raises(JournalWriteFailed):
            sim.settle(commit=True)
        sim.settle(commit=True)  # the rolled-back group, written again
        sim.execute("account", "a", Deposit(5))  # staged, not committed
        reads, rows = [], type(sim.journal).rows
        monkeypatch.setattr(type(sim.journal), "rows", lambda j, after=0, upto=None: (
            reads.append((after, upto)), rows(j, after, upto))[1])
        kept = sim.journal.digest()
        committed = sim.journal._flushed_seq
        monkeypatch.undo()
        assert reads and all(after >= committed for after, _ in reads)
        assert kept == _read_whole(sim.journal)
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as again:  # reopened: its hash starts empty
        again.execute("account", "a", Deposit(6))
        again.settle(commit=True)
        assert again.journal.digest() == _read_whole(again.journal)


def test_reads_see_staged_rows_without_committing_the_group(bank):
    open_account(bank, "a", deposit=10)
    assert bank.index("account").find_by_email("a@bank.test") == "a"
    assert len(bank.outbox.tail()) == 1 and bank.journal.stream("account", "a")[-1].event == Deposited(10)
    assert bank.journal.conn.in_transaction  # the reads wrote staged rows into the open group only
    bank.settle(commit=True)
    assert not bank.journal.conn.in_transaction


def test_a_journal_from_another_format_version_is_refused_naming_its_format(tmp_path):
    path = tmp_path / "future.sqlite"
    Journal(str(path), Codec()).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE lanasim_meta SET value = '\"lanasim-journal/9\"' WHERE key = 'format'")
    conn.commit()
    conn.close()
    with pytest.raises(UnsupportedJournalFormat) as err:
        Journal(str(path), Codec())
    assert (err.value.format, err.value.supported) == ("lanasim-journal/9", ("lanasim-journal/4",))


def test_rows_written_many_to_a_statement_are_stored_as_one_at_a_time_stores_them(tmp_path):
    """A group commit writes a plain INSERT's rows 64 to a statement, and a row staged many times in a
    row in one: the stored rows, their rowids (an audit row's is SQLite's), their order and the chain
    are those of a row at a time."""
    from engine.kernel.chain_check import check_chain
    from engine.kernel.journal_commit import plain_insert

    audit = "INSERT INTO audit (recorded_at, subject, object, action, authorized, command) VALUES (?, ?, ?, ?, ?, ?)"
    rows = [(f"2024-01-01T00:00:{i % 60:02d}Z", "system", "o", "a", i % 2, f"C{i}") for i in range(64 * 2 + 5)]
    job = ("2024-01-01T00:01:00Z", "interest-accrual", "o", "a", 1, "Accrue")  # a job's shared audit row
    rows = [*rows[:70], *[job] * 100, rows[70], *[job] * 7, *rows[71:], *[job] * 9]
    stored = []
    for path in (tmp_path / "many.sqlite", tmp_path / "one.sqlite"):
        journal = Journal(path)
        if path.stem == "one":
            journal._plain[audit] = None  # one row a statement, as before
        journal.stage_many(audit, rows)
        journal.flush()
        stored.append(journal.conn.execute("SELECT rowid, * FROM audit ORDER BY rowid").fetchall())
        assert check_chain(journal.conn)[0] == []
        journal.close()
    assert plain_insert(audit) is not None and stored[0] == stored[1]
    assert [r[2:] for r in stored[0]] == rows and [r[0] for r in stored[0]] == list(range(1, len(rows) + 1))


def test_a_row_of_the_wrong_width_among_many_fails_the_commit_and_keeps_every_row(tmp_path):
    """Rows written many to a statement are flattened: a short row beside a long one must not shift
    columns into each other; the commit fails as a row-at-a-time write did, nothing acknowledged lost."""
    audit = "INSERT INTO audit (recorded_at, subject, object, action, authorized, command) VALUES (?, ?, ?, ?, ?, ?)"
    rows = [("t", "s", "o", "a", 1, "C")] * 70
    journal = Journal(tmp_path / "j.sqlite")
    journal.stage_many(audit, [*rows[:10], ("t", "s", "o", "a", 1), ("t", "s", "o", "a", 1, "C", "x"), *rows[10:]])
    with pytest.raises(JournalWriteFailed) as failed:
        journal.flush()
    assert failed.value.fields["retained"] == 72
    assert journal.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0


@pytest.mark.parametrize("group_rows", ["5", None, 0, 1.5])
def test_a_group_size_that_is_no_whole_number_of_events_is_refused_before_the_journal_exists(tmp_path, group_rows):
    """`group_rows="5"` (or None) opened the journal and raised TypeError ('<' not supported) at the
    first command; 0 and 1.5 were taken as they came."""
    from engine.kernel.errors import InvalidArgument

    journal = tmp_path / "j.sqlite"
    with pytest.raises(InvalidArgument) as refused:
        Simulation(seed=1, journal=str(journal), group_rows=group_rows)
    assert refused.value.argument == "group_rows" and not journal.exists()

"""Loading an entity folds its stream: a stream of one event type is read as payloads and decoded in
one pass, any other stream event by event, with the same state and the same errors either way."""

from __future__ import annotations

import sqlite3

import attrs
import pytest

from engine import Simulation
from engine.kernel.codec import Codec
from engine.kernel.errors import CorruptEvent
from tests.support import ACCOUNT, Account, Deposit, Deposited, Open, Opened, Withdraw, opened_v1_to_v2


@pytest.fixture
def sim(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "j.sqlite"), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        for amount in range(1, 21):
            sim.execute("account", "a", Deposit(amount))
        sim.execute("account", "a", Withdraw(10))
        yield sim


def test_a_mixed_stream_and_a_one_type_tail_load_the_state_the_actor_holds(sim):
    assert sim.load("account", "a", use_snapshot=False) == Account("a", "a@bank.test", 200, 21)
    seqs, events = sim.journal.decoded("account", "a", after=1, to_seq=11)  # deposits only
    assert list(seqs) == list(range(2, 12)) and events == [Deposited(n) for n in range(1, 11)]


def test_events_pairs_each_entity_seq_with_its_event(sim):
    pairs = sim.journal.events("account", "a", after=18)
    assert pairs == [(19, Deposited(18)), (20, Deposited(19)), (21, Deposited(20)), (22, pairs[-1][1])]


def test_a_gap_in_a_one_type_stream_is_read_event_by_event(sim, tmp_path):
    sim.settle(commit=True)
    sim.journal.conn.execute("DELETE FROM events WHERE entity_seq = 5")  # as a damaged file would be
    seqs, events = sim.journal.decoded("account", "a", after=1, to_seq=11)
    assert list(seqs) == [2, 3, 4, 6, 7, 8, 9, 10, 11] and events[3] == Deposited(5)


def test_a_corrupt_payload_in_a_one_type_stream_is_a_corrupt_event(tmp_path):
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        sim.execute("account", "a", Deposit(5))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET payload = '{\"amount\":' WHERE entity_seq = 2")
    conn.commit()
    conn.close()
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim, pytest.raises(CorruptEvent) as err:
        sim.journal.decoded("account", "a", after=1)
    assert err.value.name == "test.account.deposited"


def test_a_long_one_type_stream_is_decoded_in_one_pass_to_the_same_events(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "j.sqlite"), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        for amount in range(1, 101):
            sim.tell("account", "a", Deposit(amount))
        sim.settle()
        seqs, events = sim.journal.decoded("account", "a", after=1)
        assert list(seqs) == list(range(2, 102)) and events == [Deposited(n) for n in range(1, 101)]
        assert sim.load("account", "a", use_snapshot=False) == Account("a", "a@bank.test", 5050, 100)


@pytest.mark.parametrize("payload", ['{"amount":', '{"amount":7},{"amount":8}', '7'])
def test_a_damaged_payload_in_a_long_one_type_stream_is_a_corrupt_event_naming_it(tmp_path, payload):
    """The long stream's payloads are parsed as one array; one that is not a payload of its own
    (unparseable, two objects that parse once joined, not an object) is still named when read."""
    path = tmp_path / "j.sqlite"
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        for amount in range(1, 101):
            sim.tell("account", "a", Deposit(amount))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET payload = ? WHERE entity_seq = 50", (payload,))
    conn.commit()
    conn.close()
    with Simulation(seed=1, journal=str(path), aggregates=[ACCOUNT]) as sim, pytest.raises(CorruptEvent) as err:
        sim.journal.decoded("account", "a", after=1)
    assert err.value.name == "test.account.deposited"


def test_payloads_of_an_older_version_read_as_one_array_are_upcast_as_one_by_one():
    codec = Codec()
    codec.register(Opened, "test.account.opened", 2)
    codec.upcaster("test.account.opened", 1)(opened_v1_to_v2)
    payloads = [f'{{"owner":"o{i}"}}' for i in range(100)]
    events = codec.decode_array("test.account.opened", 1, f"[{','.join(payloads)}]", 100)
    assert events == [codec.decode("test.account.opened", 1, p) for p in payloads]
    assert events[7] == Opened("o7", "o7@legacy.invalid")
    assert codec.decode_array("test.account.opened", 1, f"[{','.join(payloads)}]", 99) is None  # not the count


def test_a_one_type_stream_too_long_for_one_sqlite_string_is_read_event_by_event(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "j.sqlite"), aggregates=[ACCOUNT]) as sim:
        sim.execute("account", "a", Open("a", "a@bank.test"))
        for amount in range(1, 101):
            sim.tell("account", "a", Deposit(amount))
        sim.settle(commit=True)
        longest = sim.journal.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 500)  # 100 payloads joined: ~1,300 bytes
        try:
            seqs, events = sim.journal.decoded("account", "a", after=1)
        finally:
            sim.journal.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, longest)
        assert list(seqs) == list(range(2, 102)) and events == [Deposited(n) for n in range(1, 101)]


def test_a_state_read_again_with_no_new_event_is_not_folded_again_and_a_new_event_is_seen(sim):
    sim.settle(commit=True)
    sim.registry.release()  # no live actor: a read folds the journal
    first = sim.state("account", "a")
    assert sim.state("account", "a") is first and first == sim.load("account", "a", use_snapshot=False)
    sim.execute("account", "a", Deposit(5))
    sim.registry.release()
    again = sim.state("account", "a")
    assert again is not first and again.balance == first.balance + 5
    assert again == sim.load("account", "a", use_snapshot=False)


def test_after_a_command_is_rolled_back_a_kept_state_is_folded_again(sim):
    from engine import DuplicateValue

    sim.settle(commit=True)
    sim.registry.release()
    first = sim.state("account", "a")
    before = sim.journal.rollbacks
    with pytest.raises(DuplicateValue):
        sim.execute("account", "b", Open("b", "a@bank.test"))  # its rows are dropped
    assert sim.journal.rollbacks > before
    again = sim.state("account", "a")
    assert again is not first and again == first


@attrs.frozen
class _Moved:  # plain and slotted: decoded in one pass by setting its slots
    sats: int
    note: str | None


@attrs.frozen
class _Checked:  # a validator: built by its __init__, which runs it
    sats: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen(cache_hash=True)
class _Hashed:  # a cached hash, which only its __init__ sets
    sats: int


def _array(payloads: list[str]) -> str:
    return f"[{','.join(payloads)}]"


def test_a_plain_stream_decoded_in_one_pass_gives_the_instances_its_class_builds():
    codec = Codec()
    codec.register(_Moved, "test.moved", 1)
    payloads = [f'{{"sats":{i},"note":{"null" if i % 3 else chr(34) + str(i) + chr(34)}}}' for i in range(200)]
    events = codec.decode_array("test.moved", 1, _array(payloads), 200)
    assert events == [_Moved(i, None if i % 3 else str(i)) for i in range(200)]
    assert [hash(e) for e in events] == [hash(_Moved(i, None if i % 3 else str(i))) for i in range(200)]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        events[0].sats = 5  # type: ignore[misc]
    assert codec.decode_array("test.moved", 1, _array(['{"sats":1,"note":null}', '{"sats":2}']), 2) is None


def test_a_validated_field_is_still_checked_when_its_stream_is_decoded_in_one_pass():
    codec = Codec()
    codec.register(_Checked, "test.checked", 1)
    assert codec.decode_array("test.checked", 1, _array(['{"sats":1}', '{"sats":2}']), 2) == [_Checked(1), _Checked(2)]
    assert codec.decode_array("test.checked", 1, _array(['{"sats":1}', '{"sats":-2}']), 2) is None  # one by one


def test_a_class_with_a_cached_hash_decoded_in_one_pass_hashes_as_its_class_builds():
    codec = Codec()
    codec.register(_Hashed, "test.hashed", 1)
    events = codec.decode_array("test.hashed", 1, _array([f'{{"sats":{i}}}' for i in range(5)]), 5)
    assert [hash(e) for e in events] == [hash(_Hashed(i)) for i in range(5)]

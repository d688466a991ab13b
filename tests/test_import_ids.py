"""The outbox's envelope ids, derived from their sequence numbers with the seed's prefix hashed once,
are the ids `Ids.derived` gives for the same parts (so journals keep their envelope ids)."""

from __future__ import annotations

from engine.kernel.ids import Ids


def test_a_numbered_id_is_the_derived_id_of_its_name_and_number():
    ids = Ids(7)
    for n in (0, 1, 9, 10, 12_345, 10**12):
        assert ids.numbered("outbox", n) == ids.derived("outbox", n)


def test_a_numbered_id_follows_a_reseed():
    ids = Ids(1)
    before = ids.numbered("outbox", 3)
    ids.reseed(2)
    assert ids.numbered("outbox", 3) == Ids(2).derived("outbox", 3) != before

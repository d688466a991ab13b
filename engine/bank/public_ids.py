"""`sim.public_ids`: the public id of a customer, facility or disbursal, and the entity a public id
names. Numbers follow the journal's creation order (`domains.public_ids`), so they journal nothing,
are the same on every rerun of a seed and survive reopening the journal."""

from __future__ import annotations

from domains.public_ids import TARGET_TYPES, assign
from engine.kernel.errors import InvalidArgument, UnknownEntity
from engine.kernel.journal import Journal

__all__ = ["PublicIds"]


class PublicIds:
    """Reads only; the numbering is recomputed when an entity it has not numbered yet is asked for."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._numbers: dict[tuple[str, str], int] = {}
        self._targets: dict[int, tuple[str, str]] = {}

    def of(self, kind: str, entity_id: str) -> int:
        """The entity's public id; `UnknownEntity` for an entity of these kinds that does not exist."""
        self.journal.require_open()
        if type(kind) is not str or type(entity_id) is not str:  # a list: a bare "unhashable type"
            raise UnknownEntity(kind=kind, id=entity_id)
        number = self._numbers.get((kind, entity_id))
        if number is None:
            number = self._refresh().get((kind, entity_id))
        if number is None:
            raise UnknownEntity(kind=kind, id=entity_id)
        return number

    def find(self, public_id: int) -> tuple[str, str]:
        """(kind, id) of the entity a public id names; `UnknownEntity(kind="public-id")` otherwise."""
        self.journal.require_open()
        if type(public_id) is not int:  # a list: a bare "unhashable type"; "1001" never names one
            raise InvalidArgument(argument="public_id", value=public_id, problem="a public id is a whole number")
        if public_id not in self._targets:
            self._refresh()
        if public_id not in self._targets:
            raise UnknownEntity(kind="public-id", id=public_id)
        return self._targets[public_id]

    def register(self) -> list[tuple[int, str, str]]:
        """(public id, kind, entity id) of every numbered entity, in order (`SimulationClosed` once
        closed, as `of` and `find`: it answered from what it had read)."""
        self.journal.require_open()
        return [(n, kind, entity_id) for (kind, entity_id), n in self._refresh().items()]

    def _refresh(self) -> dict[tuple[str, str], int]:
        journal = self.journal
        with journal.lock:
            created = [(journal.creation_order(kind, i), kind, i) for kind in TARGET_TYPES
                       for i in journal.entity_ids(kind) if journal.exists(kind, i)]
        self._numbers = assign(created)
        self._targets = {n: key for key, n in self._numbers.items()}
        return self._numbers

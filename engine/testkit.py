"""Test kit for scenario authors (a pytest plugin, loaded automatically once lanasim is installed).

    def test_freezing_a_customer_is_published(sim):
        customer = sim.customer.create_customer("ada@example.com")
        sim.customer.freeze_customer(customer)
        expect(sim.outbox).to_have("core.customer.customer-frozen", entity__id=customer)

Field matches use `__` for nesting (`entity__status="frozen"`) and compare against the payload.
`in_order(...)` checks a subsequence; `never(...)` that nothing matches. A failed expectation
lists the nearest events actually published.
"""

from __future__ import annotations

import difflib

import pytest

from engine.bank.catalog import check_event_types
from engine.kernel.codec import dumps
from engine.kernel.outbox import lookup
from engine.simulation import Simulation

__all__ = ["ExpectationFailed", "Expected", "expect", "sim"]


class ExpectationFailed(AssertionError):
    """An outbox expectation did not hold; the message shows what was published instead."""


class Expected:
    """Expectations over `sim.outbox` (optionally only after a sequence)."""

    def __init__(self, outbox, after: int = 0) -> None:
        self.outbox, self.after = outbox, after

    def to_have(self, event_type: str, **fields: object) -> dict:
        """Some envelope of this type matches every field (anywhere in the tail); returns it."""
        found = self._matching(event_type, fields)
        if not found:
            raise ExpectationFailed(self._explain(f"no {event_type} with {_show(fields)}", event_type, fields))
        return found[0]

    def in_order(self, *steps: tuple) -> list[dict]:
        """Each (event_type, {fields}) step matches an envelope later than the previous step's."""
        after = self.after
        hits: list[dict] = []
        for event_type, fields in steps:
            found = Expected(self.outbox, after)._matching(event_type, fields)
            if not found:
                headline = f"step {len(hits) + 1}: no {event_type} with {_show(fields)} after sequence {after}"
                earlier = self._matching(event_type, fields) if hits else []
                if earlier:  # published, but not after the step before: the order is what failed
                    raise ExpectationFailed(f"{headline} (step {len(hits)}'s); {len(earlier)} published before it:\n"
                                            + "\n".join(_line(e) for e in earlier[:5]))
                raise ExpectationFailed(Expected(self.outbox, after)._explain(headline, event_type, fields))
            hits.append(found[0])
            after = found[0]["sequence"]
        return hits

    def never(self, event_type: str, **fields: object) -> None:
        found = self._matching(event_type, fields)
        if found:
            raise ExpectationFailed(f"expected no {event_type} with {_show(fields)}, found {len(found)}:\n"
                                    + "\n".join(_line(e) for e in found[:5]))

    def count(self, event_type: str, **fields: object) -> int:
        return len(self._matching(event_type, fields))

    def _matching(self, event_type: str, fields: dict) -> list[dict]:
        check_event_types([event_type])
        where = {k.replace("__", "."): v for k, v in fields.items()}
        return self.outbox.tail(after=self.after, types=[event_type], where=where)

    def _explain(self, headline: str, event_type: str, fields: dict) -> str:
        same_type = self.outbox.tail(after=self.after, types=[event_type])
        if same_type:
            nearest = sorted(same_type, key=lambda e: -_closeness(e, fields))[:5]
            return f"{headline}\n{len(same_type)} {event_type} published; nearest:\n" + \
                "\n".join(_line(e) for e in nearest)
        published = sorted({e["event_type"] for e in self.outbox.tail(after=self.after)})
        close = difflib.get_close_matches(event_type, published, n=3, cutoff=0.5)
        return f"{headline}\nnone of that type was published; types seen: {', '.join(published) or 'none'}" + \
            (f"\ndid you mean: {', '.join(close)}" if close else "")


def expect(outbox, after: int = 0) -> Expected:
    return Expected(outbox, after)


def _closeness(envelope: dict, fields: dict) -> int:
    return sum(lookup(envelope["payload"], k.replace("__", ".")) == v for k, v in fields.items())


def _line(envelope: dict) -> str:
    return f"  #{envelope['sequence']} {envelope['recorded_at']} {envelope['event_type']} {dumps(envelope['payload'])}"


def _show(fields: dict) -> str:
    return ", ".join(f"{k.replace('__', '.')}={v!r}" for k, v in fields.items()) or "any fields"


@pytest.fixture
def sim(tmp_path):
    """A fresh deterministic simulation (seed 0, start 2024-01-01) journaling to a temp file."""
    with Simulation(seed=0, start="2024-01-01", journal=str(tmp_path / "journal.sqlite")) as simulation:
        yield simulation

"""Test kit for scenario authors (a pytest plugin, loaded automatically once lanasim is installed):
the `sim` fixture and `expect(sim.outbox)` expectations, as README "Writing scenario tests" shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pytest

from engine.bank.catalog import check_event_types
from engine.kernel.codec import dumps
from engine.kernel.outbox import MISSING, keys_near, lookup
from engine.simulation import Simulation

__all__ = ["ExpectationFailed", "Expected", "expect", "sim"]

NEAREST = 3  # published envelopes a failure lists
SUMMARY_CHARS = 160  # of a payload shown without fields to compare


class ExpectationFailed(AssertionError):
    """An outbox expectation did not hold; the message shows what was published instead."""


class Expected:
    """Expectations over `sim.outbox` (optionally only after a sequence); given the simulation
    itself, its outbox.

    Fields use `__` for nesting (`entity__status="frozen"`) and compare against the payload as
    published; a `Decimal`, `date` or aware `datetime` also matches the text Lana publishes for it
    (`"12"`, `"2024-01-31"`). A failed expectation is `ExpectationFailed` listing the nearest
    published events with each asked-for field's published value; a misspelt event type is
    `UnknownEventType` whose hint names the catalog's nearest types.
    """

    def __init__(self, outbox, after: int = 0) -> None:
        self.outbox, self.after = getattr(outbox, "outbox", outbox), after

    def to_have(self, event_type: str, **fields: object) -> dict:
        """Some envelope of this type matches every field (anywhere in the tail); returns it."""
        found = self._matching(event_type, fields)
        if not found:
            raise ExpectationFailed(self._explain(f"no {event_type} with {_show(fields)}", event_type, fields))
        return found[0]

    def in_order(self, *steps: tuple) -> list[dict]:
        """Each step, an event type or (event_type, {fields}), matches an envelope later than the
        previous step's."""
        after = self.after
        hits: list[dict] = []
        for event_type, fields in map(_step, steps):
            found = Expected(self.outbox, after)._matching(event_type, fields)
            if not found:
                headline = f"step {len(hits) + 1}: no {event_type} with {_show(fields)} after sequence {after}"
                earlier = self._matching(event_type, fields) if hits else []
                if earlier:  # published, but not after the step before: the order is what failed
                    raise ExpectationFailed(f"{headline} (step {len(hits)}'s); {len(earlier)} published before it:\n"
                                            + "\n".join(_line(e, fields) for e in earlier[:NEAREST]))
                raise ExpectationFailed(Expected(self.outbox, after)._explain(headline, event_type, fields))
            hits.append(found[0])
            after = found[0]["sequence"]
        return hits

    def never(self, event_type: str, **fields: object) -> None:
        """No envelope of this type matches every field. A field no published envelope of this type
        has, or a value no published one can equal (a number for published text), is
        `ExpectationFailed`: a misspelt path would make the expectation hold whatever happened."""
        found = self._matching(event_type, fields)
        if not found:
            self._comparable(event_type, fields)
        if found:
            raise ExpectationFailed(f"expected no {event_type} with {_show(fields)}, found {len(found)}:\n"
                                    + "\n".join(_line(e, fields) for e in found[:NEAREST]))

    def count(self, event_type: str, **fields: object) -> int:
        """How many envelopes of this type match every field (after `after`); a field that cannot
        match any published envelope is `ExpectationFailed`, as in `never`."""
        found = self._matching(event_type, fields)
        if not found:  # a field that matched is there and comparable: the outbox is read again only for none
            self._comparable(event_type, fields)
        return len(found)

    def _matching(self, event_type: str, fields: dict) -> list[dict]:
        check_event_types([event_type])
        for key, value in fields.items():
            if isinstance(value, datetime) and value.tzinfo is None:  # published instants are UTC text
                raise TypeError(f"{key}={value!r} is a naive datetime, which matches no published instant: "
                                "give it a timezone (tzinfo=timezone.utc)")
        return [e for e in self.outbox.stream(after=self.after, types=[event_type])
                if all(_equal(lookup(e["payload"], _path(k)), v) for k, v in fields.items())]

    def _comparable(self, event_type: str, fields: dict) -> None:
        """`ExpectationFailed` for a field that no published envelope of this type (at any
        sequence) holds, or holds only as a value of a type `expected` never equals: `never` would
        pass and `count` be 0 whatever the simulation did. Nothing published of the type: no check."""
        published = [e["payload"] for e in self.outbox.stream(types=[event_type])]
        for key, expected in fields.items() if published else ():
            values = [v for v in (lookup(p, _path(key)) for p in published) if v is not MISSING]
            if not values:
                raise ExpectationFailed(f"{_path(key)}: no published {event_type} has this field"
                                        f"{keys_near(published[-1], _path(key))}; the expectation could not fail")
            if not any(_could_equal(v, expected) for v in values):
                raise ExpectationFailed(f"{_path(key)}={expected!r} can equal no published {event_type}: "
                                        f"{_path(key)} = {values[-1]!r}{_hint(values[-1], expected)}; "
                                        "the expectation could not fail")

    def _explain(self, headline: str, event_type: str, fields: dict) -> str:
        same_type = self.outbox.tail(after=self.after, types=[event_type])
        if same_type:
            nearest = sorted(same_type, key=lambda e: -_closeness(e, fields))[:NEAREST]
            return f"{headline}\n{len(same_type)} {event_type} published; nearest:\n" + \
                "\n".join(_line(e, fields) for e in nearest)
        published = sorted({e["event_type"] for e in self.outbox.stream(after=self.after)})
        return (f"{headline}\nnone of that type published up to now ({self.outbox.clock.iso}): "
                "if it comes later, move the clock first (sim.advance, sim.run_until)\n"
                f"types published: {', '.join(published) or 'none'}")


def expect(outbox, after: int = 0) -> Expected:
    """Expectations over `outbox` (`sim.outbox`, or the simulation), counting only envelopes after
    sequence `after`. Anything else is a TypeError saying so: it failed at the first expectation
    with AttributeError: '...' object has no attribute 'stream'."""
    if not callable(getattr(getattr(outbox, "outbox", outbox), "stream", None)):
        raise TypeError(f"expect takes the simulation's outbox (expect(sim.outbox)), not {type(outbox).__name__}")
    return Expected(outbox, after)


def _step(step: object) -> tuple[str, dict]:
    if isinstance(step, str):
        return step, {}
    if isinstance(step, tuple) and len(step) == 2 and isinstance(step[0], str) and isinstance(step[1], dict):
        return step[0], step[1]
    raise TypeError(f"an in_order step is an event type or (event_type, {{fields}}), not {step!r}")


def _path(key: str) -> str:
    return key.replace("__", ".")


def _equal(actual: object, expected: object) -> bool:
    """Published == expected; a Decimal, date or aware datetime also equals the text Lana publishes
    for it (`"12"`, `"2024-01-31"`, `"2024-02-01T00:00:00Z"`)."""
    if isinstance(actual, str) and isinstance(expected, (Decimal, date)):
        try:
            if isinstance(expected, Decimal):
                return Decimal(actual) == expected
            if isinstance(expected, datetime):
                return expected.tzinfo is not None and datetime.fromisoformat(actual) == expected
            return date.fromisoformat(actual) == expected
        except (InvalidOperation, ValueError):
            return False
    return actual is not MISSING and actual == expected


def _could_equal(actual: object, expected: object) -> bool:
    """Whether some published value of `actual`'s type could equal `expected` (None or another
    payload's value of the same path may differ in value, not in kind)."""
    if actual is None or expected is None:
        return True
    if isinstance(actual, str):
        return isinstance(expected, (str, Decimal, date))
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool)
    if isinstance(actual, (int, float)):
        return isinstance(expected, (int, float, Decimal))
    return isinstance(expected, type(actual)) or isinstance(actual, type(expected))


def _closeness(envelope: dict, fields: dict) -> int:
    return sum(_equal(lookup(envelope["payload"], _path(k)), v) for k, v in fields.items())


def _line(envelope: dict, fields: dict) -> str:
    head = f"  #{envelope['sequence']} {envelope['recorded_at']} {envelope['event_type']}"
    if not fields:
        text = dumps(envelope["payload"])
        return f"{head} {text[:SUMMARY_CHARS]}{'...' if len(text) > SUMMARY_CHARS else ''}"
    return "\n".join([head, *(f"      {_field(envelope['payload'], k, v)}" for k, v in fields.items())])


def _field(payload: object, key: str, expected: object) -> str:
    """One asked-for field of a published payload: its value, and why it differs from `expected`."""
    path = _path(key)
    actual = lookup(payload, path)
    if actual is MISSING:
        return f"{path}: no such field{keys_near(payload, path)}"
    if _equal(actual, expected):
        return f"{path} = {actual!r} (as expected)"
    return f"{path} = {actual!r}, expected {expected!r}{_hint(actual, expected)}"


def _hint(actual: object, expected: object) -> str:
    if isinstance(actual, str) and isinstance(expected, str) and actual.lower() == expected.lower():
        return " (differs only in case: payloads spell values as Lana publishes them)"
    if type(actual) is int and type(expected) is int and actual == expected * 100:
        return " (the payload is in cents: was that dollars?)"
    if isinstance(actual, str) and isinstance(expected, (int, float)):
        return " (published as text: compare with a str, or a Decimal for a decimal)"
    if type(actual) is not type(expected) and not isinstance(expected, (Decimal, date)):
        return f" (a {type(actual).__name__} is published, a {type(expected).__name__} was given)"
    return ""


def _show(fields: dict) -> str:
    return ", ".join(f"{_path(k)}={v!r}" for k, v in fields.items()) or "any fields"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sim(**kwargs): Simulation arguments of the `sim` fixture (seed, start, ...)")


@pytest.fixture
def sim(request: pytest.FixtureRequest, tmp_path) -> Iterator[Simulation]:
    """A fresh deterministic simulation (seed 0, start 2024-01-01) journaling to a temp file, closed
    after the test. `@pytest.mark.sim(...)` or an indirect parametrization's dict gives other
    `Simulation` arguments (`seed`, `start`, `journal`, `runtime`, `settings`)."""
    kwargs: dict[str, object] = {"seed": 0, "start": "2024-01-01", "journal": str(tmp_path / "journal.sqlite")}
    marker = request.node.get_closest_marker("sim")
    if marker is not None:
        if marker.args:  # @pytest.mark.sim(1) ran on seed 0: its arguments were dropped
            raise TypeError(f"@pytest.mark.sim takes keyword arguments (seed=..., start=...), not {marker.args!r}")
        kwargs.update(marker.kwargs)
    param = getattr(request, "param", None) or {}
    if not isinstance(param, dict):  # parametrize("sim", [1, 2], indirect=True): "'int' object is not iterable"
        raise TypeError(f"an indirect parametrization of `sim` gives dicts of Simulation arguments "
                        f"({{'seed': 1}}), not {param!r}")
    kwargs.update(param)
    with Simulation(**kwargs) as simulation:  # type: ignore[arg-type]
        yield simulation

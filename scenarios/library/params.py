"""Scenario parameters: each has a default, a unit, a documented range and a meaning.

A scenario module declares `PARAMS` as a tuple of `Param`; a plain dict of defaults (older stories)
is read as parameters with no unit, range or doc. `parse` turns `KEY=VALUE` strings into typed
values and refuses, in one line, an unknown key, a value of the wrong type or one out of range.
Relations between parameters are checked by the scenario's optional `check(params)` function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from attrs import frozen

__all__ = ["CHECKED", "Param", "ScenarioError", "as_params", "assignments", "checks", "convert", "parse"]

Check = TypeVar("Check", bound=Callable[[dict], None])
CHECKED: dict[Callable[[dict], None], str] = {}  # a scenario's check -> what `lanasim describe` says it refuses


def checks(relations: str) -> Callable[[Check], Check]:
    """Names, in the user's terms, the relations between parameters the decorated `check(params)`
    refuses: `lanasim describe` prints them (it printed the function's docstring, written for the
    code's readers: its arguments, its history, other functions' names)."""

    def register(check: Check) -> Check:
        CHECKED[check] = relations
        return check

    return register


class ScenarioError(Exception):
    """An unknown scenario or a bad parameter (one-line message)."""


@frozen
class Param:
    """One scenario parameter. `low`/`high` bound numbers (inclusive); `choices` bound strings."""

    name: str
    default: object
    unit: str = ""
    doc: str = ""
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[str, ...] | None = None

    def check(self, value: object) -> object:
        """`value` if it lies in range, else a one-line `ScenarioError` naming the range. A number
        must be finite: `nan` (which compares false with every bound) and `inf` are refused as not
        finite (`cvl_low=nan` was "out of range [50 .. 10000]", as if it were a number outside it)."""
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
                within = f"; a number in [{self.range}]" if self.range else ""
                raise ScenarioError(f"parameter {self.name}={value} is not a finite number{within}")
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise ScenarioError(f"parameter {self.name}={value} is out of range [{self.range}]")
        if self.choices is not None and value not in self.choices:
            raise ScenarioError(f"parameter {self.name}={value!r} is not one of: {', '.join(self.choices)}")
        return value

    @property
    def range(self) -> str:
        """The documented range, as text (`""` when unbounded)."""
        if self.choices is not None:
            return " | ".join(self.choices)
        if self.low is None and self.high is None:
            return ""
        return f"{'-inf' if self.low is None else self.low} .. {'inf' if self.high is None else self.high}"


def as_params(declared: Iterable[Param] | Mapping[str, object]) -> dict[str, Param]:
    """A scenario's parameters by name, from a tuple of `Param` or a dict of defaults."""
    if isinstance(declared, Mapping):
        return {name: Param(name, default) for name, default in declared.items()}
    return {p.name: p for p in declared}


def convert(param: Param, raw: str) -> object:
    """`raw` converted to the type of the parameter's default, then range-checked."""
    default = param.default
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            value: object = raw.lower() in ("true", "1", "yes")
        elif isinstance(default, Decimal):
            value = Decimal(raw)
        elif isinstance(default, int):
            value = int(raw)
        elif isinstance(default, float):
            value = float(raw)
        else:
            value = raw
    except (ValueError, InvalidOperation):
        kind = type(default).__name__
        raise ScenarioError(f"parameter {param.name} expects {kind}, got {raw!r} (default {default})") from None
    return param.check(value)


def assignments(items: Iterable[str]) -> dict[str, str]:
    """`--set KEY=VALUE` items as {key: value}, in the order given; an item without `=`, or a key
    set twice (`--set days=5 ... --set days=30`: which one did the user mean?), is refused."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ScenarioError(f"--set expects KEY=VALUE, got {item!r}")
        if key in pairs:
            raise ScenarioError(f"--set {key} is given twice ({key}={pairs[key]} and {item}); give it once")
        pairs[key] = raw
    return pairs


def parse(params: Mapping[str, Param], items: Iterable[str], scenario: str) -> dict[str, object]:
    """Defaults overridden by `KEY=VALUE` assignments (`assignments`), each converted and range-checked."""
    values = {name: p.default for name, p in params.items()}
    for key, raw in assignments(items).items():
        if key not in params:
            raise ScenarioError(f"unknown parameter {key!r} for {scenario}; known: {', '.join(sorted(params))}")
        values[key] = convert(params[key], raw)
    return values

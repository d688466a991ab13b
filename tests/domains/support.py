"""Helpers shared by the pure-domain tests."""

from __future__ import annotations


def fold(spec, *events):
    """The state an aggregate's `apply` builds from `events` (None before the first)."""
    current = None
    for event in events:
        current = spec.apply(current, event)
    return current

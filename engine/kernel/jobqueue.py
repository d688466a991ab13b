"""The pending jobs as an ordered list, and that order rebuilt: what a checkpoint records so a run
restarted from it runs simultaneous jobs in the order the run that never stopped would have."""

from __future__ import annotations

from heapq import heapify, heappush
from typing import Any

from simpy.events import EventPriority

from engine.kernel.clock import Jobs

__all__ = ["Pending", "described", "take_all", "put_back"]

Pending = tuple[int, int, int]  # (sim second, priority, place in the insertion order)


def described(jobs: Jobs) -> list[Pending]:
    """Every pending job's (time, priority, place), in the order they will run."""
    return sorted((int(t), int(priority), eid) for t, priority, eid, _ in jobs.env._queue)


def take_all(jobs: Jobs) -> dict[int, tuple[int, int, Any]]:
    """Remove every pending job; returns place -> (time, priority, event) to `put_back` some of."""
    queue = jobs.env._queue
    taken = {eid: (int(t), int(priority), event) for t, priority, eid, event in queue}
    queue.clear()
    heapify(queue)
    return taken


def put_back(jobs: Jobs, taken: tuple[int, int, Any]) -> None:
    """Schedule a job `take_all` removed again, after every job scheduled so far of its time and priority."""
    t, priority, event = taken
    heappush(jobs.env._queue, (t, EventPriority(priority), jobs.reserve(), event))

"""Committee: a named set of users whose unanimous approval a committee policy requires."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.governance import commands as cmd
from domains.governance import events as ev
from domains.governance.errors import require

__all__ = ["COMMANDS", "Committee", "apply", "decide"]


@attrs.frozen
class Committee:
    """`members` is kept sorted: what a vote reads never depends on join order."""

    id: str
    name: str
    members: tuple[str, ...] = ()


def apply(state: Committee | None, event: ev.CommitteeEvent) -> Committee:
    match event:
        case ev.CommitteeInitialized():
            return Committee(event.id, event.name)
        case ev.CommitteeMemberAdded(member_id=member):
            c = require(state, "committee")
            return evolve(c, members=tuple(sorted((*c.members, member))))
        case ev.CommitteeMemberRemoved(member_id=member):
            c = require(state, "committee")
            return evolve(c, members=tuple(m for m in c.members if m != member))
        case _:
            assert_never(event)


def decide(state: Committee | None, command: object, at: datetime) -> tuple[ev.CommitteeEvent, ...]:
    """Adding a member twice, or removing a non-member, is already applied."""
    match command:
        case cmd.CreateCommittee():
            return () if state is not None else (ev.CommitteeInitialized(command.id, command.name),)
        case cmd.AddCommitteeMember(member_id=member):
            return () if member in require(state, "committee").members else (ev.CommitteeMemberAdded(member),)
        case cmd.RemoveCommitteeMember(member_id=member):
            return (ev.CommitteeMemberRemoved(member),) if member in require(state, "committee").members else ()
    raise TypeError(f"not a committee command: {command!r}")


COMMANDS = (cmd.CreateCommittee, cmd.AddCommitteeMember, cmd.RemoveCommitteeMember)

"""Terms template: named `TermValues` a proposal copies by value (Lana: core/credit/src/terms_template)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import evolve
from domains.credit import commands as cmd
from domains.credit.errors import require
from domains.credit.facility import events as ev
from domains.credit.terms import TermValues

__all__ = ["COMMANDS", "TermsTemplate", "apply", "decide"]


@attrs.frozen
class TermsTemplate:
    id: str
    name: str
    values: TermValues


def apply(state: TermsTemplate | None, event: ev.TermsTemplateEvent) -> TermsTemplate:
    match event:
        case ev.TermsTemplateCreated(id=id_, name=name, values=values):
            return TermsTemplate(id_, name, values)
        case ev.TermValuesUpdated(values=values):
            return evolve(require(state, "terms-template"), values=values)
        case _:
            assert_never(event)


def decide(state: TermsTemplate | None, command: object, at: datetime) -> tuple[ev.TermsTemplateEvent, ...]:
    match command:
        case cmd.CreateTermsTemplate(id=id_, name=name, values=values):
            return () if state is not None else (ev.TermsTemplateCreated(id_, name, values),)
        case cmd.UpdateTermValues(values=values):
            return () if require(state, "terms-template").values == values else (ev.TermValuesUpdated(values),)
    raise TypeError(f"not a terms-template command: {command!r}")


COMMANDS = (cmd.CreateTermsTemplate, cmd.UpdateTermValues)

"""`BankSettings`: the few domain configs of Lana a simulation may change (all default to Lana's)."""

from __future__ import annotations

import attrs

from domains.time import ClosingSchedule
from engine.kernel.errors import EngineError

__all__ = ["BankSettings", "InvalidSetting"]


class InvalidSetting(EngineError):
    """A setting has the wrong type (fields: setting, value, problem)."""


def _typed(kind: type):
    def check(instance: object, attribute: attrs.Attribute, value: object) -> None:
        if type(value) is not kind:
            raise InvalidSetting(setting=attribute.name, value=value, problem=f"must be a {kind.__name__}")
    return check


@attrs.frozen
class BankSettings:
    """`allow_auto_approval` is Lana's `allow-auto-approval` (False: policies start with the default
    committee and AutoApprove is refused); `closing_time` ("HH:MM") and `timezone` (IANA name) are
    Lana's `closing-time` and `timezone`: day D ends at D `closing_time` local time. A bad time or
    zone raises `InvalidClosingSchedule` when the settings are made."""

    allow_auto_approval: bool = attrs.field(default=True, validator=_typed(bool))
    closing_time: str = attrs.field(default="00:00", validator=_typed(str))
    timezone: str = attrs.field(default="UTC", validator=_typed(str))
    schedule: ClosingSchedule = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "schedule", ClosingSchedule(self.closing_time, self.timezone))

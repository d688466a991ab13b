"""`BankSettings`: the few domain configs of Lana a simulation may change (all default to Lana's)."""

from __future__ import annotations

import attrs

from domains.time import ClosingSchedule

__all__ = ["BankSettings"]


@attrs.frozen
class BankSettings:
    """`allow_auto_approval` is Lana's `allow-auto-approval` (False: policies start with the default
    committee and AutoApprove is refused); `closing_time` ("HH:MM") and `timezone` (IANA name) are
    Lana's `closing-time` and `timezone`: day D ends at D `closing_time` local time."""

    allow_auto_approval: bool = True
    closing_time: str = "00:00"
    timezone: str = "UTC"

    @property
    def schedule(self) -> ClosingSchedule:
        """The closing schedule (`InvalidClosingSchedule` for a bad time or zone)."""
        return ClosingSchedule(self.closing_time, self.timezone)


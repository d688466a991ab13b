"""Lana's spelling of enum values in public (outbox) payloads, and back.

Lana's public payloads are serde's: an enum without a rename attribute is its variant name
(`PendingCustomerApproval`), one with `rename_all = "kebab-case"` is kebab (`kyc-started`). lanasim's
enums keep snake_case values (its journal, index and tables); publishers spell them Lana's way here.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime

__all__ = ["from_kebab", "from_pascal", "instant", "kebab_value", "pascal"]

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def _text(value: enum.Enum | str) -> str:
    return value.value if isinstance(value, enum.Enum) else value


def pascal(value: enum.Enum | str) -> str:
    """`under_margin_call_threshold` (or its enum member) -> `UnderMarginCallThreshold`. A member's
    spelling is worked out once and kept (`_PASCAL`: one entry a member, so bounded): the publishers
    spell a status or type about 12 times an imported facility, a tenth of the cost each time."""
    found = _PASCAL.get(value)
    if found is None:
        found = _text(value).title().replace("_", "")  # snake_case values: each word capitalised, joined
        if isinstance(value, enum.Enum):
            _PASCAL[value] = found
    return found


_PASCAL: dict[object, str] = {}


def from_pascal(text: str) -> str:
    """`UnderMarginCallThreshold` -> `under_margin_call_threshold` (lanasim's value)."""
    return _WORD_START.sub("_", text).lower()


def kebab_value(value: enum.Enum | str) -> str:
    """`kyc_started` (or its enum member) -> `kyc-started`."""
    return _text(value).replace("_", "-")


def from_kebab(text: str) -> str:
    """`kyc-started` -> `kyc_started` (lanasim's value)."""
    return text.replace("-", "_")


def instant(moment: datetime | None) -> str | None:
    """A UTC instant as Lana's payloads write it, `YYYY-MM-DDTHH:MM:SSZ` (None stays None): the text
    `strftime("%Y-%m-%dT%H:%M:%SZ")` writes, cut from `isoformat` at about 60 % of its cost (every
    command that publishes or arms an alarm writes one or two); a year before 1000, which `%Y` writes
    unpadded, by `strftime` itself."""
    if moment is None:
        return None
    if moment.year < 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()[:19] + "Z"  # the seconds' fraction and offset follow the 19th character

"""Numbers for people: a figure from summary.json or the facilities table written with its unit
(cents as "$7,900.00", satoshis as "1.50000000 BTC", percentages, hours, UTC instants)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

__all__ = ["btc", "cvl_down", "human", "usd"]


def cvl_down(pct: float, places: int = 2) -> float:
    """A CVL (%) cut to `places` decimals, never rounded up, as Lana truncates CVLs (`trunc2`):
    rounding wrote a facility at 104.996 %, under a liquidation CVL of 105 %, as 105.00 %."""
    if not math.isfinite(pct):
        return float(pct)
    return float(Decimal(repr(float(pct))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR))


def usd(cents: int) -> str:
    """Integer cents as dollars with thousands separators and cents: 79833506 -> "$798,335.06"."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def btc(sats: int) -> str:
    """Integer satoshis as BTC, every satoshi shown: 17673560900 -> "176.73560900 BTC"."""
    sign = "-" if sats < 0 else ""
    whole, rest = divmod(abs(int(sats)), 100_000_000)
    return f"{sign}{whole:,}.{rest:08d} BTC"


def human(field: str, value: object) -> str:
    """`value` written for a reader, by the unit its field's name carries (`cents`, `sats`, `_pct`,
    `hours`, `_utc`); a missing or non-finite number reads "n/a" rather than nan or inf."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not field.endswith("_utc")):
        return "" if value is None else str(value)
    if field.endswith("_utc"):
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, float) and not math.isfinite(value):
        return "n/a"
    if "cents" in field:
        return usd(int(value))  # type: ignore[call-overload]
    if "sats" in field:
        return btc(int(value))  # type: ignore[call-overload]
    if field.endswith("_pct"):
        return f"{cvl_down(value):,.2f} %"  # type: ignore[arg-type]  # every _pct field is a CVL
    if "hours" in field:
        return f"{float(value):,.2f} h"  # type: ignore[arg-type]
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"  # type: ignore[call-overload]

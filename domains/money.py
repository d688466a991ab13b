"""Money in minor units (USD cents, satoshis) and Lana's rounding rules (Lana: core/credit/terms/src/value.rs,
core/credit/terms/src/cvl.rs)."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

__all__ = ["MAX_CENTS", "MAX_SATS", "SATS_PER_BTC", "ceil_cents", "cents_to_sats_up", "sats_to_cents_down", "trunc2"]

SATS_PER_BTC = 100_000_000
# The largest amount any command accepts: USD 10 trillion in cents, and every bitcoin there will
# ever be in satoshis. Both are far below SQLite's INTEGER limit (2**63 - 1, about 9.2e18), so
# 4,000 maximal amounts still sum inside one ledger balance.
MAX_CENTS = 10**15
MAX_SATS = 21_000_000 * SATS_PER_BTC


def ceil_cents(cents: Decimal) -> int:
    """Round a (non-negative) amount of cents up to a whole cent: Lana rounds away from zero.
    `math.ceil` of a Decimal is the int `to_integral_value(ROUND_CEILING)` rounds to, in one step
    (every daily accrual comes here)."""
    return math.ceil(cents) if cents >= 0 else -math.ceil(-cents)


def sats_to_cents_down(sats: int, cents_per_btc: int) -> int:
    """Collateral value: satoshis at a price, rounded down to the cent."""
    return sats * cents_per_btc // SATS_PER_BTC


def cents_to_sats_up(cents: int | Decimal, cents_per_btc: int) -> int:
    """Satoshis needed for an amount of cents at a price, rounded up to the sat."""
    sats = Decimal(cents) * SATS_PER_BTC / cents_per_btc
    return int(sats.to_integral_value(rounding=ROUND_CEILING))


def trunc2(value: Decimal) -> Decimal:
    """Truncate toward zero to two decimals (CVL ratios)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)

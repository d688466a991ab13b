"""Story: Black Thursday hits a book of bitcoin-backed loans (a preset of `stress`).

On 25 February 2020 the bank opens `facilities` one-year $10,000 loans on Lana's standard terms
(margin call under a CVL of 125 %, liquidation under 105 %), each collateralized at a CVL drawn
between 130 % and 300 % while BTC trades at $7,900; February's interest falls due on 1 March. On
12 March BTC follows the `black-thursday-2020` shape (-50 % in 30 hours, back by May); borrowers,
the desk and the outputs are those of `stress`. The story ends `days` after 12 March.

Covers: the stress scenario on its historical reference crash.
"""

from __future__ import annotations

from scenarios.library.stress import book_key, build_book, check, open_held_book, report, start, story, with_defaults
from scenarios.market.paths import black_thursday_2020  # noqa: F401  (older code imported the crash from here)

__all__ = ["PARAMS", "START", "book_key", "build_book", "check", "open_held_book", "report", "start", "story"]

START = "2020-02-25"
# btc_usd stays 0 (the path's own level: Black Thursday's $7,900): a fixed 7,900 replayed any other path
# given with --set path= (June 2022, a CSV export) from $7,900 instead of its own prices.
PARAMS = with_defaults(path="black-thursday-2020", lead_days=16, days=14)

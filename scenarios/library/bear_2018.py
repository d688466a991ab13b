"""Story: the 2018 bear market: BTC falls from $19,500 in December 2017 to $3,200 a year later, read once a day (a
preset of `stress`).

The bank opens the `stress` book (`facilities` one-year loans, CVLs 130-300 %) 7 days before the
`bear-2018` shape begins, at the shape's own price; borrowers, the desk and the outputs are those of
`stress`. The story ends `days` after the shape begins.

Covers: the stress scenario on a historical crash shape.
"""

from __future__ import annotations

from scenarios.library.stress import book_key, build_book, check, open_held_book, report, start, story, with_defaults

__all__ = ["PARAMS", "START", "book_key", "build_book", "check", "open_held_book", "report", "start", "story"]

START = "2017-12-10"
PARAMS = with_defaults(path="bear-2018", lead_days=7, days=380, price_every_minutes=1_440, facilities=100)

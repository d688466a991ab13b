"""Story: the FTX collapse: BTC falls from $21,300 to $15,600 between 5 and 21 November 2022 (a preset of `stress`).

The bank opens the `stress` book (`facilities` one-year loans, CVLs 130-300 %) 7 days before the
`ftx-2022` shape begins, at the shape's own price; borrowers, the desk and the outputs are those of
`stress`. The story ends `days` after the shape begins.

Covers: the stress scenario on a historical crash shape.
"""

from __future__ import annotations

from scenarios.library.stress import book_key, build_book, check, open_held_book, report, start, story, with_defaults

__all__ = ["PARAMS", "START", "book_key", "build_book", "check", "open_held_book", "report", "start", "story"]

START = "2022-10-29"
PARAMS = with_defaults(path="ftx-2022", lead_days=7, days=30)

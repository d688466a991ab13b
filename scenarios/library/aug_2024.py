"""Story: the yen carry-trade unwind: BTC falls from $70,000 to $49,000 intraday on 5 August 2024 (a preset of
`stress`).

The bank opens the `stress` book (`facilities` one-year loans, CVLs 130-300 %) 7 days before the
`aug-2024` shape begins, at the shape's own price; borrowers, the desk and the outputs are those of
`stress`. The story ends `days` after the shape begins.

Covers: the stress scenario on a historical crash shape.
"""

from __future__ import annotations

from scenarios.library.stress import book_key, build_book, check, open_held_book, report, start, story, with_defaults

__all__ = ["PARAMS", "START", "book_key", "build_book", "check", "open_held_book", "report", "start", "story"]

START = "2024-07-22"
PARAMS = with_defaults(path="aug-2024", lead_days=7, days=21)

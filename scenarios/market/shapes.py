"""Historical BTC crash shapes as dated anchor points (UTC, USD per BTC), joined log-linearly.

Anchors are approximate market levels as widely reported: UTC midnights are roughly the previous
day's close, the stated hours are the intraday extremes. Shapes matter more than cents.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

__all__ = ["SHAPES", "Shape", "anchored_points"]


class Shape:
    """A named shape: its anchors, and what it is (one line)."""

    def __init__(self, name: str, about: str, anchors: list[tuple[str, int]]) -> None:
        self.name, self.about = name, about
        self.anchors = [(datetime.fromisoformat(at).replace(tzinfo=UTC), usd * 100) for at, usd in anchors]

    @property
    def start(self) -> datetime:
        return self.anchors[0][0]


SHAPES = {shape.name: shape for shape in (
    Shape("black-thursday-2020", "COVID crash: $7,900 to $3,950 (-50 %) in 30 h on 12-13 Mar 2020, back by May", [
        ("2020-03-12T00:00", 7_900), ("2020-03-13T06:00", 3_950), ("2020-03-14T00:00", 5_200),
        ("2020-03-16T00:00", 5_000), ("2020-03-20T00:00", 6_200), ("2020-04-06T00:00", 7_300),
        ("2020-05-01T00:00", 8_800)]),
    Shape("may-2021", "Tesla / China ban: $57,000 on 12 May 2021 to $30,000 intraday 19 May (-48 %)", [
        ("2021-05-12T00:00", 57_000), ("2021-05-13T00:00", 49_500), ("2021-05-16T00:00", 46_400),
        ("2021-05-18T00:00", 43_500), ("2021-05-19T00:00", 42_900), ("2021-05-19T13:00", 30_000),
        ("2021-05-20T00:00", 37_000), ("2021-05-23T21:00", 31_500), ("2021-06-01T00:00", 37_300)]),
    Shape("june-2022", "Celsius / 3AC: $31,800 on 1 Jun 2022 to $17,600 intraday 18 Jun (-45 %)", [
        ("2022-06-01T00:00", 31_800), ("2022-06-02T00:00", 29_800), ("2022-06-10T00:00", 30_100),
        ("2022-06-12T00:00", 28_000), ("2022-06-13T00:00", 26_600), ("2022-06-14T00:00", 22_500),
        ("2022-06-17T00:00", 20_400), ("2022-06-18T21:00", 17_600), ("2022-06-19T00:00", 19_000),
        ("2022-06-20T00:00", 20_550), ("2022-07-08T00:00", 21_600)]),
    Shape("ftx-2022", "FTX collapse: $21,300 on 5 Nov 2022 to $15,600 on 21 Nov (-27 %), most on 8-9 Nov", [
        ("2022-11-05T00:00", 21_300), ("2022-11-08T00:00", 20_500), ("2022-11-09T00:00", 18_500),
        ("2022-11-09T22:00", 15_700), ("2022-11-11T00:00", 17_600), ("2022-11-14T00:00", 16_300),
        ("2022-11-17T00:00", 16_700), ("2022-11-21T21:00", 15_600), ("2022-11-22T00:00", 15_800),
        ("2022-11-30T00:00", 17_150), ("2022-12-14T00:00", 17_800)]),
    Shape("aug-2024", "yen carry-trade unwind: $70,000 on 29 Jul 2024 to $49,000 intraday 5 Aug (-30 %)", [
        ("2024-07-29T00:00", 70_000), ("2024-07-30T00:00", 66_800), ("2024-08-01T00:00", 64_600),
        ("2024-08-02T00:00", 65_300), ("2024-08-03T00:00", 61_400), ("2024-08-05T00:00", 58_100),
        ("2024-08-05T07:00", 49_000), ("2024-08-06T00:00", 54_000), ("2024-08-08T00:00", 55_000),
        ("2024-08-09T00:00", 61_700), ("2024-08-24T00:00", 64_000)]),
    Shape("bear-2018", "the 2018 bear market: $19,500 in Dec 2017 to $3,200 in Dec 2018 (-84 %)", [
        ("2017-12-17T00:00", 19_500), ("2017-12-22T00:00", 13_800), ("2018-01-06T00:00", 17_100),
        ("2018-02-06T00:00", 6_900), ("2018-03-05T00:00", 11_500), ("2018-04-06T00:00", 6_600),
        ("2018-05-05T00:00", 9_800), ("2018-06-29T00:00", 5_900), ("2018-07-24T00:00", 8_400),
        ("2018-08-14T00:00", 6_000), ("2018-09-30T00:00", 6_600), ("2018-11-14T00:00", 6_300),
        ("2018-11-25T00:00", 3_800), ("2018-12-15T00:00", 3_200), ("2018-12-31T00:00", 3_700)]),
)}


def anchored_points(anchors: list[tuple[datetime, int]], price_cents: int | None) -> list[tuple[int, int]]:
    """(whole seconds after the first anchor, cents); with `price_cents`, every price is scaled so the
    first is exactly `price_cents` (the relative moves replayed from another price), half-even."""
    first = anchors[0][0]
    scale = Fraction(1) if price_cents is None else Fraction(price_cents, anchors[0][1])
    return [(_seconds(at - first), max(1, round(cents * scale))) for at, cents in anchors]


def _seconds(delta: timedelta) -> int:
    """Whole seconds, rounded up (a point at 00:00:00.5 counts from second 1)."""
    return delta.days * 86_400 + delta.seconds + (1 if delta.microseconds else 0)

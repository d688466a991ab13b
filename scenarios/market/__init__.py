"""Market paths: BTC prices a run's price feed samples, chosen by a spec string, plus oracle faults.

Spec grammar (`path_from_spec(spec, seed, price_cents=None)`):  KIND[:ARGS], ARGS = key=value,...
Dollars are exact decimals (to the cent, half-even); rates are annual fractions; keys any case.

  historical shapes (dated; log-linear through daily/intraday anchors, seeded intraday noise; flat
  after the last anchor, a run longer than the shape holds its last price):
    black-thursday-2020   12-13 Mar 2020, $7,900 -> $3,950 in 30 h (-50 %), back by May
    may-2021              12-19 May 2021, $57,000 -> $30,000 intraday 19 May (-48 %)
    june-2022             1-18 Jun 2022, $31,800 -> $17,600 intraday 18 Jun (-45 %)
    ftx-2022              5-21 Nov 2022, $21,300 -> $15,600 (-27 %), most of it on 8-9 Nov
    aug-2024              29 Jul-5 Aug 2024, $70,000 -> $49,000 intraday 5 Aug (-30 %)
    bear-2018             Dec 2017-Dec 2018, $19,500 -> $3,200 (-84 %)
    key noise=STD         log-noise std per hour (default 0.005), a Brownian bridge pinned at every
                          anchor and reflected off the lowest and the highest, so the trough and
                          top anchors are those every seed publishes; noise=0 replays the shape exactly
  stochastic (undated; hourly grid unless dt=SECONDS):
    gbm:mu=0,sigma=0.8[,start=DOLLARS]                       geometric Brownian motion
    jump:mu=0,sigma=0.6,jumps=6,jump_mean=-0.08,jump_sd=0.1  Merton jump-diffusion (jumps/year,
                                                             log jump size ~ Normal(mean, sd))
    bridge:target=DOLLARS|PCT%,days=N[,sigma=0.8,start=..]   log Brownian bridge hitting target on day N
    constant:DOLLARS                                         one price forever
    ranges: sigma, jump_sd and noise 0 .. 10, jump_mean -10 .. 10, jumps 0 .. 10,000 a year,
    mu any finite number (prices are clamped to 1 cent .. MAX_CENTS), dollars 0.01 .. 10 trillion
  replay:
    csv:FILE              exchange-style export: a time column (timestamp, date, datetime or time;
                          ISO-8601 dates/times or unix seconds) and a price column (close, else
                          price, ...), any case, oldest or newest first, daily or intraday; linear in
                          price between rows, flat before the first and after the last; or a
                          Parquet table of such columns, read as the CSV it stands for

Prices: a dated path starts at its own figure, or replays its relative moves from `price_cents`
when given; gbm/jump/bridge start at `start=` if the spec gives it, else at `price_cents`, and are
refused with neither; `constant` without DOLLARS uses `price_cents`. Random parts draw from a stream
fixed by (seed, kind): the same seed gives the same path, another seed another path.

Oracle faults: `with_faults(path, stale=(from_s, hours), spike=(at_s, pct), gaps=(every_s, length_s))`;
its `price_at` returns None where the oracle publishes nothing, and the feed skips that tick.
Bad specs raise `PathSpecError` whose message is one line naming the problem.
"""

from __future__ import annotations

from scenarios.market.faults import FaultyPath, InvalidFault, with_faults
from scenarios.market.shapes import SHAPES
from scenarios.market.spec import KINDS, MarketPath, PathSpecError, path_from_spec

__all__ = [
           "KINDS",
           "SHAPES",
           "FaultyPath",
           "InvalidFault",
           "MarketPath",
           "PathSpecError",
           "path_from_spec",
           "with_faults",
]

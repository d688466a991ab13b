"""Story: a book of bitcoin-backed loans goes through a market of your choosing.

The bank opens a book of `facilities` loans, `lead_days` before the market path begins: sizes around
`facility_usd`, each collateralized at a CVL drawn between `cvl_low` and `cvl_high` %, terms drawn
from `terms_mix`, some of them part-way through their term (`aged_share`). BTC then follows `path`
(a historical shape, a seeded random path or a CSV export; see `scenarios.market`), read by the
oracle every `price_every_minutes`, optionally with a stale feed, one bad print and regular gaps.
Borrowers answer margin calls as drawn (top up within the cure window, repay half in cash, pay
late, or never); the bank's desk sells the collateral of every partial liquidation after
`desk_delay_hours`, at most `desk_capacity_per_hour` an hour, with slippage growing with the size
sold. The story ends `days` after the path begins.

The book depends on the book's parameters alone (`BOOK_PARAMS`: its size and draws, and the date
and price it opens at), never on the run's seed: it is drawn as the run of `book_seed` would draw
it (its sizes, CVLs, terms, ages and entity ids), after which the run continues as the run of its
own seed (market path, borrower behaviours, desk). So every seed of a Monte Carlo stresses the same
book, which a sweep opens once and branches per seed (`build_book`, then `Scenario.execute(book=)`)
with the very journal an in-process run writes. `book_seed` defaults to 1, the seed the library's
golden runs use, so a `--seed 1` run is the run from before books were shared.

Each day ends with a commit holding the run's checkpoint (participants, pending jobs, streams;
`scenarios.behaviour.checkpoint`), from which `lanasim run --resume` continues a stopped run
without computing its days again (`continue_market`).

Covers: price feed and oracle faults, collateralization sweep, margin calls and cures, partial
liquidation through the desk, payments; outputs (summary.json, timeseries.parquet,
facilities.parquet, plots, report.html) computed from the journal by `scenarios.analysis`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from domains.money import MAX_CENTS, MAX_SATS, SATS_PER_BTC
from engine.kernel.clock import check_start
from engine.kernel.errors import StartOutOfRange
from engine.simulation import Simulation
from scenarios.analysis import analyse_run, write_outputs
from scenarios.behaviour.agents import Borrowers, LiquidationDesk
from scenarios.behaviour.checkpoint import DayEnds, behaviours_as_data, behaviours_from_data, restore
from scenarios.behaviour.desk import MAX_SLIPPAGE_BPS
from scenarios.book import filed, held
from scenarios.book.shared import snapshot
from scenarios.book.synthetic import (
    BookSpec,
    Terms,
    a_book_is_opened,
    borrowers_are_drawn,
    drawn_collateral,
    parse_terms_mix,
)
from scenarios.library.params import Param, ScenarioError, checks
from scenarios.market import SHAPES, PathSpecError, path_from_spec, with_faults
from scenarios.market.paths import PricePath

__all__ = ["BOOK_PARAMS", "PARAMS", "START", "book_key", "build_book", "check", "continue_market", "open_book",
           "open_held_book", "report", "run_market", "run_market_from_now", "start", "story", "tell", "with_defaults",
           "write_book"]

START = "2024-01-01"  # the run's start when the path carries no dates
STAND_IN_CENTS = 100  # the price a spec is checked at when a journal's book will give the real one
HOUR, DAY = 3600, 86_400
PARAMS = (
    # the book
    Param("facilities", 200, "facilities", "number of facilities in the book", 1, 100_000),
    Param("facility_usd", 10_000, "USD", "facility size (the median of the size distribution)", 100, 100_000_000),
    Param("size_distribution", "fixed", "", "facility sizes", choices=("fixed", "uniform", "lognormal")),
    Param("size_spread", 0.0, "", "uniform: +/- this fraction of facility_usd; lognormal: sigma of log size", 0, 2),
    Param("cvl_low", 130.0, "%", "lowest starting CVL (drawn uniformly up to cvl_high; not below a "
          "margin-call CVL of terms_mix, under which a facility is never activated)", 50, 10_000),
    Param("cvl_high", 300.0, "%", "highest starting CVL", 50, 10_000),
    Param("terms_mix", "12:12:140:125:105", "", "RATE%:MONTHS:INITIAL_CVL:MARGIN_CALL_CVL:LIQUIDATION_CVL[,...], "
          "one drawn per facility"),
    Param("aged_share", 0.0, "fraction", "share of facilities part-way through their term (opened with 1..duration-1 "
          "months left)", 0, 1),
    Param("book_seed", 1, "", "the seed the book is drawn from (sizes, CVLs, terms, ages, ids); every run seed "
          "stresses the same book", 0, 2**31 - 1),
    Param("book_from", "", "", "a lanasim journal or run directory whose open facilities are the book instead "
          "(an imported book, a run), or a book file (.csv, .xlsx, .parquet) imported at book_at with BTC at "
          "btc_usd; the book parameters above but book_seed (a book file's ids) are then unused"),
    Param("book_at", "", "", "the instant book_from is branched at (ISO-8601; empty: its last instant); a book "
          "file: the day it stands at (required)"),
    # the market
    Param("path", "black-thursday-2020", "", f"market spec: a historical shape ({', '.join(SHAPES)}), "
          "gbm:/jump:/bridge:/constant:, or csv:FILE, a CSV or Parquet price file (see scenarios.market)"),
    Param("btc_usd", 0, "USD/BTC", "the price the path's moves are replayed from; 0: the path's own level (a book_from "
          "journal's book replays them from its own price at book_at: a btc_usd with it is refused; a book file "
          "is imported at btc_usd)",
          0, 10_000_000),
    Param("lead_days", 0, "days", "days the book runs before the path begins", 0, 366),
    Param("price_every_minutes", 60, "minutes", "interval between oracle price updates", 1, 1_440),
    Param("stale_after_hours", 0.0, "h", "hours after the path begins that the feed goes stale", 0, 100_000),
    Param("stale_hours", 0.0, "h", "how long the feed publishes nothing (0: no stale feed)", 0, 10_000),
    Param("spike_after_hours", 0.0, "h", "hours after the path begins of one bad print", 0, 100_000),
    Param("spike_pct", 0.0, "%", "size of the bad print (0: none; -50 halves the price for one tick)", -99, 1_000),
    Param("gap_every_hours", 0.0, "h", "a gap in the feed every this many hours (0: no gaps)", 0, 10_000),
    Param("gap_hours", 0.0, "h", "length of each gap", 0, 10_000),
    # borrowers
    Param("top_up_share", 0.45, "fraction", "share of borrowers who top up when called", 0, 1),
    Param("top_up_probability", 0.8, "fraction", "chance a top-up borrower actually posts in time", 0, 1),
    Param("cure_window_hours", 72, "h", "hours within which a top-up borrower posts", 1, 10_000),
    Param("repay_share", 0.15, "fraction", "share of borrowers who repay half the loan a day after a call", 0, 1),
    Param("late_share", 0.15, "fraction", "share of borrowers who pay interest late (top-up and repay borrowers pay "
          "when due; the 1 - top_up_share - repay_share - late_share left never pay)", 0, 1),
    Param("late_days", 7, "days", "how late the late payers pay", 0, 365),
    # the liquidation desk
    Param("desk_delay_hours", 2.0, "h", "hours between a liquidation starting and the desk selling", 0, 720),
    Param("desk_capacity_per_hour", 5, "liquidations/h", "liquidations the desk executes per clock hour", 1, 100_000),
    Param("base_slippage_bps", 100.0, "bps", "slippage on any sale (a sale's slippage is capped at "
          f"{MAX_SLIPPAGE_BPS:,} bps)", 0, MAX_SLIPPAGE_BPS),
    Param("slippage_bps_per_btc", 50.0, "bps/BTC", "extra slippage per BTC sold", 0, 10_000),
    # the horizon
    Param("days", 14, "days", "days the story runs after the path begins (a dated path holds its last price "
          "once its data ends; README: Stress testing lists each shape's dates)", 1, 3_650),
)
BOOK_PARAMS = ("facilities", "facility_usd", "size_distribution", "size_spread", "cvl_low", "cvl_high", "terms_mix",
               "aged_share", "book_seed")  # a drawn book's (one held in a journal: `book_from`, `book_at`)


def with_defaults(**overrides: object) -> tuple[Param, ...]:
    """PARAMS with some defaults replaced (how a preset declares itself)."""
    unknown = set(overrides) - {p.name for p in PARAMS}
    if unknown:
        raise ValueError(f"unknown stress parameters: {sorted(unknown)}")
    return tuple(Param(p.name, overrides.get(p.name, p.default), p.unit, p.doc, p.low, p.high, p.choices)
                 for p in PARAMS)


@checks("cvl_low is at most cvl_high and not below a margin-call CVL of terms_mix; top_up_share + repay_share + "
        "late_share is at most 1; size_spread is below 1 for uniform sizes; stale_after_hours needs stale_hours, "
        "spike_after_hours spike_pct, and gap_hours and gap_every_hours each other, gap_hours the shorter; path and "
        "terms_mix are well formed; no facility, nor the book together, needs more than 21,000,000 BTC at the "
        "opening price; book_at only with book_from, which takes no btc_usd when it is a journal and needs book_at "
        "when it is a book file")
def check(params: dict) -> None:
    """Relations between parameters (one-line ScenarioError), and a path spec that builds."""
    if params["cvl_low"] > params["cvl_high"]:
        raise ScenarioError(f"cvl_low={params['cvl_low']} is above cvl_high={params['cvl_high']}")
    shares = params["top_up_share"] + params["repay_share"] + params["late_share"]
    if shares > 1:
        raise ScenarioError(f"top_up_share + repay_share + late_share = {shares:g} exceeds 1")
    if params["size_distribution"] == "uniform" and params["size_spread"] >= 1:
        raise ScenarioError("size_spread must be below 1 for uniform sizes")
    if params["gap_every_hours"] and params["gap_hours"] >= params["gap_every_hours"]:
        raise ScenarioError("gap_hours must be shorter than gap_every_hours")
    for given, needs in (("gap_hours", "gap_every_hours"), ("gap_every_hours", "gap_hours"),
                         ("stale_after_hours", "stale_hours"), ("spike_after_hours", "spike_pct")):
        if params[given] and not params[needs]:  # a fault half-described would silently not happen
            raise ScenarioError(f"{given}={params[given]:g} needs {needs} (0 leaves that fault out)")
    if filed.is_book_file(params["book_from"]):
        filed.positions(params["book_from"], params["book_at"])  # BookRefused naming every bad row
    elif params["book_from"]:
        if params["btc_usd"]:  # `--from` refuses it earlier; `--set book_from=` and the API come here
            raise ScenarioError(f"btc_usd={params['btc_usd']:g} is unused with book_from: the path replays its "
                                "moves from the BTC price the journal holds at book_at (to choose the price, "
                                "import a book CSV: --from BOOK.csv --at DATE --set btc_usd=...)")
        held.check(params["book_from"], params["book_at"])
    elif params["book_at"]:
        raise ScenarioError("book_at needs book_from (the journal whose book stands at it)")
    try:
        mix = parse_terms_mix(params["terms_mix"])
        path = _market(params, seed=0, checking=True)  # built once here (a csv: path reads and parses its file)
        _start(path, params["lead_days"])
    except PathSpecError as refused:
        if refused.fields.get("key") == "start" and not {"value", "known"} & refused.fields.keys():
            # none given (not a bad one, nor a `start=` the kind takes no such key for): btc_usd gives one
            raise ScenarioError(f"market spec {params['path']!r} needs a start price: give start=DOLLARS in it, "
                                "or btc_usd=DOLLARS") from None
        raise ScenarioError(refused.describe()) from None
    except StartOutOfRange as refused:  # a dated path whose data begins where no simulation starts
        raise ScenarioError(f"path={params['path']!r}: {refused}") from None
    except ValueError as refused:  # a malformed terms entry
        raise ScenarioError(f"terms_mix={params['terms_mix']!r}: {refused}") from None
    if not params["book_from"]:
        _every_facility_opens(params["cvl_low"], mix)
        _collateral_exists(params, path.price_at(0))


def _every_facility_opens(cvl_low: float, mix: list[Terms]) -> None:
    """Refuse a `cvl_low` below a margin-call CVL of the mix: the bank activates a facility only once
    its collateral stands at or above its margin-call CVL, so a facility drawn below it would stay
    pending, outside the book, and the book would be silently smaller than `facilities`."""
    terms = max(mix, key=lambda t: t.margin_call_cvl)
    if Decimal(str(cvl_low)) < terms.margin_call_cvl:
        entry = ":".join(str(v) for v in (terms.annual_rate, terms.duration, terms.initial_cvl,
                                          terms.margin_call_cvl, terms.liquidation_cvl))
        raise ScenarioError(f"cvl_low={cvl_low:g} is below the margin-call CVL {terms.margin_call_cvl} % of terms "
                            f"{entry}: a facility drawn below it would never be activated")


def _collateral_exists(params: dict, opening_cents: int) -> None:
    """Refuse a book that needs more than the 21 million BTC there are at the opening price: its
    largest facility (a fixed or uniform size) at `cvl_high`, or its facilities together even at their
    smallest size and `cvl_low` (200 facilities of $10,000 at 1,000 % and $0.01 a BTC held 2 billion
    BTC, each under the limit). These bounds are read off the parameters; a book they do not settle
    (a lognormal size, which has no largest value, or a book whose total lies between them) is drawn
    as it will open (`_drawn_book_fits`)."""
    smallest, largest = _size_bounds(params)
    price = Fraction(opening_cents, 100)
    one = largest * Fraction(str(params["cvl_high"])) / 100 / price
    if one * SATS_PER_BTC > MAX_SATS:
        raise ScenarioError(f"a facility of ${float(largest):,.2f} at cvl_high={params['cvl_high']:g} % needs "
                            f"{float(one):,.0f} BTC of collateral at the opening price ${float(price):,.2f}, more "
                            f"than the 21,000,000 BTC there are")
    every = params["facilities"] * smallest * Fraction(str(params["cvl_low"])) / 100 / price
    if every * SATS_PER_BTC > MAX_SATS:
        raise ScenarioError(f"{params['facilities']:,} facilities of at least ${float(smallest):,.2f} at "
                            f"cvl_low={params['cvl_low']:g} % need at least {float(every):,.0f} BTC of collateral "
                            f"at the opening price ${float(price):,.2f}, more than the 21,000,000 BTC there are")
    most = params["facilities"] * (one * SATS_PER_BTC + 1)  # + 1: each facility's sats are rounded up
    if params["size_distribution"] == "lognormal" or most > MAX_SATS:
        _drawn_book_fits(params, opening_cents)


def _drawn_book_fits(params: dict, opening_cents: int) -> None:
    """Draw the book as `open_book` will and refuse, naming its parameters, one facility above
    what the bank lends or holds (`AmountOutOfRange(field='sats')`, or `'amount'`, as the book opened,
    after the run directory was made) or a total collateral above the 21 million BTC: the rule an
    imported book is held to. The draw is the book's (`book_seed`), so the same parameters always
    pass or always fail. The README documents no clipping of a drawn size, so none is done."""
    price = Fraction(opening_cents, 100)
    drawn = f"book_seed={params['book_seed']}, facility_usd={params['facility_usd']}, " \
            f"size_distribution={params['size_distribution']}, size_spread={params['size_spread']:g}"
    oversized, total = _drawn_extremes(_spec(params), params["book_seed"], opening_cents)
    if oversized is not None:
        i, cents, level, sats = oversized
        needs = f"more than the bank lends (${MAX_CENTS // 100:,})" if cents > MAX_CENTS else \
            f"needing {sats / SATS_PER_BTC:,.0f} BTC at its CVL of {level} % and the opening price " \
            f"${float(price):,.2f}, more than the 21,000,000 BTC there are"
        raise ScenarioError(f"facility {i:,} of the book drawn from {drawn} is ${cents / 100:,.2f}, {needs}; "
                            "lower facility_usd or size_spread, or draw another book_seed")
    if total > MAX_SATS:
        raise ScenarioError(f"the {params['facilities']:,} facilities drawn from {drawn}, at cvl_low="
                            f"{params['cvl_low']:g} .. cvl_high={params['cvl_high']:g} %, need "
                            f"{total / SATS_PER_BTC:,.0f} BTC of collateral together at the opening price "
                            f"${float(price):,.2f}, more than the 21,000,000 BTC there are; lower facilities, "
                            "facility_usd, size_spread or the CVLs")


@functools.lru_cache(maxsize=8)
def _drawn_extremes(spec: BookSpec, book_seed: int, opening_cents: int
                    ) -> tuple[tuple[int, int, Decimal, int] | None, int]:
    """The first facility too large for the bank (number, cents, CVL %, sats), or None, and the sats of
    the facilities before it. Kept for a few books: a sweep checks every point of its grid, and each
    worker its run, against one book (0.8 s for 100,000 lognormal facilities)."""
    total = 0
    for i, (cents, level, sats) in enumerate(drawn_collateral(spec, book_seed, opening_cents), 1):
        if cents > MAX_CENTS or sats > MAX_SATS:
            return (i, cents, level, sats), total
        total += sats
    return None, total


def _size_bounds(params: dict) -> tuple[Fraction, Fraction]:
    """(smallest, largest) facility in USD as `scenarios.book.synthetic` draws them: a uniform size
    spreads around `facility_usd`, a lognormal one only has the $100 floor (its largest: the median)."""
    size, spread = Fraction(str(params["facility_usd"])), Fraction(str(params["size_spread"]))
    if params["size_distribution"] == "uniform":
        return max(size * (1 - spread), Fraction(100)), size * (1 + spread)
    if params["size_distribution"] == "lognormal":
        return Fraction(100), size
    return max(size, Fraction(100)), size


def start(params: dict) -> str:
    """The run's start: `lead_days` before a dated path's first instant; START for an undated path;
    `book_at` for a book file (`book_from`). `StartOutOfRange` when that start lies outside the years
    a simulation starts in (1000 to 8999)."""
    if filed.is_book_file(params["book_from"]):
        return filed.start(params["book_from"], params["book_at"])
    return _start(_market(params, seed=0), params["lead_days"])


def _in_journal(params: dict) -> bool:
    """Whether the book is held in another journal (`book_from` names a journal or run directory,
    not a book file): cut from it, not opened."""
    return bool(params["book_from"]) and not filed.is_book_file(params["book_from"])


def _start(path, lead_days: int) -> str:
    if path.start is None:
        return START
    check_start(path.start)  # a bound far from the ends of datetime's range: subtracting lead_days is safe
    return check_start(path.start - timedelta(days=lead_days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _market(params: dict, seed: int, *, checking: bool = False):
    """The path of `params`. A book held in a journal (`book_from`) brings its own price, which the run
    replays the path from, so `checking` such a spec (`constant:`, a gbm without start=) stands in a
    price for it rather than refuse it for want of one."""
    price = params["btc_usd"] * 100 or (STAND_IN_CENTS if checking and _in_journal(params) else None)
    return path_from_spec(params["path"], seed=seed, price_cents=price)


def _faults(params: dict, every: int) -> dict:
    faults: dict = {"tick_s": every}
    if params["stale_hours"]:
        faults["stale"] = (round(params["stale_after_hours"] * HOUR), params["stale_hours"])
    if params["spike_pct"]:
        faults["spike"] = (round(params["spike_after_hours"] * HOUR), params["spike_pct"])
    if params["gap_every_hours"] and params["gap_hours"]:
        faults["gaps"] = (round(params["gap_every_hours"] * HOUR), round(params["gap_hours"] * HOUR))
    return faults


class _Delayed:
    """A path read `lead` seconds late: the run's second t is the path's second t - lead."""

    def __init__(self, path, lead: int) -> None:
        self.path, self.lead = path, lead

    def price_at(self, t: int):
        return self.path.price_at(t - self.lead)

    def describe(self) -> dict:
        return {**self.path.describe(), "lead_s": self.lead}


def story(sim, **params) -> dict:
    """Tell the story, then return the numeric summary read back from the outbox."""
    tell(sim, **params)
    return analyse_run(sim).summary


def tell(sim, **params) -> None:
    """The story without its outputs (the API and the bench time the two apart). `sim` is a fresh
    simulation (the book is opened in it) or a branch of `build_book(params)` (it holds the book)."""
    book = _book_in(sim, params)
    if sim.progress:  # the book is open: a sweep times a run's setup to here
        sim.progress(0.0, sim.clock.iso)
    if params["book_from"]:
        run_market_from_now(sim, params, book)
    else:
        run_market(sim, params, book, params["price_every_minutes"] * 60, params["lead_days"] * DAY,
                   params["btc_usd"] * 100 or None)


def run_market_from_now(sim, params: dict, book: list[str]) -> None:
    """`run_market` for a book that stands in the journal already (held in another journal, or
    imported into this one): the path replays its relative moves from the BTC price in force now,
    `lead_days` from now."""
    price = sim.price.current()
    if price is None:
        raise ScenarioError("the book's journal holds no BTC price yet; nothing to replay the market from")
    run_market(sim, params, book, params["price_every_minutes"] * 60, sim.elapsed + params["lead_days"] * DAY, price)


def run_market(sim, params: dict, book: list[str], every: int, lead: int, price_cents: int | None) -> None:
    """What every stress run does once its book is in place (a fresh run's, or a branch of another
    journal's): the desk set up, borrowers drawn over `book`, the price path (replayed from
    `price_cents`; None: its own level) followed `lead` seconds late with its faults, one tick
    every `every` seconds, and the days advanced one at a time, each ending with a checkpoint. The
    parameters and the market are kept in the run's metadata."""
    path = path_from_spec(params["path"], seed=sim.seed, price_cents=price_cents)
    sim.journal.set_meta(stress_params=dict(params), market=path.describe())
    desk = _desk(sim, params)
    behaviours = borrowers_are_drawn(
        sim, book, top_up_share=params["top_up_share"], repay_share=params["repay_share"],
        late_share=params["late_share"], top_up_probability=params["top_up_probability"],
        cure_window_hours=params["cure_window_hours"], late_days=params["late_days"])
    borrowers = Borrowers(sim, behaviours)
    desk.take_over()  # the liquidations a branch inherits open
    borrowers.take_over()  # and the margin calls and obligations its borrowers had not yet answered
    sim.journal.set_meta(stress_run={"book": book, "behaviours": behaviours_as_data(book, behaviours),
                                     "every": every, "lead": lead, "price_cents": price_cents})
    sim.price.follow(_followed(path, params, every, lead), every_seconds=every)
    _days(sim, params, 1, desk, borrowers)


def continue_market(sim, params: dict, *, summarise: bool = True) -> dict:
    """A stopped stress run continued from the checkpoint `sim` was reopened at (see
    `scenarios.library.resume`): desk, borrowers, pending jobs and price feed restored, the days
    after it advanced; returns the summary `story` returns (with `summarise=False`, nothing: the
    caller's `report` computes it)."""
    meta = sim.journal.meta()
    run, checkpoint = meta["stress_run"], meta["checkpoint"]
    desk = _desk(sim, params)
    borrowers = Borrowers(sim, behaviours_from_data(run["book"], run["behaviours"]))
    path = _followed(path_from_spec(params["path"], seed=sim.seed, price_cents=run["price_cents"]), params,
                     run["every"], run["lead"])
    restore(sim, desk, borrowers, checkpoint,
            follow=lambda t: sim.price.follow(path, every_seconds=run["every"], first=t))
    for facility in run["book"]:  # their states are read at every price tick: load each once, as the run had them
        sim.registry.ref("credit-facility", facility)
        sim.registry.ref("collateral", sim.state("credit-facility", facility).collateral_id)
    _days(sim, params, checkpoint["day"] + 1, desk, borrowers)
    return analyse_run(sim).summary if summarise else {}


def _desk(sim, params: dict) -> LiquidationDesk:
    return LiquidationDesk(sim, params["desk_delay_hours"], params["desk_capacity_per_hour"],
                           params["slippage_bps_per_btc"], params["base_slippage_bps"], MAX_SLIPPAGE_BPS)


def _followed(path: PricePath, params: dict, every: int, lead: int) -> _Delayed:
    """The path as the feed reads it: with the run's faults, `lead` seconds late."""
    return _Delayed(with_faults(path, **_faults(params, every)), lead)


def _days(sim, params: dict, first: int, desk: LiquidationDesk, borrowers: Borrowers) -> None:
    total = params["lead_days"] + params["days"]
    day_ends = DayEnds(sim, desk, borrowers) if sim.journal.path != ":memory:" else None  # nothing to resume
    for day in range(first, total + 1):
        if day_ends is not None:
            day_ends.expect(day, sim.elapsed + DAY)
        sim.advance(days=1)  # its last commit holds the day's checkpoint
        if sim.progress:
            sim.progress(day / total, sim.clock.iso)


def book_key(params: dict) -> str:
    """What identifies the book of `params`: a hash of `BOOK_PARAMS` and the instant and price it
    opens at (runs of equal keys branch from one book)."""
    if _in_journal(params):
        return held.key(params["book_from"], params["book_at"])
    if params["book_from"]:
        return filed.key(params["book_from"], params["book_at"], _opening_price(params), params["book_seed"])
    book = {name: str(params[name]) for name in BOOK_PARAMS}
    text = json.dumps({**book, "start": start(params), "price_cents": _opening_price(params)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_book(params: dict) -> bytes:
    """The book of `params` opened in a simulation of its own, as the journal bytes every run of the
    book branches from (`scenarios.book.shared.branch`)."""
    if _in_journal(params):
        return held.build(params["book_from"], params["book_at"])
    with Simulation(seed=params["book_seed"], start=start(params)) as sim:
        open_book(sim, params)
        return snapshot(sim)


def write_book(params: dict, path: Path) -> None:
    """`build_book(params)` as a new journal file at `path`, written there as it is opened (a book
    held in another journal is cut straight into it: `scenarios.book.held.write`), without its bytes
    or an in-memory copy: a 20,000-facility book file's sweep peaked at 1.97 GB in the worker that
    opened it in memory."""
    if _in_journal(params):
        held.write(params["book_from"], params["book_at"], path)
        return
    with Simulation(seed=params["book_seed"], start=start(params), journal=str(path)) as sim:
        open_book(sim, params)
    held.rollback_mode(path)


def open_held_book(params: dict, seed: int, journal: str) -> Simulation:
    """The run of `seed` on the book held in `book_from` at `book_at`, in `journal` (see
    `scenarios.book.held.open_branch`): what `Scenario.execute` opens when it is given no book. A book
    file is imported into a fresh simulation standing at `book_at` instead (`open_book`)."""
    if not _in_journal(params):
        return Simulation(seed=seed, start=start(params), journal=journal)
    return held.open_branch(params["book_from"], params["book_at"], seed, journal)


def open_book(sim, params: dict) -> list[str]:
    """Open the book in `sim` as the run of `book_seed` would (BTC at the path's first price, then
    the facilities), then continue as the run of `sim.seed`; returns the facilities in book order
    (also kept in the journal's metadata, where a branch finds them)."""
    if params["book_from"]:  # a book file (one held in a journal is cut, not opened)
        return filed.opened(sim, params["book_from"], params["book_at"], _opening_price(params), params["book_seed"])
    run_seed = sim.ids.seed
    sim.ids.reseed(params["book_seed"])
    sim.price.set(_opening_price(params))
    facilities = a_book_is_opened(sim, _spec(params))
    sim.journal.set_meta(book={"key": book_key(params), "facilities": facilities})
    sim.ids.reseed(run_seed)
    return facilities


def _spec(params: dict) -> BookSpec:
    """The drawn book's shape, as `open_book` opens it and `_drawn_book_fits` checks it."""
    return BookSpec(params["facilities"], params["facility_usd"] * 100, params["cvl_low"], params["cvl_high"],
                    tuple(parse_terms_mix(params["terms_mix"])), params["size_distribution"], params["size_spread"],
                    params["aged_share"])


def _opening_price(params: dict) -> int:
    """The path's first price: the same for every seed (random paths draw their first move after t=0)."""
    return _market(params, seed=0).price_at(0)


def _book_in(sim, params: dict) -> list[str]:
    """The facilities of the book `sim` branched from, or of the book opened in it now."""
    found = sim.journal.meta().get("book")
    if found is None and _in_journal(params):
        raise ScenarioError("a book held in a journal is branched, not opened: run it with the book "
                            "`build_book(params)` gives (`Scenario.execute` does)")
    if found is None:
        return open_book(sim, params)
    if found["key"] != book_key(params):
        raise ScenarioError(f"the journal holds book {found['key']}, not the book of these parameters "
                            f"({book_key(params)})")
    return list(found["facilities"])


def report(run_dir: Path, *, digest: str | None = None, whole: bool = False) -> dict:
    """Write the run directory's outputs from `run_dir/journal.sqlite` alone; return the summary.
    `digest`: the journal's digest as the run that just wrote it computed it (else computed here);
    `whole`: the plots over the whole run (`lanasim report --whole-run`)."""
    return write_outputs(Path(run_dir), digest=digest, whole=whole)

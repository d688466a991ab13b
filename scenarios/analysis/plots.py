"""The stress report's pictures, one figure per question, axes with units. Headless without touching
pyplot: each is a bare `Figure` (drawn by Agg when saved), so importing this module or running a report
in a notebook leaves the kernel's backend, and its inline plots, as they were."""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from scenarios.analysis.metrics import Analysis

Instant = str | date | datetime  # what `parse_instant` reads: ISO-8601 text, a date, a datetime

__all__ = ["FIGURES", "ReportFigure", "count_ticks", "draw_all", "figures"]


DPI = 90  # the report's PNGs' resolution, and a notebook's picture of the same figure


class ReportFigure(Figure):
    """A report figure that shows itself as a picture when a notebook displays it. A bare Figure
    has a picture in Jupyter only once pyplot's inline backend is loaded, which this module never
    does: `result.plot()["price"]`, or `display()` of it, printed `<Figure size 900x400 with 1 Axes>`
    in a notebook that had not imported pyplot."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        return buffer.getvalue()


def _price(a: Analysis, params: dict) -> Figure:
    """The price with a marker per margin call and per liquidation, each named in the legend with
    how many the run had: facilities called at the same price update share one mark (march-2020's
    32 calls fell on 17 marks, and a reader counting them undercounted)."""
    fig = ReportFigure(figsize=(9, 4))
    ax = fig.subplots()
    ts = a.timeseries
    ax.plot(ts["time"], ts["price_cents"] / 100, color="black", lw=1, label="BTC price")
    for kind, name, marker, colour in (("margin-call", "margin calls", "v", "tab:orange"),
                                       ("liquidation", "liquidations", "x", "tab:red")):
        m = a.markers[a.markers["kind"] == kind].dropna(subset=["price_cents"])
        if m.empty:  # no empty legend entry for what never happened
            continue
        ax.scatter(m["time"], m["price_cents"] / 100, marker=marker, color=colour, s=18,
                   label=f"{name} ({len(m):,} in the run)", zorder=3)
    ax.set(title="BTC price with margin calls and liquidations", ylabel="USD per BTC", xlabel="time (UTC)")
    ax.yaxis.set_major_formatter(_thousands())
    ax.legend(loc="best")
    return fig


def _states(a: Analysis, params: dict) -> Figure:
    fig = ReportFigure(figsize=(9, 4))
    ax = fig.subplots()
    ts = a.timeseries
    columns = ["fully_collateralized", "under_margin_call", "under_liquidation"]
    calls, liquidations = _thresholds(params)
    labels = ["fully collateralized", f"under margin-call CVL{_pcts(calls)}",
              f"under liquidation CVL{_pcts(liquidations)}"]
    ax.stackplot(ts["time"], *(ts[c] for c in columns), labels=labels,
                 colors=["tab:green", "tab:orange", "tab:red"], alpha=0.8)
    ax.set(title="Facilities by collateralization state", ylabel="facilities", xlabel="time (UTC)")
    ax.yaxis.set_major_locator(count_ticks())  # a book of 20 was ticked 2.5, 7.5 ... 17.5 facilities
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)  # beside the stack, not on it
    return fig


def _cvl(a: Analysis, params: dict) -> Figure:
    fig = ReportFigure(figsize=(9, 4))
    ax = fig.subplots()
    ts = a.timeseries
    ax.fill_between(ts["time"], ts["cvl_p05"], ts["cvl_p95"], color="tab:blue", alpha=0.25, label="5th-95th percentile")
    ax.plot(ts["time"], ts["cvl_p50"], color="tab:blue", label="median")
    ax.plot(ts["time"], ts["cvl_min"], color="tab:red", lw=0.8, label="lowest")
    drawn = _thresholds(params)
    for values, name, style in zip(drawn, ("margin-call CVL", "liquidation CVL"), ("--", ":")):
        for i, value in enumerate(values):  # one legend entry per threshold, however many terms share it
            ax.axhline(float(value), color="dimgrey", lw=0.8, ls=style, label=None if i else f"{name}{_pcts(values)}")
    ax.set(title="CVL across the book", ylabel="CVL (%)", xlabel="time (UTC)")
    _cap_cvl(ax, ts, [float(v) for values in drawn for v in values])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)  # inside, it hid the lowest CVL
    return fig


def _cap_cvl(ax, ts: pd.DataFrame, thresholds: list[float]) -> None:
    """Cut the CVL axis above 1.2x the 90th percentile of the 95th-percentile CVL over the run, with a
    note, when a short spike goes past it: bear-2018's book, nearly repaid in its last weeks, reached
    7,600 % and flattened a year of CVLs, the crashes and the thresholds with them, into one line."""
    band = ts["cvl_p95"].dropna()
    if band.empty:
        return
    top = math.ceil(1.2 * float(band.quantile(0.9)) / 50) * 50
    highest = float(ts[["cvl_p95", "cvl_p50", "cvl_min"]].max().max())
    if highest <= top:
        return
    low = min([float(ts[["cvl_p05", "cvl_min"]].min().min()), *thresholds])
    ax.set_ylim(low - 0.05 * (top - low), top)  # matplotlib's 5 % margin below, as before the cut
    ax.text(0.99, 0.97, f"CVL above {top:,} % not drawn (highest {highest:,.0f} %)", transform=ax.transAxes,
            ha="right", va="top", color="dimgrey", fontsize="small", bbox={"facecolor": "white", "lw": 0})


def _desk_limit(times: pd.Series, first_sale: pd.Timestamp, capacity: float) -> pd.Series:
    """The most sales the desk can have made by each time: `capacity` in every clock hour from the
    hour of the first sale on, that hour's included (a line from 0 at the first start said none could
    be sold in it); none before."""
    hours = (times.dt.floor("h") - first_sale.floor("h")) / pd.Timedelta(hours=1)
    return ((hours + 1) * capacity).where(times >= first_sale)


def _liquidations(a: Analysis, params: dict) -> Figure:
    """Two panels on one time axis: the counts (liquidations executed, the desk's queue and capacity)
    above, the cumulative proceeds in USD below. The proceeds were a second y axis on the counts'
    panel, whose green line a reader could read against the counts' ticks (800,000 beside 160)."""
    fig = ReportFigure(figsize=(9, 5.5))
    ax, money = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    ts = a.timeseries
    ax.plot(ts["time"], ts["liquidations_executed_cum"], color="tab:red", label="liquidations executed")
    ax.plot(ts["time"], ts["desk_queue"], color="tab:orange", lw=0.8, label="desk queue")
    capacity = params.get("desk_capacity_per_hour")
    # a "liquidation" marker is a sale (collateral sent out), the desk's delay behind the start: a
    # delay added to it started the line that much after the first sale, sales in frame before it
    sold = a.markers[a.markers["kind"] == "liquidation"]["time"]
    if capacity and len(sold):
        limit = _desk_limit(ts["time"], sold.min(), float(capacity))
        ax.step(ts["time"], limit, where="post", ls="--", color="grey",
                label=f"desk capacity ({capacity}/h) since the first sale")
        # the capacity leaves through the top of the frame: clipped, it drew a plateau, a limit it never has
        # and its first hour in frame: above 1.5x a few sales, the legend named a line nowhere drawn
        top = max(max(1, ts["liquidations_executed_cum"].max()) * 1.5, float(capacity) * 1.1)
        ax.set_ylim(-0.05 * top, 1.05 * top)  # matplotlib's own 5% margins
    ax.set(title="Cumulative liquidations against desk capacity, and their proceeds",
           ylabel="liquidations (count)")
    ax.yaxis.set_major_locator(count_ticks())  # one sale was ticked 0.2, 0.4 ... 1.4 liquidations
    money.plot(ts["time"], ts["proceeds_cents_cum"] / 100, color="tab:green", label="proceeds received, cumulative")
    money.set(ylabel="proceeds (USD)", xlabel="time (UTC)")
    money.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
    if not ts["liquidations_executed_cum"].any() and not ts["desk_queue"].any():
        _nothing(ax, "no liquidation in this run")
        _nothing(money, "no proceeds in this run")
    ax.legend(loc="upper left")
    money.legend(loc="upper left")
    return fig


def _shortfall(a: Analysis, params: dict) -> Figure:
    fig = ReportFigure(figsize=(9, 4))
    ax = fig.subplots()
    ts = a.timeseries
    ax.plot(ts["time"], ts["shortfall_cents"] / 100, color="tab:red", label="shortfall")
    if "reserves_cents" in ts:  # NCB-022 loan-loss reserves on the same book
        ax.plot(ts["time"], ts["reserves_cents"] / 100, color="tab:purple", label="reserves (NCB-022)")
        ax.legend(loc="upper left")
    ax.set(title="Shortfall: outstanding not covered by collateral at the oracle price", ylabel="USD",
           xlabel="time (UTC)")
    ax.yaxis.set_major_formatter(_thousands())
    if not ts["shortfall_cents"].any() and not ts.get("reserves_cents", ts["shortfall_cents"]).any():
        _nothing(ax, "no shortfall in this run: collateral covered every facility at every price")
    return fig


def _thresholds(params: dict) -> tuple[list[Decimal], list[Decimal]]:
    """The margin-call and liquidation CVLs (%) of the book's terms, each distinct value once in
    ascending order: what the collateralization states are counted against. None for a book from a
    journal (`book_from`: its own terms, not `terms_mix`) or without a `terms_mix` to read."""
    from scenarios.book.synthetic import parse_terms_mix  # the library imports this package

    if params.get("book_from") or not params.get("terms_mix"):
        return [], []
    try:
        mix = parse_terms_mix(str(params["terms_mix"]))
    except ValueError:
        return [], []
    return sorted({t.margin_call_cvl for t in mix}), sorted({t.liquidation_cvl for t in mix})


def _pcts(values: list[Decimal]) -> str:
    """" (125 %)" or " (125 %, 130 %)" for a label; nothing when the thresholds are not known."""
    return f" ({', '.join(f'{v.normalize():f} %' for v in values)})" if values else ""


def count_ticks() -> MaxNLocator:
    """Ticks for a count (facilities, liquidations): whole numbers in steps of 1, 2, 5 or 10 times a
    power of ten (0, 5, 10 ... rather than 0, 3, 6 ... 27)."""
    return MaxNLocator(integer=True, steps=[1, 2, 5, 10])


def _thousands() -> StrMethodFormatter:
    """USD ticks with thousands separators (one formatter per axis: an axis owns its formatter)."""
    return StrMethodFormatter("{x:,.0f}")


def _nothing(ax, note: str) -> None:
    """An all-zero panel drawn from 0 up, with `note` in its middle, rather than a frame around a
    line at 0 between -0.04 and 0.04 (negative liquidations, fractions of a cent)."""
    ax.set_ylim(0, 1)
    ax.set_yticks([0])
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", color="dimgrey")


FIGURES = {"price": _price, "states": _states, "cvl": _cvl, "liquidations": _liquidations, "shortfall": _shortfall}


def figures(a: Analysis, params: dict, *, since: Instant | None = None,
            until: Instant | None = None, whole: bool = False) -> dict[str, Figure]:
    """Every figure of the report, by name (the caller closes them). `since` and `until` (instants,
    UTC unless they say otherwise) narrow the time axis to a window of the run, such as the day of a
    crash. Without them, a run whose first stretch is quiet (over a quarter of it: see `_quiet_lead`)
    is shown from shortly before its first move, its x label saying what was left out: march-2020's
    16 quiet days before the crash left the crash, every call and every sale, a sliver at the right
    of each figure. `whole=True` shows the whole run instead. The lines are drawn from the whole run
    (cumulative counts and the desk's capacity from its first sale stay what they are); only the view
    is narrowed."""
    if since is not None or until is not None:
        window, note = _window(a.timeseries["time"], since, until), None
    else:
        window, note = (None, None) if whole else _quiet_lead(a)
    drawn = {name: draw(a, params) for name, draw in FIGURES.items()}
    for fig in drawn.values():
        if window is not None:
            fig.axes[0].set_xlim(*window)  # the panels below share this axis
        if note is not None:
            bottom = [ax for ax in fig.axes if ax.get_xlabel()][-1]
            bottom.set_xlabel(f"{bottom.get_xlabel()}\n{note}")  # below the date axis's offset text
        locator = _dates(fig.axes[0])
        fig.axes[0].xaxis.set_major_locator(locator)
        fig.axes[0].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        fig.tight_layout()
    return drawn


def _window(times: pd.Series, since: Instant | None, until: Instant | None) -> tuple | None:
    """The time axis's limits for `figures(since=, until=)`, each end defaulting to the run's own;
    None for neither. Each end is read as every instant argument is (`parse_instant`: a datetime, a
    date or ISO-8601 text, UTC unless it says otherwise); one that is no instant is `InvalidInstant`,
    a window that ends before it starts `InvalidArgument` (an empty axis is no picture)."""
    from engine.kernel.errors import InvalidArgument
    from engine.kernel.instant import parse_instant

    if since is None and until is None:
        return None
    ends = [default.to_pydatetime() if value is None else parse_instant(value)
            for value, default in ((since, times.min()), (until, times.max()))]
    if ends[0] >= ends[1]:
        raise InvalidArgument(argument="since", value=ends[0].isoformat(),
                              problem=f"not before until={ends[1].isoformat()}")
    return ends[0], ends[1]


_QUIET_SHARE = 0.25  # a quiet first stretch longer than this share of the run is left out of the view
_WATCHED = ("price_cents", "facilities_active", "fully_collateralized", "under_margin_call", "under_liquidation",
            "shortfall_cents", "liquidations_in_flight", "desk_queue", "liquidations_executed_cum")


def _quiet_lead(a: Analysis) -> tuple[tuple | None, str | None]:
    """(window, note) of the default view: from shortly before the run's first move (a price change,
    a change in the facilities' states, the shortfall or the desk, a margin call or a sale) to its
    end, when the run was quiet for over `_QUIET_SHARE` of it before that; else (None, None). The
    pad before the move is a ninth of what is shown, at least an hour, so the move starts a tenth
    in. The CVLs' slow drift as interest accrues at a flat price is not a move: it is all the
    figures leave out, and the note says how long the stretch left out is and what it was."""
    ts = a.timeseries
    if len(ts) < 2:
        return None, None
    watched = ts[[c for c in _WATCHED if c in ts]]
    moved = ts["time"][(watched != watched.iloc[0]).any(axis=1)]
    firsts = [moved.min(), a.markers["time"].min() if len(a.markers) else pd.NaT]
    first, start, end = min((t for t in firsts if pd.notna(t)), default=pd.NaT), ts["time"].min(), ts["time"].max()
    if pd.isna(first) or first - start <= _QUIET_SHARE * (end - start):
        return None, None
    since = max(start, first - max((end - first) / 9, pd.Timedelta(hours=1)))
    quiet = f"{(since - start) / pd.Timedelta(days=1):,.1f}".removesuffix(".0")  # what is not shown
    cents = int(ts["price_cents"].iloc[0])
    price = f"${cents // 100:,}" + (f".{cents % 100:02d}" if cents % 100 else "")
    note = f"the first {quiet} days, quiet (BTC at {price}, no call, sale or change of state), not shown"
    return (since.to_pydatetime(), end.to_pydatetime()), note


def _dates(ax) -> mdates.DateLocator:
    """Ticks for the time axis. Over 10 to 120 days, on fixed days of each month: matplotlib's own
    ticks every few days restart at each month's first, so the 29th and the month's name a day later
    print over each other (Feb 29 and Mar 1 read "29Mar")."""
    low, high = ax.get_xlim()
    days = high - low  # matplotlib dates are days
    if 10 <= days < 40:
        return mdates.DayLocator(bymonthday=(1, 5, 9, 13, 17, 21, 25))
    if 40 <= days < 120:
        return mdates.DayLocator(bymonthday=(1, 8, 15, 22))
    return mdates.AutoDateLocator()


def draw_all(a: Analysis, params: dict, directory: Path, *, whole: bool = False) -> list[Path]:
    """Each figure written as `directory/NAME.png` (over the whole run with `whole`, as `figures`
    takes it); returns the paths in report order."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figures(a, params, whole=whole).items():
        fig.savefig(directory / f"{name}.png", dpi=DPI)
        written.append(directory / f"{name}.png")
    return written

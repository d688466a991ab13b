"""Story: Black Thursday hits a book of bitcoin-backed loans (PEERS.md §7.2).

In late February 2020 the bank opens a book of `facilities` one-year $10,000 loans on Lana's standard
terms (margin call under a CVL of 125 %, liquidation under 105 %, partial liquidation back to 140 %),
each collateralized at a CVL drawn between 130 % and 300 % while BTC trades at $7,900. Borrowers are
of four kinds, drawn from one seeded stream: almost half post more bitcoin within a 72-hour cure window
when called (some never get round to it), some repay half the loan in cash a day after the call,
some pay their interest a week late, and some never pay anything. February's interest falls due on
1 March. On 12 March bitcoin halves in 30 hours and starts its seven-week recovery. Every
facility that falls under its liquidation CVL starts a partial liquidation; the bank's desk sells
the estimated collateral two hours later, five liquidations an hour, first come first served, into
a thin market whose slippage grows with the size sold. The story ends `days` after the crash began.

Covers: price feed (crash path), collateralization sweep, margin calls and cures, partial
liquidation through the desk, payments, the ledger in USD and BTC, and the risk metrics of
PEERS.md §7.5: margin calls, cures, liquidations, BTC sold, proceeds, slippage, shortfall at the
trough and at the end (horizon: `days` days, one run), minimum CVL, time under margin call.
"""

from __future__ import annotations

from datetime import datetime, timezone

from scenarios.behaviour.agents import Borrowers, LiquidationDesk
from scenarios.market.paths import black_thursday_2020
from scenarios.book.synthetic import RiskWatch, a_book_is_opened, borrowers_are_drawn, btc, shortfall, usd

START = "2020-02-25"
BLACK_THURSDAY = datetime(2020, 3, 12, tzinfo=timezone.utc)
PARAMS = {
    "facilities": 200, "facility_usd": 10_000, "btc_usd": 7_900, "cvl_low": 130, "cvl_high": 300, "days": 14,
    "top_up_share": 0.45, "top_up_probability": 0.8, "cure_window_hours": 72, "repay_share": 0.15,
    "late_share": 0.15, "late_days": 7, "desk_delay_hours": 2, "desk_capacity_per_hour": 5,
    "base_slippage_bps": 100, "slippage_bps_per_btc": 50,
}


def story(sim, *, facilities, facility_usd, btc_usd, cvl_low, cvl_high, days, top_up_share, top_up_probability,
          cure_window_hours, repay_share, late_share, late_days, desk_delay_hours, desk_capacity_per_hour,
          base_slippage_bps, slippage_bps_per_btc):
    crash_at = int((BLACK_THURSDAY - sim.now).total_seconds())
    crash = black_thursday_2020(btc_usd * 100, crash_at)  # refuses a price that is not positive
    desk = LiquidationDesk(sim, desk_delay_hours, desk_capacity_per_hour, slippage_bps_per_btc, base_slippage_bps)
    sim.price.set(btc_usd * 100)
    book = a_book_is_opened(sim, facilities, facility_usd * 100, cvl_low, cvl_high)
    borrowers = Borrowers(sim, borrowers_are_drawn(
        sim, book, top_up_share=top_up_share, repay_share=repay_share, late_share=late_share,
        top_up_probability=top_up_probability, cure_window_hours=cure_window_hours, late_days=late_days))
    sim.price.follow(crash, every_seconds=3600)  # flat until Black Thursday, then -50 % in 30 hours
    watch = RiskWatch(sim, book, borrowers, trough_at=crash_at + 30 * 3600)
    total = crash_at // 86_400 + days
    for day in range(1, total + 1):
        sim.advance(days=1)
        if sim.progress:
            sim.progress(day / total, sim.clock.iso)
    return summary(sim, book, desk, borrowers, watch, days)


def summary(sim, book, desk, borrowers, watch, days):
    calls, sold = borrowers.margin_calls(), desk.executions
    by_borrower = [c for c in calls if c.ended is not None and (c.topped_up_sats or c.repaid_cents)]
    by_desk = [c for c in calls if c.ended is not None and c not in by_borrower and any(
        e.facility_id == c.facility_id and c.started <= e.executed <= c.ended for e in sold)]
    by_price = [c for c in calls if c.ended is not None and c not in by_borrower and c not in by_desk]
    hours = [borrowers.time_under_margin_call(f) / 3600 for f in dict.fromkeys(c.facility_id for c in calls)]
    prices = [e["payload"]["price"] for e in sim.outbox.tail(types=["core.price.price-updated"])]
    started = sim.outbox.tail(types=["core.credit.partial-liquidation-initiated"])
    return {
        "horizon": f"{days} days from {BLACK_THURSDAY:%Y-%m-%d}, one seeded run",
        "facilities": len(book),
        "btc/usd start / trough / end": " / ".join(usd(p) for p in (prices[0], min(prices), prices[-1])),
        "margin calls (facilities)": f"{len(calls)} ({len(hours)})",
        "cured by the borrower (top-up / cash)": f"{len(by_borrower)} ({sum(c.topped_up_sats > 0 for c in by_borrower)}"
                                                 f" / {sum(c.repaid_cents > 0 for c in by_borrower)})",
        "ended by a liquidation / by the price": f"{len(by_desk)} / {len(by_price)}",
        "still under margin call": sum(c.ended is None for c in calls),
        "liquidations started / executed": f"{len(started)} / {len(sold)}",
        "btc sold": btc(sum(e.sats_sold for e in sold)),
        "usd proceeds": usd(sum(e.proceeds_cents for e in sold)),
        "slippage cost": usd(sum(e.slippage_cents for e in sold)),
        "mean wait to execution (h)": f"{sum(e.executed - e.started for e in sold) / max(1, len(sold)) / 3600:.1f}",
        "shortfall at the trough / end": f"{usd(watch.trough_shortfall)} / {usd(shortfall(sim, book))}",
        "minimum cvl": f"{watch.lowest} %",
        "time under margin call max / mean (h)": f"{max(hours, default=0):.1f} / {sum(hours) / max(1, len(hours)):.1f}",
        "ledger balanced": sim.ledger.is_balanced(),
    }

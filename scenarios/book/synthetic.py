"""Verb phrases of portfolio stress stories: a seeded book of facilities with a spread of CVLs, a
mix of borrower behaviours, and the risk metrics of PEERS.md §7.5 read from the books (shortfall,
CVL, time under margin call, liquidations). Amounts are USD cents, collateral in sats.
"""

from __future__ import annotations

from decimal import Decimal

from domains.credit.math import cvl
from domains.credit.terms import std_terms
from domains.money import SATS_PER_BTC, cents_to_sats_up, sats_to_cents_down
from engine.kernel.clock import Priority
from scenarios.behaviour.agents import NeverPay, PayLate, RepayEarly, TopUp

__all__ = ["RiskWatch", "a_book_is_opened", "borrowers_are_drawn", "btc", "shortfall", "usd"]

HOUR = 3600


def a_book_is_opened(sim, n: int, facility_cents: int, cvl_low: int, cvl_high: int) -> list[str]:
    """N one-year facilities on Lana's standard terms, each collateralized at a CVL drawn uniformly
    from [cvl_low, cvl_high] % at the current price (seeded stream `portfolio`)."""
    terms, rng, price, book = std_terms(duration=12), sim.random("portfolio"), sim.price.current(), []
    for i in range(n):
        customer = sim.customer.create_customer(f"borrower{i}@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_00)  # pays the structuring fee
        facility = sim.credit.create_proposal(customer, facility_cents, terms)
        sim.credit.conclude_customer_approval(facility)
        level = Decimal(rng.uniform(cvl_low, cvl_high)).quantize(Decimal("0.01"))
        sim.credit.update_collateral(facility, cents_to_sats_up(facility_cents * level / 100, price))
        book.append(facility)
    return book


def borrowers_are_drawn(sim, book: list[str], *, top_up_share: float, repay_share: float, late_share: float,
                        top_up_probability: float, cure_window_hours: int, late_days: int) -> dict:
    """One behaviour per facility, in book order, from the `borrowers` stream; the rest never pay."""
    rng, behaviours = sim.random("borrowers"), {}
    for facility in book:
        roll = rng.random()
        if roll < top_up_share:
            behaviours[facility] = TopUp(top_up_probability, cure_window_hours)
        elif roll < top_up_share + repay_share:
            behaviours[facility] = RepayEarly(0.5)
        elif roll < top_up_share + repay_share + late_share:
            behaviours[facility] = PayLate(late_days)
        else:
            behaviours[facility] = NeverPay()
    return behaviours


def shortfall(sim, book: list[str]) -> int:
    """Outstanding not covered by the collateral's value at the current price, summed over the book."""
    price, short = sim.price.current(), 0
    for facility in book:
        view = sim.credit.facility(facility)
        short += max(0, view.books.outstanding - sats_to_cents_down(view.collateral_sats, price))
    return short


class RiskWatch:
    """Every hour after the desk's work: the lowest CVL of any facility under a margin call; at the
    moment given (the trough): the shortfall and the lowest CVL of the whole book."""

    def __init__(self, sim, book: list[str], borrowers, trough_at: int) -> None:
        self.sim, self.book, self.borrowers = sim, book, borrowers
        self.lowest: Decimal | None = None
        self.trough_shortfall = 0
        sim.jobs.every(HOUR, self._sample_called, Priority.SCENARIO)
        sim.jobs.at(trough_at, self._at_trough, Priority.SCENARIO)

    def _sample_called(self) -> None:
        self._lowest_of([f for f, calls in self.borrowers.calls.items() if calls[-1].ended is None])

    def _at_trough(self) -> None:
        self.trough_shortfall = shortfall(self.sim, self.book)
        self._lowest_of(self.book)

    def _lowest_of(self, facilities: list[str]) -> None:
        price = self.sim.price.current()
        for facility in facilities:
            ratio = self.sim.state("credit-facility", facility).ratio  # sats per cent: CVL ≈ ratio × price / 10^6
            if ratio is None or self.lowest is not None and ratio * price / 1_000_000 - 2 >= self.lowest:
                continue  # nothing owed, or clearly above the lowest (CVL truncation costs < 1 point)
            view = self.sim.credit.facility(facility)
            level = cvl(view.collateral_sats, view.books.outstanding, price)
            if level is not None and (self.lowest is None or level < self.lowest):
                self.lowest = level


def usd(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def btc(sats: int) -> str:
    return f"{sats / SATS_PER_BTC:,.8f} BTC"

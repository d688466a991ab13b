"""Verb phrases of portfolio stress stories: a seeded book of facilities with a spread of sizes, CVLs,
terms and ages, and a mix of borrower behaviours. Amounts are USD cents, collateral in sats."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

from attrs import frozen

from domains.credit.errors import CreditError
from domains.credit.terms import std_terms
from domains.money import cents_to_sats_up
from engine.kernel.ids import Ids
from scenarios.behaviour.agents import Behaviour, NeverPay, PayLate, RepayEarly, TopUp

__all__ = ["BookSpec", "Terms", "a_book_is_opened", "borrowers_are_drawn", "drawn_collateral", "parse_terms_mix"]


@frozen
class Terms:
    """One entry of a terms mix: rate %, duration in months and the three CVL thresholds %."""

    annual_rate: Decimal
    duration: int
    initial_cvl: Decimal
    margin_call_cvl: Decimal
    liquidation_cvl: Decimal


def parse_terms_mix(text: str) -> list[Terms]:
    """`RATE:MONTHS:INITIAL:MARGIN_CALL:LIQUIDATION[,...]`, e.g. `12:12:140:125:105,9:6:150:130:110`.
    Raises ValueError naming the bad entry."""
    mix = []
    for entry in text.split(","):
        parts = entry.strip().split(":")
        if len(parts) != 5:
            raise ValueError(f"terms entry {entry!r} is not RATE:MONTHS:INITIAL:MARGIN_CALL:LIQUIDATION")
        rate, months, initial, call, liquidation = parts
        try:
            terms = Terms(Decimal(rate), int(months), Decimal(initial), Decimal(call), Decimal(liquidation))
            std_terms(**_lana(terms))  # Lana's own validation: initial > margin call > liquidation, months >= 1
        except (ArithmeticError, ValueError):
            raise ValueError(f"terms entry {entry!r} has a part that is not a number") from None
        except CreditError as refused:
            raise ValueError(f"terms entry {entry!r}: {refused}") from None
        mix.append(terms)
    return mix


def _lana(terms: Terms, months: int | None = None) -> dict:
    return {"annual_rate": terms.annual_rate, "duration": months or terms.duration, "initial_cvl": terms.initial_cvl,
            "margin_call_cvl": terms.margin_call_cvl, "liquidation_cvl": terms.liquidation_cvl}


@frozen
class BookSpec:
    """What the book looks like: `size` is `fixed`, `uniform` (mean x [1-spread, 1+spread]) or
    `lognormal` (median `facility_cents`, sigma `spread`); an aged facility (share `aged_share`) is
    modelled by its remaining term, 1 to duration-1 months."""

    facilities: int
    facility_cents: int
    cvl_low: float
    cvl_high: float
    terms_mix: tuple[Terms, ...]
    size: str = "fixed"
    spread: float = 0.0
    aged_share: float = 0.0


def a_book_is_opened(sim, spec: BookSpec) -> list[str]:
    """The book's facilities, each collateralized at a CVL drawn uniformly from [cvl_low, cvl_high] %
    at the current price (seeded stream `portfolio`; a single-terms, fixed-size, unaged book draws
    exactly one number per facility). `drawn_collateral` makes the same draws in the same order."""
    rng, price, book = sim.random("portfolio"), sim.price.current(), []
    for i in range(spec.facilities):
        customer = sim.customer.create_customer(f"borrower{i}@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 10_00)  # pays the structuring fee
        terms = _terms(rng, spec)
        cents, months = _size(rng, spec), _months(rng, spec, terms.duration)
        facility = sim.credit.create_proposal(customer, cents, std_terms(**_lana(terms, months)))
        sim.credit.conclude_customer_approval(facility)
        level = _level(rng, spec)
        sim.credit.update_collateral(facility, cents_to_sats_up(cents * level / 100, price))
        book.append(facility)
    return book


def drawn_collateral(spec: BookSpec, book_seed: int, price: int) -> Iterator[tuple[int, Decimal, int]]:
    """(cents, CVL %, sats) of each facility `a_book_is_opened` opens for `book_seed` at `price`
    cents a BTC, drawn without a simulation: the `portfolio` stream of `book_seed` (what
    `stress.open_book` reseeds to) read in the same order. A drawn size has no bound a check
    could read off the parameters (a lognormal one none at all), so a book that needs more bitcoin
    than there is is found by drawing it, before anything is written."""
    rng = Ids(book_seed).stream("portfolio")
    for _ in range(spec.facilities):
        terms = _terms(rng, spec)
        cents = _size(rng, spec)
        _months(rng, spec, terms.duration)
        level = _level(rng, spec)
        yield cents, level, cents_to_sats_up(cents * level / 100, price)


def _terms(rng, spec: BookSpec) -> Terms:
    return spec.terms_mix[rng.randrange(len(spec.terms_mix))] if len(spec.terms_mix) > 1 else spec.terms_mix[0]


def _level(rng, spec: BookSpec) -> Decimal:
    return Decimal(rng.uniform(spec.cvl_low, spec.cvl_high)).quantize(Decimal("0.01"))


def _size(rng, spec: BookSpec) -> int:
    if spec.size == "uniform" and spec.spread:
        return max(100_00, round(spec.facility_cents * rng.uniform(1 - spec.spread, 1 + spec.spread)))
    if spec.size == "lognormal" and spec.spread:
        return max(100_00, round(spec.facility_cents * math.exp(rng.gauss(0.0, spec.spread))))
    return spec.facility_cents


def _months(rng, spec: BookSpec, duration: int) -> int:
    if spec.aged_share and duration > 1 and rng.random() < spec.aged_share:
        return duration - rng.randint(1, duration - 1)
    return duration


def borrowers_are_drawn(sim, book: list[str], *, top_up_share: float, repay_share: float, late_share: float,
                        top_up_probability: float, cure_window_hours: int, late_days: int) -> dict:
    """One behaviour per facility, in book order, from the `borrowers` stream; the rest never pay."""
    rng = sim.random("borrowers")
    behaviours: dict[str, Behaviour] = {}
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

"""A journal's book at any instant: the book file rows (export) and the portfolio table (`show book`).

Both read a branch of the journal cut at the instant (a temporary file; the journal is only read), so
what they print is what the bank's own read model said then. Closed facilities are left out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.kernel.errors import InvalidInstant
from scenarios.library.params import ScenarioError

if TYPE_CHECKING:  # the bank is imported by what branches it: `fork --at` and `show --as-of` only parse an instant
    from domains.credit.terms import TermValues
    from engine.simulation import Simulation

__all__ = ["as_of_iso", "awaiting_disbursals", "book_rows", "branch_at", "dollars", "open_facilities", "portfolio_rows"]


def as_of_iso(value: str) -> str:
    """An --as-of or --at instant as journal text; `ScenarioError` naming the value if it is none."""
    from engine.kernel.instant import parse_instant

    try:
        return parse_instant(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    except InvalidInstant as refused:  # text that is no instant, or a field out of range
        raise ScenarioError(refused.describe()) from None


@contextmanager
def branch_at(journal: str, at: str | None, refused: str = "its book is not read") -> Iterator[Simulation]:
    """The journal as it stood at `at` (default: its last instant), as a simulation over a branch
    in a temporary file (removed after; a long book's copy is not held in memory). A journal that
    fails its hash chain is `ChainBroken` (`refused` its last words): an edited amount was exported
    and shown as the book's, and the exported book imports into a journal that verifies."""
    from engine.bank import modules
    from engine.kernel.chain_check import intact_meanwhile
    from engine.kernel.codec import loads
    from engine.kernel.fork import fork_journal, open_source
    from engine.simulation import Simulation

    with tempfile.TemporaryDirectory(prefix="lanasim-branch-") as scratch:
        source = open_source(journal)
        try:
            with intact_meanwhile(journal, refused) as checked:  # checked while the rows are copied
                meta = {k: loads(v) for k, v in source.execute("SELECT key, value FROM lanasim_meta")}
                at_iso = as_of_iso(at) if at else str(meta.get("now", meta.get("start")))
                branch = str(fork_journal(source, str(Path(scratch) / "branch.sqlite"), at_iso,
                                          modules.aggregates(), before_place=checked))
        finally:
            source.close()
        sim = Simulation(seed=int(meta.get("seed", 0)), journal=branch)
        try:
            yield sim
        finally:
            sim.close(deliver=False)


def open_facilities(sim: Any) -> list[str]:
    """Facilities not closed, in the order they were created."""
    ids = sim.index("credit-facility").ids_where("status", ("active", "matured"))
    return sorted(ids, key=lambda i: sim.journal.creation_order("credit-facility", i))


def dollars(cents: int) -> str:
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _btc(sats: int) -> str:
    return f"{sats // 100_000_000}.{sats % 100_000_000:08d}"


def _owed(sim: Any, facility_id: str) -> tuple[int, int]:
    """(principal, posted interest) still owed, defaulted balances included."""
    from domains.accounting import chart

    b = sim.ledger.balances([chart.receivable(facility_id, kind, bucket) for kind in ("disbursal", "interest")
                                  for bucket in ("not-yet-due", "due", "overdue", "defaulted")])
    return b[0] + b[1] + b[2] + b[3], b[4] + b[5] + b[6] + b[7]


def awaiting_disbursals(sim: Any) -> dict[str, int]:
    """The disbursals initiated and not settled (awaiting their approval, or their settlement into a
    frozen account), id -> amount in cents: nothing of them is paid out yet."""
    return {d: sim.state("disbursal", d).amount for d in sim.index("disbursal").ids_where("status", ("new",))}


def book_rows(sim: Any, awaiting: dict[str, int] | None = None) -> list[dict]:
    """One book-file row per open facility (the format of `scenarios.book.format`). `disbursed_usd`
    is what was paid out: a disbursal awaiting its approval or settlement is not (the facility's
    own total counts it from its initiation, against the limit), as a Lana outbox, which publishes
    a disbursal at its settlement, does not show it either (`import --from-outbox`). `awaiting`:
    `awaiting_disbursals(sim)`, when the caller has it already."""
    rows = []
    if awaiting is None:
        awaiting = awaiting_disbursals(sim)
    for facility_id in open_facilities(sim):
        f = sim.state("credit-facility", facility_id)
        party = sim.state("party", sim.state("customer", f.customer_id).party_id)
        principal, interest = _owed(sim, facility_id)
        paid_out = f.disbursed_total - sum(awaiting.get(d, 0) for d, _ in f.disbursals)
        rows.append({"facility_id": f.id, "customer_email": party.email, "facility_usd": dollars(f.amount),
                     "disbursed_usd": dollars(paid_out), "principal_outstanding_usd": dollars(principal),
                     "interest_outstanding_usd": dollars(interest),
                     "collateral_btc": _btc(sim.credit.reads.collateral_sats(f)),
                     "activated_on": f.activated_at.date().isoformat(), **_terms(f.terms)})
    return rows


def _terms(t: TermValues) -> dict:
    def days(value: int | None) -> str:
        return "" if value is None else str(value)

    def pct(value: Decimal) -> str:
        return f"{value:f}"  # never an exponent (str gives `1E-7`), which a book refuses
    return {"annual_rate_pct": pct(t.annual_rate), "duration_months": str(t.duration),
            "initial_cvl_pct": pct(t.initial_cvl), "margin_call_cvl_pct": pct(t.margin_call_cvl),
            "liquidation_cvl_pct": pct(t.liquidation_cvl), "one_time_fee_rate": pct(t.one_time_fee_rate),
            "accrual_interval": t.accrual_interval.value, "accrual_cycle_interval": t.accrual_cycle_interval.value,
            "interest_due_duration_from_accrual": str(t.interest_due_duration_from_accrual),
            "obligation_overdue_duration_from_due": days(t.obligation_overdue_duration_from_due),
            "obligation_liquidation_duration_from_due": days(t.obligation_liquidation_duration_from_due),
            "obligation_defaulted_duration_from_due": days(t.obligation_defaulted_duration_from_due),
            "disbursal_policy": t.disbursal_policy.value}


def portfolio_rows(sim: Any) -> list[dict]:
    """The portfolio table: facility, status, collateralization state, CVL % at the price then as
    the bank computes it (Lana's rule: the ratio truncated to two decimals, so a whole percent; None:
    infinite), outstanding (the engine's: defaulted excluded) and collateral, in cents and sats."""
    from domains.credit.primitives import FacilityStatus

    price, rows = sim.price.current(), []
    for facility_id in open_facilities(sim):
        f, books = sim.state("credit-facility", facility_id), sim.credit.books(facility_id)
        level = sim.credit.reads.cvl(f, price, books=books) if price else None
        rows.append({"facility_id": f.id, "status": FacilityStatus(f.status).value,
                     "state": f.collateralization_state.value,
                     "cvl_pct": None if level is None else int(Decimal(level)),
                     "outstanding_cents": books.outstanding, "collateral_sats": sim.credit.reads.collateral_sats(f)})
    return rows


def book_summary(rows: list[dict], price: int | None) -> str:
    """The book in one line, as a lender's monthly open-book report gives it: open facilities,
    outstanding, collateral in BTC and in USD at `price` (cents a BTC; floored to the cent), the
    book's CVL (its collateral value over its outstanding, both summed: truncated to two decimals,
    as the bank truncates a facility's) and the facilities in each collateralization state. `rows`:
    `portfolio_rows`'."""
    from collections import Counter

    from domains.money import SATS_PER_BTC
    from scenarios.analysis.units import btc, usd

    owed, sats = sum(r["outstanding_cents"] for r in rows), sum(r["collateral_sats"] for r in rows)
    states = ", ".join(f"{state} {count:,}" for state, count in sorted(Counter(r["state"] for r in rows).items()))
    count = f"{len(rows):,} open facilit{'y' if len(rows) == 1 else 'ies'}"
    if not price:
        return f"{count}: outstanding {usd(owed)}, collateral {btc(sats)} (no price yet); {states}"
    value = sats * price // SATS_PER_BTC
    cvl = "nothing owed" if not owed else \
        f"book CVL {(Decimal(value) * 100 / owed).quantize(Decimal('0.01'), rounding=ROUND_DOWN)} %"
    return (f"{count} at {usd(price)} per BTC: outstanding {usd(owed)}, collateral {btc(sats)} worth {usd(value)}, "
            f"{cvl}; {states}")

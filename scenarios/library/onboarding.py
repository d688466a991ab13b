"""Story: a bank opens its doors for a month.

Staff accounts are seeded (Lana's superuser, admin, bank-manager and accountant roles). Prospects
arrive every day and go through KYC: most are approved (some at Advanced level), some are declined,
some wait on hold; a few corporate customers are onboarded directly. Later declines freeze
customers that had been converted. Bitcoin trades along a seeded GBM path all month, and the
books close at every midnight.

Covers: access (users, roles), customer (prospects, KYC, customers, freeze), price feed,
end of day, the outbox.
"""

from __future__ import annotations

from scenarios.library.params import Param
from scenarios.market.paths import GBM

START = "2024-01-01"
PARAMS = (
    Param("days", 30, "days", "days the bank is open, one end of day each", 1, 3650),
    Param("prospects_per_day", 8, "prospects/day", "prospects who apply each day", 0, 10_000),
    Param("decline_share", 0.1, "fraction", "share of applicants whose KYC is declined", 0.0, 0.95),
    Param("late_decline_share", 0.03, "fraction", "how often converted customers fail a later KYC review (frozen)",
          0.0, 0.1),
    Param("advanced_share", 0.2, "fraction", "share of approved applicants approved at Advanced level", 0.0, 1.0),
    Param("btc_usd", 42_000, "USD/BTC", "bitcoin price at the start of the GBM path", 1, 10_000_000),
    Param("volatility", 0.6, "per year", "annualized volatility of the GBM path", 0.0, 5.0),
)



def story(sim, *, days, prospects_per_day, decline_share, late_decline_share, advanced_share, btc_usd, volatility):
    staff_join(sim)
    bitcoin_trades(sim, btc_usd, volatility)
    chance = sim.random("onboarding")
    for day in range(days):
        for n in range(prospects_per_day):
            a_prospect_applies(sim, chance, f"d{day}p{n}", decline_share, advanced_share)
        a_corporate_customer_is_onboarded(sim, f"corp{day}")
        some_converted_customers_fail_kyc_review(sim, chance, late_decline_share)
        sim.advance(days=1)
        if sim.progress:
            sim.progress((day + 1) / days, sim.clock.iso)
    return summary(sim)


def staff_join(sim):
    roles = sim.access.seed()
    for name, role in (("root", "superuser"), ("alice", "admin"), ("bob", "bank-manager"), ("carol", "accountant")):
        sim.access.create_user(f"{name}@bank.example", role if role in roles else "superuser")


def bitcoin_trades(sim, btc_usd, volatility):
    cents = int(btc_usd * 100)
    sim.price.follow(GBM(cents, 0.0, volatility, 3600, sim.random("price")), every_seconds=3600)


def a_prospect_applies(sim, chance, handle, decline_share, advanced_share):
    prospect = sim.customer.create_prospect(f"{handle}@mail.example")
    sim.customer.start_kyc(prospect, f"applicant-{handle}")
    sim.customer.kyc_pending(prospect)
    roll = chance.random()
    if roll < decline_share:
        sim.customer.decline_kyc(prospect, f"applicant-{handle}")
    elif roll < decline_share + 0.05:
        sim.customer.kyc_on_hold(prospect)
    else:
        level = "advanced" if chance.random() < advanced_share else "basic"
        sim.customer.approve_kyc(prospect, f"applicant-{handle}", level)


def a_corporate_customer_is_onboarded(sim, handle):
    sim.customer.create_customer(f"{handle}@corp.example", customer_type="private_company")


def some_converted_customers_fail_kyc_review(sim, chance, share):
    converted = sim.outbox.tail(types=["core.customer.prospect-converted"])
    for envelope in converted:
        if chance.random() < share / max(1, len(converted)) * 10:
            entity = envelope["payload"]["entity"]
            if sim.customer.customer(entity["id"]).status.value == "active":
                sim.customer.decline_kyc(entity["id"], "review")


def summary(sim):
    """The month in counts and the BTC price's range, under snake_case names with the unit in the
    name, as the stress family's summary.json has them: prices are integer cents (`_cents`), never
    float dollars (`btc low (USD)` was `min(prices) / 100`)."""
    count = lambda event_type: len(sim.outbox.tail(types=[event_type]))
    prices = [e["payload"]["PriceUpdated"]["price"] for e in sim.outbox.tail(types=["core.price.price-updated"])]
    return {
        "staff_users": count("core.access.user-created"),
        "prospects": count("core.customer.prospect-created"),
        "kyc_declined": count("core.customer.prospect-kyc-declined"),
        "customers": count("core.customer.customer-created"),
        "customers_frozen": count("core.customer.customer-frozen"),
        "end_of_day_closings": count("core.time.end-of-day"),
        "price_low_cents": min(prices),
        "price_high_cents": max(prices),
    }

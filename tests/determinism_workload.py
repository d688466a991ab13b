"""A whole-stack workload run in subprocesses by test_determinism: a seeded GBM price feed,
end-of-day work, a reaction to every end of day, and seeded deposits; prints its fingerprints."""

from __future__ import annotations

import sys

from domains.aggregate import Policy, Send
from domains.price import PRICE
from domains.time import CALENDAR
from engine import Simulation
from scenarios.market.paths import GBM
from tests.support import ACCOUNT, Deposit, Open

seed = int(sys.argv[1])
names: list[str] = []


def interest(envelope: dict) -> tuple[Send, ...]:
    return tuple(Send("account", name, Deposit(1)) for name in names[:3])


policies = [Policy("interest", ("core.time.end-of-day",), interest, subject="interest-accrual")]
with Simulation(seed=seed, journal=sys.argv[2], aggregates=[ACCOUNT, CALENDAR, PRICE], policies=policies) as sim:
    names.extend(sim.ids.entity() for _ in range(20))
    sim.price.follow(GBM(4_000_000, 0.0, 0.9, 3600, sim.random("price")), every_seconds=3600)
    rng = sim.random("deposits")
    for name in names:
        sim.tell("account", name, Open(name, f"{name}@bank.test"))
    for _ in range(10):
        for _ in range(20):
            sim.tell("account", rng.choice(names), Deposit(rng.randint(1, 1000)))
        sim.advance(days=1)
    prices = [e["payload"]["PriceUpdated"]["price"] for e in sim.outbox.tail(types=["core.price.price-updated"])]
    print(sim.journal.digest(), sim.outbox.digest(), names[0], prices[-1], len(prices))

"""A workload run in a subprocess by test_determinism: prints the journal digest and some ids."""

from __future__ import annotations

import sys

from engine import Simulation
from tests.support import ACCOUNT, Deposit, Open

seed = int(sys.argv[1])
with Simulation(seed=seed, journal=sys.argv[2], aggregates=[ACCOUNT]) as sim:
    names = [sim.ids.entity() for _ in range(20)]
    rng = sim.ids.stream("deposits")
    for name in names:
        sim.tell("account", name, Open(name, f"{name}@bank.test"))
    for _ in range(200):
        sim.tell("account", rng.choice(names), Deposit(rng.randint(1, 1000)))
    sim.run()
    sim.advance(days=1)
    print(sim.journal.digest(), names[0])

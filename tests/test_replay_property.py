"""Property: replaying an entity's events (with or without snapshots) gives the actor's state."""

from __future__ import annotations

import contextlib
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from domains.aggregate import Refusal
from engine import Simulation
from tests.support import ACCOUNT, Deposit, Open, Withdraw

commands = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]),
              st.one_of(st.builds(Deposit, st.integers(-5, 500)), st.builds(Withdraw, st.integers(-5, 500)))),
    max_size=60,
)


@settings(max_examples=40, deadline=None)
@given(commands=commands, days=st.lists(st.integers(0, 3), min_size=60, max_size=60))
def test_replay_equals_live_state(commands, days):
    with tempfile.TemporaryDirectory() as tmp, \
            Simulation(seed=1, journal=f"{tmp}/j.sqlite", aggregates=[ACCOUNT]) as sim:
        for name in "abc":
            sim.execute("account", name, Open(name, f"{name}@bank.test"))
        for (name, command), day in zip(commands, days):
            sim.advance(days=day)
            with contextlib.suppress(Refusal):
                sim.execute("account", name, command)
        for name in "abc":
            live = sim.state("account", name)
            assert sim.load("account", name) == live
            assert sim.load("account", name, use_snapshot=False) == live
            assert live.balance >= 0

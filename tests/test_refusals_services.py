"""Every operator call that takes an id refuses one that is not an id (a list, None, a huge int, an
overlong string) with a typed `Refusal`, and nothing is journaled (issue 11, item 1)."""

from __future__ import annotations

import pytest

from domains.aggregate import Refusal
from domains.credit import std_terms
from engine import Simulation

BAD_IDS = [["a-list"], None, 2**64, "x" * 300, {"a": 1}]
CALLS = [  # (service, method, arguments after the id)
    ("customer", "freeze_customer", ()), ("customer", "update_email", ("new@bank.test",)),
    ("customer", "start_kyc", ("applicant",)), ("deposit", "create_account", ()),
    ("deposit", "record_deposit", (100,)), ("deposit", "initiate_withdrawal", (100,)),
    ("deposit", "confirm_withdrawal", ()), ("deposit", "freeze_account", ()),
    ("credit", "create_proposal", (100_00, std_terms())), ("credit", "update_collateral", (100,)),
    ("credit", "initiate_disbursal", (100,)), ("credit", "record_payment", (100,)),
    ("credit", "complete_facility", ()), ("credit", "books", ()), ("governance", "add_member", ("user",)),
    ("governance", "approve", ("user",)), ("custody", "create_wallet", ()), ("custody", "update_balance", (5,)),
    ("report", "report", ()),
]


@pytest.fixture(scope="module")
def bank():
    with Simulation(seed=6, journal=":memory:") as sim:
        sim.price.set(7_000_000)
        customer = sim.customer.create_customer("ids@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
        yield sim


@pytest.mark.parametrize("service, method, rest", CALLS, ids=[f"{s}.{m}" for s, m, _ in CALLS])
def test_a_value_that_is_not_an_id_is_a_typed_refusal_that_journals_nothing(bank, service, method, rest):
    call = getattr(getattr(bank, service), method)
    for bad in BAD_IDS:
        before = (bank.journal.digest(), bank.outbox.digest())
        with pytest.raises(Refusal) as raised:
            call(bad, *rest)
        assert raised.value.fields, (method, bad)
        assert (bank.journal.digest(), bank.outbox.digest()) == before, (method, bad)

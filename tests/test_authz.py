"""Authorization and audit: users act within their role; refusals journal only their audit row."""

from __future__ import annotations

import pytest

from domains.customer import FreezeCustomer
from engine import Simulation
from engine.kernel.authz import System, Unauthorized


@pytest.fixture
def bank(tmp_path):
    with Simulation(seed=9, journal=str(tmp_path / "j.sqlite")) as sim:
        sim.access.seed()
        sim.staff = {role: sim.access.create_user(f"{role}@bank.test", role)
                     for role in ("superuser", "bank-manager", "accountant")}
        sim.ada = sim.customer.create_customer("ada@bank.test")
        yield sim


def audit_rows(sim):
    sim.settle(commit=True)
    return sim.journal.conn.execute("SELECT subject, action, authorized FROM audit ORDER BY id").fetchall()


def test_a_user_without_the_permission_is_refused_and_only_the_refusal_is_recorded(bank):
    accountant = bank.staff["accountant"]
    before = bank.journal.digest()
    with pytest.raises(Unauthorized) as err:
        bank.customer.freeze_customer(bank.ada, subject=accountant)
    assert (err.value.subject, err.value.object, err.value.action) == (accountant, "customer/*", "customer:freeze")
    assert bank.journal.digest() == before
    assert audit_rows(bank)[-1] == (accountant, "customer:freeze", 0)


def test_a_user_whose_role_grants_the_permission_acts_and_is_recorded_as_the_actor(bank):
    manager = bank.staff["bank-manager"]
    bank.customer.freeze_customer(bank.ada, subject=manager)
    assert bank.customer.customer(bank.ada).status.value == "frozen"
    last = bank.journal.stream("customer", bank.ada)[-1]
    assert last.context["subject"] == manager
    assert audit_rows(bank)[-1] == (manager, "customer:freeze", 1)


def test_an_unknown_subject_is_refused(bank):
    with pytest.raises(Unauthorized) as err:
        bank.execute("customer", bank.ada, FreezeCustomer(), subject="mallory")
    assert err.value.subject == "mallory" and "unknown subject" in err.value.reason


def test_system_principals_act_unchecked_and_are_audited(bank):
    bank.execute("customer", bank.ada, FreezeCustomer(), subject=System("obligation-sync"))
    assert bank.customer.customer(bank.ada).status.value == "frozen"
    assert audit_rows(bank)[-1] == ("obligation-sync", "customer:freeze", 1)

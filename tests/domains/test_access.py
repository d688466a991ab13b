"""Access module: users, roles, permission sets, Lana's seeded roles, and the access service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domains.access import (
    PERMISSION_SET,
    PERMISSION_SETS,
    ROLE,
    ROLES,
    SUPERUSER,
    USER,
    AddPermissionSet,
    CreatePermissionSet,
    CreateRole,
    CreateUser,
    EmptyValue,
    InvalidEmail,
    InvalidName,
    InvalidPermission,
    PermissionSetInitialized,
    RemovePermissionSet,
    RoleInitialized,
    RolePermissionSetAdded,
    RolePermissionSetRemoved,
    UpdateUserRole,
    UserInitialized,
    UserRoleUpdated,
)
from engine import DuplicateValue, NotFound, Simulation
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
USER_CREATED = UserInitialized("u-1", "ops@example.com", "role-1")
ROLE_CREATED = RoleInitialized("role-1", "teller", ("set-a",))
SET_NAMES = {name for name, _ in PERMISSION_SETS}


def when(spec, history, command):
    return spec.decide(fold(spec, *history), command, AT)


# -- commands validate on construction ------------------------------------------------------------
@pytest.mark.parametrize("pair", [("customer", "customer:create"), ("customer/*", "create"), ("customer/*",)])
def test_a_permission_must_pair_an_object_path_with_a_verb(pair):
    with pytest.raises(InvalidPermission) as refused:
        CreatePermissionSet("set-1", "customer_writer", [pair])
    assert refused.value.value == pair


def test_a_permission_set_name_must_be_snake_case():
    with pytest.raises(InvalidName) as refused:
        CreatePermissionSet("set-1", "Customer-Writer", [])
    assert (refused.value.value, refused.value.rule) == ("Customer-Writer", "snake_case")


def test_a_user_needs_a_well_formed_email_and_a_role():
    with pytest.raises(InvalidEmail) as bad_email:
        CreateUser("u-1", "ops", "role-1")
    with pytest.raises(EmptyValue) as no_role:
        CreateUser("u-1", "ops@example.com", "")
    assert (bad_email.value.value, no_role.value.field) == ("ops", "role_id")


def test_permissions_and_role_sets_are_stored_sorted_and_unique():
    command = CreatePermissionSet("s", "x_viewer", [("b/*", "b:read"), ("a/*", "a:read"), ("b/*", "b:read")])
    assert command.permissions == (("a/*", "a:read"), ("b/*", "b:read"))
    assert CreateRole("r", "teller", ["set-b", "set-a", "set-b"]).permission_set_ids == ("set-a", "set-b")


# -- user, role, permission set -------------------------------------------------------------------
def test_a_new_user_is_initialized_and_creating_it_again_changes_nothing():
    assert when(USER, (), CreateUser("u-1", "ops@example.com", "role-1")) == (USER_CREATED,)
    assert when(USER, (USER_CREATED,), CreateUser("u-1", "ops@example.com", "role-2")) == ()


def test_giving_a_user_the_role_it_holds_changes_nothing():
    assert when(USER, (USER_CREATED,), UpdateUserRole("role-1")) == ()
    assert when(USER, (USER_CREATED,), UpdateUserRole("role-2")) == (UserRoleUpdated("role-2"),)


def test_a_role_gains_a_permission_set_once():
    assert when(ROLE, (ROLE_CREATED,), AddPermissionSet("set-b")) == (RolePermissionSetAdded("set-b"),)
    assert when(ROLE, (ROLE_CREATED, RolePermissionSetAdded("set-b")), AddPermissionSet("set-b")) == ()


def test_removing_a_permission_set_the_role_lacks_changes_nothing():
    assert when(ROLE, (ROLE_CREATED,), RemovePermissionSet("set-b")) == ()
    removed = when(ROLE, (ROLE_CREATED,), RemovePermissionSet("set-a"))
    assert removed == (RolePermissionSetRemoved("set-a"),)
    assert ROLE.apply(ROLE.apply(None, ROLE_CREATED), removed[0]).permission_set_ids == ()


def test_a_permission_set_is_declared_once():
    declared = PermissionSetInitialized("s-1", "x_viewer", (("x/*", "x:read"),))
    assert when(PERMISSION_SET, (), CreatePermissionSet("s-1", "x_viewer", [("x/*", "x:read")])) == (declared,)
    assert when(PERMISSION_SET, (declared,), CreatePermissionSet("s-1", "x_viewer", [])) == ()


# -- Lana's seed ----------------------------------------------------------------------------------
def test_the_superuser_holds_every_permission_set_and_roles_name_only_declared_sets():
    roles = dict(ROLES)
    assert set(roles) == {SUPERUSER, "admin", "bank-manager", "accountant"}
    assert set(roles[SUPERUSER]) == SET_NAMES
    assert all(set(sets) <= SET_NAMES for sets in roles.values())


def test_the_accountant_writes_only_to_accounting():
    writers = {name for name in dict(ROLES)["accountant"] if not name.endswith("_viewer")}
    assert writers == {"accounting_writer"}


def test_every_seeded_permission_set_is_valid_and_lana_named():
    for name, permissions in PERMISSION_SETS:
        assert CreatePermissionSet("id", name, permissions).permissions
    assert {"credit_writer", "credit_viewer", "collection_payment_date", "deposit_freeze",
            "governance_writer", "customer_writer", "customer_viewer", "access_writer"} <= SET_NAMES


def test_terms_templates_have_lanas_viewer_and_writer_sets_which_only_the_admin_and_superuser_hold():
    assert {"credit_term_templates_viewer", "credit_term_templates_writer"} <= SET_NAMES  # seed.rs's names
    holders = {role for role, sets in ROLES if "credit_term_templates_writer" in sets}
    assert holders == {SUPERUSER, "admin"} and "credit_term_templates_viewer" in dict(ROLES)["admin"]


# -- through the whole stack ----------------------------------------------------------------------
@pytest.fixture
def sim():
    with Simulation(seed=7) as simulation:
        simulation.access.seed()
        yield simulation


def test_seeding_again_appends_nothing(sim):
    digest = sim.journal.digest()
    sim.access.seed()
    assert sim.journal.digest() == digest
    created = sim.outbox.tail(types=["core.access.role-created"])
    assert sorted(e["payload"]["entity"]["name"] for e in created) == sorted(dict(ROLES))


def test_a_bank_manager_may_create_customers_but_not_change_configs(sim):
    user_id = sim.access.create_user("manager@example.com", "bank-manager")
    granted = sim.access.permissions_of(user_id)
    assert ("customer/*", "customer:create") in granted
    assert ("deposit-account/*", "deposit-account:freeze") in granted
    assert ("exposed-config/*", "exposed-config:update") not in granted


def test_a_superuser_holds_every_seeded_permission(sim):
    user_id = sim.access.create_user("root@example.com", SUPERUSER)
    every = {pair for _, permissions in PERMISSION_SETS for pair in permissions}
    assert sim.access.permissions_of(user_id) == every


def test_user_created_is_published_with_email_and_role(sim):
    user_id = sim.access.create_user("ops@example.com", "accountant")
    envelope = sim.outbox.tail(types=["core.access.user-created"])[-1]
    role_id = sim.access.user(user_id).role_id
    assert envelope["payload"] == {"module": "CoreAccess", "type": "UserCreated",
                                   "entity": {"id": user_id, "email": "ops@example.com", "role_id": role_id}}
    assert sim.access.role(role_id).name == "accountant"


def test_a_taken_user_email_and_a_taken_role_name_are_refused(sim):
    sim.access.create_user("ops@example.com", "admin")
    with pytest.raises(DuplicateValue) as email:
        sim.access.create_user("ops@example.com", "accountant")
    with pytest.raises(DuplicateValue) as name:
        sim.access.create_role("admin", ["customer_viewer"])
    assert (email.value.kind, email.value.column, name.value.kind, name.value.column) == (
        "user", "email", "role", "name")


def test_a_custom_role_grants_only_its_sets_and_unknown_sets_are_not_found(sim):
    sim.access.create_role("teller", ["customer_viewer"])
    user_id = sim.access.create_user("teller@example.com", "teller")
    assert sim.access.permissions_of(user_id) == set(dict(PERMISSION_SETS)["customer_viewer"])
    with pytest.raises(NotFound):
        sim.access.create_role("auditor", ["no_such_set"])


def test_changing_a_users_role_changes_their_permissions(sim):
    user_id = sim.access.create_user("ops@example.com", "accountant")
    assert not sim.access.is_allowed(user_id, "customer/*", "customer:create")
    sim.access.update_user_role(user_id, "bank-manager")
    assert sim.access.is_allowed(user_id, "customer/*", "customer:create")

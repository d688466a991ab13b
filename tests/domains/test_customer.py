"""Customer module: Party, Prospect and Customer decisions, then the whole stack through the engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from domains.customer import (
    CUSTOMER,
    PARTY,
    PROSPECT,
    AlreadyClosed,
    AlreadyConverted,
    ApplicantIdMismatch,
    ApproveKyc,
    CloseCustomer,
    CloseProspect,
    Conversion,
    ConversionMethod,
    ConvertManually,
    CreateParty,
    CustomerClosed,
    CustomerFrozen,
    CustomerInitialized,
    CustomerIsClosed,
    CustomerKycLevelUpdated,
    CustomerStatus,
    CustomerUnfrozen,
    DeclineKyc,
    EmptyValue,
    FreezeCustomer,
    InvalidCustomerType,
    InvalidEmail,
    InvalidKycLevel,
    KycLevel,
    KycNotStarted,
    KycStatus,
    ManualConversionNotAllowed,
    MarkKycPending,
    PartyEmailUpdated,
    PartyInitialized,
    PartyTelegramHandleUpdated,
    ProspectClosed,
    ProspectInitialized,
    ProspectKycApproved,
    ProspectKycDeclined,
    ProspectKycOnHold,
    ProspectKycPending,
    ProspectKycStarted,
    ProspectManuallyConverted,
    ProspectStage,
    ProspectStatus,
    PutKycOnHold,
    StartKyc,
    UnfreezeCustomer,
    UpdateEmail,
    UpdateKycLevel,
    UpdateTelegramHandle,
    stage_of,
)
from engine import DuplicateValue, NotFound, Simulation, UnknownEntity
from tests.domains.support import fold

AT = datetime(2024, 1, 1, tzinfo=UTC)
INDIVIDUAL = "individual"
PARTY_CREATED = PartyInitialized("party-1", "ann@example.com", "@ann", INDIVIDUAL)
PROSPECT_CREATED = ProspectInitialized("p-1", "party-1", INDIVIDUAL, ProspectStage.NEW)
KYC_STARTED = ProspectKycStarted("applicant-1", ProspectStage.KYC_STARTED)
APPROVED = ProspectKycApproved(KycLevel.BASIC, ProspectStage.CONVERTED)
CUSTOMER_CREATED = CustomerInitialized("c-1", "party-1", INDIVIDUAL,
                                       Conversion(ConversionMethod.SUMSUB_APPROVED, "applicant-1"), KycLevel.BASIC)


state = fold  # the state `spec.apply` builds from the events


def when(spec, history, command):
    return spec.decide(state(spec, *history), command, AT)


# -- commands validate on construction ------------------------------------------------------------
@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", 42])
def test_a_malformed_email_is_refused_with_its_value(email):
    with pytest.raises(InvalidEmail) as refused:
        UpdateEmail(email)
    assert refused.value.value == email


def test_an_unknown_customer_type_is_refused_with_its_value():
    with pytest.raises(InvalidCustomerType) as refused:
        CreateParty(id="party-1", email="ann@example.com", customer_type="pirate")
    assert refused.value.value == "pirate"


def test_an_unknown_kyc_level_and_an_empty_applicant_are_refused_by_field():
    with pytest.raises(InvalidKycLevel) as level:
        ApproveKyc(applicant_id="applicant-1", level="platinum")
    with pytest.raises(EmptyValue) as empty:
        StartKyc("  ")
    assert (level.value.value, empty.value.field) == ("platinum", "applicant_id")


# -- party ----------------------------------------------------------------------------------------
def test_a_new_party_records_its_email_handle_and_type():
    command = CreateParty(id="party-1", email="ann@example.com", customer_type="individual", telegram_handle="@ann")
    assert when(PARTY, (), command) == (PARTY_CREATED,)


def test_creating_an_existing_party_again_changes_nothing():
    assert when(PARTY, (PARTY_CREATED,), CreateParty(id="party-1", email="x@example.com", customer_type="bank")) == ()


def test_the_same_email_update_twice_changes_nothing():
    assert when(PARTY, (PARTY_CREATED, PartyEmailUpdated("bob@example.com")), UpdateEmail("bob@example.com")) == ()


def test_an_email_update_to_the_initial_email_is_recorded_as_lana_does():
    assert when(PARTY, (PARTY_CREATED,), UpdateEmail("ann@example.com")) == (PartyEmailUpdated("ann@example.com"),)


def test_a_telegram_handle_used_in_any_earlier_update_is_already_applied():
    history = (PARTY_CREATED, PartyTelegramHandleUpdated("@a"), PartyTelegramHandleUpdated("@b"))
    assert when(PARTY, history, UpdateTelegramHandle("@a")) == ()
    assert state(PARTY, *history).telegram_handle == "@b"


# -- prospect -------------------------------------------------------------------------------------
def test_starting_kyc_moves_a_new_prospect_to_kyc_started():
    assert when(PROSPECT, (PROSPECT_CREATED,), StartKyc("applicant-1")) == (KYC_STARTED,)


def test_starting_kyc_again_changes_nothing_even_with_another_applicant():
    assert when(PROSPECT, (PROSPECT_CREATED, KYC_STARTED), StartKyc("applicant-2")) == ()


def test_approving_kyc_before_it_started_is_refused_with_the_stage():
    with pytest.raises(KycNotStarted) as refused:
        when(PROSPECT, (PROSPECT_CREATED,), ApproveKyc(applicant_id="applicant-1"))
    assert (refused.value.id, refused.value.stage) == ("p-1", ProspectStage.NEW)


@pytest.mark.parametrize("command", [ApproveKyc(applicant_id="intruder"), DeclineKyc("intruder")])
def test_a_kyc_verdict_for_another_applicant_is_refused_with_both_ids(command):
    with pytest.raises(ApplicantIdMismatch) as refused:
        when(PROSPECT, (PROSPECT_CREATED, KYC_STARTED), command)
    assert (refused.value.expected, refused.value.actual) == ("applicant-1", "intruder")


def test_approving_kyc_converts_the_prospect_at_the_given_level():
    events = when(PROSPECT, (PROSPECT_CREATED, KYC_STARTED), ApproveKyc(applicant_id="applicant-1", level="advanced"))
    assert events == (ProspectKycApproved(KycLevel.ADVANCED, ProspectStage.CONVERTED),)
    converted = state(PROSPECT, PROSPECT_CREATED, KYC_STARTED, *events)
    assert (converted.status, converted.kyc_status, converted.level) == (
        ProspectStatus.CONVERTED, KycStatus.APPROVED, KycLevel.ADVANCED)


def test_approving_kyc_twice_changes_nothing():
    assert when(PROSPECT, (PROSPECT_CREATED, KYC_STARTED, APPROVED), ApproveKyc(applicant_id="applicant-1")) == ()


def test_declining_a_converted_prospect_is_refused_as_already_converted():
    with pytest.raises(AlreadyConverted) as refused:
        when(PROSPECT, (PROSPECT_CREATED, KYC_STARTED, APPROVED), DeclineKyc("applicant-1"))
    assert refused.value.stage == ProspectStage.CONVERTED


def test_a_declined_prospect_can_still_be_approved():
    declined = (PROSPECT_CREATED, KYC_STARTED, ProspectKycDeclined(ProspectStage.KYC_DECLINED))
    assert when(PROSPECT, declined, DeclineKyc("applicant-1")) == ()
    assert when(PROSPECT, declined, ApproveKyc(applicant_id="applicant-1")) == (APPROVED,)


def test_pending_and_on_hold_each_happen_once_and_set_their_stage():
    pending = (PROSPECT_CREATED, KYC_STARTED, ProspectKycPending(ProspectStage.KYC_PENDING))
    assert when(PROSPECT, pending[:2], MarkKycPending()) == pending[2:]
    assert when(PROSPECT, pending, PutKycOnHold()) == (ProspectKycOnHold(ProspectStage.KYC_ON_HOLD),)
    assert when(PROSPECT, pending, MarkKycPending()) == ()


def test_manual_conversion_is_refused_unless_the_config_allows_it():
    with pytest.raises(ManualConversionNotAllowed) as refused:
        when(PROSPECT, (PROSPECT_CREATED,), ConvertManually())
    assert refused.value.config == "allow-manual-conversion"
    allowed = when(PROSPECT, (PROSPECT_CREATED,), ConvertManually(allow_manual_conversion=True))
    assert allowed == (ProspectManuallyConverted(ProspectStage.CONVERTED),)


def test_a_closed_prospect_refuses_to_start_kyc_and_closing_again_changes_nothing():
    closed = (PROSPECT_CREATED, ProspectClosed(ProspectStage.CLOSED))
    with pytest.raises(AlreadyClosed) as refused:
        when(PROSPECT, closed, StartKyc("applicant-1"))
    assert refused.value.stage == ProspectStage.CLOSED
    assert when(PROSPECT, closed, CloseProspect()) == ()


def test_a_manually_converted_prospect_cannot_be_closed_or_approved():
    converted = (PROSPECT_CREATED, KYC_STARTED, ProspectManuallyConverted(ProspectStage.CONVERTED))
    for command in (CloseProspect(), ApproveKyc(applicant_id="applicant-1")):
        with pytest.raises(AlreadyConverted):
            when(PROSPECT, converted, command)


@pytest.mark.parametrize(("status", "kyc", "stage"), [
    (ProspectStatus.OPEN, KycStatus.NOT_STARTED, ProspectStage.NEW),
    (ProspectStatus.OPEN, KycStatus.DECLINED, ProspectStage.KYC_DECLINED),
    (ProspectStatus.OPEN, KycStatus.ON_HOLD, ProspectStage.KYC_ON_HOLD),
    (ProspectStatus.CONVERTED, KycStatus.APPROVED, ProspectStage.CONVERTED),
    (ProspectStatus.CLOSED, KycStatus.PENDING, ProspectStage.CLOSED),
])
def test_the_stage_follows_status_first_then_kyc_status(status, kyc, stage):
    assert stage_of(status, kyc) is stage


# -- customer -------------------------------------------------------------------------------------
def test_freezing_an_active_customer_records_frozen_and_bars_products():
    events = when(CUSTOMER, (CUSTOMER_CREATED,), FreezeCustomer())
    assert events == (CustomerFrozen(CustomerStatus.FROZEN),)
    assert state(CUSTOMER, CUSTOMER_CREATED).may_attach_product
    assert not state(CUSTOMER, CUSTOMER_CREATED, *events).may_attach_product


def test_freezing_twice_and_unfreezing_an_active_customer_change_nothing():
    frozen = (CUSTOMER_CREATED, CustomerFrozen(CustomerStatus.FROZEN))
    assert when(CUSTOMER, frozen, FreezeCustomer()) == ()
    assert when(CUSTOMER, (CUSTOMER_CREATED,), UnfreezeCustomer()) == ()
    assert when(CUSTOMER, frozen, UnfreezeCustomer()) == (CustomerUnfrozen(CustomerStatus.ACTIVE),)


@pytest.mark.parametrize("command", [FreezeCustomer(), UnfreezeCustomer()])
def test_a_closed_customer_can_be_neither_frozen_nor_unfrozen(command):
    with pytest.raises(CustomerIsClosed) as refused:
        when(CUSTOMER, (CUSTOMER_CREATED, CustomerClosed(CustomerStatus.CLOSED)), command)
    assert (refused.value.id, refused.value.reason) == ("c-1", "customer-is-closed")


def test_a_frozen_customer_can_be_closed_once():
    frozen = (CUSTOMER_CREATED, CustomerFrozen(CustomerStatus.FROZEN))
    assert when(CUSTOMER, frozen, CloseCustomer()) == (CustomerClosed(CustomerStatus.CLOSED),)
    assert when(CUSTOMER, (*frozen, CustomerClosed(CustomerStatus.CLOSED)), CloseCustomer()) == ()


def test_a_kyc_level_update_records_only_a_change():
    assert when(CUSTOMER, (CUSTOMER_CREATED,), UpdateKycLevel("basic")) == ()
    assert when(CUSTOMER, (CUSTOMER_CREATED,), UpdateKycLevel("advanced")) == (
        CustomerKycLevelUpdated(KycLevel.ADVANCED),)


CUSTOMER_COMMANDS = st.sampled_from([FreezeCustomer(), UnfreezeCustomer(), CloseCustomer(),
                                     UpdateKycLevel("advanced"), UpdateKycLevel("basic")])


@hypothesis_given(st.lists(CUSTOMER_COMMANDS, max_size=12))
def test_any_accepted_command_repeated_at_once_changes_nothing(commands):
    history = [CUSTOMER_CREATED]
    for command in commands:
        try:
            history += when(CUSTOMER, history, command)
        except CustomerIsClosed:
            continue
        assert when(CUSTOMER, history, command) == ()


# -- through the whole stack ----------------------------------------------------------------------
@pytest.fixture
def sim():
    with Simulation(seed=7) as simulation:
        yield simulation


def kyc_approved_customer(sim, email="kim@example.com"):
    prospect_id = sim.customer.create_prospect(email)
    sim.customer.start_kyc(prospect_id, "applicant-9")
    return sim.customer.approve_kyc(prospect_id, "applicant-9")


def test_a_customer_created_bypassing_kyc_is_active_basic_and_found_by_email(sim):
    customer_id = sim.customer.create_customer("ann@example.com", "private_company", "@ann")
    found = sim.customer.find_customer_by_email("ann@example.com")
    assert (found.id, found.status, found.kyc_level, found.telegram_handle) == (
        customer_id, CustomerStatus.ACTIVE, KycLevel.BASIC, "@ann")
    assert sim.customer.party(found.party_id).customer_type.value == "private_company"


def test_a_taken_email_is_refused_and_the_journal_is_unchanged(sim):
    sim.customer.create_customer("ann@example.com")
    digest, published = sim.journal.digest(), len(sim.outbox.tail())
    with pytest.raises(DuplicateValue) as refused:
        sim.customer.create_customer("ann@example.com")
    assert (refused.value.kind, refused.value.column, refused.value.value) == ("party", "email", "ann@example.com")
    assert sim.journal.digest() == digest
    assert len(sim.outbox.tail()) == published


def test_an_email_update_to_a_taken_email_is_refused_and_the_old_email_stays(sim):
    sim.customer.create_customer("ann@example.com")
    bob = sim.customer.customer(sim.customer.create_customer("bob@example.com"))
    with pytest.raises(DuplicateValue) as refused:
        sim.customer.update_email(bob.party_id, "ann@example.com")
    assert refused.value.column == "email"
    assert sim.customer.customer(bob.id).email == "bob@example.com"


def test_an_email_update_moves_the_lookup_to_the_new_email(sim):
    customer = sim.customer.customer(sim.customer.create_customer("ann@example.com"))
    sim.customer.update_email(customer.party_id, "anne@example.com")
    assert sim.customer.find_customer_by_email("anne@example.com").id == customer.id
    with pytest.raises(NotFound):
        sim.customer.find_customer_by_email("ann@example.com")


def test_an_unknown_customer_id_is_refused_as_unknown_entity(sim):
    with pytest.raises(UnknownEntity) as refused:
        sim.customer.freeze_customer("no-such-customer")
    assert (refused.value.kind, refused.value.id) == ("customer", "no-such-customer")
    with pytest.raises(UnknownEntity):
        sim.customer.customer("no-such-customer")


def test_kyc_approval_creates_the_customer_under_the_prospect_id(sim):
    customer_id = kyc_approved_customer(sim)
    customer = sim.customer.customer(customer_id)
    assert customer.conversion == Conversion(ConversionMethod.SUMSUB_APPROVED, "applicant-9")
    assert sim.customer.prospect(customer_id).stage is ProspectStage.CONVERTED
    assert sim.customer.find_customer_by_email("kim@example.com").id == customer_id


def test_a_kyc_decline_after_conversion_freezes_the_customer_and_a_later_approval_unfreezes_it(sim):
    customer_id = kyc_approved_customer(sim)
    sim.customer.decline_kyc(customer_id, "applicant-9")
    assert sim.customer.customer(customer_id).status is CustomerStatus.FROZEN
    sim.customer.approve_kyc(customer_id, "applicant-9", level="advanced")
    customer = sim.customer.customer(customer_id)
    assert (customer.status, customer.kyc_level) == (CustomerStatus.ACTIVE, KycLevel.ADVANCED)


def test_a_later_kyc_approval_of_a_closed_customer_is_refused_and_journals_nothing(sim):
    customer_id = kyc_approved_customer(sim)
    sim.customer.close_customer(customer_id)
    before = sim.journal.digest()
    with pytest.raises(CustomerIsClosed) as refused:  # Lana: the approval's unfreeze refuses it
        sim.customer.approve_kyc(customer_id, "applicant-9")
    assert refused.value.id == customer_id and sim.journal.digest() == before


def test_a_closed_customer_refuses_a_freeze_with_its_typed_refusal(sim):
    customer_id = sim.customer.create_customer("ann@example.com")
    sim.customer.close_customer(customer_id)
    with pytest.raises(CustomerIsClosed) as refused:
        sim.customer.freeze_customer(customer_id)
    assert refused.value.id == customer_id


def test_manual_conversion_through_the_service_needs_the_config(sim):
    prospect_id = sim.customer.create_prospect("lee@example.com")
    with pytest.raises(ManualConversionNotAllowed):
        sim.customer.convert_manually(prospect_id)
    sim.customer.convert_manually(prospect_id, allow_manual_conversion=True)
    assert sim.customer.customer(prospect_id).conversion.method is ConversionMethod.MANUALLY_CONVERTED


def test_the_outbox_carries_the_customer_module_events_with_their_payloads(sim):
    customer_id = kyc_approved_customer(sim)
    sim.customer.freeze_customer(customer_id)
    envelopes = sim.outbox.tail()
    assert [e["event_type"] for e in envelopes] == [
        "core.customer.party-created", "core.customer.prospect-created", "core.customer.prospect-kyc-started",
        "core.customer.prospect-converted", "core.customer.customer-created", "core.customer.customer-frozen"]
    party, frozen = envelopes[0]["payload"], envelopes[-1]["payload"]
    assert party == {"module": "Customer", "type": "PartyCreated", "entity": {
        "id": frozen["entity"]["party_id"], "email": "kim@example.com", "customer_type": "Individual"}}
    assert frozen["entity"] == {"id": customer_id, "party_id": party["entity"]["id"], "customer_type": "Individual",
                                "status": "frozen", "kyc_level": "Basic"}


def test_the_prospect_payload_carries_kyc_status_and_stage(sim):
    kyc_approved_customer(sim)
    converted = sim.outbox.tail(types=["core.customer.prospect-converted"])[0]["payload"]["entity"]
    assert (converted["kyc_status"], converted["stage"], converted["status"]) == ("approved", "converted", "converted")


def test_replaying_the_journal_gives_the_live_state(sim):
    customer_id = kyc_approved_customer(sim)
    sim.customer.decline_kyc(customer_id, "applicant-9")
    sim.settle(commit=True)
    assert sim.load("customer", customer_id) == sim.state("customer", customer_id)
    assert sim.load("prospect", customer_id) == sim.state("prospect", customer_id)


def test_the_same_seed_gives_the_same_journal():
    digests = []
    for _ in range(2):
        with Simulation(seed=7) as sim:
            kyc_approved_customer(sim)
            sim.customer.create_customer("ann@example.com")
            digests.append(sim.journal.digest())
    assert digests[0] == digests[1]

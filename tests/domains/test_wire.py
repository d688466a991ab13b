"""Lana's spelling of enum values in public payloads, and back to lanasim's."""

from __future__ import annotations

import pytest

from domains.credit.collateral.collateralization import CollateralizationState
from domains.wire import from_kebab, from_pascal, kebab_value, pascal


@pytest.mark.parametrize("member", list(CollateralizationState))
def test_every_collateralization_state_survives_the_round_trip_through_lanas_spelling(member):
    assert from_pascal(pascal(member)) == member.value


def test_snake_case_values_are_spelt_as_serde_variant_names():
    assert pascal("under_margin_call_threshold") == "UnderMarginCallThreshold"
    assert pascal("foreign_agency_or_subsidiary") == "ForeignAgencyOrSubsidiary"
    assert pascal("confirmed") == "Confirmed"
    assert from_pascal("PendingCustomerApproval") == "pending_customer_approval"


def test_kebab_renamed_enums_swap_underscores_for_hyphens_and_back():
    assert kebab_value("kyc_started") == "kyc-started"
    assert from_kebab("not-started") == "not_started"

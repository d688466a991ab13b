"""The shared argument checks: one maximum for cents and sats, one for text, typed refusals with fields."""

from __future__ import annotations

import attrs
import pytest

from domains.aggregate import Refusal
from domains.money import MAX_CENTS, MAX_SATS
from domains.validators import (
    MAX_TEXT,
    AmountOutOfRange,
    TextTooLong,
    WrongType,
    amount,
    check_amount,
    check_id,
    required,
)


class Empty(Refusal):
    pass


class Negative(Refusal):
    pass


@attrs.frozen
class Pay:
    cents: int = attrs.field(validator=amount(Negative))
    sats: int = attrs.field(default=0, validator=amount(maximum=MAX_SATS, minimum=0))
    memo: str = attrs.field(default="memo", validator=required(Empty))


def test_the_maxima_fit_sqlite_integers_with_room_to_sum_thousands():
    assert 4_000 * max(MAX_CENTS, MAX_SATS) < 2**63 - 1
    assert MAX_SATS == 21_000_000 * 100_000_000


def test_an_amount_is_a_whole_number_within_its_range():
    assert Pay(MAX_CENTS, MAX_SATS).cents == MAX_CENTS
    with pytest.raises(AmountOutOfRange) as err:
        Pay(MAX_CENTS + 1)
    assert err.value.fields == {"field": "cents", "amount": MAX_CENTS + 1, "minimum": 1, "maximum": MAX_CENTS}
    for bad in (0, -1):
        with pytest.raises(Negative) as err:
            Pay(bad)
        assert (err.value.field, err.value.amount) == ("cents", bad)
    for wrong in ("5", 5.0, True, None):
        with pytest.raises(WrongType) as err:
            Pay(wrong)
        assert err.value.fields == {"field": "cents", "value": wrong, "expected": "a whole number of cents"}
    with pytest.raises(AmountOutOfRange):
        Pay(1, -1)


def test_text_is_required_and_bounded():
    with pytest.raises(Empty):
        Pay(1, memo="  ")
    with pytest.raises(TextTooLong) as err:
        Pay(1, memo="m" * (MAX_TEXT + 1))
    assert (err.value.field, err.value.length, err.value.maximum) == ("memo", MAX_TEXT + 1, MAX_TEXT)


def test_service_checks_name_the_argument():
    assert check_amount("amount", 5) == 5
    assert check_amount("sats", -5, minimum=None, maximum=MAX_SATS) == -5
    with pytest.raises(WrongType) as err:
        check_amount("sats", "5", minimum=None, unit="satoshis")
    assert (err.value.field, err.value.value, err.value.expected) == ("sats", "5", "a whole number of satoshis")
    with pytest.raises(AmountOutOfRange):
        check_amount("sats", MAX_SATS + 1, minimum=None, maximum=MAX_SATS)
    with pytest.raises(WrongType) as err:
        check_id("facility_id", ["x"])
    assert (err.value.field, err.value.value) == ("facility_id", ["x"])
    assert check_id("facility_id", "f-1") == "f-1"

"""The codec decodes every declared field type explicitly and refuses, at registration, a type it cannot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from engine.kernel.codec import Codec, UnsupportedFieldType, dumps


@attrs.frozen
class Priced:
    pair: tuple[date, Decimal]
    days: tuple[date, ...]
    note: str | None = None


@attrs.frozen
class Either:
    value: int | str


class Opaque:
    pass


@attrs.frozen
class HoldsOpaque:
    thing: Opaque


def test_tuple_items_are_decoded_each_with_its_own_positions_type():
    codec = Codec()
    codec.register(Priced, "test.priced")
    event = Priced((date(2024, 1, 2), Decimal("1.50")), (date(2024, 1, 3),))
    assert codec.decode("test.priced", 1, dumps(event)) == event


def test_a_payload_without_a_defaulted_field_takes_the_default():
    codec = Codec()
    codec.register(Priced, "test.priced")
    assert codec.decode("test.priced", 1, '{"pair":["2024-01-02","2"],"days":[]}') == \
        Priced((date(2024, 1, 2), Decimal(2)), ())


def test_a_union_of_two_types_is_refused_at_registration_naming_the_field():
    with pytest.raises(UnsupportedFieldType) as err:
        Codec().register(Either, "test.either")
    assert (err.value.owner, err.value.field, err.value.type) == ("Either", "value", "int | str")


def test_an_unknown_field_type_is_refused_at_registration_naming_the_type():
    with pytest.raises(UnsupportedFieldType) as err:
        Codec().register(HoldsOpaque, "test.holds")
    assert (err.value.owner, err.value.field, err.value.type) == ("HoldsOpaque", "thing", "Opaque")

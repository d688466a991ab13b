"""Commands of the custody module; each validates its fields on construction."""

from __future__ import annotations

from datetime import datetime

import attrs

from domains.custody.errors import EmptyValue, InvalidConfig, InvalidNetwork, InvalidProvider, InvalidSats
from domains.custody.primitives import Network, Provider
from domains.validators import MAX_SATS, bounded_text, check_amount, required

__all__ = ["CreateCustodian", "CreateWallet", "UpdateCustodianConfig", "UpdateWalletBalance"]


def _provider(value: object) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        raise InvalidProvider(value=value) from None


def _network(value: object) -> Network:
    try:
        return Network(value)
    except ValueError:
        raise InvalidNetwork(value=value) from None


def _settings(value: object) -> dict[str, str]:
    """Text to text, keys sorted: the stored payload never depends on the caller's insertion order."""
    if not isinstance(value, dict) or not all(isinstance(x, str) for pair in value.items() for x in pair):
        raise InvalidConfig(value=value)
    for key, text in value.items():
        bounded_text(key, text)
    return dict(sorted(value.items()))


_required = required(EmptyValue)


def _whole_sats(_: object, attribute: attrs.Attribute, value: object) -> None:
    if type(value) is not int:
        raise InvalidSats(value=value)
    check_amount(attribute.name, value, minimum=None, maximum=MAX_SATS)


@attrs.frozen
class CreateCustodian:
    id: str = attrs.field(validator=_required)
    name: str = attrs.field(validator=_required)
    provider: Provider = attrs.field(converter=_provider)


@attrs.frozen
class UpdateCustodianConfig:
    config: dict[str, str] = attrs.field(converter=_settings)


@attrs.frozen
class CreateWallet:
    """`provider` is the custodian's, read by the caller: a manual custodian opens no wallet."""

    id: str = attrs.field(validator=_required)
    custodian_id: str = attrs.field(validator=_required)
    provider: Provider = attrs.field(converter=_provider)
    network: Network = attrs.field(converter=_network)


@attrs.frozen
class UpdateWalletBalance:
    """The custodian's webhook: the absolute balance in satoshis and when it was observed."""

    new_balance: int = attrs.field(validator=_whole_sats)
    changed_at: datetime

"""The simulated custodian's wallet API (standing in for Komainu, BitGo and self-custody).

Opening a wallet answers with the custodian's own wallet id, a receive address and the raw
response Lana stores as `custodian_response`; all three are pure functions of the wallet id.
"""

from __future__ import annotations

import hashlib

import attrs

from domains.custody.address import address_of
from domains.custody.primitives import Network

__all__ = ["OpenedWallet", "open_wallet"]


@attrs.frozen
class OpenedWallet:
    external_wallet_id: str
    address: str
    response: dict[str, str]


def open_wallet(wallet_id: str, network: Network) -> OpenedWallet:
    external_id = "sim-" + hashlib.sha256(f"lanasim-custodian:{wallet_id}".encode()).hexdigest()[:24]
    address = address_of(wallet_id, network)
    response = {"address": address, "id": external_id, "label": wallet_id, "network": network.value}
    return OpenedWallet(external_id, address, response)

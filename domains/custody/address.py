"""Deterministic receive addresses: a BIP-173 (bech32) P2WPKH address derived from the wallet id.

The witness program is the first 20 bytes of SHA-256("lanasim-wallet:<id>"): valid on the wire,
owned by nobody, and the same for the same wallet id in every run.
"""

from __future__ import annotations

import hashlib

from domains.custody.primitives import Network

__all__ = ["address_of", "segwit_v0_address"]

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def address_of(wallet_id: str, network: Network) -> str:
    """Mainnet addresses start `bc1q`; testnet3, testnet4 and signet share `tb1q`."""
    program = hashlib.sha256(f"lanasim-wallet:{wallet_id}".encode()).digest()[:20]
    return segwit_v0_address("bc" if network is Network.MAINNET else "tb", program)


def segwit_v0_address(hrp: str, program: bytes) -> str:
    data = [0, *_five_bit_groups(program)]
    return f"{hrp}1" + "".join(_CHARSET[d] for d in data + _checksum(hrp, data))


def _five_bit_groups(data: bytes) -> list[int]:
    bits, width = int.from_bytes(data, "big"), len(data) * 8
    pad = -width % 5
    bits, width = bits << pad, width + pad
    return [(bits >> (width - 5 * (i + 1))) & 31 for i in range(width // 5)]


def _checksum(hrp: str, data: list[int]) -> list[int]:
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = _polymod(expanded + data + [0] * 6) ^ 1
    return [(mod >> 5 * (5 - i)) & 31 for i in range(6)]


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top, check = check >> 25, (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            check ^= generator if (top >> i) & 1 else 0
    return check

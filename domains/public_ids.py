"""Public ids (Lana `core/public-id`): short numbers from one global sequence starting at 1000
(`CREATE SEQUENCE core_public_id_counter START 1000`, lana/app/migrations), handed out as customers,
credit facilities (at activation) and disbursals are created, in that one order.

Lana's counter also numbers prospects (a converted customer keeps its prospect's number), deposit
accounts, deposits and withdrawals; lanasim numbers only customers, facilities and disbursals, so its
numbers match Lana's for a bank that creates only those.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FIRST_PUBLIC_ID", "TARGET_TYPES", "assign"]

FIRST_PUBLIC_ID = 1000
# lanasim kind -> Lana's `PublicIdTargetType`
TARGET_TYPES = {"customer": "customer", "credit-facility": "credit_facility", "disbursal": "disbursal"}


def assign(created: Iterable[tuple[int, str, str]], first: int = FIRST_PUBLIC_ID) -> dict[tuple[str, str], int]:
    """(creation order, kind, id) of every numbered entity -> {(kind, id): public id}, in creation order."""
    return {(kind, entity_id): first + n for n, (_, kind, entity_id) in enumerate(sorted(created))}

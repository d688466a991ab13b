"""Public ids (Lana `core/public-id`): short numbers from one global sequence starting at 1000
(`CREATE SEQUENCE core_public_id_counter START 1000`, lana/app/migrations), handed out as customers,
credit facilities (at activation) and disbursals are created, in that one order.

Lana's counter also numbers prospects (a converted customer keeps its prospect's number), deposit
accounts, deposits and withdrawals; lanasim numbers only customers, facilities and disbursals, so its
numbers match Lana's only for customers created directly (Lana's `create_customer_bypassing_kyc`
makes and converts the prospect at once) before any deposit account. Two deliberate consequences:
a facility needs an active deposit account, which Lana numbers, so facility and disbursal numbers
run lower than Lana's would; and a customer converted from a prospect is numbered when it converts,
where Lana's keeps the number its prospect drew (prospects A then B, B's KYC approved first: here B
is 1000 and A 1001, in Lana A keeps 1000 and B 1001).
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

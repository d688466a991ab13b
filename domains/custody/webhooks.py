"""The custodian webhook inbox (Lana `core/custody/src/lib.rs`, `handle_webhook`): each delivery is
kept under its idempotency key (the `idempotency-key` header, else a custodian's signature header,
else a SHA-256 of every header), so a duplicate delivery is skipped. Balances are absolute.

lanasim also compares `changed_at` (Lana never does, so a late webhook can overwrite a newer
balance there): a delivery observed before the balance in use is recorded but not applied.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from datetime import datetime

import attrs

from domains.aggregate import Aggregate, EventType
from domains.custody.wallet import Wallet

__all__ = [
    "CUSTODY_WEBHOOK", "IDEMPOTENCY_HEADERS", "Outcome", "ReceiveWebhook", "WebhookReceived", "idempotency_key",
    "outcome_of",
]

IDEMPOTENCY_HEADERS = ("idempotency-key", "x-komainu-signature", "x-signature-sha256")  # Lana's order


def idempotency_key(headers: Mapping[str, str]) -> str:
    """The first idempotency header present, else the hex SHA-256 of every `name:value\\n`, by name."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in IDEMPOTENCY_HEADERS:
        if name in lowered:
            return lowered[name]
    digest = hashlib.sha256()
    for name, value in sorted(lowered.items()):
        digest.update(f"{name}:{value}\n".encode())
    return digest.hexdigest()


class Outcome(str, enum.Enum):
    """What a delivery did: applied, a duplicate (same key), unchanged (equal balance), or stale
    (observed before the balance in use: not applied)."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    UNCHANGED = "unchanged"
    STALE = "stale"


def outcome_of(wallet: Wallet, new_balance: int, changed_at: datetime) -> Outcome:
    """What a first delivery would do to the wallet (the wallet itself decides the same way)."""
    if wallet.balance_updated_at is not None and changed_at < wallet.balance_updated_at:
        return Outcome.STALE
    return Outcome.UNCHANGED if new_balance == wallet.balance else Outcome.APPLIED


@attrs.frozen
class ReceiveWebhook:
    """A custodian's balance notification for one wallet, under its idempotency key."""

    key: str
    wallet_id: str
    new_balance: int
    changed_at: datetime


@attrs.frozen
class WebhookReceived:
    key: str
    wallet_id: str
    new_balance: int
    changed_at: datetime


def apply(state: WebhookReceived | None, event: WebhookReceived) -> WebhookReceived:
    return event


def decide(state: WebhookReceived | None, command: ReceiveWebhook, at: datetime) -> tuple[WebhookReceived, ...]:
    """A key seen before is already applied: the duplicate is skipped."""
    if state is not None:
        return ()
    return (WebhookReceived(command.key, command.wallet_id, command.new_balance, command.changed_at),)


CUSTODY_WEBHOOK = Aggregate(
    kind="custody-webhook", events=(EventType(WebhookReceived, "custody.webhook.received"),), apply=apply,
    decide=decide, commands=(ReceiveWebhook,), creates=(ReceiveWebhook,), state=WebhookReceived,
)

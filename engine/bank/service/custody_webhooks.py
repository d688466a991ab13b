"""`sim.custody.webhooks`: the simulated custodian's balance webhooks and the bank's inbox, with the
feed's faults — duplicate deliveries, late (out-of-order) deliveries, and the confirmation delay
before a top-up's balance is reported at all. The rules are `domains.custody.webhooks`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import cast

import attrs

from domains.custody import UpdateWalletBalance, Wallet
from domains.custody.webhooks import Outcome, ReceiveWebhook, idempotency_key, outcome_of
from engine.kernel.authz import System
from engine.kernel.clock import Priority
from engine.kernel.port import Kernel

__all__ = ["Delivery", "WebhookInbox"]

SUBJECT = System("custodian-sync")


@attrs.frozen
class Delivery:
    """One webhook delivery: when it arrived, its key, the balance and observation time it carried,
    and what it did."""

    at: datetime
    key: str
    wallet_id: str
    new_balance: int
    changed_at: datetime
    outcome: Outcome


class WebhookInbox:
    """Receives webhooks (`deliver`) and sends the simulated custodian's (`top_up`); `deliveries`
    lists every delivery in order (a simulation record, not journaled)."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.deliveries: list[Delivery] = []

    def deliver(self, wallet_id: str, new_balance: int, changed_at: datetime | None = None, *,
                headers: Mapping[str, str] | None = None) -> Outcome:
        """One delivery now: `changed_at` (default now) is when the custodian observed the balance; the
        idempotency key comes from `headers` (default: an `idempotency-key` derived from the content,
        as a custodian re-sending the same notification would)."""
        kernel = self.kernel
        changed_at = changed_at or kernel.now
        if headers is None:
            headers = {"idempotency-key": kernel.ids.derived("webhook", wallet_id, new_balance, changed_at.isoformat())}
        key = idempotency_key(headers)
        wallet = cast(Wallet, kernel.state("wallet", wallet_id))  # UnknownEntity for a wallet never created
        command = ReceiveWebhook(key, wallet_id, new_balance, changed_at)
        if not kernel.execute("custody-webhook", key, command, subject=SUBJECT):  # AlreadyApplied: a key seen before
            outcome = Outcome.DUPLICATE
        else:
            outcome = outcome_of(wallet, new_balance, changed_at)
            kernel.execute("wallet", wallet_id, UpdateWalletBalance(new_balance, changed_at), subject=SUBJECT)
        self.deliveries.append(Delivery(kernel.now, key, wallet_id, new_balance, changed_at, outcome))
        return outcome

    def top_up(self, wallet_id: str, new_balance: int, *, confirmation_delay_s: int = 0, copies: int = 1,
               late_by_s: int = 0) -> datetime:
        """The wallet's on-chain balance becomes `new_balance` now; the custodian reports it once
        confirmed (`confirmation_delay_s` later, the balance's `changed_at`), delivering `copies`
        identical webhooks `late_by_s` after confirming. Returns the confirmation time."""
        kernel = self.kernel
        confirmed = kernel.now + timedelta(seconds=confirmation_delay_s)
        arrival = confirmed + timedelta(seconds=late_by_s)
        for _ in range(copies):
            kernel.jobs.at(arrival, lambda: self.deliver(wallet_id, new_balance, confirmed), Priority.SCENARIO)
        return confirmed

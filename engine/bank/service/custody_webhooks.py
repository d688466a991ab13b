"""`sim.custody.webhooks`: the simulated custodian's balance webhooks and the bank's inbox, with the
feed's faults — duplicate deliveries, late (out-of-order) deliveries, and the confirmation delay
before a top-up's balance is reported at all. The rules are `domains.custody.webhooks`."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import cast

import attrs

from domains.custody import UpdateWalletBalance, Wallet
from domains.custody.webhooks import Outcome, ReceiveWebhook, idempotency_key, outcome_of
from engine.kernel.authz import System
from engine.kernel.clock import EARLIEST_START, LATEST_INSTANT, Priority, parse_instant
from engine.kernel.errors import InvalidArgument
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

    def __init__(self, kernel: Kernel, serial: threading.RLock) -> None:
        self.kernel, self.serial = kernel, serial  # held by a balance update (`CustodyService`)
        self.deliveries: list[Delivery] = []

    def deliver(self, wallet_id: str, new_balance: int, changed_at: datetime | None = None, *,
                headers: Mapping[str, str] | None = None) -> Outcome:
        """One delivery now: `changed_at` (default now) is when the custodian observed the balance; the
        idempotency key comes from `headers` (default: an `idempotency-key` derived from the content,
        as a custodian re-sending the same notification would). `changed_at` is an instant (a datetime,
        a date or ISO-8601 text, read as UTC) from the year 1000 on, else `InvalidInstant` or
        `InvalidArgument`: a date was journaled as it was, and every later delivery failed comparing
        it (TypeError); a year before 1000 was published as `5-01-01T00:00:00Z`, which the bank's own
        custodian-sync reaction could not read back (ReactionFailed)."""
        kernel = self.kernel
        changed_at = kernel.now if changed_at is None else _observed(changed_at)
        if headers is None:
            headers = {"idempotency-key": kernel.ids.derived("webhook", wallet_id, new_balance, changed_at.isoformat())}
        key = idempotency_key(headers)
        wallet = cast(Wallet, kernel.state("wallet", wallet_id))  # UnknownEntity for a wallet never created
        command = ReceiveWebhook(key, wallet_id, new_balance, changed_at)
        if not kernel.execute("custody-webhook", key, command, subject=SUBJECT):  # AlreadyApplied: a key seen before
            outcome = Outcome.DUPLICATE
        else:
            outcome = outcome_of(wallet, new_balance, changed_at)
            with self.serial:
                kernel.execute("wallet", wallet_id, UpdateWalletBalance(new_balance, changed_at), subject=SUBJECT)
        self.deliveries.append(Delivery(kernel.now, key, wallet_id, new_balance, changed_at, outcome))
        return outcome

    def top_up(self, wallet_id: str, new_balance: int, *, confirmation_delay_s: int = 0, copies: int = 1,
               late_by_s: int = 0) -> datetime:
        """The wallet's on-chain balance becomes `new_balance` now; the custodian reports it once
        confirmed (`confirmation_delay_s` later, the balance's `changed_at`), delivering `copies`
        identical webhooks `late_by_s` after confirming. Returns the confirmation time. Delays and
        copies are whole, non-negative numbers, and the webhooks must arrive by the clock's latest
        instant (`InvalidArgument`): a delay past year 9999 raised OverflowError, and one past the
        clock's latest day scheduled webhooks that could never arrive."""
        kernel = self.kernel
        for name, value in (("confirmation_delay_s", confirmation_delay_s), ("late_by_s", late_by_s),
                            ("copies", copies)):
            if type(value) is not int or value < 0:
                raise InvalidArgument(argument=name, value=value, problem="not a whole, non-negative number")
        if confirmation_delay_s + late_by_s > (LATEST_INSTANT - kernel.now).total_seconds():
            raise InvalidArgument(argument="confirmation_delay_s", value=confirmation_delay_s,
                                  problem=f"with late_by_s={late_by_s} the webhook would arrive after "
                                          f"{LATEST_INSTANT.date().isoformat()}, the latest day a simulation's "
                                          "clock moves to")
        confirmed = kernel.now + timedelta(seconds=confirmation_delay_s)
        arrival = confirmed + timedelta(seconds=late_by_s)
        for _ in range(copies):
            kernel.jobs.at(arrival, lambda: self.deliver(wallet_id, new_balance, confirmed), Priority.SCENARIO)
        return confirmed


def _observed(changed_at: object) -> datetime:
    """A webhook's observation time as a UTC datetime the journal writes and reads back (four-digit years)."""
    if not isinstance(changed_at, (str, date)):
        raise InvalidArgument(argument="changed_at", value=changed_at,
                              problem="not an instant: a datetime, a date or ISO-8601 text")
    instant = parse_instant(changed_at)
    if instant < EARLIEST_START:
        raise InvalidArgument(argument="changed_at", value=instant.isoformat(),
                              problem=f"before {EARLIEST_START.date().isoformat()}: "
                                      "the journal writes four-digit years")
    return instant

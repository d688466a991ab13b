"""A tiny savings-account aggregate used by the engine's contract tests (not part of the bank)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import Aggregate, Column, EventType, Public, Refusal


@attrs.frozen
class Opened:
    """An account was opened for an owner."""

    owner: str
    email: str


@attrs.frozen
class Deposited:
    """Money was paid in."""

    amount: int


@attrs.frozen
class Withdrawn:
    """Money was paid out."""

    amount: int


@attrs.frozen
class Open:
    owner: str
    email: str


@attrs.frozen
class Deposit:
    amount: int


@attrs.frozen
class Withdraw:
    amount: int


@attrs.frozen
class Account:
    owner: str
    email: str
    balance: int = 0
    movements: int = 0


class InsufficientFunds(Refusal):
    pass


class NonPositiveAmount(Refusal):
    pass


AccountEvent = Opened | Deposited | Withdrawn


def apply(state: Account | None, event: AccountEvent) -> Account:
    match event:
        case Opened():
            return Account(event.owner, event.email)
        case Deposited():
            assert state is not None
            return attrs.evolve(state, balance=state.balance + event.amount, movements=state.movements + 1)
        case Withdrawn():
            assert state is not None
            return attrs.evolve(state, balance=state.balance - event.amount, movements=state.movements + 1)
        case _:
            assert_never(event)


def decide(state: Account | None, command: object, at: datetime) -> tuple:
    match command:
        case Open():
            return () if state is not None else (Opened(command.owner, command.email),)
        case Deposit() | Withdraw() if command.amount <= 0:
            raise NonPositiveAmount(amount=command.amount)
        case Deposit():
            return (Deposited(command.amount),)
        case Withdraw():
            assert state is not None
            if command.amount > state.balance:
                raise InsufficientFunds(balance=state.balance, amount=command.amount)
            return (Withdrawn(command.amount),)
    raise AssertionError(command)


def publish(state: Account, event: AccountEvent) -> tuple[Public, ...]:
    if isinstance(event, Opened):
        return (Public("Deposit", "DepositAccountCreated", {"entity": {"owner": state.owner}}),)
    return ()


def opened_v1_to_v2(payload: dict) -> dict:
    """v1 of `test.account.opened` had no email; accounts opened then get a placeholder."""
    return {**payload, "email": f"{payload['owner']}@legacy.invalid"}


ACCOUNT = Aggregate(
    kind="account",
    events=(EventType(Opened, "test.account.opened", 2), EventType(Deposited, "test.account.deposited"),
            EventType(Withdrawn, "test.account.withdrawn")),
    apply=apply, decide=decide, commands=(Open, Deposit, Withdraw), creates=(Open,),
    columns=(Column("email", lambda s: s.email, unique=True),
             Column("balance", lambda s: s.balance, sql_type="INTEGER"),
             Column("owner", lambda s: s.owner)),
    publish=publish, state=Account, snapshot_every=10,
    upcasters=(("test.account.opened", 1, opened_v1_to_v2),),
)


# -- a run's outbox written by hand, for the analysis's tests ------------------------------------
FACILITY = "f-1"


def in_state(state: str) -> dict:
    """The facility payload the analysis reads: open, in Lana's collateralization `state`."""
    return {"id": FACILITY, "completed_at": None, "collateralization": {"state": state}}


def opened(owed_cents: int, sats: int, price_cents: int) -> list[tuple[str, str, dict]]:
    """At 00:00: FACILITY activated fully collateralized, `owed_cents` disbursed, `sats` posted, the
    price published; rows (hh:mm, event type, payload) for `envelopes`."""
    return [
        ("00:00", "core.credit.facility-activated", {"entity": in_state("FullyCollateralized")}),
        ("00:00", "core.credit.disbursal-settled", {"entity": {"credit_facility_id": FACILITY, "amount": owed_cents}}),
        ("00:00", "core.credit-collateral.collateral-updated",
         {"entity": {"secured_loan_id": FACILITY, "amount": sats}}),
        ("00:00", "core.price.price-updated", {"PriceUpdated": {"price": price_cents}}),
    ]


def envelopes(rows: list[tuple[str, str, dict]]) -> list[dict]:
    """Outbox envelopes of 1 Jan 2024, numbered in order."""
    return [{"sequence": n, "event_type": kind, "recorded_at": f"2024-01-01T{hhmm}:00Z", "payload": payload}
            for n, (hhmm, kind, payload) in enumerate(rows, start=1)]

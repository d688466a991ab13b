"""A partial liquidation's proceeds become a payment from the facility's
proceeds-from-liquidation account, sized here against what the facility owes.

Rule: the proceeds event (`ProceedsReceivedAndLiquidationCompleted`, public
`LiquidationProceedsReceived`) names the payment its proceeds become, and that payment is recorded;
when no part of them is payable (0 cents, or a facility that owes nothing) it names none (null) and
none is recorded, so the id it names is a payment's that exists. Who records the proceeds
(`engine.bank.service.credit.record_liquidation_proceeds`) reads what the facility owes first and
names a payment only when `payable(...) > 0`; `record_proceeds` sizes it again from the books when
it records it. Nothing lowers what the facility owes between the two reads: the proceeds' own
cascade posts nothing the facility owes (only the proceeds and collateral accounts); on the
deterministic runtime a payment or disbursal is a command whose cascade settles before the next
command runs, and on the threaded one the credit service holds one lock over a payment's command
and over the proceeds' read, command and cascade, so a payment from another thread cannot land
between them (it would leave the named payment unrecorded, having paid the facility off). What
only grows what is owed (a disbursal, posted interest) may land between them: the payment is then
sized to what is payable at the second read.

Lana names a new `PaymentId` in every `LiquidationProceedsReceived`
(`Collateral::record_proceeds_received_and_liquidation_completed`, core/credit/collateral/src/entity.rs)
and its `record-liquidation-proceeds` job records a Payment of the whole proceeds under it
(`Payments::record_in_op`, core/credit/collection/src/payment/mod.rs): of 0 cents too, since neither
its Payment entity nor Cala refuses a zero amount (RECORD_PAYMENT posts zero-unit entries); proceeds
above what is owed (all of them, for a facility owing nothing) fail it instead (`payable`). Here a
payment is a positive amount (`RecordPayment`) and no ledger entry holds 0 (as a proceeds' own
`ledger_tx_id` is null where Lana's transaction would hold zero-unit entries), so where nothing is
payable there is no payment, and the event names none: an id naming nothing would leave a consumer
of the outbox (`lanasim outbox`) looking for a payment in vain.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.accounting import chart
from domains.aggregate import Send
from domains.credit.commands import ApplyLiquidationProceeds, RecordPayment

__all__ = ["payable", "record_proceeds"]


def payable(proceeds: int, owed: int, uncovered: int) -> int:
    """The proceeds, but no more than the facility's obligations owe (`owed`, defaulted ones
    included: the payment pays them too, interest first) nor its uncovered outstanding
    (`uncovered`): a payment above it would break that account's velocity limit, and only
    obligations take a payment. The surplus stays in the proceeds-from-liquidation account, where an
    operator would return it to the borrower; a run reports it as `proceeds_surplus_cents`.

    Lana's job (`core/credit/src/credit_facility/jobs/record_liquidation_proceeds.rs`) records a
    payment of the whole proceeds, and its collection ledger refuses a payment above what the
    obligations owe (`PaymentAmountGreaterThanOutstandingObligations`,
    `core/credit/collection/src/ledger/mod.rs`): the job fails in its transaction and fails again at
    each retry, so no part of the proceeds pays the debt and the liquidation is never acknowledged
    (no later liquidation of the facility can start). That is a bug; this pays what is owed instead."""
    return max(0, min(proceeds, owed, uncovered))


def record_proceeds(proceeds: dict[str, Any], owed: int, uncovered: int) -> tuple[Send, ...]:
    """A `liquidation-proceeds-received` payload -> the payment it names (effective on the proceeds'
    date, of what is payable), then the facility's `ApplyLiquidationProceeds`. A payload naming no
    payment (`payment_id` null: nothing was payable when the proceeds came in) records none. One
    naming a payment when nothing is payable any more records none either: only a payment between
    the proceeds and this reaction could do that, which neither runtime lets happen (see the module's
    rule)."""
    facility_id, payment_id = proceeds["secured_loan_id"], proceeds["payment_id"]
    amount = 0 if payment_id is None else payable(proceeds["amount"], owed, uncovered)
    payment = () if amount == 0 else (Send("payment", payment_id, RecordPayment(
        payment_id, facility_id, amount, chart.proceeds_from_liquidation(facility_id),
        date.fromisoformat(proceeds["effective"]))),)
    return (*payment, Send("credit-facility", facility_id, ApplyLiquidationProceeds(proceeds["liquidation_id"])))

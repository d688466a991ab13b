"""Every public event the bank publishes: (Lana module tag, variant name) -> envelope event type.

The union of Lana's public event enums (core/*/src/public/event.rs) and its published 33-event
catalog. Outbox filters are checked against it, so a misspelt event type is an error rather than an empty result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from engine.kernel.outbox import event_type_of

__all__ = ["CATALOG", "EPHEMERAL", "EVENT_TYPES", "SEED_CATALOG", "check_event_types"]

CATALOG: dict[str, tuple[str, ...]] = {
    "CoreAccess": ("UserCreated", "RoleCreated"),
    "Credit": ("FacilityProposalCreated", "FacilityProposalConcluded", "PendingCreditFacilityCollateralizationChanged",
               "PendingCreditFacilityCompleted", "FacilityActivated", "FacilityCompleted",
               "FacilityCollateralizationChanged", "FacilityMatured", "PartialLiquidationInitiated",
               "DisbursalSettled", "DisbursalApprovalConcluded", "AccrualPosted"),
    "CreditCollateral": ("CollateralUpdated", "LiquidationCollateralSentOut", "LiquidationProceedsReceived",
                         "LiquidationCompleted"),
    "CreditCollection": ("PaymentCreated", "PaymentAllocationCreated", "ObligationCreated", "ObligationDue",
                         "ObligationOverdue", "ObligationDefaulted", "ObligationCompleted"),
    "Deposit": ("DepositAccountCreated", "DepositInitialized", "DepositReverted", "WithdrawalApprovalConcluded",
                "WithdrawalConfirmed"),
    "Customer": ("CustomerCreated", "CustomerFrozen", "CustomerUnfrozen", "CustomerClosed", "CustomerKycUpdated",
                 "PartyCreated", "PartyEmailUpdated", "ProspectCreated", "ProspectKycStarted", "ProspectKycPending",
                 "ProspectKycDeclined", "ProspectConverted", "ProspectClosed"),
    "Governance": ("ApprovalProcessConcluded",),
    "Custody": ("WalletBalanceUpdated",),
    "Price": ("PriceUpdated",),
    "Report": ("ReportRunCreated", "ReportRunStateUpdated"),
    "Accounting": ("LedgerAccountCsvExportUploaded",),
    "Time": ("EndOfDay",),
    # lanasim's extension, not Lana's: an imported facility's book row (terms included), published as
    # `lanasim.credit.facility-imported` so that `lanasim import --from-outbox` can rebuild the book.
    "LanasimCredit": ("FacilityImported",),
}

# Lana's latest-value events: kept per type (ephemeral table) as well as in the tail.
EPHEMERAL = frozenset({"PriceUpdated", "ReportRunCreated", "ReportRunStateUpdated", "LedgerAccountCsvExportUploaded"})

# The 33 events of Lana's published public event catalog.
SEED_CATALOG = (
    "UserCreated", "RoleCreated", "FacilityProposalCreated", "FacilityActivated", "FacilityCompleted",
    "PendingCreditFacilityCollateralizationChanged", "FacilityCollateralizationChanged", "DisbursalSettled",
    "AccrualPosted", "PartialLiquidationInitiated", "FacilityProposalConcluded", "PendingCreditFacilityCompleted",
    "DisbursalApprovalConcluded", "WalletBalanceUpdated", "CustomerCreated", "CustomerKycUpdated", "PartyCreated",
    "PartyEmailUpdated", "ProspectCreated", "ProspectKycStarted", "ProspectKycPending", "ProspectKycDeclined",
    "ProspectConverted", "ProspectClosed", "DepositAccountCreated", "DepositInitialized", "WithdrawalConfirmed",
    "WithdrawalApprovalConcluded", "DepositReverted", "PriceUpdated", "ReportRunCreated", "ReportRunStateUpdated",
    "ApprovalProcessConcluded",
)

EVENT_TYPES: frozenset[str] = frozenset(event_type_of(m, n) for m, names in CATALOG.items() for n in names)


def check_event_types(types: Iterable[str] | str) -> list[str]:
    """The given event types as a list; an unknown one raises `UnknownEventType` naming it, its hint
    the nearest catalogued types (a misspelling's correction)."""
    from engine.kernel.errors import InvalidArgument, UnknownEventType

    if not isinstance(types, str | Iterable) or isinstance(types, bytes | Mapping):  # 5: a bare TypeError
        raise InvalidArgument(argument="types", value=types, problem="an event type or a list of event types")
    found = [types] if isinstance(types, str) else list(types)
    for event_type in found:
        if event_type not in EVENT_TYPES:
            close = difflib.get_close_matches(str(event_type), sorted(EVENT_TYPES), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise UnknownEventType(name=event_type, close=tuple(close),
                                   hint=f"{hint}every type: engine.bank.catalog.EVENT_TYPES")
    return found

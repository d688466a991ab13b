"""Lana's predefined permission sets and roles (`lana/app/src/authorization/seed.rs`), as data.
Set names are Lana's (`permission_sets!`). Lana's price, contract-creation and all-config sets are
left out: lanasim's price feed acts as a system principal, and it has neither contracts nor editable
domain configs. The (object, action) pairs follow Lana's `<object>/*` + `<object>:<verb>` convention
and are a representative subset, not a full copy."""

from __future__ import annotations

__all__ = ["PERMISSION_SETS", "ROLES", "SUPERUSER"]

Permission = tuple[str, str]


def _grant(obj: str, *verbs: str) -> tuple[Permission, ...]:
    return tuple((f"{obj}/*", f"{obj}:{verb}") for verb in verbs)


_VIEW = ("read", "list")

PERMISSION_SETS: tuple[tuple[str, tuple[Permission, ...]], ...] = (
    ("access_viewer", _grant("user", *_VIEW) + _grant("role", *_VIEW) + _grant("permission-set", "list")),
    ("access_writer", _grant("user", "create", "update-role") + _grant("role", "create", "update")),
    ("accounting_viewer", _grant("chart-of-accounts", *_VIEW) + _grant("ledger-account", *_VIEW)
     + _grant("trial-balance", "read") + _grant("balance-sheet", "read") + _grant("profit-and-loss", "read")),
    ("accounting_writer", _grant("chart-of-accounts", "import") + _grant("manual-transaction", "create")
     + _grant("fiscal-year", "close")),
    ("audit_viewer", _grant("audit", "list")),
    ("collection_viewer", _grant("obligation", *_VIEW) + _grant("payment", *_VIEW)),
    ("collection_writer", _grant("payment", "create") + _grant("obligation", "update")),
    ("collection_payment_date", _grant("payment", "record-with-date")),
    ("credit_viewer", _grant("credit-facility-proposal", *_VIEW) + _grant("credit-facility", *_VIEW)
     + _grant("disbursal", *_VIEW)),
    ("credit_writer", _grant("credit-facility-proposal", "create", "conclude")
     + _grant("credit-facility", "create", "activate", "complete", "update-collateral", "record-interest")
     + _grant("disbursal", "initiate", "settle")),
    ("credit_term_templates_viewer", _grant("terms-template", *_VIEW)),
    ("credit_term_templates_writer", _grant("terms-template", "create", "update")),
    ("custody_viewer", _grant("custodian", *_VIEW) + _grant("wallet", "read")),
    ("custody_writer", _grant("custodian", "create", "update")),
    ("customer_viewer", _grant("customer", *_VIEW) + _grant("prospect", *_VIEW)
     + _grant("customer-document", *_VIEW)),
    ("customer_writer", _grant("customer", "create", "update", "freeze", "unfreeze", "close")
     + _grant("prospect", "create", "start-kyc", "approve-kyc", "decline-kyc", "convert", "close")
     + _grant("customer-document", "create", "delete")),
    ("dashboard_viewer", _grant("dashboard", "read")),
    ("deposit_viewer", _grant("deposit-account", *_VIEW) + _grant("deposit", *_VIEW) + _grant("withdrawal", *_VIEW)),
    ("deposit_writer", _grant("deposit-account", "create", "close") + _grant("deposit", "create", "revert")
     + _grant("withdrawal", "initiate", "confirm", "cancel", "revert")),
    ("deposit_freeze", _grant("deposit-account", "freeze")),
    ("deposit_unfreeze", _grant("deposit-account", "unfreeze")),
    ("exposed_config_viewer", _grant("exposed-config", "read")),
    ("exposed_config_writer", _grant("exposed-config", "update")),
    ("governance_viewer", _grant("policy", *_VIEW) + _grant("committee", *_VIEW) + _grant("approval-process", *_VIEW)),
    ("governance_writer", _grant("policy", "update-rules")
     + _grant("committee", "create", "add-member", "remove-member")
     + _grant("approval-process", "approve", "deny")),
    ("report_viewer", _grant("report", *_VIEW) + _grant("report-run", *_VIEW)),
    ("report_writer", _grant("report", "generate")),
)

SUPERUSER = "superuser"

_BANK_MANAGER = (
    "accounting_viewer", "accounting_writer", "audit_viewer", "collection_payment_date", "collection_viewer",
    "collection_writer", "credit_viewer", "credit_writer", "customer_viewer", "customer_writer",
    "dashboard_viewer", "deposit_freeze", "deposit_unfreeze", "deposit_viewer", "deposit_writer",
    "governance_viewer", "governance_writer", "access_viewer", "report_viewer", "report_writer",
)
_ADMIN = (*_BANK_MANAGER, "access_writer", "credit_term_templates_viewer", "credit_term_templates_writer",
          "custody_viewer", "custody_writer", "exposed_config_viewer", "exposed_config_writer")
_ACCOUNTANT = ("accounting_viewer", "accounting_writer", "audit_viewer", "collection_viewer", "credit_viewer",
               "customer_viewer", "dashboard_viewer", "deposit_viewer", "governance_viewer", "access_viewer")

# Role name -> permission-set names; the superuser holds every set.
ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (SUPERUSER, tuple(name for name, _ in PERMISSION_SETS)),
    ("admin", tuple(sorted(_ADMIN))),
    ("bank-manager", tuple(sorted(_BANK_MANAGER))),
    ("accountant", tuple(sorted(_ACCOUNTANT))),
)

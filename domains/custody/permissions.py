"""The (object, action) a user must hold to issue each custody-module command (Lana's authz).

A wallet's balance is the custodian's word (its webhook acts as the `custodian-sync` system
actor); no permission set grants `wallet:update`, so no user can post a balance by hand.
"""

from __future__ import annotations

from domains.custody import commands as c

__all__ = ["required_permission"]

_CUSTODIAN = "custodian/*"

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.CreateCustodian: (_CUSTODIAN, "custodian:create"),
    c.UpdateCustodianConfig: (_CUSTODIAN, "custodian:update"),
    c.CreateWallet: (_CUSTODIAN, "custodian:update"),
    c.UpdateWalletBalance: ("wallet/*", "wallet:update"),
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

"""The (object, action) a user must hold to issue each deposit-module command (Lana's authz)."""

from __future__ import annotations

from domains.deposit import commands as c

__all__ = ["required_permission"]

_ACCOUNT, _DEPOSIT, _WITHDRAWAL = "deposit-account/*", "deposit/*", "withdrawal/*"

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.OpenAccount: (_ACCOUNT, "deposit-account:create"),
    c.RecordActivity: (_ACCOUNT, "deposit-account:update-activity"),
    c.UpdateActivity: (_ACCOUNT, "deposit-account:update-activity"),
    c.FreezeAccount: (_ACCOUNT, "deposit-account:freeze"),
    c.UnfreezeAccount: (_ACCOUNT, "deposit-account:unfreeze"),
    c.CloseAccount: (_ACCOUNT, "deposit-account:close"),
    c.RecordDeposit: (_DEPOSIT, "deposit:create"),
    c.RevertDeposit: (_DEPOSIT, "deposit:revert"),
    c.InitiateWithdrawal: (_WITHDRAWAL, "withdrawal:initiate"),
    c.ConcludeWithdrawalApproval: (_WITHDRAWAL, "withdrawal:conclude-approval"),
    c.ConfirmWithdrawal: (_WITHDRAWAL, "withdrawal:confirm"),
    c.CancelWithdrawal: (_WITHDRAWAL, "withdrawal:cancel"),
    c.RevertWithdrawal: (_WITHDRAWAL, "withdrawal:revert"),
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

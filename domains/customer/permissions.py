"""The (object, action) a user must hold to issue each customer-module command (Lana's authz)."""

from __future__ import annotations

from domains.customer import commands as c

__all__ = ["required_permission"]

_CUSTOMER, _PROSPECT = "customer/*", "prospect/*"

PERMISSIONS: dict[type, tuple[str, str]] = {
    c.CreateParty: (_CUSTOMER, "customer:create"),
    c.UpdateEmail: (_CUSTOMER, "customer:update"),
    c.UpdateTelegramHandle: (_CUSTOMER, "customer:update"),
    c.CreateCustomer: (_CUSTOMER, "customer:create"),
    c.FreezeCustomer: (_CUSTOMER, "customer:freeze"),
    c.UnfreezeCustomer: (_CUSTOMER, "customer:unfreeze"),
    c.CloseCustomer: (_CUSTOMER, "customer:close"),
    c.UpdateKycLevel: (_CUSTOMER, "customer:update"),
    c.CreateProspect: (_PROSPECT, "prospect:create"),
    c.StartKyc: (_PROSPECT, "prospect:start-kyc"),
    c.MarkKycPending: (_PROSPECT, "prospect:start-kyc"),
    c.PutKycOnHold: (_PROSPECT, "prospect:start-kyc"),
    c.ApproveKyc: (_PROSPECT, "prospect:approve-kyc"),
    c.DeclineKyc: (_PROSPECT, "prospect:decline-kyc"),
    c.ConvertManually: (_PROSPECT, "prospect:convert"),
    c.CloseProspect: (_PROSPECT, "prospect:close"),
}


def required_permission(command: object) -> tuple[str, str]:
    return PERMISSIONS[type(command)]

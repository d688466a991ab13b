"""Public (outbox) events of governance: only a process's conclusion is public in Lana."""

from __future__ import annotations

from domains.aggregate import Public
from domains.governance import events as ev
from domains.governance.approval_process import ApprovalProcess
from domains.wire import from_kebab, pascal

__all__ = ["MODULE", "publish_approval_process"]

MODULE = "Governance"


def publish_approval_process(p: ApprovalProcess, event: ev.ApprovalProcessEvent) -> tuple[Public, ...]:
    """`ApprovalProcessConcluded{entity: {id, process_type, status, target_ref}}`, the status as Lana's
    variant name (`Approved`, `Denied`)."""
    if not isinstance(event, ev.ApprovalProcessConcluded):
        return ()
    entity: dict[str, object] = {"id": p.id, "process_type": p.process_type.value,
                                 "status": pascal(from_kebab(p.status.value)), "target_ref": p.target_ref}
    return (Public(MODULE, "ApprovalProcessConcluded", {"entity": entity}),)

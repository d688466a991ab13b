"""Ledger account CSV exports (Lana's accounting module): a requested export that is uploaded
publishes the latest-value event `LedgerAccountCsvExportUploaded{id, ledger_account_id}` (Lana: core/custody/src,
core/accounting/src)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import attrs

from domains.aggregate import Aggregate, Column, EventType, Public

__all__ = ["CSV_EXPORT", "CsvExport", "CsvExportUploaded", "RecordCsvExport"]


@attrs.frozen
class CsvExportUploaded:
    """The entries of one ledger account as of `as_of` were written to `file`."""

    id: str
    ledger_account_id: str
    file: str
    rows: int
    as_of: datetime


@attrs.frozen
class RecordCsvExport:
    id: str
    ledger_account_id: str
    file: str
    rows: int
    as_of: datetime


@attrs.frozen
class CsvExport:
    id: str
    ledger_account_id: str
    file: str
    rows: int


def apply(state: CsvExport | None, event: CsvExportUploaded) -> CsvExport:
    match event:
        case CsvExportUploaded():
            return CsvExport(event.id, event.ledger_account_id, event.file, event.rows)
        case _:
            assert_never(event)


def decide(state: CsvExport | None, command: RecordCsvExport, at: datetime) -> tuple[CsvExportUploaded, ...]:
    if state is not None:
        return ()
    return (CsvExportUploaded(command.id, command.ledger_account_id, command.file, command.rows, command.as_of),)


def publish(state: CsvExport, event: CsvExportUploaded) -> tuple[Public, ...]:
    payload = {"id": event.id, "ledger_account_id": event.ledger_account_id}
    return (Public("Accounting", "LedgerAccountCsvExportUploaded", payload, ephemeral=True),)


CSV_EXPORT = Aggregate(
    kind="ledger-account-csv-export", events=(EventType(CsvExportUploaded, "accounting.csv-export.uploaded"),),
    apply=apply, decide=decide, commands=(RecordCsvExport,), creates=(RecordCsvExport,),
    columns=(Column("ledger_account_id", lambda s: s.ledger_account_id),), publish=publish, state=CsvExport,
    permissions=lambda command: ("ledger-account/*", "ledger-account:read"),
)

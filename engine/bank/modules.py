"""The bank's modules as the engine hosts them: each domain's aggregates and policies, and the
services built over the kernel (called by the composition root, `Simulation.__init__`)."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

import domains.access
import domains.accounting
import domains.credit
import domains.custody
import domains.customer
import domains.deposit
import domains.governance
import domains.price
import domains.report
import domains.time
from domains.aggregate import Aggregate, Policy
from domains.report.public import report_run_publisher
from domains.time import DEFAULT_SCHEDULE, PRODUCER_ID, ClosingSchedule, RecordEndOfDay
from engine.bank.report import NORMS
from engine.kernel.authz import System
from engine.kernel.clock import Priority

if TYPE_CHECKING:  # the services are imported by the simulation that attaches them: a read (verify, show) needs none
    from engine.bank.settings import BankSettings
    from engine.kernel.port import Kernel
    from engine.simulation import Simulation

__all__ = ["aggregates", "attach_services", "policies", "start_end_of_day"]

PACKAGES = (domains.time, domains.accounting, domains.price, domains.access, domains.customer,
            domains.governance, domains.deposit, domains.custody, domains.report, domains.credit)


def aggregates(schedule: ClosingSchedule = DEFAULT_SCHEDULE) -> list[Aggregate[Any, Any, Any]]:
    """Every module's aggregates; the calendar publishes `schedule`'s closing instants, report runs
    the norm of the report they request (the bank's report definitions)."""
    runs = attrs.evolve(domains.report.REPORT_RUN, publish=report_run_publisher(NORMS))
    hosted = {domains.time.CALENDAR.kind: domains.time.calendar(schedule), runs.kind: runs}
    return [hosted.get(spec.kind, spec) for package in PACKAGES for spec in package.AGGREGATES]


def policies() -> list[Policy]:
    return [policy for package in PACKAGES for policy in getattr(package, "POLICIES", ())]


def attach_services(sim: Simulation, kernel: Kernel, settings: BankSettings | None = None) -> None:
    """Attach each module's service when the simulation hosts all of that module's aggregates (a
    service working through other services only alongside them), and register their consumers."""
    from engine.bank.credit_flow import CYCLE
    from engine.bank.fiscal import FiscalService
    from engine.bank.public_ids import PublicIds
    from engine.bank.service.access import AccessService
    from engine.bank.service.credit import CreditService
    from engine.bank.service.custody import CustodyService
    from engine.bank.service.customer import CustomerService
    from engine.bank.service.deposit import DepositService
    from engine.bank.service.governance import GovernanceService
    from engine.bank.service.ledger import LedgerExport
    from engine.bank.service.price import PriceService
    from engine.bank.service.report import ReportService
    from engine.kernel.batch import Batch

    def hosts(package: ModuleType) -> bool:
        return {spec.kind for spec in package.AGGREGATES} <= kernel.kinds

    # One lock for the operator calls that read another entity for their command (`CreditService`,
    # `DepositService`): a custody balance against a disbursal's CVL check, a payment against a
    # freeze's balance read...
    serial = threading.RLock()
    sim.ledger.exporter = LedgerExport(kernel, sim.ledger)
    sim.public_ids = PublicIds(kernel.journal)  # customers, facilities, disbursals: 1000, 1001, ...
    if hosts(domains.accounting):
        FiscalService(kernel, sim.ledger)  # `sim.ledger.close_month()` / `close_year()`
    if hosts(domains.price):
        sim.price = PriceService(kernel)
    if hosts(domains.access):
        sim.access = AccessService(kernel)
    if hosts(domains.customer):
        sim.customer = CustomerService(kernel, serial)
    if hosts(domains.governance):
        allowed = settings is None or settings.allow_auto_approval
        sim.governance = GovernanceService(kernel, allow_auto_approval=allowed, serial=serial)
    if hosts(domains.deposit):
        sim.deposit = DepositService(kernel, getattr(sim, "governance", None), sim.ledger, serial)
        for policy in sim.deposit.policies():
            sim.reactions.add(policy)
    if hosts(domains.custody):
        sim.custody = CustodyService(kernel, serial)
    if hosts(domains.report):
        sim.report = ReportService(kernel, sim.ledger)
    needs = ("price", "customer", "deposit", "governance", "custody")
    if hosts(domains.credit) and all(hasattr(sim, n) for n in needs):
        sim.credit = CreditService(kernel, sim.ledger, price=sim.price, reactions=sim.reactions, outbox=sim.outbox,
                                   customers=sim.customer, deposits=sim.deposit, custody=sim.custody,
                                   governance=sim.governance, public_ids=sim.public_ids,
                                   accruals=Batch(sim, CYCLE) if sim.runtime == "deterministic" else None,
                                   serial=serial)
        sim.deposit.follow_unfreezes(sim.credit.flow.account_unfrozen)


def start_end_of_day(kernel: Kernel, schedule: ClosingSchedule = DEFAULT_SCHEDULE) -> None:
    """Publish `EndOfDay{D}` at every closing crossed, in order, when the calendar is hosted: each
    day at 00:00 UTC by default (Lana's default closing), else at the schedule's closing instant."""
    if "calendar" not in kernel.kinds:
        return
    if not schedule.is_default:
        _follow_schedule(kernel, schedule)
        return
    clock = kernel.clock
    first = (clock.now + timedelta(days=1)).replace(hour=0, minute=0, second=0)

    def close_day() -> None:
        kernel.tell("calendar", PRODUCER_ID, RecordEndOfDay(clock.now.date()), subject=System("end-of-day-producer"))

    kernel.jobs.every(86_400, close_day, Priority.END_OF_DAY, first=int((first - clock.start).total_seconds()))


def _follow_schedule(kernel: Kernel, schedule: ClosingSchedule) -> None:
    """One job per closing (days differ in length across a DST change): `EndOfDay{D}` at D's closing."""
    clock = kernel.clock

    def close_day(day: date) -> None:
        kernel.tell("calendar", PRODUCER_ID, RecordEndOfDay(day), subject=System("end-of-day-producer"))
        plan_next()

    def plan_next() -> None:
        day, instant = schedule.next_closing(clock.now)
        kernel.jobs.at(instant, lambda: close_day(day), Priority.END_OF_DAY)

    plan_next()

"""Value types of the deposit module: statuses, activity and Lana's activity thresholds."""

from __future__ import annotations

import enum
from datetime import date, timedelta

__all__ = [
    "ESCHEATABLE_AFTER_DAYS",
    "INACTIVE_AFTER_DAYS",
    "AccountStatus",
    "Activity",
    "DepositStatus",
    "WithdrawalStatus",
    "activity_of",
    "next_reclassification",
]

# Domain configs `deposit-activity-inactive-threshold-days` / `-escheatable-threshold-days` (Lana:
# core/deposit/src/lib.rs).
INACTIVE_AFTER_DAYS = 365
ESCHEATABLE_AFTER_DAYS = 3650


class AccountStatus(str, enum.Enum):
    ACTIVE = "active"
    FROZEN = "frozen"
    CLOSED = "closed"


class Activity(str, enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ESCHEATABLE = "escheatable"


class DepositStatus(str, enum.Enum):
    CONFIRMED = "confirmed"
    REVERTED = "reverted"


class WithdrawalStatus(str, enum.Enum):
    PENDING_APPROVAL = "pending-approval"
    PENDING_CONFIRMATION = "pending-confirmation"
    CONFIRMED = "confirmed"
    DENIED = "denied"
    CANCELLED = "cancelled"
    REVERTED = "reverted"


def activity_of(last_activity_on: date, day: date) -> Activity:
    """Idle days since the last activity against the two thresholds, at EndOfDay{day}: more than
    the threshold. Lana classes an account inactive when its last activity's instant is before the
    closing instant minus the threshold (core/deposit/src/lib.rs `activity_for_last_activity_date`),
    and EndOfDay{D} closes at D 00:00: activity on any time of day L is before (D - 365) 00:00 only
    when L <= D - 366."""
    idle = (day - last_activity_on).days
    if idle > ESCHEATABLE_AFTER_DAYS:
        return Activity.ESCHEATABLE
    return Activity.INACTIVE if idle > INACTIVE_AFTER_DAYS else Activity.ACTIVE


def next_reclassification(activity: Activity, last_activity_on: date, classified_on: date) -> date | None:
    """The first day after the last classification and activity whose end changes the class
    (activity only grows with idle time, so it is that day or the next threshold); None once
    escheatable."""
    if activity is Activity.ESCHEATABLE:
        return None
    day = max(classified_on, last_activity_on) + timedelta(days=1)
    due = activity_of(last_activity_on, day)
    if due is not activity:
        return day
    threshold = INACTIVE_AFTER_DAYS if due is Activity.ACTIVE else ESCHEATABLE_AFTER_DAYS
    return last_activity_on + timedelta(days=threshold + 1)

"""Story: a borrower handles obligations a month late and pays the principal past its overdue date
(Lana's sim-bootstrap scenario 3, customer "3-principal-late").

Same bank and borrower as timely-payments ($10M deposit, $10M facility on standard terms, 230 BTC at
$70,000). The borrower works through due obligations one at a time, in the order they are
published, and sits on each of the first three for 30 days before handling it: interest is paid (its
amount as published), principal is only noted. Once the principal is all that is outstanding, it is
paid 30 days later; anything left is paid and the facility completed.

January's interest (published Feb 1) is paid Mar 2 and February's (published Mar 1) on Apr 1, both
before their overdue dates, and each payment happens to meet the oldest interest obligation, which
is the one meant. The principal (due Apr 1, maturity) is picked up May 1; March's interest
($101,918.08) and the maturity day's ($3,287.68) are then paid at once, leaving the $10M principal
alone. It goes Overdue on May 21 (Apr 1 + 50 days) and is paid May 31: 60 days past due, 10 of them
overdue. As the principal was outstanding until after maturity, the maturity day accrues in full
(contrast timely-payments, where it accrues nothing). Interest is $302,466.56 in all.

Covers: a principal obligation going overdue, payments on overdue obligations, completion of a
facility paid late.
"""

from __future__ import annotations

from collections import deque
from datetime import date, timedelta
from typing import Any

from domains.credit.terms import std_terms
from scenarios.library._lana import (
    FACILITY_PARAMS,
    USD,
    a_customer_with_deposit,
    a_facility_is_opened,
    bitcoin_trades_at,
    check_paid_off,
    day_by_day,
    obligations_due_since,
    outstanding,
    pays,
    pays_off_and_completes,
    summary,
    today,
)
from scenarios.library.params import Param

check = check_paid_off  # relations between its parameters: collateral and deposit against the facility
START = "2024-01-01"
PARAMS = (
    Param("days", 200, "days", "days simulated, one end of day each", 1, 3650),
    Param("wait_days", 30, "days", "how long the borrower sleeps on each of the first slow obligations", 0, 3650),
    Param("slow_obligations", 3, "obligations",
          "how many obligations are handled late before the rest are paid on time", 0, 100),
    *FACILITY_PARAMS,
)


def story(sim, *, days, wait_days, slow_obligations, deposit_usd, facility_usd, btc, btc_usd):
    bitcoin_trades_at(sim, btc_usd)
    customer = a_customer_with_deposit(sim, "3-principal-late", deposit_usd * USD)
    facility = a_facility_is_opened(sim, customer, facility_usd * USD, std_terms(), btc)
    borrower = SlowBorrower(sim, facility, wait_days, slow_obligations)
    cursor = sim.outbox.sequence
    for _ in day_by_day(sim, days):
        due, cursor = obligations_due_since(sim, cursor, facility)
        borrower.inbox.extend(due)
        if borrower.works_through_the_pile():
            break
    paid_off = pays_off_and_completes(sim, facility)
    return summary(sim, facility, principal_paid_late_on=borrower.principal_paid_on or "never",
                   paid_off_at_end_cents=paid_off)


class SlowBorrower:
    """Lana's handler task: one due obligation at a time, the first few each after a 30-day sleep."""

    def __init__(self, sim, facility, wait_days, slow_obligations):
        self.sim, self.facility, self.wait = sim, facility, timedelta(days=wait_days)
        self.inbox: deque[dict[str, Any]] = deque()  # due obligations' payloads, oldest first
        self.slow_left = slow_obligations
        self.holding: dict[str, Any] | None = None
        self.until = date.min  # set with `holding`, before it is read
        self.principal_owed, self.principal_pay_on, self.principal_paid_on = 0, None, None

    def works_through_the_pile(self) -> bool:
        """Handle what is ready today; True once the principal has been paid."""
        if self.principal_pay_on is not None:
            return today(self.sim) >= self.principal_pay_on and self.pays_the_principal()
        while self.holding is not None or self.picks_up_the_next_obligation():
            if today(self.sim) < self.until:
                return False
            self.handles(self.holding)
            if self.principal_pay_on is not None:
                return False
        return False

    def picks_up_the_next_obligation(self) -> bool:
        if not self.inbox:
            return False
        self.holding = self.inbox.popleft()
        self.until = today(self.sim) + (self.wait if self.slow_left > 0 else timedelta(0))
        self.slow_left -= 1
        return True

    def handles(self, obligation) -> None:
        if obligation["obligation_type"] == "Interest":
            pays(self.sim, self.facility, obligation["outstanding_amount"])
        else:
            self.principal_owed += obligation["outstanding_amount"]
        self.holding = None
        if self.principal_owed and outstanding(self.sim, self.facility) == self.principal_owed:
            self.principal_pay_on = today(self.sim) + self.wait  # "delaying payment of principal by one more month"

    def pays_the_principal(self) -> bool:
        pays(self.sim, self.facility, self.principal_owed)
        self.principal_paid_on = today(self.sim).isoformat()
        return True

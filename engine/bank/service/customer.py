"""Customer service: Lana's customer operator API, each call a command through the owning actor.
Covers `create_customer_bypassing_kyc`, prospects and their Sumsub KYC callbacks, freeze/unfreeze/
close and email lookups; reads are read models joining the customer and its party."""

from __future__ import annotations

import threading

import attrs

from domains.customer import (
    ApproveKyc,
    CloseCustomer,
    CloseProspect,
    Conversion,
    ConversionMethod,
    ConvertManually,
    CreateCustomer,
    CreateParty,
    CreateProspect,
    CustomerIsClosed,
    CustomerStatus,
    CustomerType,
    DeclineKyc,
    FreezeCustomer,
    KycLevel,
    MarkKycPending,
    Party,
    Prospect,
    ProspectStatus,
    PutKycOnHold,
    StartKyc,
    UnfreezeCustomer,
    UpdateEmail,
    UpdateKycLevel,
    UpdateTelegramHandle,
)
from engine.kernel.authz import SYSTEM, System
from engine.kernel.port import Kernel, Outcome

__all__ = ["CustomerService", "CustomerView"]

_BYPASS = Conversion(ConversionMethod.MANUALLY_CONVERTED)


@attrs.frozen
class CustomerView:
    """A customer joined with its party (what Lana's admin API shows)."""

    id: str
    party_id: str
    email: str
    telegram_handle: str
    customer_type: CustomerType
    status: CustomerStatus
    kyc_level: KycLevel
    conversion: Conversion

    @property
    def may_attach_product(self) -> bool:
        return self.status is CustomerStatus.ACTIVE


class CustomerService:
    """The `customer` attribute of a `Simulation`."""

    def __init__(self, kernel: Kernel, serial: threading.RLock) -> None:
        """`serial`: held by a freeze, unfreeze or close, whose cascade freezes or unfreezes the
        customer's deposit accounts at their balances (`DepositService`)."""
        self.kernel = kernel
        self.serial = serial

    # -- customers ---------------------------------------------------------------------
    def create_customer(self, email: str, customer_type: str = "individual", telegram_handle: str = "", *,
                        subject: str = SYSTEM) -> str:
        """Lana `create_customer_bypassing_kyc`: a party, then a Basic, manually converted customer."""
        party = self._create_party(email, customer_type, telegram_handle, subject)
        command = self._bypassing_kyc(party)
        self.kernel.execute("customer", command.id, command, subject=subject)
        return command.id

    def tell_create_customer(self, email: str, customer_type: str = "individual", *, subject: str = SYSTEM) -> str:
        """`create_customer` told rather than asked (a book's import): the same ids, commands and
        journal; the party's and the customer's commands run at the next settle, where a taken email
        is refused."""
        party = self._party(email, customer_type, "")
        self.kernel.tell("party", party.id, party, subject=subject)
        command = self._bypassing_kyc(party)
        self.kernel.tell("customer", command.id, command, subject=subject)
        return command.id

    def freeze_customer(self, customer_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Freeze an active customer (Lana `freeze_customer`): an id that names no customer is
        `UnknownEntity`, one frozen already `AlreadyApplied` (returned, nothing published)."""
        with self.serial:
            return self.kernel.execute("customer", customer_id, FreezeCustomer(), subject=subject)

    def unfreeze_customer(self, customer_id: str, *, subject: str = SYSTEM) -> Outcome:
        with self.serial:
            return self.kernel.execute("customer", customer_id, UnfreezeCustomer(), subject=subject)

    def close_customer(self, customer_id: str, *, subject: str = SYSTEM) -> Outcome:
        with self.serial:
            return self.kernel.execute("customer", customer_id, CloseCustomer(), subject=subject)

    def update_email(self, party_id: str, email: str, *, subject: str = SYSTEM) -> Outcome:
        """A taken email raises `DuplicateValue(kind="party", column="email")`, appending nothing."""
        return self.kernel.execute("party", party_id, UpdateEmail(email=email), subject=subject)

    def update_telegram_handle(self, party_id: str, telegram_handle: str, *, subject: str = SYSTEM) -> Outcome:
        return self.kernel.execute("party", party_id, UpdateTelegramHandle(telegram_handle), subject=subject)

    # -- prospects and KYC -------------------------------------------------------------
    def create_prospect(self, email: str, customer_type: str = "individual", telegram_handle: str = "", *,
                        subject: str = SYSTEM) -> str:
        party = self._create_party(email, customer_type, telegram_handle, subject)
        prospect_id = self.kernel.ids.entity()
        command = CreateProspect(id=prospect_id, party_id=party.id, customer_type=party.customer_type)
        self.kernel.execute("prospect", prospect_id, command, subject=subject)
        return prospect_id

    def start_kyc(self, prospect_id: str, applicant_id: str, *, subject: str = System("sumsub")) -> Outcome:
        return self.kernel.execute("prospect", prospect_id, StartKyc(applicant_id), subject=subject)

    def kyc_pending(self, prospect_id: str, *, subject: str = System("sumsub")) -> Outcome:
        return self.kernel.execute("prospect", prospect_id, MarkKycPending(), subject=subject)

    def kyc_on_hold(self, prospect_id: str, *, subject: str = System("sumsub")) -> Outcome:
        return self.kernel.execute("prospect", prospect_id, PutKycOnHold(), subject=subject)

    def approve_kyc(self, prospect_id: str, applicant_id: str, level: str = "basic", *,
                    subject: str = System("sumsub")) -> str:
        """Converts the prospect into a customer with the same id; a later approval unfreezes it, and
        is `CustomerIsClosed` for a closed customer, refused before anything is journaled (Lana:
        core/customer/src/lib.rs `handle_kyc_approved` unfreezes, which refuses a closed customer)."""
        command = ApproveKyc(applicant_id=applicant_id, level=level)
        if self.kernel.exists("customer", prospect_id) and \
                self.kernel.state("customer", prospect_id).status is CustomerStatus.CLOSED:
            raise CustomerIsClosed(id=prospect_id)
        self.kernel.execute("prospect", prospect_id, command, subject=subject)
        self._ensure_customer(prospect_id, Conversion(ConversionMethod.SUMSUB_APPROVED, applicant_id),
                              command.level, subject)
        if self.kernel.state("customer", prospect_id).status is CustomerStatus.FROZEN:
            self.kernel.execute("customer", prospect_id, UnfreezeCustomer(), subject=subject)
        self.kernel.execute("customer", prospect_id, UpdateKycLevel(command.level), subject=subject)
        return prospect_id

    def decline_kyc(self, prospect_id: str, applicant_id: str, *, subject: str = System("sumsub")) -> Outcome:
        """Before conversion the prospect is declined; after it, the customer is frozen (Lana:
        core/customer/src/entity.rs)."""
        if self.kernel.state("prospect", prospect_id).status is ProspectStatus.CONVERTED:
            return self.kernel.execute("customer", prospect_id, FreezeCustomer(), subject=subject)
        return self.kernel.execute("prospect", prospect_id, DeclineKyc(applicant_id), subject=subject)

    def convert_manually(self, prospect_id: str, *, allow_manual_conversion: bool = False,
                         subject: str = SYSTEM) -> str:
        """Needs the domain config `allow-manual-conversion` (default false); the customer is Basic."""
        command = ConvertManually(allow_manual_conversion)
        self.kernel.execute("prospect", prospect_id, command, subject=subject)
        self._ensure_customer(prospect_id, Conversion(ConversionMethod.MANUALLY_CONVERTED), KycLevel.BASIC, subject)
        return prospect_id

    def close_prospect(self, prospect_id: str, *, subject: str = SYSTEM) -> Outcome:
        return self.kernel.execute("prospect", prospect_id, CloseProspect(), subject=subject)

    # -- reads -------------------------------------------------------------------------
    def customer(self, customer_id: str) -> CustomerView:
        """Raises `UnknownEntity` for an id that was never created."""
        c = self.kernel.state("customer", customer_id)
        party = self.kernel.state("party", c.party_id)
        return CustomerView(c.id, c.party_id, party.email, party.telegram_handle, c.customer_type, c.status,
                            c.level, c.conversion)

    def find_customer_by_email(self, email: str) -> CustomerView:
        """Raises `NotFound` when no party, or no customer of that party, holds the email."""
        party_id = self.kernel.index("party").find_by_email(email)
        return self.customer(self.kernel.index("customer").find_by_party_id(party_id))

    def prospect(self, prospect_id: str) -> Prospect:
        found: Prospect = self.kernel.state("prospect", prospect_id)
        return found

    def party(self, party_id: str) -> Party:
        found: Party = self.kernel.state("party", party_id)
        return found

    # -- steps -------------------------------------------------------------------------
    def _create_party(self, email: str, customer_type: str, telegram_handle: str, subject: str) -> CreateParty:
        """A taken email raises `DuplicateValue(kind="party", column="email")` and appends nothing."""
        command = self._party(email, customer_type, telegram_handle)
        self.kernel.execute("party", command.id, command, subject=subject)
        return command

    def _party(self, email: str, customer_type: str, telegram_handle: str) -> CreateParty:
        return CreateParty(id=self.kernel.ids.entity(), email=email, customer_type=customer_type,
                           telegram_handle=telegram_handle)

    def _bypassing_kyc(self, party: CreateParty) -> CreateCustomer:
        """The Basic, manually converted customer of `party` (its id drawn now, after the party's)."""
        return CreateCustomer(id=self.kernel.ids.entity(), party_id=party.id, customer_type=party.customer_type,
                              conversion=_BYPASS, level=KycLevel.BASIC)

    def _ensure_customer(self, prospect_id: str, conversion: Conversion, level: KycLevel, subject: str) -> None:
        """The customer takes the prospect's id; once it exists (a later KYC approval) it is not created again."""
        if self.kernel.exists("customer", prospect_id):
            return
        prospect = self.kernel.state("prospect", prospect_id)
        command = CreateCustomer(id=prospect_id, party_id=prospect.party_id, customer_type=prospect.customer_type,
                                 conversion=conversion, level=level)
        self.kernel.execute("customer", prospect_id, command, subject=subject)

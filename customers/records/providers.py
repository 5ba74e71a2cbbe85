"""Where record checks come from: one small interface, so that a bank can plug in a data service.

A provider takes a subject and returns what the public records say about it now, or None when
it knows nothing about the subject. LoanWatch records the answer as a check and compares it with
the subject's previous check (services.check_record); a provider never writes anything itself.

The bundled implementation reads a data-feed file (imports.py documents the format). A bank
with a commercial data service writes a class with the same `fetch` method and names it in the
RECORDS_PROVIDER setting; the rest of the app does not change. Providers must not be called
inside a database transaction (a network call would hold it open).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from customers.models import Customer, Person


@dataclass(frozen=True)
class Subject:
    """Whose records are read: a customer itself (person is None) or one of its related parties
    (a person or a company). A party is one subject whichever customer it is read through: its
    checks compare with its previous check under any customer."""

    customer: Customer
    person: Person | None = None

    @property
    def key(self) -> str:
        return f"p{self.person.pk}" if self.person is not None else f"c{self.customer.pk}"

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else self.customer.name

    @property
    def identifier(self) -> str:
        return self.person.id_number if self.person is not None else self.customer.identifier

    @property
    def is_company(self) -> bool:
        if self.person is not None:
            return self.person.is_company
        return self.customer.is_corporate


@dataclass(frozen=True)
class EntryData:
    """One record, identified by (kind, case_number): the case number of a court record or
    lawsuit, the number of a freeze notice, a penalty decision or a tax notice."""

    kind: str  # RecordEntry.Kind
    case_number: str
    court: str = ""  # the court, or the authority that froze, fined or assessed
    amount: Decimal | None = None  # the claim, the amount frozen, the fine, the tax owed
    filed_on: datetime.date | None = None
    closed: bool = False  # the case ended, the freeze was lifted, the fine or tax paid
    cause: str = ""  # cause of action, penalty reason, tax type, equity or assets frozen
    stage: str = ""  # a lawsuit's RecordEntry.Stage: filed, hearing, judged


@dataclass(frozen=True)
class CheckData:
    """One reading of the records, as a provider returns it."""

    checked_on: datetime.date
    licence_status: str = ""  # LicenceStatus, or "" for a person
    annual_report_year: int | None = None
    abnormal_listed: bool = False
    entries: tuple[EntryData, ...] = field(default_factory=tuple)
    tax_abnormal: bool = False  # 非正常户
    # The registration as read; empty (or None) means not read, and is never compared.
    legal_representative: str = ""
    registered_capital: Decimal | None = None
    registered_address: str = ""
    business_scope: str = ""
    shareholders: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class RecordProvider(Protocol):
    source: str  # RecordCheck.Source: how checks from this provider are labelled

    def fetch(self, *, subject: Subject) -> CheckData | None:
        """What the records say about `subject` now; None if the provider has nothing."""


class FileFeedProvider:
    """Answers from a data-feed file already read and checked (imports.read_feed/check_feed).

    `readings` maps (customer identifier, person resident ID or "") to the reading.
    """

    source = "feed"

    def __init__(self, readings: dict[tuple[str, str], CheckData] | None = None) -> None:
        self.readings = dict(readings or {})

    def fetch(self, *, subject: Subject) -> CheckData | None:
        person_id = subject.person.id_number if subject.person is not None else ""
        return self.readings.get((subject.customer.identifier, person_id))


def provider_get() -> RecordProvider:
    """The provider the RECORDS_PROVIDER setting names (a dotted path to a class)."""
    path = getattr(settings, "RECORDS_PROVIDER",
                   "customers.records.providers.FileFeedProvider")
    provider = import_string(path)()
    if not isinstance(provider, RecordProvider):
        raise TypeError(f"{path} does not implement RecordProvider")
    return provider

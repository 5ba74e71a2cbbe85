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
    """Whose records are read: a customer itself (person is None) or a person behind it."""

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
        return self.person is None and self.customer.is_corporate


@dataclass(frozen=True)
class EntryData:
    kind: str  # RecordEntry.Kind
    case_number: str
    court: str = ""
    amount: Decimal | None = None
    filed_on: datetime.date | None = None
    closed: bool = False


@dataclass(frozen=True)
class CheckData:
    """One reading of the records, as a provider returns it."""

    checked_on: datetime.date
    licence_status: str = ""  # LicenceStatus, or "" for a person
    annual_report_year: int | None = None
    abnormal_listed: bool = False
    entries: tuple[EntryData, ...] = field(default_factory=tuple)


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

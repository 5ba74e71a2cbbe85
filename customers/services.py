"""Writes. Keyword-only, typed, with the acting user; each in one transaction. Business rules that
a form, an import and a test all need (identifiers, stakes, balances, the classification floor)
are checked here, and raise ValidationError naming the field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks
from loanwatch.core.concurrency import check_and_bump
from loanwatch.core.services import enqueue_on_commit, notification_create
from loanwatch.core.validation import field_errors, fields_check

from . import selectors
from .ledger import SHEETS_MAX
from .models import (
    FIGURES_UPSERT_SQL,
    Classification,
    ClassificationFloor,
    Collateral,
    CollateralValuation,
    Customer,
    CustomerAssignment,
    CustomerRelation,
    ExportJob,
    Guarantee,
    Industry,
    Loan,
    Person,
)
from .risk_state import OWNED_LOAN_FIELDS
from .selectors import officers_assignable_by
from .tasks import export_run
from .validators import normalise_identifier, validate_resident_id, validate_uscc

if TYPE_CHECKING:
    from django.db.models import QuerySet


CUSTOMER_FIELDS = ["kind", "name", "identifier", "registered_address", "address", "industry",
                   "registered_capital", "founded_on", "occupation", "phone", "wechat",
                   "latitude", "longitude", "risk_group", "officer"]
LOAN_FIELDS = ["contract_number", "amount", "balance", "disbursed_on", "matures_on", "purpose",
               "repayment_method", "repayment_source", "guarantee_types", "days_past_due",
               "classification"]
# What an update may change. The risk group and the loan figures the bank's systems own are set
# when the record is opened, then only through risk_state.py (approval, feed, correction).
CUSTOMER_UPDATE_FIELDS = [k for k in CUSTOMER_FIELDS if k != "risk_group"]
LOAN_UPDATE_FIELDS = [k for k in LOAN_FIELDS if k not in OWNED_LOAN_FIELDS]


def customer_figures_refresh(*, customer_ids: Sequence[int] | None = None) -> int:
    """Recompute the list's figures (CustomerFigures) of these customers, or of every customer,
    from their loans, in one statement; returns the rows written (unchanged ones are skipped).

    The triggers keep the figures on every write; this is for a book loaded with them switched
    off (the generator's COPY, a restore) and for a check that nothing drifted."""
    if customer_ids is None:
        sql, params = FIGURES_UPSERT_SQL.format(touched="SELECT id FROM customers_customer"), None
    else:
        sql = FIGURES_UPSERT_SQL.format(touched="SELECT unnest(%s::bigint[])")
        params = [list(customer_ids)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


# --- Customers --------------------------------------------------------------------------------


def customer_validate(*, data: dict[str, Any], acting_user: User, instance: Customer | None = None,
                      taken: dict[str, str] | None = None) -> dict[str, Any]:
    """Check a customer's data; return it with the identifier normalised.

    `taken` maps identifiers already claimed earlier in the same import to a description."""
    data = dict(data)
    identifier = normalise_identifier(data.get("identifier", ""))
    data["identifier"] = identifier
    errors = field_errors(model=Customer, values={k: data[k] for k in CUSTOMER_FIELDS
                                                  if k in data and k != "identifier"})
    validator = validate_uscc if data.get("kind") == Customer.Kind.CORPORATE else \
        validate_resident_id
    try:
        validator(identifier)
    except ValidationError as error:
        errors.setdefault("identifier", []).extend(error.messages)
    if "identifier" not in errors:
        same = Customer.objects.filter(identifier=identifier)
        existing = (same.exclude(pk=instance.pk) if instance else same).first()
        if existing is not None:
            visible = selectors.customer_scope(user=acting_user).filter(pk=existing.pk).exists()
            errors["identifier"] = [
                _("This identifier belongs to an existing customer, %(name)s.") % {
                    "name": existing.name} if visible else
                _("This identifier belongs to an existing customer of another officer; ask "
                  "your supervisor.")]
        elif taken and identifier in taken:
            errors["identifier"] = [_("The same identifier is already in %(where)s.") % {
                "where": taken[identifier]}]
    officer = data.get("officer")
    if officer is not None and officer not in officers_assignable_by(user=acting_user):
        errors["officer"] = [_("You cannot assign customers to this officer.")]
    elif officer is not None and officer.team_id is None:
        errors["officer"] = [_("This officer is in no team yet; ask an administrator to add "
                               "them to one.")]
    if errors:
        raise ValidationError(errors)
    return data


def _team_of(officer: User) -> int:
    """A customer belongs to its officer's team; an officer without one cannot hold customers
    (officers and supervisors must belong to a team: accounts' services enforce it)."""
    if officer.team_id is None:
        raise ValidationError({"officer": [_("This officer is in no team yet; ask an "
                                             "administrator to add them to one.")]})
    return officer.team_id


@transaction.atomic
def customer_create(*, acting_user: User, data: dict[str, Any]) -> Customer:
    if acting_user.role == Role.OFFICER:
        data = {**data, "officer": acting_user}
    if acting_user.role != Role.ADMIN or not data.get("risk_group"):
        # Administrators manage risk groups; everyone else's new customer starts in the
        # least-watched group and moves only through an approved report.
        data = {**data, "risk_group": selectors.default_risk_group()}
    data = customer_validate(data=data, acting_user=acting_user)
    customer = Customer(**{k: data.get(k) for k in CUSTOMER_FIELDS if k in data})
    customer.team_id = _team_of(customer.officer)
    _blank_strings(customer)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        # Two people saved the same identifier at the same moment; the check above saw neither.
        raise ValidationError({"identifier": [_("This identifier was just saved for another "
                                                "customer.")]}) from error
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, acting_user: User, data: dict[str, Any],
                    expected_version: int | None = None) -> Customer:
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    check_and_bump(locked=locked, expected=expected_version)
    data = {k: v for k, v in data.items() if k in CUSTOMER_UPDATE_FIELDS}
    data["kind"] = data.get("kind", locked.kind)
    if acting_user.role == Role.OFFICER:
        data.pop("officer", None)  # reassignment is the supervisor's
    data = customer_validate(data=data, acting_user=acting_user, instance=locked)
    previous_officer = locked.officer
    previous_industry = locked.industry_id
    for key in CUSTOMER_UPDATE_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    _blank_strings(locked)
    locked.team_id = _team_of(locked.officer)
    locked.save()
    if locked.officer_id != previous_officer.pk:
        _reassigned([CustomerAssignment.objects.create(
            customer=locked, from_officer=previous_officer, to_officer=locked.officer,
            by=acting_user)], acting_user=acting_user)
    if locked.industry_id != previous_industry:
        hooks.call("customer_risk_changed", customer_ids=[locked.pk])
    return locked


def _blank_strings(customer: Customer) -> None:
    for name in ("registered_address", "address", "occupation", "phone", "wechat"):
        if getattr(customer, name) is None:
            setattr(customer, name, "")


@transaction.atomic
def customer_reassign(*, customer_ids: Iterable[int], to_officer: User, acting_user: User,
                      note: str = "") -> int:
    """Move customers to another officer of the supervisor's team; each move is recorded."""
    if to_officer not in officers_assignable_by(user=acting_user):
        raise ValidationError({"to_officer": [_("You cannot assign customers to this officer.")]})
    customers = list(selectors.customer_scope(user=acting_user)
                     .filter(pk__in=list(customer_ids)).select_for_update().order_by("pk"))
    assignments = []
    for customer in customers:
        if customer.officer_id == to_officer.pk:
            continue
        assignments.append(CustomerAssignment.objects.create(
            customer=customer, from_officer_id=customer.officer_id, to_officer=to_officer,
            by=acting_user, note=note))
        customer.officer = to_officer
        customer.team_id = _team_of(to_officer)
        customer.version += 1
        customer.save(update_fields=["officer", "team", "version"])
    _reassigned(assignments, acting_user=acting_user)
    return len(assignments)


def _reassigned(assignments: list[CustomerAssignment], *, acting_user: User) -> None:
    """The customers' open work follows them to the new officer (the apps that own it listen
    to `customer_reassigned`), and both officers and the new team's supervisors are told.
    The person who reassigned is not told what they just did."""
    if not assignments:
        return
    hooks.call("customer_reassigned", customer_ids=[a.customer_id for a in assignments])
    by = str(acting_user)
    url = reverse("customers:customer_list")
    given: dict[int, int] = {}
    taken: dict[int, int] = {}
    for assignment in assignments:
        given[assignment.to_officer_id] = given.get(assignment.to_officer_id, 0) + 1
        taken[assignment.from_officer_id] = taken.get(assignment.from_officer_id, 0) + 1
    officers = User.objects.in_bulk([*given, *taken])
    for pk, n in given.items():
        if pk != acting_user.pk:
            notification_create(recipient=officers[pk], kind="customers.assigned_to_you",
                                params={"n": n, "by": by}, url=url)
    for pk, n in taken.items():
        if pk != acting_user.pk:
            notification_create(recipient=officers[pk], kind="customers.assigned_away",
                                params={"n": n, "by": by}, url="")
    teams = {officers[pk].team_id for pk in given}
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True,
                                          team_id__in=teams).exclude(pk=acting_user.pk):
        n = sum(count for pk, count in given.items() if officers[pk].team_id == supervisor.team_id)
        notification_create(recipient=supervisor, kind="customers.reassigned",
                            params={"n": n, "by": by}, url=url)


def customer_refresh_status(*, customer: Customer) -> None:
    """Active while any loan is outstanding."""
    outstanding = Loan.objects.filter(customer=customer, balance__gt=0).exists()
    status = Customer.Status.ACTIVE if outstanding else Customer.Status.CLOSED
    if customer.status != status:
        Customer.objects.filter(pk=customer.pk).update(status=status)
        customer.status = status


# --- Related persons --------------------------------------------------------------------------


def _party_identifier_errors(id_number: str, kind: str) -> list[str]:
    if not id_number:
        return []
    try:
        if kind == Person.Kind.COMPANY:
            validate_uscc(id_number)
        else:
            validate_resident_id(id_number)
    except ValidationError as error:
        return list(error.messages)
    return []


def _party_get_or_create(*, name: str, id_number: str, kind: str, phone: str = "") -> Person:
    """A party with the same identifier is reused, so one controller behind two companies, or
    one guarantor of three borrowers, is one party and is checked once."""
    person = Person.objects.filter(id_number=id_number).first() if id_number else None
    if person is None:
        person = Person.objects.create(name=name, id_number=id_number, phone=phone, kind=kind)
    return person


@transaction.atomic
def relation_add(*, customer: Customer, acting_user: User, name: str, role: str,
                 id_number: str = "", phone: str = "", kind: str = Person.Kind.PERSON,
                 stake_pct: Decimal | None = None) -> CustomerRelation:
    """Link a related party to a customer: a person or company behind a corporate customer, a
    company an individual borrower runs or owns, or a guarantor; a party with the same
    identifier is reused."""
    Customer.objects.select_for_update().get(pk=customer.pk)
    errors: dict[str, list[str]] = {}
    id_number = normalise_identifier(id_number)
    kind = kind or Person.Kind.PERSON
    if problems := _party_identifier_errors(id_number, kind):
        errors["id_number"] = problems
    if role == CustomerRelation.Role.SHAREHOLDER and not customer.is_corporate:
        # An individual's stakes in several companies do not add up to anything.
        if stake_pct is None:
            errors["stake_pct"] = [_("Give the shareholder's stake.")]
    elif role == CustomerRelation.Role.SHAREHOLDER:
        if stake_pct is None:
            errors["stake_pct"] = [_("Give the shareholder's stake.")]
        else:
            held = CustomerRelation.objects.filter(
                customer=customer, role=CustomerRelation.Role.SHAREHOLDER
            ).aggregate(total=Sum("stake_pct"))["total"] or Decimal("0")
            if held + stake_pct > 100:
                errors["stake_pct"] = [_("Stakes would total %(total)s %%; they cannot exceed "
                                         "100 %%.") % {"total": held + stake_pct}]
    elif stake_pct is not None:
        stake_pct = None
    if errors:
        raise ValidationError(errors)
    person = _party_get_or_create(name=name, id_number=id_number, kind=kind, phone=phone)
    if CustomerRelation.objects.filter(customer=customer, person=person, role=role).exists():
        raise ValidationError({"role": [_("This person already has this role here.")]})
    relation = CustomerRelation.objects.create(customer=customer, person=person, role=role,
                                               stake_pct=stake_pct)
    # Record checks let what is already known about the party reach this customer too.
    hooks.call("party_linked", customer=customer, person=person, role=role,
               acting_user=acting_user)
    return relation


@transaction.atomic
def relation_remove(*, relation: CustomerRelation, acting_user: User) -> None:
    relation.delete()


# --- Loans ------------------------------------------------------------------------------------


def loan_validate(*, data: dict[str, Any], instance: Loan | None = None) -> None:
    errors = field_errors(model=Loan, values={k: data[k] for k in LOAN_FIELDS if k in data})
    amount, balance = data.get("amount"), data.get("balance")
    if amount is not None and amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if balance is not None and balance < 0:
        errors["balance"] = [_("The outstanding balance cannot be negative.")]
    elif amount is not None and balance is not None and balance > amount:
        errors["balance"] = [_("The outstanding balance cannot exceed the amount.")]
    disbursed, matures = data.get("disbursed_on"), data.get("matures_on")
    if disbursed and matures and matures <= disbursed:
        errors["matures_on"] = [_("The maturity date must be after the disbursement date.")]
    dpd = data.get("days_past_due") or 0
    classification = data.get("classification") or Classification.PASS
    floor = selectors.classification_floor(days_past_due=dpd)
    if Classification.rank(classification) < Classification.rank(floor):
        errors["classification"] = [
            _("%(days)d days past due require at least “%(floor)s”.") % {
                "days": dpd, "floor": Classification(floor).label}]
    number = data.get("contract_number")
    same = Loan.objects.filter(contract_number=number)
    if number and "contract_number" not in errors and (
            same.exclude(pk=instance.pk) if instance else same).exists():
        errors["contract_number"] = [_("A loan with this contract number already exists.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def loan_create(*, customer: Customer, acting_user: User, data: dict[str, Any]) -> Loan:
    Customer.objects.select_for_update().get(pk=customer.pk)
    loan_validate(data=data)
    try:
        with transaction.atomic():
            loan = Loan.objects.create(customer=customer,
                                       **{k: data[k] for k in LOAN_FIELDS if k in data})
    except IntegrityError as error:
        raise ValidationError({"contract_number": [
            _("A loan with this contract number already exists.")]}) from error
    customer_refresh_status(customer=customer)
    return loan


@transaction.atomic
def loan_update(*, loan: Loan, acting_user: User, data: dict[str, Any],
                expected_version: int | None = None) -> Loan:
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    check_and_bump(locked=locked, expected=expected_version)
    # The owned figures stay as they are, whatever was posted; the rules are checked
    # against them (an amount below today's balance is refused).
    data = {**{k: v for k, v in data.items() if k in LOAN_UPDATE_FIELDS},
            **{k: getattr(locked, k) for k in OWNED_LOAN_FIELDS}}
    loan_validate(data=data, instance=locked)
    for key in LOAN_UPDATE_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    locked.save()
    customer_refresh_status(customer=locked.customer)
    return locked


# --- Collateral -------------------------------------------------------------------------------


@transaction.atomic
def collateral_create(*, customer: Customer, acting_user: User, data: dict[str, Any],
                      loans: Iterable[Loan] = ()) -> Collateral:
    loans = list(loans)
    if any(loan.customer_id != customer.pk for loan in loans):
        raise ValidationError({"loans": [_("Collateral can secure only this customer's loans.")]})
    fields_check(model=Collateral, values=data)
    collateral = Collateral.objects.create(customer=customer, **data)
    collateral.loans.set(loans)
    CollateralValuation.objects.create(
        collateral=collateral, valued_on=collateral.appraised_on, value=collateral.appraised_value,
        source=CollateralValuation.Source.APPRAISAL, recorded_by=acting_user)
    return collateral


@transaction.atomic
def collateral_update(*, collateral: Collateral, acting_user: User, data: dict[str, Any],
                      loans: Iterable[Loan], expected_version: int | None = None) -> Collateral:
    """Edit the description and the loans it secures; values change only by new valuations."""
    locked = Collateral.objects.select_for_update().get(pk=collateral.pk)
    check_and_bump(locked=locked, expected=expected_version)
    loans = list(loans)
    if any(loan.customer_id != locked.customer_id for loan in loans):
        raise ValidationError({"loans": [_("Collateral can secure only this customer's loans.")]})
    fields_check(model=Collateral, values=data)
    for key in ("kind", "description", "location", "area_m2", "certificate_number"):
        if key in data:
            setattr(locked, key, data[key] if data[key] is not None or key == "area_m2" else "")
    locked.save()
    locked.loans.set(loans)
    return locked


@transaction.atomic
def valuation_add(*, collateral: Collateral, acting_user: User, valued_on: date, value: Decimal,
                  source: str, note: str = "") -> CollateralValuation:
    errors = field_errors(model=CollateralValuation, values={
        "valued_on": valued_on, "value": value, "source": source, "note": note})
    if value is not None and value < 0:
        errors["value"] = [_("A value cannot be negative.")]
    if valued_on is not None and valued_on > date.today():
        errors["valued_on"] = [_("A valuation cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    return CollateralValuation.objects.create(collateral=collateral, valued_on=valued_on,
                                              value=value, source=source, note=note or "",
                                              recorded_by=acting_user)


# --- Guarantees -------------------------------------------------------------------------------


@transaction.atomic
def guarantee_create(*, loan: Loan, acting_user: User, amount: Decimal,
                     guarantor_customer: Customer | None = None, guarantor_name: str = "",
                     guarantor_id_number: str = "",
                     guarantor_kind: str = Person.Kind.PERSON) -> Guarantee:
    """An outside guarantor becomes a related party of the borrower with the guarantor role
    (reused by its identifier), so that its record checks reach the loans it guarantees."""
    guarantor_name = (guarantor_name or "").strip()
    guarantor_id_number = normalise_identifier(guarantor_id_number)
    guarantor_kind = guarantor_kind or Person.Kind.PERSON
    errors = field_errors(model=Guarantee, values={"guarantor_name": guarantor_name,
                                                   "amount": amount})
    if problems := _party_identifier_errors(guarantor_id_number, guarantor_kind):
        errors["guarantor_id_number"] = problems
    if (guarantor_customer is None) == (not guarantor_name):
        errors["guarantor_customer"] = [_("Choose one of our customers or name an outside "
                                          "party, not both.")]
    if guarantor_customer is not None and guarantor_customer.pk == loan.customer_id:
        errors["guarantor_customer"] = [_("A borrower cannot guarantee their own loan.")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if errors:
        raise ValidationError(errors)
    party = None
    if guarantor_customer is None:
        party = _party_get_or_create(name=guarantor_name, id_number=guarantor_id_number,
                                     kind=guarantor_kind)
        CustomerRelation.objects.get_or_create(customer_id=loan.customer_id, person=party,
                                               role=CustomerRelation.Role.GUARANTOR)
    guarantee = Guarantee.objects.create(
        loan=loan, guarantor_customer=guarantor_customer,
        guarantor_name="" if guarantor_customer else guarantor_name, guarantor_party=party,
        amount=amount)
    hooks.call("party_linked", customer=loan.customer, person=party, company=guarantor_customer,
               role=CustomerRelation.Role.GUARANTOR, acting_user=acting_user)
    return guarantee


@transaction.atomic
def guarantee_remove(*, guarantee: Guarantee, acting_user: User) -> None:
    guarantee.delete()  # the audit trail keeps the removed row
    if guarantee.guarantor_party_id is not None and not Guarantee.objects.filter(
            loan__customer_id=guarantee.loan.customer_id,
            guarantor_party_id=guarantee.guarantor_party_id).exists():
        # The party guarantees nothing more of this borrower: it is no longer its guarantor.
        CustomerRelation.objects.filter(customer_id=guarantee.loan.customer_id,
                                        person_id=guarantee.guarantor_party_id,
                                        role=CustomerRelation.Role.GUARANTOR).delete()


def guarantor_choices(*, user: User, loan: Loan) -> QuerySet[Customer]:
    return selectors.customer_scope(user=user).exclude(pk=loan.customer_id).filter(
        ~Q(pk=loan.customer_id)).order_by("name")


# --- Reference data (administrators) ---------------------------------------------------------


@transaction.atomic
def industry_save(*, acting_user: User, data: dict[str, Any],
                  industry: Industry | None = None) -> Industry:
    code = (data.get("code") or "").strip().upper()
    same = Industry.objects.filter(code=code)
    if (same.exclude(pk=industry.pk) if industry else same).exists():
        raise ValidationError({"code": [_("An industry with this code already exists.")]})
    if industry is None:
        industry = Industry()
    else:
        industry = Industry.objects.select_for_update().get(pk=industry.pk)
    industry.code = code
    industry.name = data["name"]
    industry.name_en = data.get("name_en") or ""
    was_high_risk = industry.high_risk
    industry.high_risk = bool(data.get("high_risk"))
    industry.save()
    if industry.pk and industry.high_risk != was_high_risk:
        hooks.call("customer_risk_changed", customer_ids=list(
            Customer.objects.filter(industry=industry).values_list("pk", flat=True)))
    return industry


@transaction.atomic
def classification_floors_save(*, acting_user: User, floors: list[tuple[int, str]]) -> None:
    """Replace the floors. More days past due may never allow a better classification."""
    floors = sorted(floors)
    days = [d for d, _ in floors]
    if len(set(days)) != len(days):
        raise ValidationError(_("Each number of days may appear only once."))
    ranks = [Classification.rank(c) for _, c in floors]
    if ranks != sorted(ranks):
        raise ValidationError(_("A longer overdue period cannot allow a better classification."))
    list(ClassificationFloor.objects.select_for_update())
    ClassificationFloor.objects.exclude(days_past_due_over__in=days).delete()
    for day, minimum in floors:
        ClassificationFloor.objects.update_or_create(days_past_due_over=day,
                                                     defaults={"minimum": minimum})


# --- Export jobs ------------------------------------------------------------------------------


@transaction.atomic
def export_start(*, acting_user: User, kind: str, filters: dict[str, Any],
                 language: str = "") -> ExportJob:
    """Record an export of the user's scope with the list's filters, and hand it to a worker
    once committed (customers/export_jobs.py)."""
    if kind not in ExportJob.Kind.values:
        raise ValidationError({"kind": [_("Unknown export.")]})
    if kind == ExportJob.Kind.SHEETS:
        shown = selectors.customer_list_for_user(user=acting_user, **filters).count()
        if shown > SHEETS_MAX:
            raise ValidationError({"kind": [_(
                "%(count)s customers: information sheets are written for at most %(max)s at "
                "a time. Narrow the list first (an officer, a filter or a search).") % {
                    "count": shown, "max": SHEETS_MAX}]})
    job = ExportJob.objects.create(user=acting_user, kind=kind, filters=filters,
                                   language=language)
    enqueue_on_commit(export_run, job.pk)
    return job

"""Rows of the project's access matrix (tests/access_matrix.py) for the customers app.

tests/access_matrix.py adds them with
    from .customers.access_rows import CUSTOMER_ROWS
    ROWS += CUSTOMER_ROWS
"""

from __future__ import annotations

from customers import export_jobs
from customers.imports import import_run_create
from customers.models import RiskGroup, RiskSignal
from customers.risk_state import correction_request
from customers.services import export_start, relation_add
from tests.access_matrix import Row, every, only, scoped

from .factories import (
    CollateralFactory,
    CustomerFactory,
    GuaranteeFactory,
    IndustryFactory,
    LoanFactory,
)


def _customer(p: dict) -> dict:
    return {"pk": CustomerFactory(officer=p["officer"]).pk}


def _loan(p: dict) -> dict:
    return {"pk": LoanFactory(customer=CustomerFactory(officer=p["officer"])).pk}


def _collateral(p: dict) -> dict:
    return {"pk": CollateralFactory(customer=CustomerFactory(officer=p["officer"])).pk}


def _relation(p: dict) -> dict:
    customer = CustomerFactory(officer=p["officer"])
    return {"pk": relation_add(customer=customer, acting_user=p["officer"], name="张三",
                               role="legal_representative").pk}


def _guarantee(p: dict) -> dict:
    loan = LoanFactory(customer=CustomerFactory(officer=p["officer"]))
    return {"pk": GuaranteeFactory(loan=loan,
                                   guarantor_customer=CustomerFactory(officer=p["officer"])).pk}


def _signal(p: dict) -> dict:
    customer = CustomerFactory(officer=p["officer"])
    return {"pk": RiskSignal.objects.create(customer=customer, source="manual",
                                            rule="other").pk}


def _export(p: dict) -> dict:
    """A finished export of team A's supervisor: theirs alone, whoever else asks."""
    job = export_start(acting_user=p["supervisor"], kind="ledger", filters={})
    export_jobs.export_run(job_id=job.pk)
    return {"pk": job.pk}


def _import_run(p: dict) -> dict:
    """A file team A's officer uploaded: theirs and the administrators'."""
    run = import_run_create(name="ledger.csv", content=b"name\n", acting_user=p["officer"],
                            enqueue=False)
    return {"pk": run.pk}


UPLOADER_AND_ADMIN = {"anon": "login", "officer": 200, "officer_b": 404, "supervisor": 404,
                      "supervisor_b": 404, "admin": 200}

OWNER_ONLY = {"anon": "login", "officer": 404, "officer_b": 404, "supervisor": 200,
              "supervisor_b": 404, "admin": 404}


def _industry(p: dict) -> dict:
    return {"pk": IndustryFactory().pk}


def _correction(p: dict) -> dict:
    groups = RiskGroup.objects.order_by("order")
    customer = CustomerFactory(officer=p["officer"], risk_group=groups.last())
    correction = correction_request(customer=customer, acting_user=p["admin"],
                                    risk_group=groups.first(),
                                    reason="复核后调整")
    return {"pk": correction.pk}


CUSTOMER_ROWS: list[Row] = [
    # Administrators correct the risk state; the whole bank is their scope.
    Row("customers:risk_correction", {"anon": "login", "officer": 403, "officer_b": 403,
                                      "supervisor": 403, "supervisor_b": 403, "admin": 200},
        build=_customer),
    Row("customers:correction_list", only({"supervisor", "supervisor_b", "admin"})),
    # A correction lowering risk, requested by the admin: the team's supervisor decides it
    # (reject without a comment: sent back to the list); another team's supervisor finds
    # nothing; the requester may not decide their own.
    Row("customers:correction_decide", {"anon": "login", "officer": 403, "officer_b": 403,
                                        "supervisor": 302, "supervisor_b": 404, "admin": 403},
        method="post", build=_correction, data={"decision": "reject"}),
    Row("customers:industry_list", only({"admin"})),
    Row("customers:industry_edit", only({"admin"}), build=_industry),
    Row("customers:classification_floors", only({"admin"})),
    Row("customers:customer_list", every(200)),
    # An officer's book downloads at once; a team's or the bank's starts an export job.
    Row("customers:customer_export", {**every(302), "officer": 200, "officer_b": 200}),
    Row("customers:ledger_export", {**every(302), "officer": 200, "officer_b": 200}),
    Row("customers:sheets_export", every(302)),
    Row("customers:export_job", OWNER_ONLY, build=_export),
    Row("customers:export_download", OWNER_ONLY, build=_export),
    Row("customers:customer_create", every(200)),
    Row("customers:customer_import", every(200)),
    Row("customers:import_template", every(200)),
    Row("customers:import_run", UPLOADER_AND_ADMIN, build=_import_run),
    Row("customers:import_run_progress", UPLOADER_AND_ADMIN, build=_import_run),
    # Only a failed run is sent again; any other answers with its page.
    Row("customers:import_run_resend", only({"admin"}, status=302), method="post",
        build=_import_run),
    # Without a selection the supervisor is sent back to the list with a message.
    Row("customers:customer_reassign", only({"supervisor", "supervisor_b", "admin"}, status=302),
        method="post"),
    Row("customers:customer_detail", scoped(), build=_customer),
    Row("customers:customer_sheet_export", scoped(), build=_customer),
    Row("customers:customer_sheet_pdf", scoped(), build=_customer),
    Row("customers:customer_edit", scoped(), build=_customer),
    Row("customers:relation_add", scoped(), build=_customer),
    Row("customers:loan_create", scoped(), build=_customer),
    Row("customers:collateral_create", scoped(), build=_customer),
    Row("customers:loan_edit", scoped(), build=_loan),
    Row("customers:guarantee_create", scoped(), build=_loan),
    Row("customers:valuation_add", scoped(), build=_collateral),
    Row("customers:collateral_edit", scoped(), build=_collateral),
    # The officer removes it; everyone after finds nothing (404), as outsiders always do.
    Row("customers:relation_remove", {"anon": "login", "officer": 302, "officer_b": 404,
                                      "supervisor": 404, "supervisor_b": 404, "admin": 404},
        method="post", build=_relation),
    Row("customers:guarantee_remove", {"anon": "login", "officer": 302, "officer_b": 404,
                                       "supervisor": 404, "supervisor_b": 404, "admin": 404},
        method="post", build=_guarantee),
    Row("customers:signal_list", every(200)),
    Row("customers:signal_settings", only({"admin"})),
    # The officer dismisses it; the supervisor and the admin then find it no longer open and
    # are sent back with a message; the other team finds nothing.
    Row("customers:signal_dismiss", scoped(302), method="post", build=_signal,
        data={"reason": "已核实，非风险"}),
]

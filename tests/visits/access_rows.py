"""Rows of the project's access matrix (tests/access_matrix.py) for the visits app.

Logging and editing a visit is an officer's work (on their own customers); supervisors and
admins read visits in their scope; thresholds and guidance are administered by admins.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access_matrix import LOGIN, Row, only, scoped
from tests.customers.factories import CustomerFactory
from visits.services import evidence_add, proposal_create, visit_submit

from .factories import VisitFactory, ready_visit


def officer_only(owner_status: int = 200) -> dict:
    """An officer's own record: they may act on it, another officer finds nothing, and the
    other roles may not use the page at all."""
    return {"anon": LOGIN, "officer": owner_status, "officer_b": 404, "supervisor": 403,
            "supervisor_b": 403, "admin": 403}


def _customer(p: dict) -> dict:
    return {"pk": CustomerFactory(officer=p["officer"]).pk}


def _draft(p: dict) -> dict:
    return {"pk": VisitFactory(customer=CustomerFactory(officer=p["officer"])).pk}


def _submitted(p: dict) -> dict:
    visit = ready_visit(customer=CustomerFactory(officer=p["officer"]))
    visit_submit(visit=visit, acting_user=p["officer"])
    return {"pk": visit.pk}


def _evidence(p: dict) -> dict:
    visit = VisitFactory(customer=CustomerFactory(officer=p["officer"]))
    evidence = evidence_add(visit=visit, acting_user=p["officer"], kind="other",
                            upload=SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%matrix"))
    return {"pk": evidence.pk}


def _proposal(p: dict) -> dict:
    return {"pk": proposal_create(acting_user=p["officer"], question=2, language="zh",
                                  text="先聊家常").pk}


VISIT_ROWS = [
    Row("visits:draft_list", only({"officer", "officer_b"})),
    Row("visits:customer_visits", scoped(), build=_customer),
    Row("visits:visit_create", officer_only(), build=_customer),
    # A quick contact is the customer's officer's: another officer finds nothing.
    Row("visits:contact_log", officer_only(), build=_customer),
    Row("visits:contact_preference_edit", scoped(), build=_customer),
    Row("visits:visit_detail", scoped(), build=_draft),
    Row("visits:visit_edit", officer_only(), build=_draft),
    # The form's script: signed out it is told so in JSON (401), not sent to the sign-in page;
    # an empty post is an invalid draft (400).
    Row("visits:visit_autosave", {**officer_only(400), "anon": 401}, method="post",
        build=_draft),
    # The offline queue's send: like the autosave, 401 JSON signed out; an empty post has no
    # submission key (400).
    Row("visits:visit_send", {**officer_only(400), "anon": 401}, method="post",
        build=_draft),
    Row("visits:visit_amend", officer_only(302), method="post", build=_submitted),
    Row("visits:evidence_download", scoped(), build=_evidence),
    Row("visits:evidence_remove", officer_only(302), method="post", build=_evidence),
    Row("visits:threshold_list", only({"admin"})),
    Row("visits:guidance_list", only({"admin"})),
    Row("visits:guidance_edit", only({"admin"}), build=lambda p: {"question": 1}),
    Row("visits:proposal_create", only({"officer", "officer_b", "supervisor", "supervisor_b"},
                                       status=302),
        method="post", build=lambda p: {"question": 1},
        data={"language": "en", "text": "Ask about the busy months first."}),
    Row("visits:proposal_decide", only({"admin"}, status=302), method="post", build=_proposal,
        data={"decision": "decline"}),
]

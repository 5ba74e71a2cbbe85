from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports import services
from reports.pdf import report_pdf
from reports.selectors import report_get_for_user
from tests.customers.factories import CustomerFactory

from .factories import measure, submitted_report

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_reads_in_chinese(officer, supervisor):
    customer = CustomerFactory(officer=officer, name="华东精密机械有限公司")
    report = submitted_report(officer=officer, customer=customer, warning_level="orange",
                              assessment="主要客户流失，销售收入同比下降三成",
                              measures=[{"measure": measure("more_security"),
                                         "note": "追加房产抵押"}])
    services.report_decide(report=report, acting_user=supervisor, decision="approve",
                           comment="同意，按期落实")
    with translation.override("zh-hans"):
        pages, text = _text(report_pdf(report=report_get_for_user(user=officer, pk=report.pk)))
    assert pages <= 2
    for words in ("风险报告", "华东精密机械有限公司", "主要客户流失", "应收账款大幅增加",
                  "橙", "追加抵押或担保", "追加房产抵押", "同意，按期落实", "签字"):
        assert words in text, words


def test_the_pdf_page_serves_a_pdf(officer, officer_client):
    report = submitted_report(officer=officer)
    response = officer_client.get(f"/reports/{report.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from customers.models import Classification, RiskGroup
from reports import services
from reports.pdf import report_pdf
from reports.selectors import report_get_for_user
from tests.customers.factories import CustomerFactory, LoanFactory

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


def test_a_full_report_fits_two_pages(officer, supervisor):
    """A heavy but realistic report: a dozen risk points, five measures, three loans, a return
    and a resubmission."""
    customer = CustomerFactory(officer=officer)
    loans = [LoanFactory(customer=customer) for _ in range(3)]
    points = [{"category": "finance", "severity": "warning",
               "text": f"第{i}项：应收账款周转天数由六十天延长至一百二十天，"
                       "回款明显放缓，需持续关注"}
              for i in range(12)]
    report = submitted_report(
        officer=officer, customer=customer, points=points, warning_level="red",
        assessment="企业经营出现明显困难。" * 20,
        classifications={loan.pk: Classification.SUBSTANDARD for loan in loans},
        measures=[{"measure": measure(code), "note": "限期落实并报告进展"}
                  for code in ("more_visits", "more_security", "reduce_line", "collection",
                               "restructure")])
    services.report_decide(report=report, acting_user=supervisor, decision="return",
                           comment="请补充担保人代偿能力分析")
    services.report_submit(report=report, acting_user=officer)
    with translation.override("zh-hans"):
        pages, text = _text(report_pdf(report=report_get_for_user(user=officer, pk=report.pk)))
    assert pages <= 2
    assert "第11项" in text and "请补充担保人代偿能力分析" in text


def test_an_approved_pdf_shows_the_change_as_it_was_at_approval(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    customer.risk_group = RiskGroup.objects.get(code="normal")
    customer.save()
    loan = LoanFactory(customer=customer, days_past_due=10, classification=Classification.PASS)
    report = submitted_report(officer=officer, customer=customer,
                              proposed_risk_group=RiskGroup.objects.get(code="watch"),
                              classifications={loan.pk: Classification.SPECIAL_MENTION})
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    later = submitted_report(officer=officer, customer=customer,
                             proposed_risk_group=RiskGroup.objects.get(code="high"),
                             classifications={loan.pk: Classification.SUBSTANDARD})
    services.report_decide(report=later, acting_user=supervisor, decision="approve")

    with translation.override("zh-hans"):
        _, text = _text(report_pdf(report=report_get_for_user(user=officer, pk=report.pk)))
    assert "正常 → 关注" in text
    lines = text.splitlines()
    at = lines.index(loan.contract_number)
    assert lines[at + 1:at + 3] == ["正常", "关注"]
    assert "次级" not in text

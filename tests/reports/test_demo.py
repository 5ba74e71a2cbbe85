from __future__ import annotations

import pytest

from loanwatch.devtools import demo
from reports.models import FollowUp, RiskReport

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_the_workflow_and_load_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    counts = (RiskReport.objects.count(), FollowUp.objects.count())
    demo.load()
    assert (RiskReport.objects.count(), FollowUp.objects.count()) == counts
    statuses = dict(RiskReport.objects.values_list("customer__name", "status"))
    assert statuses == {"北京华信精密机械有限公司": "submitted",
                        "上海浦江置业发展有限公司": "approved", "孙志强": "draft"}
    assert FollowUp.objects.filter(owner__username="officer3").count() == 2
    returned = RiskReport.objects.get(customer__name="孙志强")
    assert returned.decision_comment.startswith("请补充")

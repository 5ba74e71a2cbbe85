"""Rows named in both languages show the name of the page's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from customers.models import Industry, RiskGroup
from loanwatch.core.bilingual import BilingualName, in_active_language
from reports.models import Measure
from visits.models import QuestionGuidance


@pytest.mark.parametrize("row", [
    RiskGroup(code="watch", name_zh="关注", name_en="Watch"),
    Measure(code="freeze", name_zh="关注", name_en="Watch"),
    Industry(code="C", name="关注", name_en="Watch"),
], ids=["risk group", "measure", "industry"])
def test_each_bilingual_model_names_itself_in_the_active_language(row):
    assert isinstance(row, BilingualName)
    with translation.override("zh-hans"):
        assert str(row) == row.display_name == "关注"
    with translation.override("en"):
        assert str(row) == row.display_name == "Watch"


def test_an_empty_name_falls_back_to_the_other_language():
    industry = Industry(code="C", name="制造业", name_en="")
    with translation.override("en"):
        assert str(industry) == "制造业"
    with translation.override("zh-hans"):
        assert in_active_language("", "English only") == "English only"


def test_guidance_texts_follow_the_same_rule():
    guidance = QuestionGuidance(how_zh="怎么问", how_en="", whom_zh="", whom_en="The owner")
    with translation.override("en"):
        assert (guidance.how, guidance.whom) == ("怎么问", "The owner")
    with translation.override("zh-hans"):
        assert (guidance.how, guidance.whom) == ("怎么问", "The owner")

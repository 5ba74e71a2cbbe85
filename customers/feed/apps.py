from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedConfig(AppConfig):
    """贷款状态数据: the nightly loan-status feed of the bank's core system."""

    name = "customers.feed"
    label = "feed"
    verbose_name = _("Loan feed")

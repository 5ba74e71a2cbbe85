from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """检查基础信息: checks of public records about customers and the people behind them."""

    name = "customers.records"
    label = "records"
    verbose_name = _("Record checks")


"""Rows named in Chinese and in English, shown in the language of the page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "").startswith("en")


def in_active_language(zh: str, en: str) -> str:
    """The text for the page's language; the other one where that is empty."""
    return (en if english_active() else zh) or zh or en


class BilingualName(models.Model):
    """For a model with a Chinese and an English name: ``display_name`` and ``str()`` give the
    one of the active language (the other where that one is empty). A model whose Chinese name
    has another field name says so in ``name_zh_field``. It adds no field and no table."""

    name_zh_field = "name_zh"
    name_en_field = "name_en"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_active_language(getattr(self, self.name_zh_field),
                                  getattr(self, self.name_en_field))

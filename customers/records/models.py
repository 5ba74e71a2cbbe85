"""Record checks of public registers (licence, annual report, court enforcement)."""

from __future__ import annotations

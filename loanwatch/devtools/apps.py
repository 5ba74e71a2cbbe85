from __future__ import annotations

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data, the synthetic portfolio and the benchmark: tools for a developer's checkout,
    installed only where loanwatch/devtools/ exists (the Docker image leaves it out)."""

    name = "loanwatch.devtools"
    label = "devtools"

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from loanwatch.accounts.views import admin_sign_in

# A database outage answers 503 with Retry-After, in the user's language (core/errors.py).
handler500 = "loanwatch.core.errors.server_error"

urlpatterns = [
    path("", include("loanwatch.core.urls")),
    path("accounts/", include("loanwatch.accounts.urls")),
    path("customers/", include("customers.urls")),
    path("records/", include("customers.records.urls")),
    path("feed/", include("customers.feed.urls")),
    path("visits/", include("visits.urls")),
    path("reports/", include("reports.urls")),
    path("schedule/", include("visits.schedule.urls")),
    # The REST API for the bank's other systems, and its tokens' pages.
    path("api/", include("loanwatch.api.urls")),
    path("api-tokens/", include("loanwatch.api.token_urls")),
    # The language switcher works before sign-in too (the login page has it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The Django admin signs in through the app's own page, second factor and lockout included.
    path(f"{settings.ADMIN_URL}login/", admin_sign_in, name="admin_sign_in"),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]

"""/api/: the schema, its docs page, the changes feed and every app's endpoints (`api_routes`)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views
from .routes import routes

app_name = "api"

router = SimpleRouter()
for route in routes():
    router.register(route.prefix, route.viewset, basename=route.basename)

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("v1/changes/", views.ChangesView.as_view(), name="changes"),
    path("v1/", include(router.urls)),
]

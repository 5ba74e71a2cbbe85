from __future__ import annotations

from django.urls import path

from . import offline, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:key>.json", views.chart_json, name="chart_json"),
    path("dashboard/<slug:key>.csv", views.chart_csv, name="chart_csv"),
    path("held/<str:token>/", views.held_post, name="held_post"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]

from __future__ import annotations

from django.urls import path

from . import views

app_name = "schedule"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("tasks/<int:pk>/planned/", views.task_plan_date, name="task_plan_date"),
    path("calendar/", views.calendar_link, name="calendar"),
    path("calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("risk-groups/", views.risk_group_list, name="risk_group_list"),
    path("risk-groups/new/", views.risk_group_edit, name="risk_group_create"),
    path("risk-groups/<int:pk>/", views.risk_group_edit, name="risk_group_edit"),
    path("policy/", views.policy, name="policy"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
]

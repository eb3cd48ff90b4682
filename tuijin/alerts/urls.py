from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("refresh/", views.refresh, name="refresh"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/preset/", views.preset, name="preset"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    path("project/<int:pk>/", views.project_alerts, name="project"),
]

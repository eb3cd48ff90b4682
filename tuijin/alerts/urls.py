from django.urls import path

from tuijin.core.listexport import export_urls

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("refresh/", views.refresh, name="refresh"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/preset/", views.preset, name="preset"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    path("project/<int:pk>/", views.project_alerts, name="project"),
    *export_urls("", views.alert_list_export, "list", page="alerts:list"),  # 导出Excel and 打印 (core.listexport)
]

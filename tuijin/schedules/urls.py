from django.urls import path

from tuijin.core.listexport import export_urls

from . import exporting, views

app_name = "schedules"
urlpatterns = [
    path("gantt/", views.gantt, name="gantt"),
    path("gantt/data/", views.gantt_data, name="gantt_data"),
    path("project/<int:pk>/", views.project_schedule, name="project"),
    path("project/<int:pk>/apply/", views.apply_template, name="apply"),
    path("project/<int:pk>/milestones/add/", views.milestone_add, name="milestone_add"),
    path("project/<int:pk>/milestones/save/", views.milestones_save, name="milestones_save"),
    path("project/<int:pk>/baseline/", views.baseline_approve, name="baseline"),
    path("project/<int:pk>/approvals/", views.project_approvals, name="approvals"),
    path("project/<int:pk>/approvals/save/", views.approvals_save, name="approvals_save"),
    path("project/<int:pk>/approvals/init/", views.approvals_init, name="approvals_init"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone_evidence"),
    path("milestones/<int:pk>/photo/", views.milestone_photo, name="milestone_photo"),
    # 导出Excel (the chart's nodes) and 打印 (a wall chart, one row per project), of the page's filters.
    *export_urls("gantt/", views.gantt_export, "gantt", page="schedules:gantt", printed=exporting.gantt_print),
]

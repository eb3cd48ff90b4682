from django.urls import path

from tuijin.core.listexport import export_urls

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("periods/new/", views.period_open, name="period_open"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/remind/", views.period_remind, name="period_remind"),
    path("periods/<int:pk>/projects/", views.period_projects, name="period_projects"),
    path("periods/<int:pk>/grid/", views.grid, name="grid"),
    path("periods/<int:pk>/review/", views.review, name="review"),
    path("periods/<int:pk>/import/", views.import_reports, name="import"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("project/<int:pk>/", views.project_reports, name="project"),
    # 导出Excel and 打印 of the period's 填报情况 and of its review queue (core.listexport).
    *export_urls("periods/<int:pk>/", views.period_export, "period", page="reports:period"),
    *export_urls("periods/<int:pk>/review/", views.review_export, "review", page="reports:review"),
]

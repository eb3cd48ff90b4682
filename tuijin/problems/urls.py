from django.urls import path

from tuijin.core.listexport import export_urls

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("stats/", views.stats, name="stats"),
    path("project/<int:pk>/", views.project_problems, name="project"),
    path("project/<int:pk>/new/", views.problem_new, name="new"),
    path("project/<int:pk>/orders/new/", views.order_new, name="order_new"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/assign/", views.problem_assign, name="assign"),
    path("<int:pk>/step/<str:action>/", views.problem_step, name="step"),
    path("<int:pk>/attachments/", views.problem_attach, name="attach"),
    path("<int:pk>/order/", views.problem_order, name="problem_order"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/step/<str:action>/", views.order_step, name="order_step"),
    path("orders/<int:pk>/attachments/", views.order_attach, name="order_attach"),
    path("orders/<int:pk>/print/", views.order_print, name="order_print"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/decide/", views.meeting_decide, name="meeting_decide"),
    path("meetings/<int:pk>/attachments/", views.meeting_attach, name="meeting_attach"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/decide/", views.inspection_decide, name="inspection_decide"),
    path("inspections/<int:pk>/photos/", views.inspection_photo_add, name="inspection_photos"),
    path("inspection-photos/<int:pk>/", views.inspection_photo, name="inspection_photo"),
    # Each list's 导出Excel and 打印, of the page's current filter (core.listexport).
    *export_urls("", views.problem_list_export, "list", page="problems:list"),
    *export_urls("overdue/", views.overdue_export, "overdue", page="problems:overdue"),
    *export_urls("stats/", views.stats_export, "stats", page="problems:stats"),
    *export_urls("meetings/", views.meetings_export, "meetings", page="problems:meetings"),
    *export_urls("meetings/<int:pk>/", views.meeting_export, "meeting", page="problems:meeting"),
]

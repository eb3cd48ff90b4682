from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("presets/install/", views.preset_install, name="preset_install"),
    path("schemes/import/", views.scheme_import, name="import"),
    path("schemes/new/", views.scheme_new, name="new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="edit"),
    path("schemes/<int:pk>/export/", views.scheme_export, name="export"),
    path("schemes/<int:pk>/run/", views.run_compute, name="compute"),
    path("schemes/<int:pk>/exemptions/", views.exemption_add, name="exemption_add"),
    path("exemptions/<int:pk>/edit/", views.exemption_edit, name="exemption_edit"),
    path("exemptions/<int:pk>/delete/", views.exemption_delete, name="exemption_delete"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/point/", views.run_point, name="point"),
    path("runs/<int:pk>/board/", views.run_board, name="board"),
    path("runs/<int:pk>/print/", views.run_print, name="print"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="run_export"),
    path("runs/<int:pk>/sheet/", views.run_sheet, name="sheet"),
    path("runs/<int:pk>/veto/", views.veto_save, name="veto"),
    path("runs/<int:pk>/recompute/", views.run_recompute, name="recompute"),
    path("runs/<int:pk>/publish/", views.run_publish, name="publish"),
    path("runs/<int:pk>/delete/", views.run_delete, name="delete"),
]

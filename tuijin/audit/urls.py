from django.urls import path

from tuijin.core.listexport import export_urls

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("verify/", views.verify, name="verify"),
    *export_urls("", views.build_export, "list", page="audit:list"),
]

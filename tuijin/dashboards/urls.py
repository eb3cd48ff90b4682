from django.urls import path

from .views import cockpit

app_name = "dashboards"

urlpatterns: list = [
    path("cockpit/", cockpit.page, name="cockpit"),
    path("cockpit/data/", cockpit.data, name="cockpit_data"),
]

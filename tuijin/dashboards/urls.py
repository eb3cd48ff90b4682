from django.urls import path

from .views import map as map_views

app_name = "dashboards"

urlpatterns: list = [
    path("map/", map_views.map_page, name="map"),
    path("map/data/", map_views.map_data, name="map_data"),
]

from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("", views.index, name="index"),
    path("explain/", views.explain, name="explain"),
]

from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/data", views.job_data, name="data"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
]

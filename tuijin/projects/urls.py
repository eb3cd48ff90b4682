from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("admissions/", views.admission_queue, name="admissions"),
    path("<int:pk>/admission/", views.admission_decide, name="admission"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/plans/", views.project_plans, name="plans"),
    path("<int:pk>/history/", views.project_history, name="history"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/archive/", views.project_archive, name="archive"),
    path("<int:pk>/plans/new/", views.plan_edit, name="plan_create"),
    path("<int:pk>/plans/<int:year>/edit/", views.plan_edit, name="plan_edit"),
]

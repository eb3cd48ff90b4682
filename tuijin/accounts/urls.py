from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("password/", views.password, name="password"),
    path("factor/", views.enrol, name="enrol"),
    path("factor/remove/", views.factor_remove, name="factor_remove"),
    path("factor/codes/", views.recovery_codes, name="codes"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/password/", views.reset_password, name="reset_password"),
    path("users/<int:pk>/factor/", views.reset_factor, name="reset_factor"),
]

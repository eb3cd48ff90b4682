from django.contrib import admin
from django.urls import include, path

from tuijin.accounts import views as account_views
from tuijin.core import views as core_views
from tuijin.dashboards.views import home as home_views
from tuijin.ops import views as ops_views

urlpatterns = [
    path("", home_views.home, name="home"),  # each role's first screen (tuijin.dashboards)
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("logout/", core_views.LogoutView.as_view(), name="logout"),
    path("account/", include("tuijin.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("tuijin.projects.urls")),
    path("ledger/", include("tuijin.ledgerio.urls")),
    path("reports/", include("tuijin.reports.urls")),
    path("schedules/", include("tuijin.schedules.urls")),
    path("problems/", include("tuijin.problems.urls")),
    path("alerts/", include("tuijin.alerts.urls")),
    path("figures/", include("tuijin.figures.urls")),
    path("scoring/", include("tuijin.scoring.urls")),
    path("bulletins/", include("tuijin.bulletins.urls")),
    path("dashboards/", include("tuijin.dashboards.urls")),
    path("audit/", include("tuijin.audit.urls")),
    path("reminders/", include("tuijin.reminders.urls")),
    path("jobs/", include("tuijin.jobs.urls")),  # background jobs' progress (tuijin.jobs)
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", core_views.notification_open, name="notification_open"),
    path("admin/", admin.site.urls),
    path("healthz", ops_views.healthz, name="healthz"),  # the office's monitoring (tuijin.ops.health)
]
handler400 = "tuijin.core.views.bad_request"

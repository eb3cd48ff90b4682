from django.urls import path, re_path

from .views import cockpit, screen
from .views import map as map_views

app_name = "dashboards"

# A display token is 43 URL-safe characters (services.new_secret): the pattern takes 32-64 of them, so
# the screen's own words (tokens/, data/) are never read as one.
TOKEN = r"(?P<token>[A-Za-z0-9_-]{32,64})"

urlpatterns: list = [
    path("cockpit/", cockpit.page, name="cockpit"),
    path("cockpit/data/", cockpit.data, name="cockpit_data"),
    path("map/", map_views.map_page, name="map"),
    path("map/data/", map_views.map_data, name="map_data"),
    path("screen/", screen.screen, name="screen"),
    path("screen/data/", screen.screen_data, name="screen_data"),
    path("screen/tokens/", screen.tokens, name="tokens"),
    path("screen/tokens/<int:pk>/revoke/", screen.token_revoke, name="token_revoke"),
    re_path(rf"^screen/{TOKEN}/$", screen.token_screen, name="token_screen"),
    re_path(rf"^screen/{TOKEN}/data/$", screen.token_screen_data, name="token_screen_data"),
]

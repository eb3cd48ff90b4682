"""The bundled district boundaries read back (tuijin/static/vendor/geo/<city code>.json, copied from the npm
package by scripts/copy_vendor.mjs): ECharts' compressed GeoJSON decoded as echarts.registerMap decodes it,
and a point-in-polygon test, for the tests that check where points fall."""

import json
from pathlib import Path

import tuijin

GEO_DIR = Path(tuijin.__file__).parent / "static" / "vendor" / "geo"


def boundaries(city_code: str) -> dict[str, tuple[str, list]] | None:
    """{district code: (name, polygons)} of a city, each polygon a list of rings of (lng, lat); None when
    the file was not built (npm run vendor)."""
    path = GEO_DIR / f"{city_code}.json"
    if not path.exists():
        return None
    geo = json.loads(path.read_text(encoding="utf-8"))
    scale = geo.get("UTF8Scale", 1024)
    found = {}
    for feature in geo["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        offsets = [geometry["encodeOffsets"]] if geometry["type"] == "Polygon" else geometry["encodeOffsets"]
        if not geo.get("UTF8Encoding"):
            rings = polygons
        else:
            rings = [[_ring(ring, offset, scale) for ring, offset in zip(polygon, polygon_offsets, strict=True)]
                     for polygon, polygon_offsets in zip(polygons, offsets, strict=True)]
        found[str(feature["id"])] = (feature["properties"]["name"], rings)
    return found


def _ring(text: str, offset, scale) -> list[tuple[float, float]]:
    """ECharts' decodePolygon: pairs of characters, zigzag-encoded deltas from the offset."""
    x0, y0 = offset
    points = []
    for i in range(0, len(text), 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x, y = (x >> 1) ^ -(x & 1), (y >> 1) ^ -(y & 1)
        x0, y0 = x0 + x, y0 + y
        points.append((x0 / scale, y0 / scale))
    return points


def inside(point: tuple[float, float], polygons: list) -> bool:
    """Whether (lng, lat) lies in one of the polygons (even-odd rule over each polygon's rings)."""
    x, y = point
    for rings in polygons:
        crossings = False
        for ring in rings:
            for i in range(len(ring)):
                (x1, y1), (x2, y2) = ring[i], ring[i - 1]
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    crossings = not crossings
        if crossings:
            return True
    return False

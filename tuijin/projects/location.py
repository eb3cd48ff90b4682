"""A project's location (经度/纬度): the rules the edit form, the import and the CLI share.

Coordinates are WGS-84-style decimal degrees as a phone or a web map gives them, six places (about 0.1 m).
A project is in China, so a value outside the country's extent is refused: it is nearly always the two
halves swapped or a typing error, which a map would otherwise show in the sea.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

PLACES = Decimal("0.000001")
# China's extent, rounded outwards (漠河 53.5°N, 曾母暗沙 3.9°N, 帕米尔 73.5°E, 抚远 135.1°E).
LONGITUDE_RANGE = (Decimal(73), Decimal(136))
LATITUDE_RANGE = (Decimal(3), Decimal(54))


def quantize(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def coordinate_errors(longitude, latitude) -> list[tuple[str, str]]:
    """(field, message) for each rule a location breaks: both halves or neither, each within China."""
    errors = []
    if (longitude is None) != (latitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors.append((missing, _("经度和纬度须同时填写（或都不填）")))
    if longitude is not None and latitude is not None and not _within(longitude, LONGITUDE_RANGE) \
            and _within(longitude, LATITUDE_RANGE) and _within(latitude, LONGITUDE_RANGE):
        errors.append(("longitude", _("经度%(lng)s、纬度%(lat)s填反了：经度在东经73°—136°之间，纬度在北纬3°—54°之间")
                       % {"lng": _plain(longitude), "lat": _plain(latitude)}))
        return errors
    if longitude is not None and not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        errors.append(("longitude", _("经度%(value)s不在中国境内（东经73°—136°），请检查是否与纬度填反")
                       % {"value": _plain(longitude)}))
    if latitude is not None and not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        errors.append(("latitude", _("纬度%(value)s不在中国境内（北纬3°—54°），请检查是否与经度填反")
                       % {"value": _plain(latitude)}))
    return errors


def _within(value, bounds) -> bool:
    return bounds[0] <= value <= bounds[1]


def _plain(value) -> str:
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ------------------------------------------------------------------------------------------ reading text

LONGITUDE, LATITUDE = "longitude", "latitude"
_AXIS_WORDS = {"东经": (LONGITUDE, 1), "西经": (LONGITUDE, -1), "北纬": (LATITUDE, 1), "南纬": (LATITUDE, -1),
               "E": (LONGITUDE, 1), "W": (LONGITUDE, -1), "N": (LATITUDE, 1), "S": (LATITUDE, -1)}
# One coordinate: decimal degrees ("118.34", "-0.5") or degrees, minutes and seconds ("118°20′24″",
# "118°20'24\"", "118度20分24秒"), with an optional hemisphere before or after it ("E118.34", "118.34°E",
# "东经118.34").
_DEGREES = re.compile(
    r"(?P<pre>东经|西经|北纬|南纬|[EWNS])?\s*"
    r"(?P<sign>[-+])?(?P<deg>\d{1,3}(?:\.\d+)?)\s*(?:(?:°|度)\s*"
    r"(?:(?P<min>\d{1,2}(?:\.\d+)?)\s*(?:['′’]|分)\s*)?"
    r"(?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*(?:[\"″”]|''|′′|秒)\s*)?)?"
    r"(?P<post>[EWNS](?!\s*[-+]?\d))?",
)
_SEPARATORS = re.compile(r"^[\s,;、/]*$")


class CoordinateError(ValueError):
    """Text that is not a coordinate (the message is Chinese)."""


def _normalized(text) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().upper().replace("，", ",").replace("；", ";")


def _tokens(text: str) -> list[tuple[Decimal, str | None]]:
    """Each coordinate in `text` as (signed degrees, axis or None); CoordinateError for anything else."""
    found, position = [], 0
    for match in _DEGREES.finditer(text):
        if not match.group("deg"):
            continue
        if not _SEPARATORS.match(text[position:match.start()]):
            raise CoordinateError(text)
        position = match.end()
        pre, post = match.group("pre"), match.group("post")
        if pre and post:
            raise CoordinateError(text)
        axis, sign = _AXIS_WORDS.get(pre or post or "", (None, 1))
        if match.group("sign") == "-":
            sign = -sign
        degrees = Decimal(match.group("deg"))
        minutes, seconds = match.group("min"), match.group("sec")
        if minutes is not None or seconds is not None:
            if "." in match.group("deg") or Decimal(minutes or 0) >= 60 or Decimal(seconds or 0) >= 60:
                raise CoordinateError(text)
            degrees += Decimal(minutes or 0) / 60 + Decimal(seconds or 0) / 3600
        found.append((quantize(sign * degrees), axis))
    if not found or not _SEPARATORS.match(text[position:]):
        raise CoordinateError(text)
    return found


def parse_degrees(value, axis: str) -> Decimal | None:
    """One half of a location from a cell or a field (`axis`: LONGITUDE or LATITUDE); None when blank."""
    text = _normalized(value) if value is not None else ""
    if not text:
        return None
    word = _("经度") if axis == LONGITUDE else _("纬度")
    example = "118.34" if axis == LONGITUDE else "35.06"
    try:
        tokens = _tokens(text)
    except CoordinateError:
        tokens = []
    if len(tokens) != 1:
        raise CoordinateError(_("“%(value)s”不是有效的%(axis)s（应为度数，如 %(example)s 或 %(example)s°）")
                              % {"value": str(value)[:30], "axis": word, "example": example})
    degrees, found = tokens[0]
    if found is not None and found != axis:
        raise CoordinateError(_("“%(value)s”标明的是%(other)s，不是%(axis)s")
                              % {"value": str(value)[:30], "axis": word,
                                 "other": _("纬度") if axis == LONGITUDE else _("经度")})
    return degrees


def parse_coordinates(value) -> tuple[Decimal, Decimal] | None:
    """(longitude, latitude) from one cell holding both: "118.34,35.06" (经度在前), "118.34 35.06",
    "N35.06 E118.34", "东经118°20′24″，北纬35°3′36″". None when blank; CoordinateError otherwise."""
    text = _normalized(value) if value is not None else ""
    if not text:
        return None
    try:
        tokens = _tokens(text)
    except CoordinateError:
        tokens = []
    axes = {axis for _degrees, axis in tokens}
    if len(tokens) != 2 or (None not in axes and len(axes) != 2) or (len(axes) == 1 and axes != {None}):
        raise CoordinateError(_("“%(value)s”不是有效的坐标（应为“经度,纬度”，如 118.34,35.06）")
                              % {"value": str(value)[:40]})
    (first, first_axis), (second, second_axis) = tokens
    if first_axis == LATITUDE or second_axis == LONGITUDE:
        return second, first
    return first, second

"""Cell values from uploaded spreadsheets: text, amounts in 万元, dates, year spans and name markers.

Pure functions. Bad input raises ``ValidationError`` with a Chinese message and nothing else escapes,
so an importer can attach the message to (sheet, row, column) and carry on with the next cell.
"""

import datetime
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
_EXACT = Context(prec=60)
# Factor from each money unit to 万元, the stored unit.
UNITS = {"元": Decimal("0.0001"), "万元": Decimal("1"), "亿元": Decimal("10000")}
# Decimal places that show a two-place 万元 amount exactly in each unit.
UNIT_PLACES = {"元": 0, "万元": 2, "亿元": 6}
MAX_INTEGER_DIGITS = 12
MIN_YEAR, MAX_YEAR = 1950, 2100
# Excel's serial numbers the parser accepts (1 = 1900-01-01; 60000 is in 2064).
MAX_SERIAL = 60000

# Cells that mean "nothing here": treated as blank, not as an error.
BLANKS = frozenset({"", "-", "--", "---", "—", "——", "–", "―", "/", "//", "\\", "无", "N/A", "n/a"})
MARKERS = "★☆●○▲△※*＊"

_SHOWN = 30  # characters of a bad value quoted back in a message
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_CJK_SPACE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def normalize_text(value) -> str:
    """The cell as one clean line: NFKC (full-width → half-width), no control characters, single spaces."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Most cells are already clean: printable (so no control characters, and no whitespace but the
        # ASCII space), no double spaces, NFKC already. Same result as the long way, several times faster.
        if value.isprintable() and "  " not in value and unicodedata.is_normalized("NFKC", value):
            return value.strip()
        text = value
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    elif isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() and abs(value.adjusted()) < 100 else str(value)
    elif isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = _safe_str(value)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def _safe_str(value) -> str:
    try:
        return str(value)
    except ValueError:  # an int beyond Python's digit limit
        return "…"


def normalize_label(value) -> str:
    """A header label for matching: ``normalize_text`` without the spaces around Chinese characters.

    "总投资\\n（万元）" → "总投资(万元)", "项 目 名 称" → "项目名称"; spaces between Latin words stay.
    """
    return _CJK_SPACE.sub("", normalize_text(value))


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# ---------------------------------------------------------------------------------------------
# Units and years in headers

_UNIT_SEPARATORS = re.compile(r"[\s、,;/()\[\]]+")
_PARENTHESIZED = re.compile(r"\(([^()]*)\)")
_DECLARED = re.compile(r"单位\s*:?\s*([^:]*)")


def _unit_token(text: str) -> str | None:
    for token in _UNIT_SEPARATORS.split(text):
        if token in UNITS:
            return token
    return None


def unit_in(text) -> str | None:
    """The money unit ("元", "万元" or "亿元") a header, title or unit line declares, if any.

    Recognised: "总投资（万元）", "单位：亿元", "计量单位：万元", "单位:个、亿元" (→ 亿元), "（元）", "金额 万元".
    A unit must stand alone, so "填报单位：元氏县" and "单位名称" declare nothing.
    """
    text = normalize_text(text)
    if not text:
        return None
    for match in _PARENTHESIZED.finditer(text):
        if unit := _unit_token(match.group(1)):
            return unit
    for match in _DECLARED.finditer(text):
        if unit := _unit_token(match.group(1)):
            return unit
    return _unit_token(text)


_YEAR_IN = re.compile(r"(?<!\d)(\d{4})\s*年", re.ASCII)


def year_in(text) -> int | None:
    """The first year written as "YYYY年" in a header: "2010年计划投资（万元）" → 2010, "至2009年底…" → 2009."""
    for match in _YEAR_IN.finditer(normalize_text(text)):
        year = int(match.group(1))
        if MIN_YEAR <= year <= MAX_YEAR:
            return year
    return None


# ---------------------------------------------------------------------------------------------
# Amounts

_NUMBER = re.compile(
    r"([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
    re.ASCII,
)
_AMOUNT_UNIT = re.compile(r"\s*(亿元|万元|元|亿|万)$")
_MINUS = str.maketrans({"−": "-", "﹣": "-"})


def _invalid_amount(text: str) -> ValidationError:
    return ValidationError(_("“%(value)s”不是有效的金额"), code="invalid", params={"value": _shown(text)})


def _amount_out_of_range(text: str) -> ValidationError:
    return ValidationError(
        _("金额“%(value)s”超出范围（万元整数部分最多 %(digits)s 位）"),
        code="out_of_range",
        params={"value": _shown(text), "digits": MAX_INTEGER_DIGITS},
    )


# An estimate ("约5000", "5000左右", "大约5000", "5000余") or a range ("30000-50000", "3~5亿", "3000至5000")
# is not an amount: reading its first number would silently record a figure nobody stated.
_APPROXIMATE = re.compile(r"^(?:约|大约|大概|预计|估计|概算|估算)|(?:左右|上下|以上|以下|余|多|许)(?:亿元|万元|元|亿|万)?$")
_RANGE = re.compile(r"\d\s*(?:-|~|～|至|到|—|－)\s*[+-]?\d")


def _approximate_amount(text: str) -> ValidationError:
    return ValidationError(_("“%(value)s”是约数，请填写确切金额"), code="approximate", params={"value": _shown(text)})


def _range_amount(text: str) -> ValidationError:
    return ValidationError(_("“%(value)s”是一个范围，请填写确切金额"), code="range", params={"value": _shown(text)})


def _amount_from_text(text: str) -> tuple[Decimal, str | None]:
    """(number as written, unit written after it) from normalized text; raises on anything else
    (estimates and ranges with their own message)."""
    body = text.translate(_MINUS)
    if _APPROXIMATE.search(body) and any(ch.isdigit() for ch in body):
        raise _approximate_amount(text)
    if _RANGE.search(body):
        raise _range_amount(text)
    unit = None
    if match := _AMOUNT_UNIT.search(body):
        unit = match.group(1)
        unit = unit if unit.endswith("元") else unit + "元"
        body = body[: match.start()]
    if len(body) > 60 or not (match := _NUMBER.fullmatch(body)):
        raise _invalid_amount(text)
    sign, digits = match.groups()
    return Decimal(sign + digits.replace(",", "")), unit


def parse_amount(value, factor: Decimal = Decimal(1)) -> Decimal | None:
    """An amount in 万元 with two places (ROUND_HALF_UP), from a cell in the unit ``factor`` converts from.

    ``factor`` is ``UNITS[unit]`` of the column; a unit written in the cell ("1.2亿", "300万元")
    wins over it. Blanks and dashes give None; "暂无", NaN, infinity and amounts of more than 12
    integer digits (in 万元) raise ValidationError. Floats are read as the decimal Excel showed
    (``repr``), never as their binary expansion.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _invalid_amount(str(value))
    if isinstance(value, int):
        number, text = Decimal(value), _safe_str(value)
    elif isinstance(value, float):
        text = repr(value)
        if not math.isfinite(value):
            raise _invalid_amount(text)
        number = Decimal(text)
    elif isinstance(value, Decimal):
        text = str(value)
        if not value.is_finite():
            raise _invalid_amount(text)
        number = value
    else:
        text = normalize_text(value)
        if text in BLANKS:
            return None
        number, unit = _amount_from_text(text)
        if unit:
            factor = UNITS[unit]
    if number and number.adjusted() > MAX_INTEGER_DIGITS + 8:  # before arithmetic on huge exponents
        raise _amount_out_of_range(text)
    # The arithmetic in a context of its own (60 digits: exact for any amount let through above), given
    # to each operation rather than entered with localcontext(): a file has tens of thousands of amounts.
    result = _EXACT.multiply(number, factor)
    if result and result.adjusted() >= MAX_INTEGER_DIGITS:
        raise _amount_out_of_range(text)
    try:
        result = result.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)
    except InvalidOperation as exc:  # pragma: no cover - excluded by the digit check above
        raise _amount_out_of_range(text) from exc
    return result if result else abs(result)  # no "-0.00"


def format_amount(amount: Decimal, unit: str = "万元", *, grouping: bool = False) -> str:
    """A 万元 amount written in ``unit`` without the unit word, exact for two-place 万元 amounts.

    ``parse_amount(format_amount(x, unit), UNITS[unit]) == x``; ``grouping`` adds thousands commas.
    """
    places = Decimal(1).scaleb(-UNIT_PLACES[unit])
    with localcontext() as context:
        context.prec = 60
        shown = (amount / UNITS[unit]).quantize(places, rounding=ROUND_HALF_UP)
    return format(shown, ",f" if grouping else "f")


# ---------------------------------------------------------------------------------------------
# Dates

_EXCEL_1900 = datetime.date(1899, 12, 30)  # serial 61 = 1900-03-01 counts from here
_EXCEL_1904 = datetime.date(1904, 1, 1)
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:份|\s*(\d{1,2})\s*[日号])?", re.ASCII)
_SEP_DATE = re.compile(
    r"(\d{4})([-./])(\d{1,2})(?:\2(\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", re.ASCII
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})?", re.ASCII)
_MONTH_ONLY = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{1,2}[-./]\d{1,2}", re.ASCII)
_YEAR_ONLY = re.compile(r"\d{4}\s*年?", re.ASCII)

DATE_STYLES = {
    "iso": "{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "cn": "{d.year}年{d.month}月{d.day}日",
    "dot": "{d.year}.{d.month}.{d.day}",
    "slash": "{d.year}/{d.month}/{d.day}",
    "compact": "{d.year:04d}{d.month:02d}{d.day:02d}",
}


def _invalid_date(text: str) -> ValidationError:
    return ValidationError(_("“%(value)s”不是有效的日期"), code="invalid", params={"value": _shown(text)})


def serial_to_date(serial: int, *, epoch_1904: bool = False) -> datetime.date:
    """The calendar date of an Excel serial day number.

    In the 1900 system Excel counts a fictitious 1900-02-29 (serial 60, the Lotus 1-2-3 bug):
    serials below 60 are one day later than a plain count, and serial 60 itself is rejected because
    the day does not exist. The 1904 system (old Mac workbooks) counts from 1904-01-01 = 0.
    """
    if epoch_1904:
        return _EXCEL_1904 + datetime.timedelta(days=serial)
    if serial == 60:
        raise ValidationError(_("Excel 日期序号 60 表示不存在的 1900-02-29，请改为实际日期"), code="invalid")
    if serial < 60:
        return _EXCEL_1900 + datetime.timedelta(days=serial + 1)
    return _EXCEL_1900 + datetime.timedelta(days=serial)


def date_to_serial(day: datetime.date, *, epoch_1904: bool = False) -> int:
    """The Excel serial day number of a date (inverse of ``serial_to_date``)."""
    if epoch_1904:
        return (day - _EXCEL_1904).days
    days = (day - _EXCEL_1900).days
    return days - 1 if days < 61 else days


def _make_date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("日期“%(value)s”不存在"), code="invalid", params={"value": _shown(text)}
        ) from exc


def _date_from_text(text: str) -> datetime.date:
    if match := _CN_DATE.fullmatch(text):
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day or 1), text)
    if match := _SEP_DATE.fullmatch(text):
        year, _sep, month, day = match.groups()
        return _make_date(int(year), int(month), int(day or 1), text)
    if match := _COMPACT_DATE.fullmatch(text):
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day or 1), text)
    if _MONTH_ONLY.fullmatch(text):
        raise ValidationError(_("日期“%(value)s”缺少年份"), code="invalid", params={"value": _shown(text)})
    if _YEAR_ONLY.fullmatch(text):
        raise ValidationError(
            _("日期“%(value)s”不完整，请至少写到月份（如 2023年3月）"),
            code="invalid",
            params={"value": _shown(text)},
        )
    raise _invalid_date(text)


def _date_from_number(number, epoch_1904: bool) -> datetime.date:
    text = normalize_text(number)
    if isinstance(number, float) and not math.isfinite(number):
        raise _invalid_date(text)
    if isinstance(number, Decimal) and not number.is_finite():
        raise _invalid_date(text)
    if not 1 <= number <= 99999999:
        raise _invalid_date(text)
    whole = int(number)
    if whole == number and 100000 <= whole:  # 202303 or 20230315 typed as a number
        return _date_from_text(str(whole))
    if not 1 <= whole <= MAX_SERIAL:  # a fraction is the time of day
        raise _invalid_date(text)
    return serial_to_date(whole, epoch_1904=epoch_1904)


def parse_date(value, *, epoch_1904: bool = False) -> datetime.date | None:
    """A date from a date cell, an Excel serial number (1–60000) or text, within 1950–2100.

    Text forms: "2023年3月15日", "2023年3月" (→ the 1st), "2023.3", "2023.03.15", "2023-03",
    "2023-3-5", "2023/3/5", "202303", "20230315". Blanks and dashes give None.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _invalid_date(str(value))
    if isinstance(value, datetime.datetime):
        day, text = value.date(), value.date().isoformat()
    elif isinstance(value, datetime.date):
        day, text = value, value.isoformat()
    elif isinstance(value, int | float | Decimal):
        day = _date_from_number(value, epoch_1904)
        text = day.isoformat()
    else:
        text = normalize_text(value)
        if text in BLANKS:
            return None
        day = _date_from_text(text)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(
            _("日期“%(value)s”超出范围（%(min)s–%(max)s 年）"),
            code="out_of_range",
            params={"value": _shown(text), "min": MIN_YEAR, "max": MAX_YEAR},
        )
    return day


def format_date(day: datetime.date, style: str = "iso") -> str:
    """A date as text in one of ``DATE_STYLES`` ("iso" 2023-03-05, "cn" 2023年3月5日, "dot", "slash", "compact")."""
    return DATE_STYLES[style].format(d=day)


# ---------------------------------------------------------------------------------------------
# Year spans (建设起止年限 / 建设起止时间)

_PERIOD_SEPARATOR = re.compile(r"\s*(?:-+|~|〜|—+|–|―|至|到)\s*")
# A year, optionally with month (and day): "2009", "2009年", "2009年3月", "2009.3", "09.10", "09年".
_PERIOD_POINT = re.compile(
    r"(?:(\d{4})|(\d{2})(?=[.年]))"
    r"(?:\s*年(?:\s*(\d{1,2})\s*月(?:\s*\d{1,2}\s*日)?)?|\.(\d{1,2})(?:\.\d{1,2})?)?\s*(?:年)?",
    re.ASCII,
)


def _invalid_period(text: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s”不是有效的起止年限（如 2009-2011）"), code="invalid", params={"value": _shown(text)}
    )


def _checked_year(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年份“%(value)s”超出范围（%(min)s–%(max)s 年）"),
            code="out_of_range",
            params={"value": _shown(text), "min": MIN_YEAR, "max": MAX_YEAR},
        )
    return year


def _period_point(part: str, text: str) -> int | None:
    if not part:
        return None
    match = _PERIOD_POINT.fullmatch(part)
    if not match:
        raise _invalid_period(text)
    four, two, month_cn, month_dot = match.groups()
    month = month_cn or month_dot
    if month and not 1 <= int(month) <= 12:
        raise _invalid_period(text)
    year = int(four) if four else (2000 + int(two) if int(two) <= 50 else 1900 + int(two))
    return _checked_year(year, text)


def parse_period(value) -> tuple[int | None, int | None]:
    """(start year, end year) of a construction period.

    "2009-2011", "2009～2011", "2009—2011年", "2009.3-2011.12", "09.10-11.3" (two-digit years with
    a month), "2010-" (end open) and a single year "2010年" / 2010 / 2010.0 / a date (start = end).
    Blanks give (None, None); start after end raises.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise _invalid_period(str(value))
    if isinstance(value, datetime.date):
        year = _checked_year(value.year, value.isoformat())
        return year, year
    if isinstance(value, int | float | Decimal):
        text = normalize_text(value)
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or not 0 <= value < 10000:
            raise _invalid_period(text)
        year = _checked_year(int(value), text)  # 2009.3 typed into a General cell is March 2009
        return year, year
    text = normalize_text(value)
    if text in BLANKS:
        return None, None
    parts = _PERIOD_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 1:
        year = _period_point(parts[0], text)
        return year, year
    start, end = (_period_point(part.strip(), text) for part in parts)
    if start is None and end is None:
        raise _invalid_period(text)
    if start is not None and end is not None and start > end:
        raise ValidationError(
            _("起止年限“%(value)s”的开始年份晚于结束年份"), code="invalid", params={"value": _shown(text)}
        )
    return start, end


# ---------------------------------------------------------------------------------------------
# Markers


def strip_markers(name) -> tuple[str, list[str]]:
    """Split marker symbols (★ ☆ ● ○ ▲ △ ※ *) off both ends of a name or 序号.

    "★古雷…工程" → ("古雷…工程", ["★"]); "1●" → ("1", ["●"]). Markers come back in reading order.
    """
    text = normalize_text(name) if not isinstance(name, str) else name.strip()
    leading: list[str] = []
    while text and text[0] in MARKERS:
        leading.append(text[0])
        text = text[1:].lstrip()
    trailing: list[str] = []
    while text and text[-1] in MARKERS:
        trailing.insert(0, text[-1])
        text = text[:-1].rstrip()
    return text, leading + trailing

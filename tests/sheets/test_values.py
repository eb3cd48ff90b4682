"""Cell values: the rules for amounts, units, dates, year spans and markers, then their properties.

Property tests (amounts and dates round-trip, only ValidationError is raised) run 200 examples each;
HYPOTHESIS_PROFILE=nightly runs 1,000.
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tuijin.core.sheets.values import (
    DATE_STYLES,
    UNITS,
    date_to_serial,
    format_amount,
    format_date,
    normalize_label,
    normalize_text,
    parse_amount,
    parse_date,
    parse_period,
    serial_to_date,
    strip_markers,
    unit_in,
    year_in,
)

PROPERTY = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE") or "sheets")
D = Decimal


def message(exc_info) -> str:
    return exc_info.value.messages[0]


# ---------------------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  项目\n名称  ", "项目 名称"),
        ("１２３ＡＢＣ（一期）", "123ABC(一期)"),
        ("a\u3000\u3000b\u00a0c", "a b c"),
        ("名\x00称\x01\x1f\x7f", "名称"),
        ("第\x0b二\x0c期", "第 二 期"),
        ("\ufeff序号", "序号"),
        ("零\u200b宽", "零宽"),
        (1.0, "1"),
        (350001.0, "350001"),
        (2.5, "2.5"),
        (7, "7"),
        (datetime.date(2026, 3, 1), "2026-03-01"),
    ],
)
def test_normalize_text_gives_one_clean_line(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("总投资\n（万元）", "总投资(万元)"),
        ("总投资               (万元)", "总投资(万元)"),
        ("项 目 名 称", "项目名称"),
        ("1～  月                 完成投资                (万元) ", "1~月完成投资(万元)"),
        ("GDP Total", "GDP Total"),
    ],
)
def test_normalize_label_drops_spaces_around_chinese(value, expected):
    assert normalize_label(value) == expected


# ---------------------------------------------------------------------------------------------
# Units and years


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("总投资（万元）", "万元"),
        ("总投资(亿元)", "亿元"),
        ("单位：亿元", "亿元"),
        ("计量单位：万元", "万元"),
        ("单位:个、亿元", "亿元"),
        ("（元）", "元"),
        ("合同金额(元)", "元"),
        ("总投资\n（万元）", "万元"),
        ("投资情况（万元）以及形象进度", "万元"),
        ("金额 万元", "万元"),
        ("报送部门：发改委    单位：万元", "万元"),
        ("填报单位：元氏县发展和改革局", None),
        ("单位名称", None),
        ("责任单位", None),
        ("完成投资占年计划（%）", None),
        ("项目总投资", None),
        ("", None),
        (None, None),
    ],
)
def test_unit_in_finds_the_declared_money_unit(text, unit):
    assert unit_in(text) == unit


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2010年计划投资（万元）", 2010),
        ("至2009年底累计完成投资", 2009),
        ("2026年度计划投资", 2026),
        ("2010年1-7月完成投资（万元）", 2010),
        ("1-7月完成投资", None),
        ("总投资", None),
        ("1000年", None),
    ],
)
def test_year_in_reads_the_year_of_a_header(text, year):
    assert year_in(text) == year


# ---------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(
    ("value", "factor", "expected"),
    [
        (1378400, D(1), D("1378400.00")),
        (1378400.0, D(1), D("1378400.00")),
        (0.1 + 0.2, D(1), D("0.30")),
        (D("12.345"), D(1), D("12.35")),
        (D("12.344"), D(1), D("12.34")),
        ("1,234.5", D(1), D("1234.50")),
        ("1，234", D(1), D("1234.00")),
        ("１２,３４５", D(1), D("12345.00")),
        ("１２３．４５", D(1), D("123.45")),
        ("  12 ", D(1), D("12.00")),
        ("\u00a012\u00a0", D(1), D("12.00")),
        ("1.2亿", D(1), D("12000.00")),
        ("1.2亿元", D(1), D("12000.00")),
        ("300万元", D("10000"), D("300.00")),
        ("300万", D(1), D("300.00")),
        ("5000元", D(1), D("0.50")),
        ("12345678", UNITS["元"], D("1234.57")),
        (12345678, UNITS["元"], D("1234.57")),
        ("13.784", UNITS["亿元"], D("137840.00")),
        ("-5", D(1), D("-5.00")),
        ("－５", D(1), D("-5.00")),
        ("−5", D(1), D("-5.00")),
        ("+5", D(1), D("5.00")),
        ("-0", D(1), D("0.00")),
        ("1e3", D(1), D("1000.00")),
        ("0", D(1), D("0.00")),
        ("999999999999.99", D(1), D("999999999999.99")),
        ("", D(1), None),
        ("-", D(1), None),
        ("—", D(1), None),
        ("——", D(1), None),
        ("/", D(1), None),
        ("无", D(1), None),
        ("  ", D(1), None),
        (None, D(1), None),
    ],
)
def test_parse_amount_reads_what_the_clerk_typed(value, factor, expected):
    result = parse_amount(value, factor)
    assert result == expected
    if result is not None:
        assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("暂无", "“暂无”不是有效的金额"),
        ("待定", "“待定”不是有效的金额"),
        ("85%", "不是有效的金额"),
        ("1,5", "不是有效的金额"),
        ("12,3456", "不是有效的金额"),
        ("1.2.3", "不是有效的金额"),
        ("NaN", "不是有效的金额"),
        ("Infinity", "不是有效的金额"),
        (float("nan"), "不是有效的金额"),
        (float("inf"), "不是有效的金额"),
        (float("-inf"), "不是有效的金额"),
        (D("NaN"), "不是有效的金额"),
        (True, "不是有效的金额"),
        ("1e309", "超出范围"),
        (1e300, "超出范围"),
        ("1000000000000", "超出范围"),
        pytest.param(10**5000, "超出范围", id="5000-digit-int"),
        ("1e999999999", "超出范围"),
        ("建" * 1000, "…”不是有效的金额"),
        ("约1000", "“约1000”是约数，请填写确切金额"),
        ("5000左右", "“5000左右”是约数"),
        ("大约5000万元", "是约数"),
        ("3000余", "是约数"),
        ("30000-50000", "“30000-50000”是一个范围，请填写确切金额"),
        ("3~5亿", "是一个范围"),
        ("３０００至５０００", "是一个范围"),
    ],
)
def test_parse_amount_rejects_non_amounts_with_a_message(value, fragment):
    with pytest.raises(ValidationError) as exc_info:
        parse_amount(value)
    assert fragment in message(exc_info)


def test_a_unit_word_in_the_cell_wins_over_the_column_unit():
    assert parse_amount("2亿元", UNITS["元"]) == D("20000.00")


@pytest.mark.parametrize(
    ("amount", "unit", "grouping", "text"),
    [
        (D("1234.56"), "万元", False, "1234.56"),
        (D("1234.56"), "万元", True, "1,234.56"),
        (D("1234.56"), "亿元", False, "0.123456"),
        (D("1234.56"), "元", True, "12,345,600"),
        (D("-0.01"), "元", False, "-100"),
    ],
)
def test_format_amount_writes_exactly_in_the_unit(amount, unit, grouping, text):
    assert format_amount(amount, unit, grouping=grouping) == text


FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
AMOUNTS = st.decimals(
    min_value=D("-999999999999.99"), max_value=D("999999999999.99"), places=2, allow_nan=False
)
VARIANTS = {
    "plain": lambda text, unit: (text, UNITS[unit]),
    "grouped": lambda text, unit: (text, UNITS[unit]),
    "full-width": lambda text, unit: (text.translate(FULL_WIDTH), UNITS[unit]),
    "spaced": lambda text, unit: (f"  {text}\u3000", UNITS[unit]),
    "unit word": lambda text, unit: (f"{text}{unit}", Decimal(1)),
}


@PROPERTY
@given(amount=AMOUNTS, unit=st.sampled_from(sorted(UNITS)), variant=st.sampled_from(sorted(VARIANTS)))
def test_amount_round_trips_through_every_unit_and_spelling(amount, unit, variant):
    text = format_amount(amount, unit, grouping=variant in ("grouped", "full-width"))
    cell, factor = VARIANTS[variant](text, unit)
    assert parse_amount(cell, factor) == amount


@PROPERTY
@given(amount=AMOUNTS, unit=st.sampled_from(sorted(UNITS)), word=st.sampled_from(["约{}", "{}左右", "大约{}", "{}余"]))
def test_an_estimate_is_never_read_as_its_number(amount, unit, word):
    with pytest.raises(ValidationError) as exc_info:
        parse_amount(word.format(format_amount(amount, unit)), UNITS[unit])
    assert "约数" in message(exc_info)


@PROPERTY
@given(low=st.integers(0, 10**9), high=st.integers(0, 10**9), dash=st.sampled_from(["-", "~", "～", "至", "—"]))
def test_a_range_is_never_read_as_its_first_number(low, high, dash):
    with pytest.raises(ValidationError) as exc_info:
        parse_amount(f"{low}{dash}{high}")
    assert "范围" in message(exc_info)


@PROPERTY
@given(st.one_of(st.text(), st.text(alphabet="0123456789.,，-－+eE 万亿元约%/—")))
def test_amount_parser_raises_only_validation_errors_on_any_text(text):
    try:
        result = parse_amount(text)
    except ValidationError as exc:
        assert exc.messages[0]
    else:
        assert result is None or result.as_tuple().exponent == -2


@PROPERTY
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_amount_parser_takes_floats_as_excel_showed_them(number):
    try:
        result = parse_amount(number)
    except ValidationError:
        assert not (abs(number) < 1e12)  # NaN, infinity and the too large only
    else:
        assert result == Decimal(repr(number)).quantize(D("0.01"), rounding="ROUND_HALF_UP")


@PROPERTY
@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_amount_parser_takes_integers_up_to_twelve_digits(number):
    try:
        assert parse_amount(number) == Decimal(number)
    except ValidationError:
        assert abs(number) >= 10**12


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023年3月", datetime.date(2023, 3, 1)),
        ("2023年3月份", datetime.date(2023, 3, 1)),
        ("2023年3月15日", datetime.date(2023, 3, 15)),
        ("2023 年 3 月 15 日", datetime.date(2023, 3, 15)),
        ("２０２３年３月", datetime.date(2023, 3, 1)),
        ("2023.3", datetime.date(2023, 3, 1)),
        ("2023.03.15", datetime.date(2023, 3, 15)),
        ("2023-03", datetime.date(2023, 3, 1)),
        ("2023-3-5", datetime.date(2023, 3, 5)),
        ("2023/3/5", datetime.date(2023, 3, 5)),
        ("2023-03-15 08:30:00", datetime.date(2023, 3, 15)),
        ("202303", datetime.date(2023, 3, 1)),
        ("20230315", datetime.date(2023, 3, 15)),
        (202303, datetime.date(2023, 3, 1)),
        (20230315.0, datetime.date(2023, 3, 15)),
        (46082, datetime.date(2026, 3, 1)),  # typed into a General cell (RELIABILITY §3.1)
        (46082.75, datetime.date(2026, 3, 1)),
        (datetime.datetime(2026, 3, 1, 17, 30), datetime.date(2026, 3, 1)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1)),
        ("", None),
        ("—", None),
        (None, None),
    ],
)
def test_parse_date_reads_dates_in_every_usual_form(value, expected):
    assert parse_date(value) == expected


def test_parse_date_counts_serials_from_1904_when_the_workbook_says_so():
    # The same day is 1,462 serials lower in the 1904 system.
    assert parse_date(46082 - 1462, epoch_1904=True) == datetime.date(2026, 3, 1)
    assert parse_date(46082 - 1462) == datetime.date(2022, 2, 28)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-02-30", "日期“2026-02-30”不存在"),
        ("2026年2月30日", "日期“2026年2月30日”不存在"),
        ("2026-13", "不存在"),
        ("20261301", "不存在"),
        ("1949-12-31", "超出范围（1950–2100 年）"),
        ("2101-01-01", "超出范围"),
        (datetime.date(1900, 1, 1), "超出范围"),
        (1, "超出范围"),
        (60, "1900-02-29"),
        (0, "不是有效的日期"),
        (-5, "不是有效的日期"),
        (60001, "不是有效的日期"),
        (float("nan"), "不是有效的日期"),
        (float("inf"), "不是有效的日期"),
        ("3月", "缺少年份"),
        ("3月15日", "缺少年份"),
        ("2023", "不完整"),
        ("2023年", "不完整"),
        ("下个月", "不是有效的日期"),
        (True, "不是有效的日期"),
    ],
)
def test_parse_date_rejects_impossible_and_out_of_range_dates(value, fragment):
    with pytest.raises(ValidationError) as exc_info:
        parse_date(value)
    assert fragment in message(exc_info)


def test_serial_60_is_excels_fictitious_leap_day():
    assert serial_to_date(59) == datetime.date(1900, 2, 28)
    assert serial_to_date(61) == datetime.date(1900, 3, 1)
    assert serial_to_date(1) == datetime.date(1900, 1, 1)
    assert serial_to_date(60, epoch_1904=True) == datetime.date(1904, 3, 1)
    with pytest.raises(ValidationError):
        serial_to_date(60)


@PROPERTY
@given(serial=st.integers(min_value=1, max_value=60000), epoch_1904=st.booleans())
def test_serials_round_trip_or_are_rejected_as_out_of_range(serial, epoch_1904):
    try:
        day = parse_date(serial, epoch_1904=epoch_1904)
    except ValidationError:
        assert (serial == 60 and not epoch_1904) or serial_to_date(serial, epoch_1904=epoch_1904).year < 1950
    else:
        assert date_to_serial(day, epoch_1904=epoch_1904) == serial
        assert parse_date(float(serial) + 0.5, epoch_1904=epoch_1904) == day
    if serial != 60 or epoch_1904:
        assert date_to_serial(serial_to_date(serial, epoch_1904=epoch_1904), epoch_1904=epoch_1904) == serial


IN_RANGE = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2100, 12, 31))


@PROPERTY
@given(day=IN_RANGE, style=st.sampled_from(sorted(DATE_STYLES)), full_width=st.booleans())
def test_dates_round_trip_through_every_text_form(day, style, full_width):
    text = format_date(day, style)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_date(text) == day


@PROPERTY
@given(day=st.dates().filter(lambda d: not 1950 <= d.year <= 2100), style=st.sampled_from(["iso", "cn"]))
def test_dates_outside_1950_to_2100_are_rejected(day, style):
    assume(day.year >= 1000)  # four-digit years only in text
    with pytest.raises(ValidationError):
        parse_date(format_date(day, style))
    with pytest.raises(ValidationError):
        parse_date(day)


@PROPERTY
@given(st.one_of(st.text(), st.floats(), st.integers(), st.text(alphabet="0123456789年月日-./ ")))
def test_date_parser_raises_only_validation_errors(value):
    try:
        result = parse_date(value)
    except ValidationError as exc:
        assert exc.messages[0]
    else:
        assert result is None or 1950 <= result.year <= 2100


# ---------------------------------------------------------------------------------------------
# Year spans


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2009-2011", (2009, 2011)),
        ("2010-", (2010, None)),
        ("2009～2011", (2009, 2011)),
        ("2009〜2011", (2009, 2011)),
        ("2009—2011年", (2009, 2011)),
        ("2009年-2011年", (2009, 2011)),
        ("2009年至2011年", (2009, 2011)),
        ("2009.3-2011.12", (2009, 2011)),
        ("2007.10-2010.12", (2007, 2010)),
        ("2009年3月-2011年12月", (2009, 2011)),
        ("09.10-11.3", (2009, 2011)),  # seen in the 漳州 template (按行业)
        ("2010年", (2010, 2010)),
        ("2010", (2010, 2010)),
        (2010, (2010, 2010)),
        (2010.0, (2010, 2010)),
        (2009.3, (2009, 2009)),
        (datetime.date(2010, 5, 1), (2010, 2010)),
        ("", (None, None)),
        ("—", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_period_reads_construction_spans(value, expected):
    assert parse_period(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2011-2009", "开始年份晚于结束年份"),
        ("2009-11", "不是有效的起止年限"),  # November 2009 or 2009–2011? ask rather than guess
        ("2009.13-2011", "不是有效的起止年限"),
        ("三年", "不是有效的起止年限"),
        ("-", None),
        ("1900-1905", "超出范围"),
        (1e300, "不是有效的起止年限"),
        (float("nan"), "不是有效的起止年限"),
    ],
)
def test_parse_period_rejects_what_it_cannot_read(value, fragment):
    if fragment is None:
        assert parse_period(value) == (None, None)
        return
    with pytest.raises(ValidationError) as exc_info:
        parse_period(value)
    assert fragment in message(exc_info)


@PROPERTY
@given(
    start=st.integers(1950, 2100),
    length=st.integers(0, 20),
    separator=st.sampled_from(["-", "—", "～", "~", "至", " - ", "－"]),
    suffix=st.sampled_from(["", "年"]),
)
def test_periods_round_trip(start, length, separator, suffix):
    end = min(start + length, 2100)
    assert parse_period(f"{start}{suffix}{separator}{end}{suffix}") == (start, end)


@PROPERTY
@given(st.one_of(st.text(), st.floats(), st.integers()))
def test_period_parser_raises_only_validation_errors(value):
    try:
        parse_period(value)
    except ValidationError as exc:
        assert exc.messages[0]


# ---------------------------------------------------------------------------------------------
# Markers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "★古雷腾龙芳烃（漳州）有限公司80万吨/年对二甲苯工程",
            ("古雷腾龙芳烃（漳州）有限公司80万吨/年对二甲苯工程", ["★"]),
        ),
        ("1●", ("1", ["●"])),
        ("※ 项目 ☆", ("项目", ["※", "☆"])),
        ("*△名称▲", ("名称", ["*", "△", "▲"])),
        ("＊名称", ("名称", ["＊"])),
        ("普通名称", ("普通名称", [])),
        ("", ("", [])),
        (3.0, ("3", [])),
    ],
)
def test_strip_markers_splits_flags_off_names(value, expected):
    assert strip_markers(value) == expected


@PROPERTY
@given(st.text())
def test_text_helpers_never_raise(text):
    assert "\x00" not in normalize_text(text)
    normalize_label(text)
    unit_in(text)
    year_in(text)
    name, markers = strip_markers(text)
    assert len(name) <= len(text)

"""The bulletin's charts: PNGs sized for a 15 cm figure, drawn in Chinese when a CJK font is here, still
drawn without one; missing values and empty series; several threads at once."""

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from PIL import Image as PILImage

from tuijin.bulletins import charts
from tuijin.core import fonts

MONTHS = [f"{m}月" for m in range(1, 11)]
DONE = [Decimal("35.2"), Decimal("80.1"), None, Decimal("190.0"), Decimal("251.3"), Decimal("318.8"),
        Decimal("380.2"), Decimal("441.9"), Decimal("502.3"), None]
PLAN = [Decimal(40 * m) for m in range(1, 11)]
NAMES = ["芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "长沙县", "浏阳市", "宁乡市"]
RATES = [Decimal("88.2"), Decimal("91.5"), Decimal("79.3"), None, Decimal("102.7"), Decimal("66.1"),
         Decimal("95.5"), Decimal("83.2"), Decimal("-3.0")]


def _image(png: bytes) -> PILImage.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = PILImage.open(io.BytesIO(png))
    image.load()
    return image


def _plausible(png: bytes) -> None:
    image = _image(png)
    width_cm = image.width / charts.DPI * 2.54
    assert 14 <= width_cm <= 16  # printed 15 cm wide at the chart's resolution
    assert 150 <= charts.DPI <= 200
    assert image.height < image.width
    # not blank: bars and text in more than one colour
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 20


def test_the_monthly_chart_draws_bars_and_the_plan_line():
    png = charts.monthly_chart(MONTHS, DONE, PLAN)
    _plausible(png)
    pixels = _image(png).convert("RGB")
    colours = {colour for _count, colour in pixels.getcolors(maxcolors=1 << 16)}
    assert (0x2F, 0x55, 0x97) in colours  # the completion bars
    assert (0xC0, 0x00, 0x00) in colours  # the plan line


def test_the_groups_chart_marks_the_groups_behind_time_progress():
    png = charts.groups_chart(NAMES, RATES, Decimal("83.3"))
    _plausible(png)
    colours = {colour for _count, colour in _image(png).convert("RGB").getcolors(maxcolors=1 << 16)}
    assert (0xC5, 0x5A, 0x11) in colours  # behind 序时进度
    assert (0x2F, 0x55, 0x97) in colours  # ahead of it


@pytest.mark.parametrize("draw", [
    lambda: charts.monthly_chart([], [], []),
    lambda: charts.monthly_chart(MONTHS, [None] * 10, [None] * 10),
    lambda: charts.monthly_chart(MONTHS, DONE[:3], []),  # shorter series than months
    lambda: charts.groups_chart([], [], None),
    lambda: charts.groups_chart(NAMES, [None] * len(NAMES), Decimal("83.3")),
    lambda: charts.groups_chart(NAMES, RATES, None),
    lambda: charts.groups_chart(["只有一个区"], [Decimal("0")], Decimal("0")),
])
def test_missing_and_empty_values_still_draw_a_chart(draw):
    _image(draw())


def test_charts_are_the_same_drawn_from_several_threads():
    alone = [charts.monthly_chart(MONTHS, DONE, PLAN), charts.groups_chart(NAMES, RATES, Decimal("83.3"))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda i: (charts.monthly_chart(MONTHS, DONE, PLAN) if i % 2 == 0
                                             else charts.groups_chart(NAMES, RATES, Decimal("83.3"))), range(8)))
    assert all(png == alone[i % 2] for i, png in enumerate(together))


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font_path", lambda: None)
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: None)
    monkeypatch.setattr(charts, "_font_family", None)
    yield
    charts._font_family = None


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_without_a_cjk_font_the_chart_still_renders_and_the_reason_is_given(no_cjk_font):
    _plausible(charts.monthly_chart(MONTHS, DONE, PLAN))
    assert charts._family() == ["DejaVu Sans"]
    message = fonts.fonts_missing_message()
    assert "中文字体" in message and "apt-get install fonts-noto-cjk" in message


@pytest.fixture
def fresh_font_lookup():
    fonts.cjk_font_path.cache_clear()
    yield
    fonts.cjk_font_path.cache_clear()


def test_the_configured_font_file_wins(settings, tmp_path, fresh_font_lookup):
    font = tmp_path / "my.ttf"
    font.write_bytes(b"font")
    settings.TUIJIN_CJK_FONT = str(font)
    assert fonts.cjk_font_path() == str(font)


def test_a_configured_font_file_that_is_missing_means_no_font(settings, tmp_path, fresh_font_lookup):
    settings.TUIJIN_CJK_FONT = str(tmp_path / "gone.ttf")
    assert fonts.cjk_font_path() is None
    assert fonts.fonts_missing_message() is not None


def test_fontconfig_finds_a_chinese_font_when_one_is_installed(settings, fresh_font_lookup):
    settings.TUIJIN_CJK_FONT = ""
    if not fonts.installed_families() & {"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"}:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    path = fonts.cjk_font_path()
    assert path and path.endswith((".ttc", ".otf", ".ttf"))
    assert fonts.fonts_missing_message() is None
    # the charts pick the Simplified Chinese face of a collection
    charts._font_family = None
    assert charts._family()[0].endswith(" SC") or "WenQuanYi" in charts._family()[0]


def test_missing_document_fonts_get_an_installed_stand_in(monkeypatch):
    monkeypatch.setattr(fonts, "installed_families", lambda: frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC",
                                                                        "黑体"}))
    assert fonts.substitutions() == {"方正小标宋简体": "Noto Serif CJK SC", "仿宋_GB2312": "Noto Serif CJK SC",
                                     "楷体_GB2312": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC"}

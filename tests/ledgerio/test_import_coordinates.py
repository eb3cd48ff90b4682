"""A project's location in a ledger (落地地图): a 坐标 / 经纬度 column with both halves, or 经度 and 纬度 columns
of their own (also under a 坐标 group header); a bad cell or a location outside China refuses its row with a
Chinese message naming the cell, and nothing is written."""

from decimal import Decimal

import pytest

from tuijin.ledgerio.services import import_ledger
from tuijin.projects.location import CoordinateError, parse_coordinates, parse_degrees
from tuijin.projects.models import Project

from . import fixtures as fx

pytestmark = pytest.mark.django_db

D = Decimal


def sheet(header: list[str], cells: list[list], n: int | None = None) -> bytes:
    """The fixtures' ledger (three 兰山区 projects) with columns added at the right: `header` and each
    row's `cells`."""
    rows = fx.ledger_rows(n or len(cells))
    rows[2] = rows[2] + header
    for i, extra in enumerate(cells):
        rows[fx.HEADER_ROW + i] = rows[fx.HEADER_ROW + i] + extra
    return fx.xlsx_bytes(rows)


def run(content: bytes, city):
    return import_ledger(content, "台账.xlsx", user=city.users["dispatcher"])


def located() -> list[tuple]:
    return list(Project.objects.order_by("name").values_list("name", "longitude", "latitude"))


@pytest.mark.parametrize(("header", "cells"), [
    (["坐标"], [["118.34,35.06"], ["118.352，35.1"], [""]]),
    (["经纬度"], [["E118.34 N35.06"], ["东经118.352，北纬35.1"], [None]]),
    (["经度", "纬度"], [[118.34, 35.06], ["118.352", "35.1"], [None, None]]),
    (["经度（°）", "纬度（°）"], [["118°20′24″", "35°3′36″"], ["118.352°", "35.1"], ["", ""]]),
])
def test_coordinates_are_read_in_the_ways_offices_write_them(city, header, cells):
    analysis, result = run(sheet(header, cells), city)
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    assert result is not None and result.created == 3
    assert located() == [("测试导入项目001", D("118.340000"), D("35.060000")),
                         ("测试导入项目002", D("118.352000"), D("35.100000")),
                         ("测试导入项目003", None, None)]
    history = Project.history.filter(name="测试导入项目001").latest("history_date")
    assert (history.longitude, history.latitude) == (D("118.340000"), D("35.060000"))


def test_a_two_row_header_under_a_coordinates_group(city):
    rows = fx.ledger_rows(1)
    rows[2] = [*rows[2], "坐标", ""]
    rows.insert(3, [""] * len(fx.HEADER) + ["经度", "纬度"])
    rows[4] = [*rows[4], "118.34", "35.06"]
    merges = ["A3:A4"] + [f"{chr(65 + i)}3:{chr(65 + i)}4" for i in range(1, len(fx.HEADER))] + ["O3:P3"]
    analysis, result = import_ledger(fx.xlsx_bytes(rows, merges=tuple(merges)), "台账.xlsx", user=city.users["dispatcher"])
    assert not analysis.all_errors, [str(e) for e in analysis.all_errors]
    assert located() == [("测试导入项目001", D("118.340000"), D("35.060000"))]


@pytest.mark.parametrize(("header", "cells", "column", "letter", "message"), [
    (["坐标"], ["118.34"], "坐标", "O", "“118.34”不是有效的坐标（应为“经度,纬度”，如 118.34,35.06）"),
    (["坐标"], ["东门外"], "坐标", "O", "“东门外”不是有效的坐标"),
    (["坐标"], ["35.06,118.34"], "坐标", "O", "经度35.06、纬度118.34填反了：经度在东经73°—136°之间"),
    (["坐标"], ["160,35.06"], "坐标", "O", "经度160不在中国境内（东经73°—136°），请检查是否与纬度填反"),
    (["经度", "纬度"], ["118.34", "北"], "纬度", "P", "“北”不是有效的纬度"),
    (["经度", "纬度"], ["N35.06", "35.06"], "经度", "O", "“N35.06”标明的是纬度，不是经度"),
    (["经度", "纬度"], ["118.34", ""], "纬度", "P", "经度和纬度须同时填写（或都不填）"),
    (["经度", "纬度"], ["118.34", "95"], "纬度", "P", "纬度95不在中国境内（北纬3°—54°）"),
])
def test_a_bad_location_refuses_the_row_naming_its_cell_and_writes_nothing(city, db_state, header, cells, column,
                                                                          letter, message):
    before = db_state()
    analysis, result = run(sheet(header, [cells]), city)
    assert result is None
    assert db_state() == before
    errors = analysis.all_errors
    assert len(errors) == 1, [str(e) for e in errors]
    assert (errors[0].row, errors[0].column, errors[0].letter) == (fx.HEADER_ROW + 1, column, letter)
    assert message in errors[0].message


def test_a_blank_location_keeps_the_one_stored(city):
    run(sheet(["坐标"], [["118.34,35.06"]]), city)
    analysis, result = run(sheet(["坐标"], [[""]]), city)
    assert not analysis.all_errors and result.updated == 1
    assert located() == [("测试导入项目001", D("118.340000"), D("35.060000"))]
    run(sheet(["坐标"], [["118.4,35.2"]]), city)
    assert located() == [("测试导入项目001", D("118.400000"), D("35.200000"))]


@pytest.mark.parametrize(("text", "expected"), [
    ("118.34,35.06", (D("118.34"), D("35.06"))),
    ("118.34 35.06", (D("118.34"), D("35.06"))),
    ("１１８．３４，３５．０６", (D("118.34"), D("35.06"))),
    ("N35.06, E118.34", (D("118.34"), D("35.06"))),
    ("118.34°E,35.06°N", (D("118.34"), D("35.06"))),
    ("东经118°20′24″，北纬35°3′36″", (D("118.34"), D("35.06"))),
    ("118.3456789;35.0612345", (D("118.345679"), D("35.061235"))),
    ("", None),
])
def test_coordinates_text(text, expected):
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize("text", ["118.34", "118.34,35.06,12", "E118,E35", "118°61′,35", "经纬度"])
def test_text_that_is_no_coordinates(text):
    with pytest.raises(CoordinateError):
        parse_coordinates(text)


def test_one_half():
    assert parse_degrees("东经118.34", "longitude") == D("118.34")
    assert parse_degrees(118.34, "longitude") == D("118.34")
    assert parse_degrees("  ", "latitude") is None
    with pytest.raises(CoordinateError, match="标明的是经度，不是纬度"):
        parse_degrees("E118.34", "latitude")

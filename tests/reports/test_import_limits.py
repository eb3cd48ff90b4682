"""Hard input on the report import (issue #13 §6): a file small on disk that expands to far more cells
than a month sheet has is refused with a Chinese reason and nothing written, on the page and in the CLI."""

import pytest
from django.contrib.messages import get_messages

from tests.sheets.wide import wide_xlsx

from . import test_import as base
from .test_import import cli, post, write

june, march = base.june, base.march  # the periods of test_import, as fixtures here

pytestmark = pytest.mark.django_db

CELL_CAP = "文件过大：工作表“Sheet”的行数 × 列数超过 1000 个单元格上限，请删除多余的行列或拆分后分批上传"


@pytest.fixture(autouse=True)
def caps(settings):
    settings.TUIJIN_PARSE_MAX_CELLS = 1000
    return settings


@pytest.mark.parametrize("action", ["check", "import"])
def test_the_page_refuses_a_file_over_the_cell_cap_and_writes_nothing(client, users, own_project, june, db_state,
                                                                      action):
    client.force_login(users["reporter_a"])
    before = db_state()
    response = post(client, june, wide_xlsx(40, 50), "宽表.xlsx", action=action)
    assert response.status_code == 400
    assert [str(m) for m in get_messages(response.wsgi_request)] == [CELL_CAP]
    assert db_state() == before


def test_the_page_refuses_a_parse_over_the_memory_cap(client, users, own_project, june, db_state, caps):
    caps.TUIJIN_PARSE_MAX_MB = 20
    caps.TUIJIN_PARSE_MAX_CELLS = 10**6
    client.force_login(users["reporter_a"])
    before = db_state()
    response = post(client, june, wide_xlsx(1000, 200), "宽表.xlsx", action="import")
    assert response.status_code == 400
    assert "文件过大：解析需要超过 20 MB 内存或 10 秒，已拒绝" in response.content.decode()
    assert db_state() == before


def test_the_cli_refuses_a_file_over_the_cell_cap_exit_2(tmp_path, own_project, june, db_state):
    before = db_state()
    result, code = cli(write(tmp_path, wide_xlsx(40, 50), "宽表.xlsx"))
    assert code == 2
    assert [e["message"] for e in result["errors"]] == [CELL_CAP]
    assert db_state() == before

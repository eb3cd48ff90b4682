"""Hard input on the ledger import (issue #13 §6): a file small on disk that expands to far more cells
than a ledger has is refused with a Chinese reason and nothing written, in the web flow and the CLI;
an upload is parsed once, never again by its preview or confirmation."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.sheets.wide import wide_xlsx
from tuijin.ledgerio import services
from tuijin.ledgerio.choices import BatchStatus
from tuijin.ledgerio.models import ImportBatch
from tuijin.projects.models import Project

from . import fixtures as fx
from .test_import_cli import cli, one_json

pytestmark = pytest.mark.django_db

CELL_CAP = "文件过大：工作表“Sheet”的行数 × 列数超过 1000 个单元格上限，请删除多余的行列或拆分后分批上传"


@pytest.fixture(autouse=True)
def caps(settings, tmp_path):
    settings.DATA_DIR = str(tmp_path / "data")
    settings.TUIJIN_PARSE_MAX_CELLS = 1000
    return settings


def imports_folder(settings) -> list[str]:
    folder = Path(settings.DATA_DIR) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_upload_page_refuses_a_file_over_the_cell_cap_and_keeps_nothing(client, city, caps, db_state):
    client.force_login(city.users["dispatcher"])
    before = db_state()
    response = client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile("宽表.xlsx", wide_xlsx(40, 50))})
    assert response.status_code == 400
    assert CELL_CAP in response.content.decode()
    assert db_state() == before and not ImportBatch.objects.exists() and imports_folder(caps) == []


def test_the_upload_page_refuses_a_parse_over_the_memory_cap(client, city, caps, db_state):
    caps.TUIJIN_PARSE_MAX_MB = 20
    caps.TUIJIN_PARSE_MAX_CELLS = 10**6
    client.force_login(city.users["dispatcher"])
    before = db_state()
    response = client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile("宽表.xlsx", wide_xlsx(1000, 200))})
    assert response.status_code == 400
    assert "文件过大：解析需要超过 20 MB 内存或 10 秒，已拒绝" in response.content.decode()
    assert db_state() == before and not ImportBatch.objects.exists() and imports_folder(caps) == []


def test_the_cli_refuses_a_file_over_the_cell_cap_exit_2(city, tmp_path, db_state):
    path = tmp_path / "宽表.xlsx"
    path.write_bytes(wide_xlsx(40, 50))
    before = db_state()
    code, out, _err = cli(path, "--json")
    assert code == 2
    assert [e["message"] for e in one_json(out)["errors"]] == [CELL_CAP]
    code, _out, err = cli(path)
    assert code == 2 and CELL_CAP in err
    assert db_state() == before


def test_an_upload_is_parsed_once_and_never_again_by_preview_or_confirmation(client, city, caps):
    client.force_login(city.users["dispatcher"])
    with mock.patch.object(services, "read", wraps=services.read) as parse:
        client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile("台账.xlsx", fx.xlsx_bytes(fx.ledger_rows(3)))})
        batch = ImportBatch.objects.get()
        url = reverse("ledgerio:preview", args=[batch.token])
        assert "检查通过" in client.get(url).content.decode()
        assert "检查通过" in client.get(url).content.decode()
        form = {"sheet": "台账", "year": "2026"}
        assert client.post(url, form).status_code == 302
        assert "检查通过" in client.get(url).content.decode()
        client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert parse.call_count == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and Project.objects.count() == 3
    assert imports_folder(caps) == []

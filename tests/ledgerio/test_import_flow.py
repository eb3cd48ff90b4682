"""The web flow of the ledger import: upload → preview → (corrected mapping) → confirm → result,
discard, other users' batches, stored files (issue #3, Web flow; malformed files via the web)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.sheets.corpus import CORPUS, MESSAGES
from tuijin.ledgerio.choices import BatchStatus
from tuijin.ledgerio.models import ImportBatch, SavedMapping
from tuijin.projects.models import Project

from . import fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = str(tmp_path / "data")
    return Path(settings.DATA_DIR)


def stored(data_dir: Path) -> list[str]:
    folder = data_dir / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client, user, data: bytes, name="台账.xlsx", **extra):
    client.force_login(user)
    return client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile(name, data), **extra})


def start(client, user, data: bytes, name="台账.xlsx") -> ImportBatch:
    response = upload(client, user, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get(user=user, filename=name)
    assert response["Location"] == reverse("ledgerio:preview", args=[batch.token])
    return batch


def test_the_upload_page_shows_the_form_the_limit_and_only_the_users_own_recent_imports(client, city, settings):
    settings.TUIJIN_IMPORT_MAX_BYTES = 7 * 1024 * 1024
    ImportBatch.objects.create(user=city.users["reporter_a"], filename="兰山区台账.xlsx", stored_name="a.xlsx")
    ImportBatch.objects.create(user=city.users["reporter_b"], filename="罗庄区台账.xlsx", stored_name="b.xlsx")
    client.force_login(city.users["reporter_a"])
    response = client.get(reverse("ledgerio:upload"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body and 'type="file" name="file"' in body
    assert "文件不超过 7 MB" in body
    assert "兰山区台账.xlsx" in body and "罗庄区台账.xlsx" not in body


def test_upload_preview_confirm_result(client, city, data_dir):
    user = city.users["reporter_a"]
    batch = start(client, user, fx.xlsx_bytes(fx.ledger_rows(3)))
    assert stored(data_dir) == [batch.stored_name]
    assert Project.objects.count() == 0  # nothing written by upload or preview
    page = client.get(reverse("ledgerio:preview", args=[batch.token]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "检查通过" in html and 'id="mapping"' in html
    assert "确认导入（新增 3 个，更新 0 个）" in html
    assert "总投资(万元)" in html and "测试导入项目001" in html
    assert Project.objects.count() == 0
    response = client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert response.status_code == 302 and response["Location"] == reverse("ledgerio:result", args=[batch.token])
    assert Project.objects.count() == 3
    assert stored(data_dir) == []  # the file is gone once imported
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.result["created"] == 3
    result = client.get(response["Location"]).content.decode()
    assert "新增 3 个项目" in result
    for project in Project.objects.all():
        assert reverse("projects:detail", args=[project.pk]) in result
    # A second confirmation of a finished batch writes nothing more.
    response = client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert Project.objects.count() == 3
    # The preview of a finished batch goes to its result.
    assert client.get(reverse("ledgerio:preview", args=[batch.token]))["Location"] == reverse("ledgerio:result", args=[batch.token])


def test_preview_shows_errors_and_reconciliation_and_confirm_refuses(client, city, data_dir, db_state):
    rows = fx.ledger_rows(2)
    rows.insert(3, ["合计（2项）", None, None, None, None, None, None, None, "9999", "400.50", "200"])
    rows[5][fx.COL["总投资（万元）"]] = "暂无"  # the second project, spreadsheet row 6
    user = city.users["dispatcher"]
    batch = start(client, user, fx.xlsx_bytes(rows))
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "发现 1 处错误" in html
    assert "“暂无”不是有效的金额" in html and "<td>6</td>" in html
    assert 'id="reconciliation"' in html and "9999.00" in html and "不一致" in html
    assert 'id="confirm-import"' not in html
    assert 'id="confirm-valid-only"' in html
    before = db_state()
    response = client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert db_state() == before
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert stored(data_dir) == []  # removed after a failed import too
    assert "文件中有错误" in client.get(response["Location"]).content.decode()


def test_confirm_valid_only(client, city, data_dir):
    rows = fx.ledger_rows(3)
    rows[4][fx.COL["总投资（万元）"]] = -3
    batch = start(client, city.users["dispatcher"], fx.xlsx_bytes(rows))
    client.post(reverse("ledgerio:confirm", args=[batch.token]), {"valid_only": "1"})
    assert set(Project.objects.values_list("name", flat=True)) == {"测试导入项目001", "测试导入项目003"}
    batch.refresh_from_db()
    assert batch.result["skipped"] == 1
    assert "跳过有错误的项目 1 个" in client.get(reverse("ledgerio:result", args=[batch.token])).content.decode()


def test_correcting_a_mapping_changes_the_analysis_and_is_remembered(client, city, data_dir):
    head = ["序号", "工程", "所属区域", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]
    rows = [head, [1, "映射测试项目", "兰山区", "道路桥梁", "新建", "在建", 100]]
    user = city.users["dispatcher"]
    batch = start(client, user, fx.xlsx_bytes(rows))
    url = reverse("ledgerio:preview", args=[batch.token])
    html = client.get(url).content.decode()
    assert "没有找到“项目名称”列" in html
    form = {"sheet": "台账", "year": "2026", "remember": "on"}
    form.update({f"col_{i}": "" for i in range(len(head))})
    form["col_1"] = "name"
    response = client.post(url, form)
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "检查通过" in html and "映射测试项目" in html
    assert SavedMapping.objects.count() == 1 and SavedMapping.objects.get().fields["1"] == "name"
    # The next upload with the same header layout uses the saved mapping.
    second = start(client, user, fx.xlsx_bytes([head, [1, "映射测试项目二", "兰山区", "道路桥梁", "新建", "在建", 50]]),
                   name="第二份.xlsx")
    html = client.get(reverse("ledgerio:preview", args=[second.token])).content.decode()
    assert "已使用保存的列对应" in html and "检查通过" in html
    client.post(reverse("ledgerio:confirm", args=[second.token]))
    assert Project.objects.get().name == "映射测试项目二"


def test_mapping_without_remember_is_not_saved(client, city):
    head = ["序号", "工程", "所属区域", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]
    batch = start(client, city.users["dispatcher"], fx.xlsx_bytes([head, [1, "甲", "兰山区", "道路桥梁", "新建", "在建", 1]]))
    form = {"sheet": "台账", "year": "2026", "col_1": "name"}
    client.post(reverse("ledgerio:preview", args=[batch.token]), form)
    assert SavedMapping.objects.count() == 0
    batch.refresh_from_db()
    assert batch.options["overrides"] == {"1": "name"}


def test_choosing_a_default_region_in_the_preview(client, city):
    head = ["序号", "项目名称", "项目类别", "建设性质", "项目阶段", "总投资（万元）"]
    user = city.users["dispatcher"]
    batch = start(client, user, fx.xlsx_bytes([head, [1, "默认区域项目", "道路桥梁", "新建", "在建", 10]]))
    url = reverse("ledgerio:preview", args=[batch.token])
    client.post(url, {"sheet": "台账", "year": "2026", "region": city.regions.luozhuang.code})
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert Project.objects.get().region == city.regions.luozhuang


def test_discard_deletes_the_stored_file(client, city, data_dir, db_state):
    before = db_state()
    batch = start(client, city.users["reporter_a"], fx.xlsx_bytes(fx.ledger_rows(1)))
    assert stored(data_dir) == [batch.stored_name]
    response = client.post(reverse("ledgerio:discard", args=[batch.token]))
    assert response.status_code == 302 and response["Location"] == reverse("ledgerio:upload")
    assert stored(data_dir) == []
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPIRED
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert db_state() == before


@pytest.mark.parametrize("view", ["preview", "confirm", "discard", "result"])
def test_another_users_batch_is_404(client, city, data_dir, view):
    batch = start(client, city.users["reporter_a"], fx.xlsx_bytes(fx.ledger_rows(1)))
    for other in ("reporter_b", "dispatcher", "admin"):
        client.force_login(city.users[other])
        url = reverse(f"ledgerio:{view}", args=[batch.token])
        response = client.post(url) if view in ("confirm", "discard") else client.get(url)
        assert response.status_code == 404, other
    assert stored(data_dir) == [batch.stored_name]
    assert Project.objects.count() == 0


def test_result_shows_only_projects_the_user_may_see(client, city):
    user = city.users["reporter_a"]
    batch = start(client, user, fx.xlsx_bytes(fx.ledger_rows(2)))
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    moved = Project.objects.get(name="测试导入项目002")
    Project.objects.filter(pk=moved.pk).update(region=city.regions.luozhuang)  # the city moved it since
    html = client.get(reverse("ledgerio:result", args=[batch.token])).content.decode()
    assert "测试导入项目001" in html
    assert "测试导入项目002" not in html and reverse("projects:detail", args=[moved.pk]) not in html


def test_reporter_importing_another_district_gets_errors_in_the_preview(client, city, db_state):
    rows = fx.ledger_rows(1, region="罗庄区")
    before = db_state()
    batch = start(client, city.users["reporter_a"], fx.xlsx_bytes(rows))
    html = client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    assert "“罗庄区”不在您的管辖范围内" in html
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert db_state() == before


REJECTED = sorted(name for name in CORPUS if name in MESSAGES and name != "over_size")


@pytest.mark.parametrize("name", REJECTED)
def test_web_upload_of_a_rejected_corpus_file_is_400_and_keeps_nothing(client, city, data_dir, db_state, tmp_path, name):
    path, _expected = CORPUS[name](tmp_path)
    before, batches = db_state(), ImportBatch.objects.count()
    response = upload(client, city.users["reporter_a"], path.read_bytes(), name=path.name)
    assert response.status_code == 400
    html = response.content.decode()
    if name == "zero_bytes":  # refused by the upload form before the reader sees it
        assert "空文件" in html
    else:
        assert MESSAGES[name] in html
    assert stored(data_dir) == []
    assert ImportBatch.objects.count() == batches
    assert db_state() == before


def test_web_upload_over_the_size_limit(client, city, data_dir, settings, db_state):
    settings.TUIJIN_IMPORT_MAX_BYTES = 1024 * 1024
    before = db_state()
    response = upload(client, city.users["reporter_a"], b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10))
    assert response.status_code == 400
    assert "MB" in response.content.decode() and "上限" in response.content.decode()
    assert stored(data_dir) == [] and db_state() == before


def test_file_without_a_header_shows_the_failed_preview(client, city, data_dir, db_state):
    before = db_state()
    batch = start(client, city.users["reporter_a"], fx.xlsx_bytes([["甲", "乙"], ["1", "2"]]))
    response = client.get(reverse("ledgerio:preview", args=[batch.token]))
    assert response.status_code == 400
    assert "找不到表头" in response.content.decode()
    client.post(reverse("ledgerio:discard", args=[batch.token]))
    assert stored(data_dir) == [] and db_state() == before


def test_confirm_after_someone_changed_a_project_is_refused(client, city, own_project, data_dir):
    row = fx.project_row(1, name=own_project.name, total="20000")
    row[fx.COL["项目代码"]] = own_project.code
    user = city.users["reporter_a"]
    batch = start(client, user, fx.xlsx_bytes([fx.HEADER, row]))
    assert "更新 1" in client.get(reverse("ledgerio:preview", args=[batch.token])).content.decode()
    Project.objects.filter(pk=own_project.pk).update(version=own_project.version + 1, total_investment=Decimal("1"))
    response = client.post(reverse("ledgerio:confirm", args=[batch.token]))
    assert response["Location"] == reverse("ledgerio:preview", args=[batch.token])
    own_project.refresh_from_db()
    assert own_project.total_investment == Decimal("1")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW and stored(data_dir) == [batch.stored_name]
    html = client.get(response["Location"]).content.decode()
    assert "已被他人修改" in html and own_project.name in html
    # After seeing the fresh preview the user may confirm.
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    own_project.refresh_from_db()
    assert own_project.total_investment == Decimal("20000.00")
    assert stored(data_dir) == []

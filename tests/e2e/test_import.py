"""Ledger import in a real browser: upload a generated .xlsx → preview (new leader listed) → tick the
confirmation → 确认导入 → result."""

import importlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ledgerio import fixtures as fx

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def synonyms(e2e_data, settings, tmp_path):
    """A transactional test's flush removes the migration-seeded header synonyms: seed them again."""
    from django.apps import apps

    seed = importlib.import_module("tuijin.ledgerio.migrations.0002_seed_synonyms").seed
    seed(apps, None)
    settings.DATA_DIR = str(tmp_path / "data")
    return Path(settings.DATA_DIR)


def test_upload_preview_confirm_result(page, login, live_server, e2e_data: E2EData, synonyms, tmp_path):
    from tuijin.projects.models import Project, Stage

    Stage.objects.get_or_create(name="在建", defaults={"canonical": "construction"})
    before = Project.objects.count()
    path = fx.xlsx(tmp_path / "兰山区台账.xlsx", fx.ledger_rows(4))

    login(page, "reporter")
    page.goto(f"{live_server.url}/ledger/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    # The e2e city has no 联系领导 王建国: the preview lists him and the import waits for the user's tick.
    expect(page.locator("#import-needs")).to_contain_text("王建国")
    expect(page.locator("#import-ok")).to_have_count(0)
    expect(page.locator("#import-summary")).to_contain_text("新增 4")
    expect(page.locator("#mapping")).to_contain_text("总投资(万元)")
    page.screenshot(path="/tmp/import_preview.png", full_page=True)
    assert Project.objects.count() == before  # nothing written before the confirmation

    # Until the box is ticked the import buttons are disabled (the box is required besides).
    expect(page.locator("#confirm-import")).to_be_disabled()
    expect(page.locator("#confirm-ticks-hint")).to_be_visible()
    page.locator("#confirm-create_new").check()
    expect(page.locator("#confirm-import")).to_be_enabled()
    page.locator("#confirm-create_new").uncheck()
    expect(page.locator("#confirm-import")).to_be_disabled()
    assert Project.objects.count() == before
    page.locator("#confirm-create_new").check()
    page.locator("#confirm-import").click()
    expect(page.locator("#import-result")).to_contain_text("新增 4 个项目")
    expect(page.locator("#imported-projects")).to_contain_text("测试导入项目001")
    page.screenshot(path="/tmp/import_result.png", full_page=True)
    assert Project.objects.count() == before + 4
    assert list((synonyms / "imports").iterdir()) == []

    page.get_by_role("link", name="测试导入项目002").click()
    expect(page.locator("body")).to_contain_text("测试导入项目002")

"""The one optimistic lock (tuijin.core.versioning.claim): a missing version is refused, a stale one
raises ConflictError saying who saved and when, a current one passes and bumps. Every service's
conflict tests (tests/test_conflict.py, tests/*/test_services.py) rely on what is proved here once."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuijin.core.exceptions import ConflictError, changed_text, when_text
from tuijin.core.history import stamp
from tuijin.core.versioning import claim, last_saves, mark_changed
from tuijin.reports import services
from tuijin.reports.models import ProgressReport, ReportPeriod

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSING = "表单缺少版本号，请刷新页面后重试"


@pytest.fixture
def period(users, own_project) -> ReportPeriod:
    """A period opened by 张调度 (its history's one row says so), version 1."""
    return services.period_open(users["dispatcher"], year=2026, month=11, project_ids=[own_project.pk])


def stored_version(obj) -> int:
    return type(obj).objects.get(pk=obj.pk).version


@pytest.mark.parametrize("version", [None, "", "  ", "abc", "1.0", True])
def test_a_claim_without_a_version_is_refused_and_bumps_nothing(period, version):
    with pytest.raises(ValidationError) as refused:
        claim(period, version)
    assert refused.value.messages == [MISSING]
    assert stored_version(period) == 1


def test_a_current_version_passes_and_bumps_the_stored_one(period):
    assert claim(period, "1") == 2  # as a form posts it
    assert (period.version, stored_version(period)) == (2, 2)
    assert claim(period, 2) == 3


def test_a_stale_version_raises_conflict_naming_who_saved_last_and_when(users, period):
    stale = ReportPeriod.objects.get(pk=period.pk)
    claim(period, 1)
    stamp(period, users["admin"], "调整").save()
    saved_at = period.history.latest().history_date
    with pytest.raises(ConflictError) as conflict:
        claim(stale, 1)
    error = conflict.value
    assert (error.saved_by, error.saved_at) == ("系统管理员", saved_at)
    assert (error.current.pk, error.current.version) == (period.pk, 2)
    clock = timezone.localtime(saved_at).strftime("%H:%M")
    assert error.changed == f"已被系统管理员于 {clock} 修改"
    assert str(error) == f"该记录已被系统管理员于 {clock} 修改，您的修改未保存。请刷新后在最新内容上重新修改。"
    assert (stale.version, stored_version(period)) == (1, 2)  # the loser's copy and the row stay as they were


def test_a_claim_whose_condition_no_longer_holds_is_a_conflict(period, own_project):
    report = ProgressReport.objects.get(period=period, project=own_project)
    with pytest.raises(ConflictError):
        claim(report, report.version, state="submitted")
    assert stored_version(report) == 1


def test_a_record_without_history_still_says_when_it_was_saved(period, own_project):
    """Pending reports are written in bulk without history: the row's updated_at tells the time."""
    report = ProgressReport.objects.get(period=period, project=own_project)
    with pytest.raises(ConflictError) as conflict:
        claim(report, report.version + 1)
    assert conflict.value.saved_by is None
    assert conflict.value.changed == f"已于 {timezone.localtime(report.updated_at):%H:%M} 被他人修改"


def test_a_batch_s_stale_rows_are_told_who_saved_them_in_one_query(users, period, own_project, django_assert_num_queries):
    report = ProgressReport.objects.get(period=period, project=own_project)
    with django_assert_num_queries(1):
        marked = mark_changed(ProgressReport, {report.pk: report})
    assert marked[report.pk].changed.startswith("已于 ")  # no history yet
    stamp(period, users["dispatcher"], "").save()
    assert last_saves(ReportPeriod, [period.pk])[period.pk][0] == "张调度"


def test_times_read_as_the_office_reads_them():
    today = timezone.localdate()
    other_day = date(today.year, 1, 1) if today != date(today.year, 1, 1) else date(today.year, 1, 2)
    assert when_text(datetime.combine(today, time(10, 42), SHANGHAI)) == "10:42"
    assert when_text(datetime.combine(other_day, time(9, 5), SHANGHAI)) == f"{other_day.month}月{other_day.day}日 09:05"
    assert when_text(datetime(today.year - 1, 3, 5, 18, 0, tzinfo=SHANGHAI)) == f"{today.year - 1}年3月5日 18:00"
    # Stored in UTC, read in Shanghai: 02:42 UTC is 10:42 there.
    assert when_text(datetime.combine(today, time(10, 42), SHANGHAI).astimezone(ZoneInfo("UTC"))) == "10:42"


def test_the_phrase_says_as_much_as_is_known():
    at = datetime.combine(timezone.localdate(), time(10, 42), SHANGHAI)
    assert changed_text("张调度", at) == "已被张调度于 10:42 修改"
    assert changed_text("", at) == "已被系统于 10:42 修改"  # a save without a user: the CLI, an import
    assert changed_text(None, at) == "已于 10:42 被他人修改"
    assert changed_text(None, None) == "已被他人修改"

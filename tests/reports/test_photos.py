"""Site photos: only images, within the size limit, EXIF time and GPS kept; served only in scope."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tuijin.reports import services
from tuijin.reports.models import ReportPhoto


def jpeg_with_exif(taken="2026:11:20 09:30:00", gps=((35.0, 3.0, 36.0), "N", (118.0, 21.0, 0.0), "E")) -> bytes:
    image = Image.new("RGB", (32, 24), (30, 120, 200))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        lat, lat_ref, lng, lng_ref = gps
        exif.get_ifd(0x8825).update({1: lat_ref, 2: lat, 3: lng_ref, 4: lng})
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def period_and_report(city, own_project):
    period = services.period_open(None, year=2026, month=11, project_ids=[own_project.pk])
    return period, period.reports.get()


def test_a_photo_keeps_its_camera_time_and_place(period_and_report, users):
    _period, report = period_and_report
    upload = SimpleUploadedFile("工地.jpg", jpeg_with_exif(), content_type="image/jpeg")
    photo = services.photo_add(users["reporter_a"], report, upload, caption="桩基施工")
    assert photo.taken_at == datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert photo.latitude == Decimal("35.060000")  # 35° 3′ 36″
    assert photo.longitude == Decimal("118.350000")  # 118° 21′
    assert (photo.width, photo.height, photo.content_type) == (32, 24, "image/jpeg")
    assert photo.file.name.startswith("reports/") and photo.file.name.endswith(".jpg")
    assert "工地" not in photo.file.name  # never the user's file name on disk
    assert ReportPhoto.history.filter(id=photo.pk, history_type="+").get().history_user == users["reporter_a"]


def test_a_photo_without_exif_is_kept_without_time_and_place(period_and_report, users):
    _period, report = period_and_report
    upload = SimpleUploadedFile("a.jpg", jpeg_with_exif(taken=None, gps=None), content_type="image/jpeg")
    photo = services.photo_add(users["reporter_a"], report, upload)
    assert (photo.taken_at, photo.latitude, photo.longitude) == (None, None, None)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("报告.pdf", b"%PDF-1.4 not an image", "不是可识别的图片"),
    ("假照片.jpg", b"<script>alert(1)</script>", "不是可识别的图片"),
    ("空.jpg", b"", "是空文件"),
])
def test_files_that_are_not_images_are_refused_and_nothing_is_stored(period_and_report, users, settings, name, content, message):
    _period, report = period_and_report
    with pytest.raises(ValidationError) as caught:
        services.photo_add(users["reporter_a"], report, SimpleUploadedFile(name, content))
    assert message in caught.value.messages[0]
    assert not ReportPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "reports").exists()


def test_a_gif_is_an_image_but_not_a_photo_format_we_keep(period_and_report, users):
    _period, report = period_and_report
    buffer = BytesIO()
    Image.new("P", (4, 4)).save(buffer, "GIF")
    with pytest.raises(ValidationError) as caught:
        services.photo_add(users["reporter_a"], report, SimpleUploadedFile("动图.gif", buffer.getvalue()))
    assert "只能上传 JPG、PNG 或 WebP" in caught.value.messages[0]
    assert not ReportPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(period_and_report, users, settings):
    _period, report = period_and_report
    settings.TUIJIN_PHOTO_MAX_MB = 0.001  # about 1 KB
    upload = SimpleUploadedFile("大.jpg", jpeg_with_exif() + b"\0" * 2048)
    with pytest.raises(ValidationError) as caught:
        services.photo_add(users["reporter_a"], report, upload)
    assert "超过0.001MB" in caught.value.messages[0]
    assert not ReportPhoto.objects.exists()


def test_no_photos_on_a_submitted_report_or_a_closed_period(period_and_report, users):
    period, report = period_and_report
    services.reports_save(users["reporter_a"], period, [
        {"id": report.pk, "version": report.version, "amount": "10", "progress": "施工中"}], submit=True)
    report.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.photo_add(users["reporter_a"], report, SimpleUploadedFile("a.jpg", jpeg_with_exif()))
    assert "已上报" in caught.value.messages[0]
    services.period_close(None, period, version=period.version, force=True)  # the submitted report stays frozen
    with pytest.raises(ValidationError) as caught:
        services.photo_add(users["dispatcher"], report, SimpleUploadedFile("a.jpg", jpeg_with_exif()))
    assert "已关闭" in caught.value.messages[0]
    assert not ReportPhoto.objects.exists()


def test_the_photo_is_served_to_its_project_s_viewers_only(client, period_and_report, users):
    _period, report = period_and_report
    photo = services.photo_add(users["reporter_a"], report, SimpleUploadedFile("a.jpg", jpeg_with_exif()))
    url = reverse("reports:photo", args=[photo.pk])
    client.force_login(users["leader"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(users["reporter_b"])
    assert client.get(url).status_code == 404


def test_uploading_through_the_page_reports_each_bad_file(client, period_and_report, users):
    _period, report = period_and_report
    client.force_login(users["reporter_a"])
    good = SimpleUploadedFile("好.jpg", jpeg_with_exif(), content_type="image/jpeg")
    bad = SimpleUploadedFile("坏.jpg", b"nope", content_type="image/jpeg")
    response = client.post(reverse("reports:report", args=[report.pk]),
                           {"action": "photo", "version": report.version, "photos": [good, bad]}, follow=True)
    page = response.content.decode()
    assert "已保存填写并上传1张现场照片" in page
    assert "“坏.jpg”不是可识别的图片" in page
    assert ReportPhoto.objects.filter(report=report).count() == 1

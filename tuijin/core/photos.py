"""Site photos (调度图片): only real images, within a size limit, with the time and place the camera
wrote into them (EXIF DateTimeOriginal and GPS) kept, so a photo proves when and where it was taken."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_PIXELS = 80_000_000  # about 9,000 × 9,000: any phone photo, never a decompression bomb
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 36867, 306
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class PhotoInfo:
    extension: str
    content_type: str
    width: int
    height: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def inspect(upload) -> PhotoInfo:
    """Check an uploaded file is an image we keep and read its EXIF; Chinese ValidationError if not."""
    limit = int(settings.TUIJIN_PHOTO_MAX_MB * 1024 * 1024)
    if upload.size > limit:
        raise ValidationError(_("照片“%(name)s”超过%(mb)sMB，请压缩后再上传")
                              % {"name": upload.name, "mb": f"{settings.TUIJIN_PHOTO_MAX_MB:g}"})
    if upload.size == 0:
        raise ValidationError(_("照片“%(name)s”是空文件") % {"name": upload.name})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("照片“%(name)s”像素过大，请缩小后再上传") % {"name": upload.name})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            exif = image.getexif()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("“%(name)s”不是可识别的图片，只能上传 JPG、PNG 或 WebP 照片") % {"name": upload.name}) from exc
    finally:
        upload.seek(0)
    if kind not in ALLOWED:
        raise ValidationError(_("“%(name)s”是%(kind)s格式，只能上传 JPG、PNG 或 WebP 照片") % {"name": upload.name, "kind": kind})
    extension, content_type = ALLOWED[kind]
    latitude, longitude = _gps(exif)
    return PhotoInfo(extension, content_type, width, height, _taken_at(exif), latitude, longitude)


def stored_name(info: PhotoInfo, when: datetime, folder: str = "reports") -> str:
    """Where the file goes under MEDIA_ROOT: never the user's file name."""
    return f"{folder}/{when:%Y/%m}/{uuid.uuid4().hex}.{info.extension}"


def _taken_at(exif) -> datetime | None:
    raw = None
    try:
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except (KeyError, ValueError, TypeError):
        return None
    if not raw:
        return None
    try:
        # Cameras write local time without a zone; the platform's photos are taken in China.
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def _degrees(value, ref) -> Decimal | None:
    try:
        d, m, s = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper().startswith(("S", "W")):
        result = -result
    return result.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _gps(exif) -> tuple[Decimal | None, Decimal | None]:
    try:
        gps = exif.get_ifd(GPS_IFD)
    except (KeyError, ValueError, TypeError):
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat, lng = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return lat, lng


def photo_response(stored, content_type: str):
    """Serve a stored photo (a FieldFile) inline, never sniffed as anything else; 404 when its file is gone.
    Callers check the user's scope first."""
    from django.http import FileResponse, Http404

    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response

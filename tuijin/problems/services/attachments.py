"""Documents on a problem, an order or a meeting (会议纪要, 整改报告…): checked by extension and magic bytes."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.history import stamp
from tuijin.core.workflow import legal_step
from tuijin.org.selectors import OFFICE_ROLES, may_supervise, user_access

from .. import selectors
from ..choices import OrderAction, OrderStatus, ProblemAction, ProblemStatus
from ..models import Attachment, Meeting
from ..workflow import ORDER_WORKFLOW, PROBLEM_WORKFLOW
from .common import _event, _locked_order, _locked_problem

ATTACHMENT_KINDS = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG",)),
}
ATTACHMENT_MAX_MB = 20
ATTACHMENTS_PER_OWNER = 30


def check_attachment(upload) -> tuple[str, str, str]:
    """(extension, content type, clean file name) of a document we keep; Chinese ValidationError if not."""
    name = (upload.name or "").replace("\\", "/").split("/")[-1].strip()[:150] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_KINDS:
        raise ValidationError(_("“%(name)s”的格式不支持，只能上传 PDF、Word、Excel、WPS 文档或 JPG、PNG 图片") % {"name": name})
    if upload.size == 0:
        raise ValidationError(_("“%(name)s”是空文件") % {"name": name})
    if upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
        raise ValidationError(_("“%(name)s”超过%(mb)sMB") % {"name": name, "mb": ATTACHMENT_MAX_MB})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type, magics = ATTACHMENT_KINDS[extension]
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("“%(name)s”的内容与扩展名不符，请检查文件是否损坏") % {"name": name})
    return extension, content_type, name


@transaction.atomic
def attachment_add(user, upload, *, problem=None, order=None, meeting=None) -> Attachment:
    import uuid

    from django.core.files.storage import default_storage

    if problem is not None:
        problem = _locked_problem(user, problem.pk)
        legal_step(PROBLEM_WORKFLOW, ProblemAction.ATTACH, problem.status, user=user, record=problem, error=PermissionDenied)
        owner = {"problem": problem}
    elif order is not None:
        order = _locked_order(user, order.pk)
        legal_step(ORDER_WORKFLOW, OrderAction.ATTACH, order.status, user=user, record=order, error=PermissionDenied)
        owner = {"order": order}
    else:
        meeting = selectors.get_visible(Meeting.objects.visible_to(user).select_for_update(of=("self",)), meeting.pk)
        if not may_supervise(user):
            raise PermissionDenied
        owner = {"meeting": meeting}
    if Attachment.objects.filter(**owner).count() >= ATTACHMENTS_PER_OWNER:
        raise ValidationError(_("附件已达%(n)s个，请先删除不需要的附件") % {"n": ATTACHMENTS_PER_OWNER})
    extension, content_type, name = check_attachment(upload)
    now = timezone.localtime()
    stored = default_storage.save(f"problems/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}", upload)
    attachment = Attachment(file=stored, name=name, content_type=content_type, size=upload.size,
                            uploaded_by=user if getattr(user, "pk", None) else None, **owner)
    try:
        stamp(attachment, user, _("上传附件")).save()
    except Exception:
        default_storage.delete(stored)
        raise
    if problem is not None:
        _event(user, ProblemAction.ATTACH, problem=problem, text=name)
    elif order is not None:
        _event(user, OrderAction.ATTACH, order=order, text=name)
    return attachment


@transaction.atomic
def attachment_delete(user, attachment: Attachment) -> None:
    """The uploader or the office removes an attachment of a record still in progress."""
    from django.core.files.storage import default_storage

    access = user_access(user)
    if not (access.has_role(*OFFICE_ROLES) or attachment.uploaded_by_id == getattr(user, "pk", None)):
        raise PermissionDenied
    if attachment.problem_id and attachment.problem.status in (ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE):
        raise ValidationError(_("问题已办结，附件不能删除"))
    if attachment.order_id and attachment.order.status == OrderStatus.CLOSED:
        raise ValidationError(_("督办单已办结，附件不能删除"))
    name = attachment.file.name
    stamp(attachment, user, _("删除附件")).delete()
    transaction.on_commit(lambda: default_storage.delete(name))

"""The 兰山区 clerk's applications (申报) awaiting the office, so that 项目申报审核 is not empty: up to two
projects the district added (still 谋划/储备, so no reports were due) and a level change 市重点 → 省重点.
Every other demo project is admitted (the model's default). Kept apart from the builder on purpose."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from tuijin.projects.choices import Admission
from tuijin.projects.models import Level, Project

APPLICANT = "reporter"  # 李填报, 兰山区人民政府


def build_applications() -> int:
    """Mark the applications (before the lights are built, so the new ones get none); returns how many."""
    clerk = get_user_model().objects.filter(username=APPLICANT).first()
    if clerk is None:
        return 0
    now = timezone.now()
    lanshan = Project.objects.filter(region__name="兰山区", is_archived=False).order_by("-year_listed", "id")
    new = list(lanshan.filter(stage__canonical="reserve", progress_reports__isnull=True)
               .values_list("pk", flat=True)[:2])
    for days, pk in enumerate(new, start=2):
        Project.objects.filter(pk=pk).update(admission=Admission.PENDING, applied_by=clerk,
                                             applied_at=now - timedelta(days=days))
    provincial = Level.objects.filter(name="省重点").first()
    change = lanshan.filter(level__name="市重点").exclude(pk__in=new).values_list("pk", flat=True).first()
    if provincial is not None and change is not None:
        Project.objects.filter(pk=change).update(requested_level=provincial, applied_by=clerk,
                                                 applied_at=now - timedelta(days=1))
    return len(new) + (change is not None)

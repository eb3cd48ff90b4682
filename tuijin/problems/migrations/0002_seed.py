"""Default problem types (资金、用地、征地拆迁…, as real problem lists name them) and meeting rhythms from
the seeds (焦作 “半月一例会、一月一督导、两月一汇报、一季一观摩”), editable by admins."""

from datetime import date

from django.db import migrations

TYPES = ["资金", "用地", "征地拆迁/民事纠纷", "前期手续/审批", "环保/能耗", "规划", "施工组织/安全",
         "配套(水电气暖路)", "管线迁改", "政策", "其他"]

# (name, meeting kind, inspection kind, interval)
CADENCES = [
    ("半月一例会", "regular", "", "half_month"),
    ("一月一督导", "", "supervision", "month"),
    ("一季一观摩", "observation", "", "quarter"),
]


def seed(apps, schema_editor):
    ProblemType = apps.get_model("problems", "ProblemType")
    MeetingCadence = apps.get_model("problems", "MeetingCadence")
    for sort, name in enumerate(TYPES, start=1):
        ProblemType.objects.get_or_create(name=name, defaults={"sort": sort * 10})
    for sort, (name, meeting, inspection, interval) in enumerate(CADENCES, start=1):
        MeetingCadence.objects.get_or_create(name=name, defaults={
            "meeting_kind": meeting, "inspection_kind": inspection, "interval": interval,
            "first_on": date(2026, 1, 5), "sort": sort * 10})


def unseed(apps, schema_editor):
    apps.get_model("problems", "ProblemType").objects.filter(name__in=TYPES).delete()
    apps.get_model("problems", "MeetingCadence").objects.filter(name__in=[c[0] for c in CADENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

"""More header words offices use for the region column (issue #13 §5): 所属县区, 县区, 县（区）…"""

from django.db import migrations

REGION_HEADERS = ["所属县区", "县区", "县（区）", "所在县区", "所属县（区）", "区县", "所属县市区", "县（市区）"]


def seed(apps, schema_editor):
    HeaderSynonym = apps.get_model("ledgerio", "HeaderSynonym")
    for text in REGION_HEADERS:
        HeaderSynonym.objects.get_or_create(text=text, defaults={"field": "region"})


class Migration(migrations.Migration):
    dependencies = [("ledgerio", "0003_monthly_plan_field")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

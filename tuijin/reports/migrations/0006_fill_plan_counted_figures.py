"""Fill the annual plans' counted figures (projects 0012) from their latest report of the year, as
services.refresh_cumulative keeps them from now on."""

from django.db import migrations


def fill(apps, schema_editor):
    plan_model = apps.get_model("projects", "AnnualPlan")
    report_model = apps.get_model("reports", "ProgressReport")
    latest = {}
    for pk, end, approved, handed_in in report_model.objects.order_by("project_id", "period_end", "id").values_list(
            "project_id", "period_end", "counted_approved", "counted_handed_in").iterator(chunk_size=5000):
        latest[(pk, end.year)] = (approved, handed_in)
    batch = []
    for plan in plan_model.objects.only("id", "project_id", "year").iterator(chunk_size=5000):
        figures = latest.get((plan.project_id, plan.year))
        if figures is None:
            continue
        plan.counted_approved, plan.counted_handed_in = figures
        batch.append(plan)
        if len(batch) >= 2000:
            plan_model.objects.bulk_update(batch, ["counted_approved", "counted_handed_in"])
            batch = []
    if batch:
        plan_model.objects.bulk_update(batch, ["counted_approved", "counted_handed_in"])


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0012_plan_counted_figures"),
        ("reports", "0005_counted_ytd_per_report"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

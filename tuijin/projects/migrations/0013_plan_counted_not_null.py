"""The annual plan's counted figures become its one 本年累计完成: never empty (0 while nothing counts), and
completed_ytd / completed_through, which repeated them by the rule in force, are dropped.

A plan that carries nothing yet (made after reports 0006 filled the others) takes its latest report's
figures of the year, as reports.services.refresh_cumulative keeps them; a plan without reports, 0."""

from django.db import migrations

import tuijin.core.fields


def fill(apps, schema_editor):
    plan_model = apps.get_model("projects", "AnnualPlan")
    report_model = apps.get_model("reports", "ProgressReport")
    empty = list(plan_model.objects.filter(counted_approved__isnull=True).only("id", "project_id", "year")) + list(
        plan_model.objects.filter(counted_approved__isnull=False, counted_handed_in__isnull=True)
        .only("id", "project_id", "year"))
    if not empty:
        return
    wanted = {(plan.project_id, plan.year) for plan in empty}
    latest = {}
    for start in range(0, len(empty), 2000):
        ids = list({plan.project_id for plan in empty[start:start + 2000]})
        rows = report_model.objects.filter(project_id__in=ids).order_by("project_id", "period_end", "id").values_list(
            "project_id", "period_end", "counted_approved", "counted_handed_in")
        for pk, end, approved, handed_in in rows:
            if (pk, end.year) in wanted:
                latest[(pk, end.year)] = (approved, handed_in)
    for plan in empty:
        approved, handed_in = latest.get((plan.project_id, plan.year), (None, None))
        plan.counted_approved, plan.counted_handed_in = approved or 0, handed_in or 0
    plan_model.objects.bulk_update(empty, ["counted_approved", "counted_handed_in"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0012_plan_counted_figures"),
        ("reports", "0006_fill_plan_counted_figures"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="annualplan",
            name="completed_through",
        ),
        migrations.RemoveField(
            model_name="annualplan",
            name="completed_ytd",
        ),
        migrations.AlterField(
            model_name="annualplan",
            name="counted_approved",
            field=tuijin.core.fields.MoneyField(default=0, editable=False, verbose_name="本年累计完成（已审核口径）"),
        ),
        migrations.AlterField(
            model_name="annualplan",
            name="counted_handed_in",
            field=tuijin.core.fields.MoneyField(default=0, editable=False, verbose_name="本年累计完成（已上报口径）"),
        ),
    ]

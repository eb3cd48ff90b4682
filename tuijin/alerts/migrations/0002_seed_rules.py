"""Every published preset's rules (alerts/presets.py), the default ones switched on."""

from django.db import migrations


def seed(apps, schema_editor):
    from tuijin.alerts.presets import DEFAULT_PRESET, PRESET_RULES

    AlertRule = apps.get_model("alerts", "AlertRule")
    sort = 0
    for preset, rules in PRESET_RULES.items():
        for name, dimension, method, yellow, red, minimum, note in rules:
            sort += 10
            AlertRule.objects.get_or_create(preset=str(preset), dimension=str(dimension), name=name, defaults={
                "method": str(method), "yellow": yellow, "red": red, "min_annual_plan": minimum, "note": note,
                "is_active": preset == DEFAULT_PRESET, "sort": sort,
            })


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Default milestone templates and approval types (after real 漳州 project cards and the usual 前期手续),
editable by admins."""

from django.db import migrations

# (name, kind, suggested top-level categories, [(node, standard days from the previous node)])
TEMPLATES = [
    ("房建类项目节点", "building", ["教育", "医养", "商贸物流"], [
        ("开工进场", 30), ("打桩或基础开挖", 45), ("主体工程基础浇注完成", 60), ("主体工程封顶", 150),
        ("装修或设备安装调试完成", 120), ("试投产或交付使用验收", 45), ("正式投产或交付使用", 30),
    ]),
    ("交通类项目节点", "road", ["交通"], [
        ("开工进场", 30), ("征地拆迁完成", 60), ("路基工程完成", 180), ("桥涵结构完成", 150),
        ("路面工程完成", 90), ("交通安全设施及绿化完成", 45), ("交工验收", 30), ("建成通车", 15),
    ]),
    ("水利类项目节点", "water", ["水利"], [
        ("开工进场", 30), ("施工导流及基础开挖", 60), ("主体工程完成", 240), ("金属结构及机电设备安装完成", 90),
        ("通水或蓄水验收", 45), ("竣工验收", 60),
    ]),
    ("产业类项目节点", "industry", ["产业", "能源", "信息"], [
        ("开工进场", 30), ("厂房基础完成", 60), ("厂房主体封顶", 120), ("设备安装调试完成", 90),
        ("试生产", 60), ("竣工投产", 30), ("达产达效", 180),
    ]),
    ("前期工作节点", "preliminary", [], [
        ("项目立项（审批、核准、备案）", 30), ("可行性研究报告批复", 60), ("规划选址及用地预审", 45),
        ("环境影响评价批复", 45), ("节能审查", 30), ("初步设计及概算批复", 60), ("建设用地规划许可证", 30),
        ("建设工程规划许可证", 30), ("施工图审查", 30), ("招标投标", 45), ("施工许可证", 20), ("开工", 15),
    ]),
]

# (name, short name, required by default, description)
APPROVAL_TYPES = [
    ("项目申请报告（立项审批、核准、备案）", "立项", True, "政府投资项目审批，企业投资项目核准或备案"),
    ("可行性研究报告批复", "可研", True, ""),
    ("初步设计及概算批复", "初设概算", True, ""),
    ("规划选址（选址意见书）", "规划选址", True, "“一书二证”之一书"),
    ("用地预审", "用地预审", True, ""),
    ("环境影响评价", "环评", True, ""),
    ("节能审查", "能评", True, ""),
    ("水土保持方案批复", "水保", False, ""),
    ("用林、用海审批", "用林用海", False, ""),
    ("建设用地规划许可证", "用地规划许可", True, "“一书二证”之一"),
    ("供地（不动产权证）", "供地", True, "土地出让或划拨，取得土地证/不动产权证"),
    ("建设工程规划许可证", "工程规划许可", True, "“一书二证”之一"),
    ("施工图审查", "审图", True, ""),
    ("招标投标", "招投标", True, ""),
    ("施工许可证", "施工许可", True, ""),
    ("供水供电", "水电接入", False, "施工及生产用水用电接入"),
]


def seed(apps, schema_editor):
    Template = apps.get_model("schedules", "MilestoneTemplate")
    Step = apps.get_model("schedules", "MilestoneTemplateStep")
    Category = apps.get_model("projects", "Category")
    ApprovalType = apps.get_model("schedules", "ApprovalType")
    for i, (name, kind, categories, steps) in enumerate(TEMPLATES):
        template, created = Template.objects.get_or_create(name=name, defaults={"kind": kind, "sort": (i + 1) * 10})
        if not created:
            continue
        template.categories.set(Category.objects.filter(parent=None, name__in=categories))
        Step.objects.bulk_create(
            [Step(template=template, name=step, duration_days=days, sort=(j + 1) * 10) for j, (step, days) in enumerate(steps)]
        )
    for i, (name, short, required, description) in enumerate(APPROVAL_TYPES):
        ApprovalType.objects.get_or_create(name=name, defaults={
            "short_name": short, "required_by_default": required, "description": description, "sort": (i + 1) * 10})


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial"), ("projects", "0002_seed_dictionaries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

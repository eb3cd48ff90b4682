"""Default dictionaries (dictionaries are data, not code: editable by admins afterwards)."""

from django.db import migrations

LEVELS = ["省重点", "市重点", "县（区）重点"]
NATURES = ["新建", "扩建", "改建", "续建", "迁建", "技术改造"]
PROGRAMS = [
    ("“十大基础设施”工程", "交通、市政、信息、能源、水利、商贸物流、教育、医养、农村等基础设施补短板工程"),
    ("基础设施攻坚战役", "重点基础设施项目集中攻坚"),
    ("重大项目攻坚年", "年度重大项目建设攻坚行动"),
    ("新旧动能转换", "新旧动能转换重大工程项目"),
    ("乡村振兴", "乡村振兴重点项目"),
    ("城市更新", "城市更新与老旧小区改造项目"),
]
# Seed 000 names nine infrastructure categories; 产业 and 生态 complete the ledger (issue #2).
CATEGORIES = [
    ("交通", ["公路", "铁路", "机场", "港口航道", "城市交通"]),
    ("市政", ["道路桥梁", "供排水", "燃气热力", "城市更新"]),
    ("信息", ["5G与通信", "数据中心", "工业互联网"]),
    ("能源", ["电力电网", "新能源", "油气管网", "储能"]),
    ("水利", ["水库", "河道治理", "灌区", "供水工程"]),
    ("商贸物流", ["商城市场", "物流园区", "冷链物流"]),
    ("教育", ["基础教育", "职业教育", "高等教育"]),
    ("医养", ["医疗卫生", "养老服务"]),
    ("农村", ["乡村振兴", "农田水利", "人居环境"]),
    ("产业", ["先进制造", "新材料", "生物医药", "现代服务业", "文化旅游"]),
    ("生态", ["环境治理", "园林绿化", "固废处置"]),
]
STAGES = [
    ("谋划", "reserve"), ("储备", "reserve"), ("预备", "preliminary"), ("前期", "preliminary"),
    ("新开工", "new_start"), ("续建", "construction"), ("在建", "construction"), ("竣工", "completed"),
    ("竣工投产", "operating"), ("投产", "operating"), ("达效", "effective"), ("暂停", "paused"),
    ("取消", "cancelled"),
]


def seed(apps, schema_editor):
    Level = apps.get_model("projects", "Level")
    Nature = apps.get_model("projects", "Nature")
    Program = apps.get_model("projects", "Program")
    Category = apps.get_model("projects", "Category")
    Stage = apps.get_model("projects", "Stage")
    for i, name in enumerate(LEVELS):
        Level.objects.get_or_create(name=name, defaults={"sort": (i + 1) * 10})
    for i, name in enumerate(NATURES):
        Nature.objects.get_or_create(name=name, defaults={"sort": (i + 1) * 10})
    for i, (name, description) in enumerate(PROGRAMS):
        Program.objects.get_or_create(name=name, defaults={"sort": (i + 1) * 10, "description": description})
    for i, (name, children) in enumerate(CATEGORIES):
        parent, _ = Category.objects.get_or_create(name=name, parent=None, defaults={"sort": (i + 1) * 10})
        for j, child in enumerate(children):
            Category.objects.get_or_create(name=child, parent=parent, defaults={"sort": (i + 1) * 10 + j + 1})
    for i, (name, canonical) in enumerate(STAGES):
        Stage.objects.get_or_create(name=name, defaults={"sort": (i + 1) * 10, "canonical": canonical})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""A realistic city bulletin built by hand (no database): six sections, a rankings table, a chart and two
long annexes, for the renderer tests and for looking at the pages. Sizes are parameters so the speed notes
can ask for a province-size table or a thousand-row annex."""

from __future__ import annotations

from decimal import Decimal

from tuijin.bulletins.charts import groups_chart, monthly_chart
from tuijin.bulletins.document import HEADING2, NOTE, Document, Image, Paragraph, Section, Table

DISTRICTS = ["芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "长沙县", "浏阳市", "宁乡市", "湘江新区",
             "高新区", "经开区", "临空区", "马栏山", "天心经开区", "雨花经开区", "宁乡经开区", "浏阳经开区", "望城经开区",
             "金霞经开区"]
KINDS = ["产业项目", "基础设施", "社会民生", "生态环保", "城市更新"]
STAGES = ["新开工", "续建", "竣工"]


def _money(n: int) -> str:
    return f"{Decimal(n) / 100:,.2f}"


def rankings(rows: int = 20) -> Table:
    body = []
    for i in range(rows):
        plan = 1_200_000 + (i * 73_013) % 900_000
        done = plan * (95 - (i * 7) % 30) // 100
        body.append([str(i + 1), DISTRICTS[i % len(DISTRICTS)] + ("" if i < len(DISTRICTS) else str(i // 20)),
                     str(30 + i % 17), _money(plan), _money(done), f"{done * 100 / plan:.1f}%",
                     f"{(done * 100 / plan) - 83.3:+.1f}", str(1 + i % 4)])
    totals = ["合计", "", str(sum(int(r[2]) for r in body)), "", "", "", "", str(sum(int(r[7]) for r in body))]
    return Table(
        title="表1  各县（市、区）重点项目投资完成情况排名",
        columns=["排名", "县（市、区）", "项目个数", "年度计划投资（万元）", "1-10月完成投资（万元）", "年计划完成率",
                 "与序时进度比（百分点）", "预警项目数"],
        rows=body, totals=totals, numeric=[False, False, True, True, True, True, True, True],
        note="注：序时进度为83.3%；完成率按已审核月报计算，排名按年计划完成率由高到低。")


def annex(rows: int = 60, landscape: bool = False, number: int = 1) -> Table:
    body = []
    for i in range(rows):
        plan = 20_000 + (i * 7919) % 180_000
        done = plan * (40 + (i * 13) % 70) // 100
        body.append([str(i + 1), f"{DISTRICTS[i % len(DISTRICTS)]}{['智能制造产业园', '城市快速路改造', '人民医院新院区', '污水处理厂提标', '老旧小区改造'][i % 5]}项目（{['一', '二', '三'][i % 3]}期）",
                     DISTRICTS[i % len(DISTRICTS)], KINDS[i % 5], STAGES[i % 3], _money(plan * 10), _money(plan),
                     _money(done), f"{done * 100 / plan:.1f}%",
                     "" if i % 4 else "征地拆迁进度滞后，需协调" + ("供电线路迁改" if i % 8 == 0 else "资金到位")])
    return Table(
        title=f"2026年1-10月全市重点项目建设进度表（{'一' if number == 1 else '二'}）",
        columns=["序号", "项目名称", "所在地", "类别", "建设性质", "总投资（万元）", "年度计划（万元）",
                 "1-10月完成（万元）", "完成率", "存在问题"],
        rows=body, totals=["合计", "", "", "", "", "", "", "", "", ""],
        numeric=[False, False, False, False, False, True, True, True, True, False], landscape=landscape)


def sample_document(ranking_rows: int = 20, annex_rows: int = 60, red_header: bool = True,
                    charts: bool = True) -> Document:
    months = [f"{m}月" for m in range(1, 11)]
    completed = [Decimal(v) for v in ("35.2", "80.1", "130.4", "190.0", "251.3", "318.8", "380.2", "441.9",
                                      "502.3", "560.7")]
    planned = [Decimal(40 * m + 2) for m in range(1, 11)]
    rates = [Decimal(88) - Decimal(i * 3) % 25 for i in range(12)]
    overview = [
        Paragraph("2026年全市共安排市重点建设项目486个，总投资8,652.3亿元，年度计划投资1,215.6亿元。1-10月，"
                  "全市重点项目累计完成投资1,026.4亿元，占年度计划的84.4%，高于序时进度1.1个百分点；"
                  "新开工项目136个，开工率91.3%；竣工项目58个。"),
        Paragraph("从月度走势看，一季度受春节和雨季影响投资进度偏慢，二季度以来各地加快推进，"
                  "累计完成投资自6月起持续高于序时计划。"),
    ]
    if charts:
        overview.append(Image(monthly_chart(months, completed, planned), "图1  2026年1-10月全市重点项目累计完成投资"))
    sections = [
        Section("overview", "总体情况", overview),
        Section("categories", "分类推进情况", [
            Paragraph("（一）产业项目", HEADING2),
            Paragraph("全市产业项目218个，年度计划投资602.4亿元，1-10月完成526.8亿元，完成率87.4%。"
                      "其中智能制造类项目完成率92.1%，新材料类项目完成率78.6%，低于序时进度4.7个百分点。"),
            Paragraph("（二）基础设施项目", HEADING2),
            Paragraph("全市基础设施项目143个，年度计划投资411.2亿元，1-10月完成326.5亿元，完成率79.4%，"
                      "低于序时进度3.9个百分点，主要是轨道交通和快速路项目征地拆迁进度滞后。"),
            Paragraph("（三）社会民生项目", HEADING2),
            Paragraph("全市社会民生项目125个，年度计划投资202.0亿元，1-10月完成173.1亿元，完成率85.7%。"),
        ]),
        Section("rankings", "各县（市、区）推进情况", [
            Paragraph("按年计划完成率排名，雨花区、长沙县、天心区位列前三；望城区、岳麓区、高新区低于序时进度，"
                      "需加快推进。"),
            rankings(ranking_rows),
            *([Image(groups_chart(DISTRICTS[:12], rates, Decimal("83.3")), "图2  各县（市、区）年计划完成率")]
              if charts else []),
        ]),
        Section("warnings", "预警项目情况", [
            Paragraph("截至10月底，全市共有预警项目47个，其中红色预警12个、黄色预警35个。红色预警项目主要集中在"
                      "基础设施领域，涉及征地拆迁、资金筹措和手续办理等问题。"),
            Paragraph("注：预警按《××市重点项目预警管理办法》确定，红色预警为完成率低于序时进度20个百分点以上。", NOTE),
        ]),
        Section("problems", "存在的主要问题", [
            Paragraph("一是部分项目前期工作推进缓慢。有18个计划新开工项目尚未开工，主要卡在用地报批和施工许可环节。"),
            Paragraph("二是要素保障压力较大。部分项目资金到位率不足60%，专项债券资金拨付进度偏慢。"),
            Paragraph("三是问题协调解决不够及时。督办问题中有9个超过办理时限，涉及3个县（市、区）。"),
        ]),
        Section("next_steps", "下一步工作", [
            Paragraph("（一）狠抓项目开工", HEADING2),
            Paragraph("各县（市、区）要对未开工项目逐一制定开工计划，倒排工期、挂图作战，确保11月底前全部开工。"),
            Paragraph("（二）强化要素保障", HEADING2),
            Paragraph("市自然资源和规划局、市财政局等部门要加快用地报批和资金拨付，对重大项目开辟绿色通道。"),
            Paragraph("（三）严格督查考核", HEADING2),
            Paragraph("市推进办将对低于序时进度的县（市、区）进行约谈，对红色预警项目实行挂牌督办，"
                      "推进情况纳入年度绩效考核。"),
        ]),
    ]
    return Document(
        title="关于2026年1-10月全市重点项目建设情况的通报",
        number="2026年第10期",
        issuer="××市重点项目建设推进办公室",
        date="2026年11月8日",
        sections=sections,
        main_to="各县（市、区）人民政府，市直有关单位：",
        copy_to="市委办公室，市人大常委会办公室，市政府办公室，市政协办公室",
        red_header=red_header,
        opening="为加快推进全市重点项目建设，现将2026年1-10月全市重点项目建设情况通报如下：",
        annexes=[annex(annex_rows, landscape=True, number=1), annex(annex_rows, landscape=False, number=2)],
    )

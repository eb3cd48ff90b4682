"""The demo city's bulletins (通报): last closed month but one published (numbered, frozen, with the
published 红黑榜 of that month), the last closed month's in draft for the office to finish and publish.
Written through the real services."""

from datetime import date

from django.utils.translation import gettext as _

from tuijin.bulletins import services
from tuijin.bulletins.selectors import office_regions

from .scoring import closed_months

NEXT_STEPS = _("一是加快项目开工。对未按计划开工的项目逐一分析原因，倒排工期，确保年底前全部开工。\n"
               "二是强化要素保障。聚焦用地、资金、环评等制约因素，实行问题清单销号管理。\n"
               "三是严格督查考核。对连续两月进入黑榜的地区进行约谈，考核结果纳入年度综合考评。")


def build_bulletins(dispatcher, year: int) -> dict:
    city = office_regions(dispatcher).order_by("path").first()  # the dispatcher's own city
    months = closed_months(year)
    result = {"published": None, "draft": None}
    if city is None or not months:
        return result
    if len(months) >= 2:
        month = months[-2]
        bulletin = services.bulletin_create(dispatcher, period=f"{year}-{month:02d}", region=city)
        bulletin = services.bulletin_save(
            dispatcher, bulletin, version=bulletin.version, title=bulletin.title, issuer=bulletin.issuer,
            main_to=bulletin.main_to, copy_to=_("市委办公室，市人大常委会办公室，市政府办公室，市政协办公室"),
            opening=_("现将%(span)s全市重点项目建设情况通报如下：") % {"span": _("1—%(m)s月") % {"m": month}},
            texts={"next_steps": NEXT_STEPS})
        issued = date(year + (month == 12), month % 12 + 1, 8)
        result["published"] = services.bulletin_publish(dispatcher, bulletin, version=bulletin.version, issued_on=issued)
    month = months[-1]
    draft = services.bulletin_create(dispatcher, period=f"{year}-{month:02d}", region=city)
    draft = services.bulletin_save(
        dispatcher, draft, version=draft.version, title=draft.title, issuer=draft.issuer, main_to=draft.main_to,
        opening=_("现将%(span)s全市重点项目建设情况通报如下：") % {"span": _("1—%(m)s月") % {"m": month}})
    result["draft"] = draft
    return result

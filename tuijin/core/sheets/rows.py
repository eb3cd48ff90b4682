"""The words government sheets use for rows that are not records: totals ("合计（100项）"), subtotals
("其中：在建重点项目（90项）"), groups ("一、市本级（48项）", "（一）在建（11项）") and footnotes ("注："),
shared by every importer (the ledger's, the monthly dispatch's)."""

import re

CN_NUMBER = "一二三四五六七八九十百零〇"
GROUP_NUMBER = re.compile(rf"^\s*([（(]?)\s*([{CN_NUMBER}]+)\s*([)）]?)\s*[、.．:：]?\s*")
COUNT_SUFFIX = re.compile(r"[（(]?\s*(?:共|计)?\s*(\d+)\s*(?:项|个)\s*[)）]?\s*$")
TOTAL = re.compile(r"^(?:总\s*计|合\s*计)")
SUBTOTAL = re.compile(r"^(?:其中|小\s*计)|合\s*计|小\s*计")
FOOTNOTE = re.compile(
    r"^(?:注|备注|说明|附注|填表说明|填报说明|注释)\s*[:：]"
    r"|^(?:填报人|填表人|审核人|制表人|制表|填报单位|填报日期|联系人|负责人|单位负责人)\s*[:：]"
)
# A group label written in the name column: a numeral with its separator ("一、市本级", "（一）在建"), so a
# project name that merely starts with a numeral ("三河口大桥工程") is not taken for a group.
GROUP_LABEL = re.compile(rf"^\s*(?:[（(]\s*[{CN_NUMBER}]+\s*[)）]|[{CN_NUMBER}]+\s*[、.．:：])")

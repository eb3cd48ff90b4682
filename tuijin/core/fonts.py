"""CJK fonts on this machine: the file the charts draw Chinese with, and which installed family stands in
for each font a Chinese government document names (仿宋_GB2312, 方正小标宋简体 …) when it is missing.

Looked up once per process through fontconfig (`fc-match`, `fc-list`); Debian's fonts-noto-cjk is what the
project installs (.ci/run). Nothing here needs the database.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from django.conf import settings
from django.utils.translation import gettext as _

# Where Debian's fonts-noto-cjk puts its collections, in order of preference for charts (sans).
KNOWN_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

# The fonts a 公文 names (GB/T 9704) and, for each, installed families that may stand in when it is missing,
# best first: the Windows font of the same kind, then the free families Debian ships (fonts-noto-cjk,
# fonts-arphic-ukai for 楷体). Song/FangSong/Kai fall back to a serif face, 黑体 to a sans face.
SUBSTITUTES = {
    "方正小标宋简体": ("方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif CJK SC",
                  "Source Han Serif SC", "AR PL UMing CN"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "楷体_GB2312": ("楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
}


def _run(args: list[str]) -> str:
    if not shutil.which(args[0]):
        return ""
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.cache
def cjk_font_path() -> str | None:
    """A font file with Simplified Chinese glyphs: settings.TUIJIN_CJK_FONT when set, else what fontconfig
    matches for Chinese, else a known Debian path; None when the machine has no CJK font."""
    configured = getattr(settings, "TUIJIN_CJK_FONT", "") if settings.configured else os.environ.get("TUIJIN_CJK_FONT", "")
    if configured:
        return configured if os.path.isfile(configured) else None
    # fc-match always answers something; only a face whose languages include zh-cn will do.
    for line in _run(["fc-match", "-f", "%{file}|%{lang}\n", "sans-serif:lang=zh-cn"]).splitlines():
        path, _sep, langs = line.partition("|")
        if path and "zh-cn" in langs.split("|") and os.path.isfile(path):
            return path
    for path in KNOWN_CJK_FONTS:
        if os.path.isfile(path):
            return path
    return None


def fonts_missing_message() -> str | None:
    """The sentence saying Chinese text in charts will not show properly, or None when a CJK font is here."""
    if cjk_font_path():
        return None
    return _("服务器未安装中文字体，图表中的文字可能显示为方框。请安装中文字体：apt-get install fonts-noto-cjk")


@functools.cache
def installed_families() -> frozenset[str]:
    """Every font family name fontconfig knows (all the names of each family, in every language)."""
    names = set()
    for line in _run(["fc-list", "--format", "%{family}\n"]).splitlines():
        names.update(name.strip() for name in line.split(",") if name.strip())
    return frozenset(names)


def substitutions() -> dict[str, str]:
    """For each 公文 font missing here, the installed family to print it with ({} when all are present or
    no substitute is installed either)."""
    installed = installed_families()
    found = {}
    for wanted, candidates in SUBSTITUTES.items():
        if wanted in installed:
            continue
        for candidate in candidates:
            if candidate in installed:
                found[wanted] = candidate
                break
    return found

"""Which fonts a document names: the official ones (GB/T 9704) where installed, else a CJK font
that is, so the PDF made here shows Chinese and the DOCX opens well on an office computer."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

# role: preferred families, best first; the last is the fallback installed with fonts-noto-cjk
FONTS: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC"),
    "heading": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "subheading": ("楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"),
    "table": ("宋体", "SimSun", "Noto Serif CJK SC"),
}


@cache
def installed() -> frozenset[str]:
    """The font families fontconfig knows (empty where fc-list is missing)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def font(role: str) -> str:
    """The first preferred family installed; where none is known, the official one."""
    choices = FONTS[role]
    have = installed()
    return next((name for name in choices if name in have), choices[0] if not have else choices[-1])

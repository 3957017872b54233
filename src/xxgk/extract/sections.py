"""The six sections of a report: where each heading is printed.

Headings vary ("四、因政府信息公开工作被申请行政复议、提起行政诉讼的情况"), are sometimes repeated
(a narrative version and a table version), and in scraped text may stand mid-line. A heading
is the section number, 、 or ., then a keyword of the section within a short phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from xxgk.templates import SECTIONS, SectionSpec


@dataclass(frozen=True)
class Heading:
    section: str
    start: int
    end: int


@cache
def _heading_pattern(section: SectionSpec) -> re.Pattern[str]:
    keywords = "|".join(re.escape(k) for k in section.keywords)
    return re.compile(
        rf"(?<![第一二三四五六七八九十]){section.number}\s*[、.]\s*[^。;\n\d]{{0,24}}?(?:{keywords})"
    )


def find_headings(text: str) -> list[Heading]:
    """Every section heading, in text order."""
    found = [
        Heading(section.id, m.start(), m.end())
        for section in SECTIONS
        for m in _heading_pattern(section).finditer(text)
    ]
    return sorted(found, key=lambda h: h.start)


def section_spans(text: str, headings: list[Heading], section_id: str) -> list[tuple[int, int]]:
    """Each printed occurrence of a section: from its heading to the next heading of another one."""
    spans = []
    for i, heading in enumerate(headings):
        if heading.section != section_id:
            continue
        end = len(text)
        for later in headings[i + 1 :]:
            if later.section != section_id:
                end = later.start
                break
        spans.append((heading.end, end))
    return spans

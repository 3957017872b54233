"""The six sections of a report: where each heading is printed.

Headings vary ("四、因政府信息公开工作被申请行政复议、提起行政诉讼的情况"), are sometimes repeated
(a narrative version and a table version), and in scraped text may stand mid-line. A heading
is the section number, 、 or ., then a keyword of the section within a short phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xxgk.templates import SECTIONS


@dataclass(slots=True)
class Heading:
    section: str
    start: int
    end: int


# the numeral first, then the look behind it: the search skips text by the numeral (3x faster)
_NUMBER = re.compile(r"([一二三四五六])(?<![第一二三四五六七八九十].)\s*[、.]\s*")
# the words of a heading that tell the section, within a short phrase without digits or a stop
_PHRASE = re.compile(r"[^。;\n\d]{0,26}")
# the rest of a heading after its keyword, up to its closing word
_CLOSE = re.compile(r"[^。;\n\d(（]{0,12}?(?:情况|事项)")


_BY_NUMBER = {s.number: s for s in SECTIONS}


def find_headings(text: str) -> list[Heading]:
    """Every section heading, in text order."""
    found = []
    for match in _NUMBER.finditer(text):
        section = _BY_NUMBER[match.group(1)]
        phrase = _PHRASE.match(text, match.end()).group()  # type: ignore[union-attr]
        hits = [phrase.find(k) + len(k) for k in section.keywords if k in phrase]
        if hits:
            end = min(hits)
            close = _CLOSE.match(phrase, end)
            end = close.end() if close else end
            found.append(Heading(section.id, match.start(), match.end() + end))
    return found


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

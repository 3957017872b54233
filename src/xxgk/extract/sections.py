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


# A markdown heading (machine-made markdown numbers its sections any way: 1. / （三） / 第三部分,
# or not at all): the section is told by its words, and they must read as a heading (…情况 or
# …事项), so that "### 行政复议" over a piece of table 四 is not taken for one.
_MARKDOWN = re.compile(
    r"^#{1,6}[ \t]*(?:第[一二三四五六]部分|\(?[一二三四五六1-6]\)?[、.．]?)?[ \t]*"
    r"(?P<phrase>[^\n\d]{2,40}?(?:情况|事项))[ \t#]*$",
    re.M,
)


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
    if "#" in text:
        found = _with_markdown(text, found)
    numbered = {heading.section for heading in found if text[heading.start] in _BY_NUMBER}
    if len(numbered) < len(SECTIONS):
        found = _numbered_otherwise(text, found, numbered)
    return found


# a line that is a section's whole title as the national format prints it, under any numeral
_TITLE_LINES = {
    s.id: re.compile(
        rf"^[ \t]*(?P<heading>[一二三四五六][ \t]*[、.．][ \t]*{re.escape(s.title)})[ \t]*$", re.M
    )
    for s in SECTIONS
}


def _numbered_otherwise(text: str, found: list[Heading], numbered: set[str]) -> list[Heading]:
    """The headings of sections none of whose headings carries its own numeral, printed as their
    whole title under another's ("一、主动公开政府信息情况": a PDF that numbers its tables, or lost
    a section before them, numbers the sections after it otherwise)."""
    starts = {heading.start for heading in found}
    for section in SECTIONS:
        if section.id in numbered:
            continue
        for match in _TITLE_LINES[section.id].finditer(text):
            if match.start("heading") not in starts:
                found.append(Heading(section.id, match.start("heading"), match.end()))
    found.sort(key=lambda heading: heading.start)
    return found


def _with_markdown(text: str, found: list[Heading]) -> list[Heading]:
    """Markdown headings not already found by their statutory numeral."""
    starts = {heading.start for heading in found}
    for match in _MARKDOWN.finditer(text):
        phrase = match.group("phrase")
        if any(match.start() <= start < match.end() for start in starts):
            continue
        # the section whose keyword stands last: a heading ends with what it is about
        # ("因政府信息公开工作被申请行政复议…的情况" is about 复议, not 申请)
        placed = [(max(phrase.rfind(k) for k in s.keywords), s.id) for s in SECTIONS]
        where, section = max(placed)
        if where >= 0:
            found.append(Heading(section, match.start(), match.end()))
    found.sort(key=lambda heading: heading.start)
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

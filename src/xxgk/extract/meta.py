"""Report metadata: title, year, agency and publication date, where the text prints them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from xxgk.model import Meta
from xxgk.templates import META

# the body's name and the words may stand apart from the year ("宿迁市 2025 年 政府…": text taken
# out of a PDF)
_TITLE = re.compile(
    r"(?P<pre>[^\s:,。;]{0,40}?)[ \t\u3000]*(?:关于)?(?P<year>(?:19|20)\d{2})\s*年度?"
    r"(?P<mid>[^\s,。;]{0,30}?)[ \t\u3000]*政府信息公开(?:工作)?(?:年度)?(?:报告|年报)"
)
# a title set on two or three lines (a centred title in a PDF or a Word file): the lines at the
# top of the text are tried joined, when the title alone would make up their whole
TITLE_LINES, TITLE_TOP = 3, 60  # lines joined at most; lines of the text's top tried
_SHORT_LINE = 40
TITLE_LINE = 80  # a longer line is a paragraph: a title named in it is mentioned, not printed
_TITLE_WORDS = ("报告", "年报")  # the words a title ends in (`_TITLE`)
# before a title: a markdown heading's marks, a field's label
_LABEL = re.compile(r"^(?:#{1,6}\s*)?(?:(?:标题|题目)\s*:?\s*)?")
# where a title ends: found first, so the title pattern runs on a short window, not the whole text
_TITLE_END = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_PERIOD = re.compile(r"(?P<year>(?:19|20)\d{2})年\s*1月\s*1日")
# a year not preceded by a digit: the look behind stands after the year's four digits (not five
# digits in a row), so that the search skips text by the year's first digit (4x faster)
_YEAR = re.compile(r"((?:19|20)\d{2})(?<!\d{5})\s*年")


class _Lines:
    """A pattern for a whole line. Searched as newline + line, which lets the regex engine skip
    from newline to newline (re.M's ^ is tried at every character), and on the first line."""

    def __init__(self, line: str) -> None:
        self.first = re.compile(line + r"[ \t]*(?=\n|\Z)")
        self.later = re.compile(r"\n" + line + r"[ \t]*(?=\n|\Z)")

    def findall(self, text: str, start: int = 0) -> list[re.Match[str]]:
        """Matches on the lines that start at or after `start`."""
        first = self.first.match(text) if start == 0 else None
        later = list(self.later.finditer(text, max(start - 1, 0)))
        return [first, *later] if first else later


# a line that is only a body's name: 2 to 40 characters, then a suffix such as 人民政府
_NAME_LINE = _Lines(rf"[ \t]*(?P<name>[\u4e00-\u9fff()]{{3,{40 + max(map(len, META.agency_suffixes))}}})")
# a signature line is followed by the date (often mangled by scrapers: "2020121")
_SIGNED_DATE = re.compile(r"\s*\n\s*(?:\n\s*)*(?:19|20)\d{2}")
SIGNATURE_WINDOW = 1000
_PLACE = re.compile(f"(?:{'|'.join(META.place_suffixes)})$")
_YMD = r"(?P<y>(?:19|20)\d{2})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})"
_DATED = re.compile(f"(?:{'|'.join(META.date_labels)})\\s*:?\\s*{_YMD}")
_DATE_LINE = _Lines(r"[ \t]*(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")


def extract_meta(text: str, body_start: int, hints: dict[str, str] | None = None) -> Meta:
    """`body_start` is where the first section heading is; signatures are looked for after it
    (`extract` reads the title before the tables and the signature after, outside them).

    `hints` are what the file itself says (HTML <title> and <meta>, document properties); the
    printed text wins where it speaks.
    """
    meta, named = read_title(text, hints)
    sign(meta, text, body_start, named, hints)
    return meta


def read_title(text: str, hints: dict[str, str] | None = None) -> tuple[Meta, str | None]:
    """Title, year and publication date, and the body the title names: what reading the tables
    needs (`sign` finds the body once they are read)."""
    hints = hints or {}
    meta = Meta()
    title = _find_title(text)
    if title is None or not (title.group("pre") or title.group("mid")):  # the name may be on the line above
        title = _title_on_lines(text) or title
    hinted = _find_title(hints.get("ArticleTitle") or hints.get("title", "")) if title is None else None
    named = None
    if title or hinted:
        found = title or hinted
        assert found is not None
        # a page's <title> often ends in the site's name: the title alone is taken from it
        meta.title = _title_text(title) if title else found.group()
        meta.year = int(found.group("year"))
        named = _clean_agency(found.group("pre") or found.group("mid"))
    else:  # a sentence naming the report ("现将本局2023年政府信息公开工作年度报告公布如下"): its year
        mention = _find_title(text, mentions=True)
        meta.year = int(mention.group("year")) if mention else None
    if meta.year is None:
        meta.year = _year_from_body(text)
    meta.published = _published(text) or _published(_hint(hints, META.hint_published) or "", labelled=False)
    return meta, named


def sign(
    meta: Meta,
    text: str,
    body_start: int,
    named: str | None,
    hints: dict[str, str] | None = None,
    tables: Sequence[tuple[int, int]] = (),
) -> None:
    """The body: its signature, else the body the title names (`named`), else the file's tags."""
    meta.agency = _agency(text, body_start, named, tables) or _hint(hints or {}, META.hint_agency)
    meta.level = body_level(meta.agency)


def _hint(hints: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = (hints.get(name) or "").strip()
        if value:
            return value
    return None


def body_level(agency: str | None) -> str | None:
    """省 / 市 / 县 / 乡镇 / 街道 / 部门 from how the body's name ends (None when it does not tell)."""
    if not agency:
        return None
    for level, endings in META.levels:
        if agency.endswith(endings):
            return level
    return None


def _find_title(text: str, *, mentions: bool = False) -> re.Match[str] | None:
    """The first title printed as one: a line of its own, or the start of a line (a page scraped
    onto one line). With `mentions`, also one named inside a sentence."""
    for end in _TITLE_END.finditer(text):
        line_start = text.rfind("\n", 0, end.start()) + 1
        title = _TITLE.search(text, max(line_start, end.start() - 80), end.end())
        if title is None:
            continue
        line = _line_of(title)
        if line.startswith(META.link_labels):  # a link to another report (上一篇：…)
            continue
        if (
            mentions
            or len(line) <= TITLE_LINE
            or not _LABEL.sub("", text[line_start : title.start()].strip())
        ):
            return title
    return None


def _line_of(match: re.Match[str]) -> str:
    """The line a match stands on, stripped."""
    text = match.string
    line_end = text.find("\n", match.end())
    return text[text.rfind("\n", 0, match.start()) + 1 : line_end if line_end >= 0 else len(text)].strip()


def _title_text(title: re.Match[str]) -> str:
    """The title as printed: its whole line, or where that is a paragraph, the title alone."""
    line = _LABEL.sub("", _line_of(title)).strip()
    return line if len(line) <= TITLE_LINE else title.group().strip()


def _title_on_lines(text: str) -> re.Match[str] | None:
    """A title broken over lines at the top of the text, matched in the lines joined: the body's
    name on a line of its own above the year ("某县人民政府" / "2023年政府信息公开工作年度报告"),
    or a line broken anywhere. Only lines that are the title whole are joined (the fewest that
    make it), and only where what they name is a body's name: never a title and the text around it."""
    lines = [line.strip() for line in text[: TITLE_TOP * 80].split("\n", TITLE_TOP)[:TITLE_TOP]]
    # blank lines between are passed over; a link to another page is no part of a title
    lines = [_LABEL.sub("", line) for line in lines if line and not line.startswith(META.link_labels)]
    # a title ends a line: only the short lines that end as one are tried as a title's last
    ends = [i for i, line in enumerate(lines) if len(line) <= _SHORT_LINE and line.endswith(_TITLE_WORDS)]
    for count in range(2, TITLE_LINES + 1):
        for last in ends:
            joined = lines[max(0, last - count + 1) : last + 1]
            if len(joined) < count or any(len(line) > _SHORT_LINE for line in joined):
                continue  # a paragraph is no part of a title
            if any(map(_TITLE_END.search, joined[:-1])):
                continue  # a title ends on its last line
            title = _TITLE.fullmatch("".join(joined))
            if title is not None and _is_body_name(
                _clean_agency(title.group("pre") or title.group("mid")) or ""
            ):
                return title
    return None


def _clean_agency(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"^(?:标题|题目)\s*", "", name).strip(" :·-")
    return name if len(name) >= 2 else None


def _year_from_body(text: str) -> int | None:
    period = _PERIOD.search(text)
    if period:
        return int(period.group("year"))
    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def _agency(
    text: str, body_start: int, title_agency: str | None, tables: Sequence[tuple[int, int]] = ()
) -> str | None:
    # the last dated signature line, else the last signature line; the end of the text, where
    # it usually is, is searched first. A line of a table is none (a label broken over lines by
    # a PDF's extraction: "行政机关不再处理其政府")
    for start in dict.fromkeys((max(body_start, len(text) - SIGNATURE_WINDOW), body_start)):
        signatures = [
            m
            for m in _NAME_LINE.findall(text, start)
            if _is_body_name(m.group("name")) and not any(a <= m.start() < b for a, b in tables)
        ]
        dated = [m for m in signatures if _SIGNED_DATE.match(text, m.end())]
        if dated:
            return dated[-1].group("name")
    if signatures:
        return signatures[-1].group("name")
    if title_agency and _PLACE.search(title_agency):
        for suffix in META.place_bodies:
            if title_agency + suffix in text:
                return title_agency + suffix
    return title_agency


def _is_body_name(name: str) -> bool:
    # most lines of names end with no suffix: one C call tells, before the suffixes are tried one by one
    return name.endswith(META.agency_suffixes) and any(
        2 <= len(name) - len(suffix) <= 40 for suffix in META.agency_suffixes if name.endswith(suffix)
    )


def _published(text: str, *, labelled: bool = True) -> str | None:
    match = _DATED.search(text) if labelled else re.search(_YMD, text)
    if match is None:
        dates = _DATE_LINE.findall(text)
        match = dates[-1] if dates else None
    if match is None:
        return None
    y, m, d = int(match.group("y")), int(match.group("m")), int(match.group("d"))
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"

"""HTML pages: the report's paragraphs and tables, without the site around them.

Government sites wrap the report in navigation, sidebars and footers full of numbers (phone
numbers, dates, visitor counts) that would confuse the extractor, so the reader first picks the
smallest element whose text holds all the distinct section headings and table labels the page
holds. Container ids and classes common on Chinese government sites (div#zoom, .TRS_Editor,
#UCAP-CONTENT, .article-content) are only hints: they widen the choice to the whole article and
are the fallback when the page has no recognisable report text.

Tables become grids with rowspan/colspan expanded by the HTML table model (occupied slots), so
each cell keeps its table row and column as provenance. Word-exported HTML (mso styles, <o:p>,
spans in spans, source lines wrapped inside Chinese words) reads the same as clean HTML.

The parse uses lxml's libxml2 HTML parser with plain elements (`lxml.etree.HTMLParser`, which
`lxml.html` wraps; its element classes make iteration slower), libxml2 itself for the text of an
element, and one Python pass over the chosen content, with no per-node regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

from xxgk.errors import InputError
from xxgk.read.decode import Replaced, decode
from xxgk.read.document import Document, DocumentBuilder
from xxgk.read.limits import LIMITS, exceeded

__all__ = ["read_html", "walk_html"]

Element = etree._Element


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_BLOCK = _names(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p
    section summary tbody td tfoot th thead tr ul"""
)
_SKIP = _names(
    """script style noscript template head title iframe frame frameset object embed applet select
    option optgroup button input textarea svg math canvas map area video audio source track link
    meta base param"""
)
# page chrome inside the chosen content (when the content is the whole <body>)
_CHROME_TAGS = frozenset(("nav", "footer", "aside"))
_CHROME_NAMES = _names(
    """nav navbar navigation menu topmenu mainmenu header footer foot bottom breadcrumb crumb crumbs
    position location sidebar side share bdsharebuttonbox copyright toolbar topbar"""
)
_CHROME_HOLDERS = frozenset(("div", "ul", "ol", "section", "header", "dl"))
# article containers of common government CMSs (TRS, 开普云 UCAP, 大汉 …)
_HINT_IDS = frozenset(("zoom", "Zoom", "UCAP-CONTENT", "ucap-content", "zoomcon", "fontzoom"))
_HINT_CLASSES = frozenset(
    ("TRS_Editor", "TRS_UEDITOR", "article-content", "Custom_UnionStyle", "view", "content", "zoom")
)
_STRONG_HINT_CLASSES = frozenset(("TRS_Editor", "TRS_UEDITOR", "article-content", "Custom_UnionStyle"))

# Distinct phrases of the report (section headings, table labels); the content is the smallest
# element holding all of them that the page holds.
_MARKERS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请",
    "行政诉讼",
    "改进情况",
    "其他需要报告",
    "第二十条第",
    "申请人情况",
    "予以公开",
    "不予处理",
    "结果维持",
    "本年新收",
)
_TITLE_NAMES = frozenset(("bt", "biaoti", "tit", "headline", "article-title"))

# the HTML meta names worth keeping, spelled as the extractor looks them up
_META_NAMES = {
    name.lower(): name
    for name in (
        "ArticleTitle",
        "PubDate",
        "ContentSource",
        "SiteName",
        "SiteDomain",
        "ColumnName",
        "ColumnType",
        "author",
        "publishdate",
        "firstpublishedtime",
        "description",
        "keywords",
        "Maketime",
        "Url",
    )
}

_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_GB = frozenset(
    ("gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "windows-936", "ms936")
)
_WESTERN = frozenset(("iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii"))
_UTF8 = frozenset(("utf-8", "utf8", "unicode", "utf-16", "utf16"))  # a page held as bytes is never UTF-16

# a source line break between two wide (CJK) characters is no space (CSS Text 3 segment breaks):
# Word wraps its HTML source inside Chinese words
_WIDE = "\u2e80-\u303e\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_SEGMENT_BREAK = re.compile(f"(?<=[{_WIDE}])[ \\t\\r]*\\n[ \\t\\r\\n]*(?=[{_WIDE}])")
_LEADING_INT = re.compile(r"\s*(\d+)")

# remove_blank_text drops the whitespace-only text libxml2 deems ignorable (between table rows
# and cells, after block elements; never after inline ones such as <span>): a fifth fewer text
# nodes to walk, the same text read
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, default_doctype=False, remove_blank_text=True
)

MAX_COLSPAN = 1000  # as the HTML standard caps them
MAX_ROWSPAN = 65534
# attribute names as bytes: lxml encodes a str name to UTF-8 on every lookup
_COLSPAN, _ROWSPAN = b"colspan", b"rowspan"
_SPANS = {str(n): n for n in range(1, 100)}  # span values as usually written


def read_html(data: bytes, source: str) -> Document:
    """An HTML page (bytes as downloaded) to a document of its report content."""
    text, replaced = decode_html(data, source)
    root = parse_html(text, source)
    builder = DocumentBuilder(source, "html")
    builder.replaced = replaced
    builder.hints.update(page_hints(root))
    walk_html(root, builder)
    return builder.build()


# --------------------------------------------------------------------------------------------
# Bytes to a tree


def decode_html(data: bytes, source: str) -> tuple[str, Replaced | None]:
    """The page's declared charset if it decodes the bytes, else a detected one (GBK as GB18030),
    and the bytes that did not decode (see `decode`)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data, source)
    match = _DECLARED.search(data, 0, 8192)
    if match:
        declared = (match.group(1) or match.group(2)).decode("ascii").lower()
        if declared in _GB:
            declared = "gb18030"
        elif declared in _UTF8:
            declared = "utf-8"
        elif declared in _WESTERN:
            # Chinese pages often declare Latin-1 by mistake; it would decode anything into mojibake
            declared = ""
        if declared:
            try:
                return data.decode(declared), None
            except (UnicodeDecodeError, LookupError):
                pass
    return decode(data, source)


def parse_html(text: str, source: str) -> Element:
    """The tree of a page, refused before parsing past the markup limit (libxml2 itself stops
    nesting at 256 levels)."""
    tags = text.count("<")
    if tags > LIMITS.markup:
        raise exceeded("markup", f"an HTML page of {tags:,} tags", source)
    if text.lstrip()[:5] == "<?xml":
        text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses str input that declares one
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"HTML that cannot be parsed: {exc}", source, kind="damaged") from None
    if root is None:
        raise InputError("an HTML page with no content", source, kind="empty")
    return root


def page_hints(root: Element) -> dict[str, str]:
    """<title> and the useful <meta name=… content=…> of the page."""
    hints: dict[str, str] = {}
    head = root.find("head")
    scope = head if head is not None else root
    for el in scope.iter("title", "meta"):
        if el.tag == "title":
            title = " ".join("".join(el.itertext()).split())
            if title and "title" not in hints:
                hints["title"] = title
            continue
        name = _META_NAMES.get((el.get("name") or el.get("http-equiv") or "").strip().lower())
        content = " ".join((el.get("content") or "").split())
        if name and content and name not in hints:
            hints[name] = content
    return hints


# --------------------------------------------------------------------------------------------
# Which part of the page is the report


def content_root(root: Element) -> Element:
    """The smallest element holding all the distinct report phrases the page holds (at least
    two), widened to a known article container around it; without report phrases, a known
    container or the <body>. Elements that never show text must have been removed."""
    body = root.find("body")
    top = body if body is not None else root
    text = _text(top)
    kinds = [marker for marker in _MARKERS if marker in text]
    if len(kinds) < 2:
        hinted = _hinted(root)
        return hinted if hinted is not None else top
    # down from the top through the children that hold every phrase; the deepest such
    # element wins (the first in the page if the report is printed twice)
    chosen, chosen_depth = top, 0
    stack = [(top, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > chosen_depth:
            chosen, chosen_depth = node, depth
        children = list(node.iterchildren(etree.Element))
        if len(children) == 1 and _blank(node.text) and _blank(children[0].tail):
            holders = children  # a wrapper: its one child holds all its text
        else:
            holders = [child for child in children if _holds(_text(child), kinds)]
        stack.extend((child, depth + 1) for child in reversed(holders))
    # widen to a known article container a few levels up (it holds the title and the date)
    el: Element | None = chosen
    for _ in range(4):
        if el is None:
            break
        if _is_hint(el, strong=True):
            return el
        el = el.getparent()
    return chosen


def _text(el: Element) -> str:
    """All the text inside `el` (libxml2 writes it out much faster than Python can walk it)."""
    if len(el) == 0:
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _holds(text: str, phrases: list[str]) -> bool:
    return all(phrase in text for phrase in phrases)


def _is_hint(el: Element, *, strong: bool) -> bool:
    if el.get("id") in _HINT_IDS:
        return True
    classes = el.get("class")
    if not classes:
        return False
    names = _STRONG_HINT_CLASSES if strong else _HINT_CLASSES
    return any(c in names for c in classes.split())


def _hinted(root: Element) -> Element | None:
    """The known article container with the most text, if the page has one."""
    best: Element | None = None
    best_size = 0
    for el in root.iter("div", "td", "article", "section", "span"):
        if _is_hint(el, strong=False):
            size = sum(len(t.strip()) for t in el.itertext())
            if size > best_size:
                best, best_size = el, size
    return best


def _title_before(content: Element) -> str | None:
    """The article title printed just above the content (an <h1> or .title outside it), if the
    content does not start with a report title itself. Looks back from the content through
    its preceding siblings and its ancestors' ones, nearest first, a few hundred elements at most."""
    head = _text(content)[:300]
    if "报告" in head or "年报" in head:
        return None
    budget = 400
    node: Element | None = content
    for _ in range(4):
        if node is None or node.tag == "body":
            break
        for sibling in node.itersiblings(preceding=True):
            found = None
            for el in sibling.iter():
                budget -= 1
                if budget < 0:
                    return None
                if _is_title(el):
                    text = " ".join("".join(el.itertext()).split())
                    if 6 <= len(text) <= 120 and ("报告" in text or "年报" in text):
                        found = text  # the last one in this sibling is the nearest
            if found:
                return found
        node = node.getparent()
    return None


def _is_title(el: Element) -> bool:
    tag = el.tag
    if tag in ("h1", "h2", "h3"):
        return True
    if not isinstance(tag, str):
        return False
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            value = value.lower()
            if "title" in value or any(name in _TITLE_NAMES for name in value.split()):
                return True
    return False


# --------------------------------------------------------------------------------------------
# Walking the content


def walk_html(root: Element, builder: DocumentBuilder) -> None:
    """Add the report content of a parsed page to `builder`: paragraphs and grids in order."""
    etree.strip_elements(root, *_SKIP, with_tail=False)  # scripts, styles, forms …: never report text
    content = content_root(root)
    if content.tag in ("table", "tbody", "thead", "tfoot", "tr"):
        # the report is one table (a spreadsheet): read the table as a table
        while content.tag != "table" and content.getparent() is not None:
            content = content.getparent()
        content = content.getparent() if content.getparent() is not None else content
    title = _title_before(content)
    if title:
        builder.add_text(title)
    walker = _Walker(builder.add_text, lambda table: _add_table(table, builder))
    walker.block(content)
    walker.flush()


def clean_line(text: str) -> str:
    """HTML whitespace collapsing, except that a wrapped source line joins CJK without a space."""
    if "\n" in text:
        text = _SEGMENT_BREAK.sub("", text)
    return " ".join(text.split())


class _Walker:
    """Turns a subtree into lines (block elements and <br> end a line); tables go to `on_table`."""

    __slots__ = ("line", "on_line", "on_table")

    def __init__(self, on_line: Callable[[str], object], on_table: Callable[[Element], object]) -> None:
        self.on_line = on_line
        self.on_table = on_table
        self.line: list[str] = []

    def flush(self) -> None:
        if self.line:
            text = clean_line("".join(self.line))
            self.line = []
            if text:
                self.on_line(text)

    def block(self, el: Element) -> None:
        """The content of `el`, not its tail."""
        line = self.line
        if el.text:
            line.append(el.text)
        for child in el:
            tag = child.tag
            style = child.get("style")
            if (
                not isinstance(tag, str)
                or (style is not None and "none" in style and _hidden(style))
                or child.get("hidden") is not None
            ):
                pass
            elif tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.on_table(child)
            elif tag in _BLOCK:
                self.flush()
                if not _chrome(child, tag):
                    if len(child):
                        self.block(child)
                    elif child.text:
                        self.line.append(child.text)
                self.flush()
            elif tag == "pre":
                self.flush()
                self.pre(child)
            elif len(child):
                self.block(child)  # inline
            elif child.text:
                self.line.append(child.text)  # inline, no children: no call needed
            line = self.line
            if child.tail:
                line.append(child.tail)

    def pre(self, el: Element) -> None:
        for text in "".join(el.itertext()).splitlines():
            text = " ".join(text.split())
            if text:
                self.on_line(text)


def _hidden(style: str) -> bool:
    return "display:none" in style.replace(" ", "").lower()


def _chrome(el: Element, tag: str) -> bool:
    """Navigation, footers and the like inside the content (when the content is the whole body)."""
    if tag in _CHROME_TAGS:
        return True
    if tag not in _CHROME_HOLDERS:
        return False
    for attr in ("id", "class"):
        value = el.get(attr)
        if value and any(name.lower() in _CHROME_NAMES for name in value.split()):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Tables


def _rows(table: Element) -> Iterator[Element]:
    for child in table:
        tag = child.tag
        if tag == "tr":
            yield child
        elif tag in ("tbody", "thead", "tfoot"):
            for row in child:
                if row.tag == "tr":
                    yield row


def _span(value: str, cap: int) -> int:
    """A colspan/rowspan attribute as a browser reads it: leading digits, at least 1, capped."""
    if value.isdigit():
        n = int(value)
    else:
        match = _LEADING_INT.match(value)
        if match is None:
            return 1
        n = int(match.group(1))
    return max(1, min(n, cap))


def table_layout(table: Element, source: str = "<html>") -> tuple[list[Element], list[int], list[int], int]:
    """Where each cell of a table sits in the expanded grid, by the HTML table model (each cell
    takes the first slot of its row not covered by a rowspan from above): the cells in document
    order, the grid row and column of each, and the grid width. The slots spans cover below
    their row are counted against LIMITS.table_slots (a few bytes of rowspan and colspan can
    cover a billion)."""
    trs = list(_rows(table))
    cells: list[Element] = []
    rows: list[int] = []
    cols: list[int] = []
    taken: dict[int, set[int]] = {}
    width = 0
    slots = LIMITS.table_slots
    n_rows = len(trs)
    for r, tr in enumerate(trs):
        busy = taken.pop(r, None)
        col = 0
        for td in tr:  # faster than iterchildren("td", "th")
            tag = td.tag
            if tag != "td" and tag != "th":
                continue
            if busy:
                while col in busy:
                    col += 1
            value = td.get(_COLSPAN)
            colspan = 1 if value is None else _SPANS.get(value) or _span(value, MAX_COLSPAN)
            value = td.get(_ROWSPAN)
            if value is not None:
                left = n_rows - r  # rowspan=0 and overlong spans end with the table
                rowspan = _SPANS.get(value) or (left if value.strip() == "0" else _span(value, MAX_ROWSPAN))
                rowspan = min(rowspan, left)
                slots -= (rowspan - 1) * colspan
                if slots < 0:
                    raise exceeded("table_slots", "an HTML table whose spans cover more slots", source)
                for dr in range(1, rowspan):
                    taken.setdefault(r + dr, set()).update(range(col, col + colspan))
            cells.append(td)
            rows.append(r)
            cols.append(col)
            col += colspan
        if col > width:
            width = col
    return cells, rows, cols, width


def _add_table(table: Element, builder: DocumentBuilder) -> None:
    """A data table as one grid; its nested tables after it as grids of their own. A layout
    table (one column, or a two-column frame around other tables) is read as running text."""
    cells, rows, cols, width = table_layout(table, builder.source)
    if not cells:
        return
    layout = width <= 1 or (width <= 2 and any(True for _ in table.iterdescendants("table")))
    caption = table.find("caption")
    if caption is not None or layout:
        walker = _Walker(builder.add_text, lambda t: _add_table(t, builder))
        if caption is not None:
            walker.block(caption)
            walker.flush()
        if layout:
            for el in cells:
                walker.block(el)
                walker.flush()
            return
    inner: list[Element] = []
    texts: list[str] = []
    for el in cells:
        if len(el) == 0:
            text = el.text
            if text is None:
                text = ""
            elif "\n" in text:
                text = clean_line(text)  # the builder collapses spaces; a wrapped line needs the CJK rule
        else:
            lines: list[str] = []
            walker = _Walker(lines.append, inner.append)
            walker.block(el)
            walker.flush()
            text = "\n".join(lines)
        texts.append(text)
    builder.add_cells(texts, rows, cols)  # document order is reading order: a cell's row is its <tr>
    for el in inner:
        _add_table(el, builder)

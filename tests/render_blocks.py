"""A national-format report (tests/national_grid.py blocks) written as an HTML page or a DOCX file.

The HTML page puts the report where government sites do: inside an article container, among
page chrome full of numbers (menus, a footer with phone numbers and dates, scripts). Options add
the noise of Word's "save as web page" (mso styles, <o:p>, spans in spans, source lines wrapped
inside Chinese words) and of CMS editors (&nbsp; padding, <br>-separated lines, <th>, <tbody>).
The DOCX file has its tables merged as Word merges them (python-docx `cell.merge`).
"""

from __future__ import annotations

import html
import io
import random
from dataclasses import dataclass
from typing import Any

from tests.national_grid import Block, Cell, Value, fmt


@dataclass(frozen=True)
class HtmlStyle:
    container: str = "zoom"  # zoom, trs, article, plain_div, layout_td, body
    title_outside: bool = False  # the title in an <h1> above the container, as most sites print it
    word: bool = False  # Word-exported HTML noise
    nbsp: bool = False  # &nbsp; around cell texts
    br_lines: bool = False  # paragraphs as <br>-separated lines in one <p>
    th_header: bool = False  # header cells as <th>, rows in <tbody>
    chrome: bool = True


CONTAINERS = ("zoom", "trs", "article", "plain_div", "layout_td", "body")

_CHROME_TOP = """<div class="header"><div class="logo">某某市人民政府门户网站</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwgk/xxgknb/">政府信息公开年报</a></li><li><a href="/hd/">互动交流</a></li>
<li><a href="/2024/">2024年度报告</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 年度报告</div>
<script type="text/javascript">var pageId = 20250120; var visits = 12345; document.write("2024");</script>
<style>.nav li{float:left;width:120px} td{border:1px solid #000}</style>"""

_CHROME_BOTTOM = """<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/a/1.html">2023年政府信息公开工作年度报告</a></li>
<li><a href="/a/2.html">2022年政府信息公开工作年度报告</a></li></ul></div>
<div class="footer"><p>主办单位：某某市人民政府办公室 地址：某某市人民路100号 邮编：310000</p>
<p>联系电话：0571-87654321 传真：0571-87654322 网站标识码：3301000001</p>
<p>浙ICP备12345678号-1 浙公网安备33010002000123号 2025年1月20日 访问量：1234567</p></div>
<script>var _hmt = _hmt || []; (function() { var hm = 1024; })();</script>"""


def _text(text: str, style: HtmlStyle, rnd: random.Random) -> str:
    """Escaped text, with Word's span splitting and source line wrapping inside words."""
    if not text:
        return "<o:p>&nbsp;</o:p>" if style.word else "&nbsp;"
    escaped = html.escape(text, quote=False)
    if style.word and len(text) > 6:
        # Word wraps its HTML source lines between two Chinese characters, inside words too
        wraps = [i for i in range(1, len(text)) if _ideograph(text[i - 1]) and _ideograph(text[i])]
        if wraps and rnd.random() < 0.5:
            cut = rnd.choice(wraps)
            first, second = html.escape(text[:cut], quote=False), html.escape(text[cut:], quote=False)
            return f"<span style='font-family:宋体'>{first}\n{second}</span>"
        cut = rnd.randint(2, len(text) - 2)
        first, second = html.escape(text[:cut], quote=False), html.escape(text[cut:], quote=False)
        return (
            f"<span style='font-size:10.5pt;font-family:宋体;mso-ascii-font-family:Calibri'>{first}</span>"
            f"<span lang=EN-US style='font-size:10.5pt'><font face=宋体>{second}</font></span>"
        )
    if style.nbsp:
        return f"&nbsp;{escaped}&nbsp;" if rnd.random() < 0.5 else f"&nbsp; {escaped}"
    return escaped


def _ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _cell_html(cell: Cell, style: HtmlStyle, header: bool, rnd: random.Random) -> str:
    tag = "th" if header and style.th_header else "td"
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f" colspan={cell.colspan}"
    if style.word:
        attrs += " width=64 valign=top style='border:solid windowtext 1.0pt;mso-border-alt:solid .5pt'"
        inner = (
            f"<p class=MsoNormal align=center style='text-align:center'>"
            f"{_text(cell.text, style, rnd)}{'' if not cell.text else '<o:p></o:p>'}</p>"
        )
    else:
        inner = _text(cell.text, style, rnd)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _table_html(cells: list[Cell], style: HtmlStyle, rnd: random.Random) -> str:
    rows: dict[int, list[Cell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    first_data = min((c.row for c in cells if c.text.isdigit()), default=0)
    out = []
    for r in range(max(rows) + 1):
        tds = "".join(
            _cell_html(c, style, r < first_data, rnd) for c in sorted(rows.get(r, []), key=lambda c: c.col)
        )
        out.append(f"<tr>{tds}</tr>")
    body = "\n".join(out)
    attrs = " class=MsoNormalTable border=1 cellspacing=0 cellpadding=0" if style.word else ' border="1"'
    if style.th_header:
        body = f"<tbody>\n{body}\n</tbody>"
    return f"<table{attrs}>\n{body}\n</table>"


def _paragraph_html(text: str, style: HtmlStyle, rnd: random.Random) -> str:
    if style.word:
        return f"<p class=MsoNormal style='text-indent:24.0pt'>{_text(text, style, rnd)}<o:p></o:p></p>"
    tag = rnd.choice(("p", "p", "div"))
    indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if style.nbsp else ""
    return f"<{tag}>{indent}{html.escape(text, quote=False)}</{tag}>"


def to_html(
    blocks: list[Block],
    style: HtmlStyle,
    rnd: random.Random,
    charset: str = "utf-8",
    meta_style: str = "html5",
) -> bytes:
    """The report as a page of a government site, encoded in `charset` (and declaring it)."""
    title = blocks[0].text or ""
    body_blocks = blocks[1:] if style.title_outside else blocks
    parts: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            lines = "<br>\n".join(html.escape(t, quote=False) for t in pending)
            parts.append(f"<p>{lines}</p>")
            pending.clear()

    for block in body_blocks:
        if block.cells is not None:
            flush()
            parts.append(_table_html(block.cells, style, rnd))
        elif style.br_lines and not style.word and rnd.random() < 0.6:
            pending.append(block.text or "")
        else:
            flush()
            parts.append(_paragraph_html(block.text or "", style, rnd))
    flush()
    content = "\n".join(parts)
    wrapped = {
        "zoom": f'<div id="zoom">\n{content}\n</div>',
        "trs": f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{content}\n</div></div>',
        "article": f'<div class="article-content">\n{content}\n</div>',
        "plain_div": f'<div class="wz">\n{content}\n</div>',
        "layout_td": (
            f'<table width="100%" border="0"><tr><td width="15%"><a href="/">返回</a></td>'
            f'<td class="bt_content">\n{content}\n</td></tr></table>'
        ),
        "body": content,
    }[style.container]
    heading = (
        f'<h1 class="title">{html.escape(title)}</h1>\n'
        '<div class="info">发布时间：2025-01-20 10:30 来源：本网 浏览次数：1024</div>\n'
        if style.title_outside
        else ""
    )
    if style.word:
        word_head = (
            "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml>"
            "<![endif]-->"
            "<style><!-- p.MsoNormal {margin:0cm;font-size:10.5pt;font-family:Calibri} --></style>"
        )
        wrapped = f"<div class=WordSection1 style='layout-grid:15.6pt'>{wrapped}</div>"
    else:
        word_head = ""
    declaration = (
        f'<meta charset="{charset}">'
        if meta_style == "html5"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    )
    page = (
        "<!DOCTYPE html>\n"
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
        f"{declaration}<title>{html.escape(title)}_某某市人民政府</title>"
        f'<meta name="ArticleTitle" content="{html.escape(title)}">'
        '<meta name="PubDate" content="2025-01-20 10:30">'
        '<meta name="SiteName" content="某某市人民政府">'
        f"{word_head}</head>\n<body>\n"
        + (_CHROME_TOP if style.chrome else "")
        # "body": the report's paragraphs and tables straight in <body>, among the chrome
        + (
            f"\n{heading}{wrapped}\n"
            if style.container == "body"
            else f'\n<div class="main">{heading}{wrapped}</div>\n'
        )
        + (_CHROME_BOTTOM if style.chrome else "")
        + "\n</body></html>\n"
    )
    encoding = "gbk" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset
    return page.encode(encoding)


def _cell_at(table: Any, row: int, col: int) -> Any:
    """The cell at a grid position, found in its row alone (`Table.cell` reads the whole table
    each time, which makes building a 30-row table take a second)."""
    from docx.table import _Cell

    at = 0
    for tc in table._tbl.tr_lst[row].tc_lst:
        if at + tc.grid_span > col:
            return _Cell(tc, table)
        at += tc.grid_span
    raise IndexError((row, col))


def to_docx(blocks: list[Block], rnd: random.Random | None = None) -> bytes:
    """The report as a Word file: paragraphs (runs split at random) and merged-cell tables."""
    import docx

    rnd = rnd or random.Random(0)
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "某某市人民政府 电话：0571-87654321 2025年1月20日"
    section.footer.paragraphs[0].text = "- 1 -"
    for block in blocks:
        if block.cells is None:
            text = block.text or ""
            paragraph = document.add_paragraph()
            cut = rnd.randint(0, len(text))
            paragraph.add_run(text[:cut])
            paragraph.add_run(text[cut:]).bold = rnd.random() < 0.3
            continue
        cells = block.cells
        n_rows = max(c.row + c.rowspan for c in cells)
        n_cols = max(c.col + c.colspan for c in cells)
        table = document.add_table(rows=n_rows, cols=n_cols)
        table.style = "Table Grid"
        for cell in cells:
            if cell.rowspan > 1 or cell.colspan > 1:
                corner = _cell_at(table, cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
                _cell_at(table, cell.row, cell.col).merge(corner)
        for cell in cells:
            _cell_at(table, cell.row, cell.col).text = cell.text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def misplaced(report: Any, blocks: list[Block], values: dict[str, Value]) -> list[str]:
    """Cells whose provenance (table, grid row, grid column) is not where the blocks put them."""
    printed = {}
    tables = [b.cells for b in blocks if b.cells is not None]
    for grid, cells in enumerate(tables):
        for cell in cells:
            printed[grid, cell.row, cell.col] = cell.text
    out = []
    for key, value in values.items():
        p = report.cells[key].provenance
        where = (p.grid, p.grid_row, p.grid_col) if p else None
        if where not in printed or printed[where] != fmt(value):
            out.append(f"{key}: {fmt(value)!r} read at {where}, which holds {printed.get(where)!r}")
    return out

"""Self-contained HTML (styles inline, figures as data: URIs): one file to mail or archive."""

from __future__ import annotations

import base64
from html import escape

from xxgk.documents.fonts import FONTS
from xxgk.documents.model import Document, Figure, Heading, Paragraph, Table


def _family(role: str) -> str:
    return ", ".join(f'"{name}"' for name in FONTS[role]) + ", serif"


def _style() -> str:
    return f"""
body {{ max-width: 46em; margin: 2em auto; font: 16pt/1.75 {_family("body")}; color: #000; }}
h1 {{ font: 22pt/1.5 {_family("title")}; text-align: center; margin: 1em 0; }}
h2 {{ font: 16pt/1.75 {_family("heading")}; margin: 0; text-indent: 2em; }}
h3 {{ font: 16pt/1.75 {_family("subheading")}; margin: 0; text-indent: 2em; }}
p {{ margin: 0; }} p.indent {{ text-indent: 2em; }}
.right {{ text-align: right; }} .center {{ text-align: center; }} .left {{ text-align: left; }}
table {{ border-collapse: collapse; margin: .5em auto; font: 10.5pt/1.5 {_family("table")}; }}
caption {{ font: bold 12pt/2 {_family("heading")}; }}
td, th {{ border: 1px solid #000; padding: 2px 6px; }} td.number {{ text-align: right; }}
figure {{ text-align: center; margin: 1em 0; }} figure img {{ max-width: 100%; }}
.notes {{ font-size: 12pt; margin-top: 2em; }}
"""


def _table(table: Table) -> str:
    out = ["<table>"]
    if table.caption:
        out.append(f"<caption>{escape(table.caption)}</caption>")
    for row in table.rows():
        out.append("<tr>")
        for cell in row:
            tag = "th" if cell.header else "td"
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            kind = ' class="number"' if cell.number else ""
            out.append(f"<{tag}{span}{kind}>{escape(cell.text)}</{tag}>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def write_html(document: Document) -> bytes:
    parts = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(document.title)}</title><style>{_style()}</style></head><body>",
    ]
    if document.number:
        parts.append(f'<p class="right">{escape(document.number)}</p>')
    parts.append(f"<h1>{escape(document.title)}</h1>")
    if document.addressee:
        parts.append(f"<p>{escape(document.addressee)}：</p>")
    for block in document.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            classes = f"{block.align}{' indent' if block.indent else ''}"
            parts.append(f'<p class="{classes}">{escape(block.text)}</p>')
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            caption = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
            image = f'<img alt="{escape(block.caption)}" src="data:image/png;base64,{data}">'
            parts.append(f"<figure>{image}{caption}</figure>")
    if document.signer or document.date:
        parts.append("<br>")
        parts += [f'<p class="right">{escape(t)}</p>' for t in (document.signer, document.date) if t]
    if document.footnotes:
        parts.append(
            '<div class="notes">' + "".join(f"<p>{escape(n)}</p>" for n in document.footnotes) + "</div>"
        )
    parts.append("</body></html>\n")
    return "".join(parts).encode("utf-8")

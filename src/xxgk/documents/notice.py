"""A body's 整改通知: the findings of its current report for a year, in plain formal Chinese."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from xxgk.documents.common import STATUS, cn_date, cn_number, current_report, places, rule_title
from xxgk.documents.model import Document, Heading, Paragraph
from xxgk.store.findings import list_findings

if TYPE_CHECKING:
    from xxgk.store import Store

CLOSING = "请你单位对照上述问题逐项核查，对确有错误的数据和内容予以更正并重新公布，并将整改情况及时报送。"
BASIS = (
    "注：所列问题依据《中华人民共和国政府信息公开条例》和政府信息公开工作年度报告格式核查；"
    "单元格以报告表格的行、列名称标示，数字均为报告所印。"
)


def notice(
    store: Store,
    body: str,
    year: int,
    *,
    everything: bool = False,
    number: str = "",
    signer: str = "",
    day: date | None = None,
) -> Document:
    """Confirmed findings only unless `everything` (then open and dismissed ones too, marked)."""
    with store.session() as session:
        found = store.find_body(session, body)
        name = found.name
        report = current_report(session, found.id, name, year)
        title = report.title or f"{name}{year}年政府信息公开工作年度报告"
        published, template_id, version = report.published, report.template, report.version
    findings = list_findings(store, body=name, year=year, status=None if everything else "confirmed")
    doc = Document(
        title=f"关于{name}{year}年政府信息公开工作年度报告有关问题的整改通知",
        number=number,
        addressee=name,
        signer=signer,
        date=cn_date(day or date.today()),
        footnotes=[BASIS],
    )
    dated = f"，{cn_date(published)}公布" if published else "，未注明公布日期"
    scope = "各类" if everything else "经审核确认的"
    found_text = f"发现{scope}问题{len(findings)}个" if findings else f"未发现{scope}问题"
    edition = f"，第{version}版" if version > 1 else ""
    doc.add(Paragraph(f"经对你单位《{title}》（{year}年度{dated}{edition}）进行审核，{found_text}。"))
    if findings:
        doc.add(Paragraph("现将有关情况通知如下："))
    for n, finding in enumerate(findings, start=1):
        doc.add(Heading(f"{cn_number(n)}、{rule_title(finding.rule)}"), Paragraph(f"问题：{finding.message}"))
        if finding.cells:
            cells = places(template_id, finding.cells)
            doc.add(Paragraph(f"涉及单元格：{cells}。"))
        review = f"审核状态：{STATUS.get(finding.status, finding.status)}"
        if finding.comment:
            review += f"；审核意见：{finding.comment}"
        doc.add(Paragraph(f"{review}。"))
    if findings:
        doc.add(Paragraph(CLOSING))
    return doc

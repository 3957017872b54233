"""One report as an XLSX workbook: each table in the official layout, then the findings."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xxgk.model import SEVERITY_RANK, Report, json_value
from xxgk.output.official import official_grid

_FILL = {
    "error": PatternFill("solid", fgColor="F8D0D0"),
    "warning": PatternFill("solid", fgColor="FBEBC0"),
    "info": PatternFill("solid", fgColor="D6EAF8"),
}
_SHEETS = {"active": "二、主动公开", "applications": "三、申请", "appeals": "四、复议诉讼"}


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    severity: dict[str, str] = {}
    for finding in sorted(report.findings, key=lambda f: SEVERITY_RANK[f.severity]):
        for key in finding.cells:
            severity[key] = finding.severity
    for table in report.template.tables:
        sheet = book.create_sheet(_SHEETS[table.id])
        for cell in official_grid(report.template, table.id):
            target = sheet.cell(row=cell.row + 1, column=cell.col + 1)
            if cell.key is None:
                target.value = cell.text
                target.font = Font(bold=True)
                target.alignment = Alignment(wrap_text=True, vertical="center")
            else:
                value = json_value(report.value(cell.key))
                target.value = value if value is not None else report.cells[cell.key].text
                if cell.key in severity:
                    target.fill = _FILL[severity[cell.key]]
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=cell.row + 1,
                    start_column=cell.col + 1,
                    end_row=cell.row + cell.rowspan,
                    end_column=cell.col + cell.colspan,
                )
    findings = book.create_sheet("问题")
    findings.append(["rule", "severity", "cells", "message"])
    for f in report.findings:
        findings.append([f.rule, f.severity, ", ".join(f.cells), f.message])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

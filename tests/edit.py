"""Seeding faults into real reports: change printed cells in place, by their provenance."""

from __future__ import annotations

from pathlib import Path

import xxgk


def edit_cells(path: Path, changes: dict[str, str]) -> str:
    """The text of `path` with the printed text of each cell key replaced."""
    report = xxgk.parse_path(path)
    text = report.text
    edits = []
    for key, new in changes.items():
        p = report.cells[key].provenance
        assert p is not None and p.offset is not None and p.length is not None, key
        edits.append((p.offset, p.length, new))
    for offset, length, new in sorted(edits, reverse=True):
        text = text[:offset] + new + text[offset + length :]
    return text


def rules_fired(report: xxgk.Report) -> set[str]:
    return {f.rule for f in report.findings}

"""Off a terminal `xxgk check` and `xxgk parse` print through output.plain, not rich: the lines
must be those rich prints there (the CLI gives rich an unbounded width off a terminal, so it cuts
nothing), byte for byte, on every sample and corpus report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import xxgk
from tests.conftest import CORPUS, SAMPLES
from xxgk.cli.common import UNCUT_WIDTH
from xxgk.model import Finding
from xxgk.output import plain, terminal

REPORTS = sorted(SAMPLES.glob("*.txt")) + sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".json"))


def rich_lines(report: xxgk.Report, **parts: bool) -> str:
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True, width=UNCUT_WIDTH, force_terminal=False)
    terminal.render_report(console, report, **parts)
    return out.getvalue()


def plain_lines(report: xxgk.Report, **parts: bool) -> str:
    out = io.StringIO()
    plain.render_report(out, report, **parts)
    return out.getvalue()


@pytest.mark.parametrize("path", REPORTS, ids=[p.name for p in REPORTS])
def test_plain_view_equals_rich_off_a_terminal(path: Path) -> None:
    try:
        report = xxgk.parse_path(path)
    except xxgk.XxgkError:
        pytest.skip("not readable")
    assert plain_lines(report) == rich_lines(report)
    assert plain_lines(report, tables=False) == rich_lines(report, tables=False)


def test_wide_characters_blank_cells_and_control_codes_are_laid_out_as_rich_does() -> None:
    # the corpus has no cell with a line break or a control code, nor a finding without a place
    report = xxgk.parse_path(SAMPLES / "altered_wuxi_helie_2020.txt")
    key = next(k for k, c in report.cells.items() if c.found and k.startswith("applications."))
    report.cells[key].value = None
    report.cells[key].text = "第一\u200b行\n2nd\x07 line"  # two lines, a zero-width space, a bell rich drops
    report.findings.append(Finding(rule="X-TEST", severity="warning", cells=(), message="无位置\r的提示"))
    assert plain_lines(report) == rich_lines(report)
    assert "第一\u200b行" in plain_lines(report) and "\x07" not in plain_lines(report)


def test_width_counts_cells_as_rich_does() -> None:
    # a, b, c one cell each; 平潭 two each; e one and its combining accent none; a zero-width
    # space none; a soft hyphen one (rich's cell_len gives the same for each)
    assert plain.width("abc平潭e\u0301\u200b\u00ad") == 3 + 4 + 1 + 0 + 0 + 1

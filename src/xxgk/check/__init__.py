"""Checking a report against the rules of FORMAT.md."""

from __future__ import annotations

from xxgk.check.rules import RULES, RULES_BY_ID, Rule
from xxgk.model import SEVERITY_RANK, Finding, Report

__all__ = ["RULES", "RULES_BY_ID", "Rule", "check", "check_pair"]


_ONE_REPORT = tuple(rule for rule in RULES if rule.scope == "report")


def check(report: Report) -> list[Finding]:
    """Run every single-report rule; the findings are also stored on the report, errors first."""
    findings = [f for rule in _ONE_REPORT for f in rule.run(rule, report)]
    findings.sort(key=lambda f: -SEVERITY_RANK[f.severity])
    report.findings = findings
    return findings


def check_pair(report: Report, previous: Report) -> list[Finding]:
    """The rules across years: `report` against the same body's report of the year before."""
    return [f for rule in RULES if rule.scope == "pair" for f in rule.run(rule, report, previous)]

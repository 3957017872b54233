"""Checking a report against the rules of FORMAT.md."""

from __future__ import annotations

from xxgk.check.rules import RULES, RULES_BY_ID, Rule
from xxgk.model import Finding, Report

__all__ = ["RULES", "RULES_BY_ID", "Rule", "check"]


def check(report: Report) -> list[Finding]:
    """Run every rule; the findings are also stored on the report, errors first."""
    findings = [finding for rule in RULES for finding in rule.run(rule, report)]
    findings.sort(key=lambda f: f.severity != "error")
    report.findings = findings
    return findings

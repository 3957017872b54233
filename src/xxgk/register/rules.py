"""The register's vocabulary, read once: register.toml, plus table 三's outcome rows and applicant
columns from the 2021 template (the closed lists a register entry must use)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from xxgk.errors import XxgkError
from xxgk.register.facts import APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES
from xxgk.templates import TEMPLATES

RULES: dict[str, Any] = tomllib.loads(Path(__file__).with_name("register.toml").read_text(encoding="utf-8"))

STATUSES: dict[str, str] = RULES["status"]
EVENTS: dict[str, dict] = RULES["events"]
PARTIES: dict[str, str] = RULES["parties"]
DELIVERY: dict[str, str] = RULES["delivery"]
CHANNEL_WORDS: dict[str, str] = RULES["channels"]
CHANNEL_LABELS: dict[str, str] = {key: word for word, key in CHANNEL_WORDS.items()}
ROLES: dict[str, str] = RULES["roles"]
DUE_SOON_DAYS: int = RULES["queues"]["due_soon_days"]
QUEUES: dict[str, str] = {
    key: label.format(days=DUE_SOON_DAYS) for key, label in RULES["queues"]["labels"].items()
}
AUDIT_ACTIONS: dict[str, str] = RULES["audit_actions"]
APPEAL_KIND_WORDS: dict[str, str] = RULES["appeal_kinds"]
APPEAL_RESULT_WORDS: dict[str, str] = RULES["appeal_results"]
SHEETS: dict[str, dict] = RULES["sheets"]
MAX_ROWS: int = RULES["limits"]["max_rows"]
MAX_FILE_BYTES: int = RULES["limits"]["file_bytes"]
MAX_PART_BYTES: int = RULES["limits"]["part_bytes"]

_TABLE = TEMPLATES["2021"].table("applications")
# outcome id → its label as the 2021 template prints it (区分处理 only as partly_granted)
OUTCOMES: dict[str, str] = {row.id: row.label for row in _TABLE.outcome_rows()}
OUTCOME_SHORT: dict[str, str] = {row.id: row.short for row in _TABLE.outcome_rows()}
APPLICANTS: dict[str, str] = {
    column.id: column.label for column in _TABLE.row("received").columns if column.id in APPLICANT_TYPES
}
# events that give an outcome of their own (withdrawal, lapse); a reply gives the one it names
EVENT_OUTCOMES: dict[str, str] = {kind: spec["outcome"] for kind, spec in EVENTS.items() if "outcome" in spec}
APPEAL_LABELS: dict[str, str] = {v: k for k, v in APPEAL_KIND_WORDS.items()}
RESULT_LABELS: dict[str, str] = {v: k for k, v in APPEAL_RESULT_WORDS.items()}

assert set(APPEAL_KIND_WORDS.values()) == set(APPEAL_KINDS)
assert set(APPEAL_RESULT_WORDS.values()) == set(APPEAL_RESULTS)
assert set(EVENT_OUTCOMES.values()) <= set(OUTCOMES)


def _lookup(text: str, ids: dict[str, str], words: dict[str, str], what: str) -> str:
    """An id given as itself or as its printed word (full-width or half-width brackets alike)."""
    value = text.strip().replace("(", "（").replace(")", "）")
    if value in ids:
        return value
    for word, key in words.items():
        if value == word.replace("(", "（").replace(")", "）"):
            return key
    raise XxgkError(f"{what} {text.strip()!r} is not one of {'、'.join(words)}", kind="bad_choice")


def _aliases(rows: dict[str, str], short: dict[str, str] | None = None) -> dict[str, str]:
    words = {label: key for key, label in rows.items()}
    for key, label in (short or {}).items():
        words.setdefault(label, key)
    return words


def outcome_id(text: str) -> str:
    """A row id of table 三's results from its id, its printed label or its short form."""
    return _lookup(text, OUTCOMES, _aliases(OUTCOMES, OUTCOME_SHORT), "outcome")


def applicant_id(text: str) -> str:
    return _lookup(text, APPLICANTS, _aliases(APPLICANTS), "applicant type")


def channel_id(text: str) -> str:
    from xxgk.clock.periods import CHANNELS

    return _lookup(text, {key: key for key in CHANNELS}, CHANNEL_WORDS, "channel")


def appeal_kind_id(text: str) -> str:
    return _lookup(text, APPEAL_LABELS, APPEAL_KIND_WORDS, "appeal kind")


def appeal_result_id(text: str) -> str:
    return _lookup(text, RESULT_LABELS, APPEAL_RESULT_WORDS, "appeal result")


def mask(text: str | None) -> str:
    """Personal data shown without being read: the first character, the rest starred."""
    if not text:
        return ""
    return text[0] + "*" * min(len(text) - 1, 6) if len(text) > 1 else "*"

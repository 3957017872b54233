"""RegisterFacts as JSON, both ways: how a body with its own register system hands its facts to
`xxgk compile --facts` (the format is in docs/compile.md). Dates are YYYY-MM-DD; amounts are
strings or numbers, read as decimals; an unknown key is an error (a misspelt field would
otherwise be dropped silently)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from xxgk.errors import InputError
from xxgk.register.facts import AppealFacts, ApplicationFacts, DocumentFacts, RegisterFacts, YearFigures

MAX_AMOUNT = Decimal(10) ** 12  # yuan: no body's fees or figures come near a trillion
MAX_BYTES = 64 * 1024 * 1024  # a register of a million applications is about 150 MB; bodies have thousands

# list key → the record type of its items
LISTS: dict[str, type] = {
    "applications": ApplicationFacts,
    "appeals": AppealFacts,
    "documents": DocumentFacts,
    "figures": YearFigures,
}


def dump(facts: RegisterFacts) -> dict[str, Any]:
    out: dict[str, Any] = {"body": facts.body, "as_of": facts.as_of.isoformat()}
    for name in LISTS:
        out[name] = [
            {k: _json(v) for k, v in dataclasses.asdict(item).items() if v is not None}
            for item in getattr(facts, name)
        ]
    return out


def _json(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def read(path: Path) -> RegisterFacts:
    """The facts in a JSON file; a one-line error naming the file and the field on bad input."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"larger than {MAX_BYTES // 2**20} MB; not a register's facts", where)
        data = json.loads(path.read_bytes(), parse_float=Decimal)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", where) from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"not JSON: {error}", where) from None
    return load(data, where)


def load(data: object, where: str = "facts") -> RegisterFacts:
    if not isinstance(data, dict):
        raise InputError("the facts must be a JSON object", where)
    _keys(data, {"body", "as_of", *LISTS}, {"body", "as_of"}, where)
    lists = {}
    for name, kind in LISTS.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            raise InputError(f"{name}: must be a list", where)
        lists[name] = tuple(_record(kind, item, f"{where}: {name}[{i}]") for i, item in enumerate(items))
    return RegisterFacts(
        body=_text(data["body"], f"{where}: body"), as_of=_date(data["as_of"], f"{where}: as_of"), **lists
    )


def _keys(data: dict, allowed: set[str], required: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(allowed))})", where)
    missing = sorted(required - set(data))
    if missing:
        raise InputError(f"missing field {missing[0]!r}", where)


def _record(kind: type, item: object, where: str) -> Any:
    if not isinstance(item, dict):
        raise InputError("must be an object", where)
    fields = {f.name: f for f in dataclasses.fields(kind)}
    required = {n for n, f in fields.items() if f.default is dataclasses.MISSING}
    _keys(item, set(fields), required, where)
    values = {}
    for name, value in item.items():
        at = f"{where}.{name}"
        if value is None:
            if name in required:
                raise InputError("must be given, not null", at)
            values[name] = None
            continue
        annotation = str(fields[name].type)
        if "date" in annotation:
            values[name] = _date(value, at)
        elif "Decimal" in annotation:
            values[name] = _decimal(value, at)
        elif "int" in annotation:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InputError(f"not a whole number of 0 or more: {value!r}", at)
            values[name] = value
        else:
            values[name] = _text(value, at)
    return kind(**values)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"must be a non-empty string, not {value!r}", where)
    return value


def _date(value: object, where: str) -> date:
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", where) from None


def _decimal(value: object, where: str) -> Decimal:
    try:
        if isinstance(value, bool):
            raise TypeError
        amount = Decimal(str(value)) if isinstance(value, int | str | Decimal) else None
    except (TypeError, InvalidOperation):
        amount = None
    if amount is None or not amount.is_finite():
        raise InputError(f"not an amount: {value!r}", where)
    if amount < 0 or amount >= MAX_AMOUNT:
        raise InputError(f"an amount is 0 or more and under {MAX_AMOUNT:,}, not {value}", where)
    return amount

"""Shared fixtures: the bundled corpus of real reports with hand-checked truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
SAMPLES = Path(__file__).parent.parent / "samples"


def truth_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json").read_text(encoding="utf-8"))


TEXT_REPORTS = sorted(CORPUS.glob("*.txt"))


@pytest.fixture(params=TEXT_REPORTS, ids=lambda p: p.stem)
def text_report(request: pytest.FixtureRequest) -> Path:
    return request.param

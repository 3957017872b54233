"""A short fuzz run over every reader (bench/fuzz.py runs the same for as long as asked):
damaged files of each format end in a report or in xxgk's own error, never another exception."""

from __future__ import annotations

import pytest

from tests.fuzzing import fuzz, seed

pytestmark = pytest.mark.filterwarnings("error::FutureWarning")  # lxml's warning on element truth tests

# examples per format in the test run: the slow readers (OCR, LibreOffice) get few
BRIEF = {"text": 60, "gb18030": 30, "html": 60, "docx": 40, "pdf": 25, "image": 4, "ole": 2}


@pytest.mark.parametrize("kind", list(BRIEF))
def test_damaged_files_are_read_or_refused(kind: str) -> None:
    seed(kind)  # built before the run (the DOCX seed's values come from a hypothesis run of their own)

    fuzz(kind, BRIEF[kind])

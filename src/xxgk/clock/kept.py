"""The holiday notices a user imported, kept in one JSON file in a calendar folder (given, else
$XXGK_CALENDAR_DIR, else the user's xxgk folder): the calendar the CLI and the web application
count working days with. The rest of the clock keeps nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

from xxgk.clock.calendar import Calendar, Notice
from xxgk.errors import XxgkError

NOTICES_FILE = "notices.json"


def calendar_dir(given: Path | None = None) -> Path:
    if given is not None:
        return given
    if os.environ.get("XXGK_CALENDAR_DIR"):
        return Path(os.environ["XXGK_CALENDAR_DIR"])
    from typer import get_app_dir

    return Path(get_app_dir("xxgk")) / "calendar"


def kept_notices(folder: Path) -> list[Notice]:
    if folder.exists() and not folder.is_dir():  # `--calendar-dir` given a file: said, not passed over
        raise XxgkError("the calendar folder is a file, not a folder", str(folder))
    path = folder / NOTICES_FILE
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stored = data["notices"]
        if not isinstance(stored, list):
            raise TypeError(f"notices is {type(stored).__name__}, not a list")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise XxgkError(f"cannot read the stored notices ({error})", str(path)) from None
    return [Notice.from_dict(item, f"{path} (notice {i})") for i, item in enumerate(stored, 1)]


def kept_calendar(folder: Path | None = None) -> Calendar:
    """The package's notices and those kept in the folder."""
    return Calendar.official(kept_notices(calendar_dir(folder)))

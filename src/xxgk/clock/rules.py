"""The clock's statutory constants (periods, extension, channels, fee bands), read once from clock.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

RULES: dict[str, Any] = tomllib.loads((Path(__file__).with_name("clock.toml")).read_text(encoding="utf-8"))

"""The intermediate document every reader produces and the extractor consumes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """Normalised text of one report, and what it was read from."""

    text: str
    source: str
    format: str = "text"

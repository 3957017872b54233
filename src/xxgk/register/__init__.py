"""The register (台账) of a body: its disclosure applications, reviews and lawsuits on the
statutory clock, and the facts of its proactive disclosure, from which `xxgk.compile` makes the
annual report. `facts` is the boundary between the two: what the register knows as of a date."""

from __future__ import annotations

from typing import Any

__all__ = ["facts_as_of"]


def __getattr__(name: str) -> Any:
    """`facts_as_of` is imported on first use: `xxgk.register.facts` alone loads no store."""
    if name == "facts_as_of":
        from xxgk.register.service import facts_as_of

        return facts_as_of
    raise AttributeError(name)

"""Renderings of a report: the JSON contract and the terminal view."""

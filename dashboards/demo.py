"""The dashboards' part of the demo: fill the summary tables once the lines' demo data is in, so the leader
sees the demo year at once rather than after the first beat refresh (SPEC §9)."""

from __future__ import annotations

from io import TextIOBase

from .services import summaries_refresh


def load(out: TextIOBase) -> None:
    result = summaries_refresh()
    out.write(f"dashboards: summary tables refreshed ({result})\n")

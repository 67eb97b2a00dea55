"""Spreadsheets the import and export tests write and compare: an ``.xlsx`` writer, and customer files read as a
spreadsheet sees them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from tests.support.team_repo import TeamRepo


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx file at ``path`` with one sheet per entry, in order."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def loaded(repo: TeamRepo) -> dict[str, dict[str, Any]]:
    """Every customer file's data, with explicit nulls and empty lists left out (a spreadsheet
    cell cannot tell 'null' from absent) and dates as ISO text (however the file quoted them)."""
    def clean(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if x not in (None, [], "")}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return {p.stem: clean(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(repo.customers.glob("*.yaml"))}

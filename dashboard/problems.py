"""What is wrong with an upload, said where (sheet, file row, column) and why; and writing text out safely."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

# A spreadsheet treats a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) an upload: where (file row, column) and why.

    sheet names the workbook sheet the row is on, when a file's rows came from several sheets.
    """

    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if not where:
            return self.message
        place = ", ".join(where)
        return f"{place[0].upper()}{place[1:]}: {self.message}"  # not .capitalize(): it lower-cases the header


def safe_for_spreadsheet(text: object) -> object:
    """Text that a spreadsheet will show as typed: a leading =, +, -, @ gets a quote first."""
    if isinstance(text, str) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def problems_csv(problems: Iterable[Problem]) -> bytes:
    """The problems as a CSV for Excel (UTF-8 with BOM, so '£' shows), every cell neutralised.

    A 'sheet' column comes first only when some problem names a sheet (rows from several sheets).
    """
    problems = list(problems)
    by_sheet = any(p.sheet is not None for p in problems)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((["sheet"] if by_sheet else []) + ["row", "column", "problem"])
    for p in problems:
        where = [safe_for_spreadsheet(p.sheet or "")] if by_sheet else []
        writer.writerow(where + [p.row if p.row is not None else "", safe_for_spreadsheet(p.column or ""),
                                 safe_for_spreadsheet(p.message)])
    return out.getvalue().encode("utf-8-sig")

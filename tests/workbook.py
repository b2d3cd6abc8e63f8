"""Excel workbooks built in tests, sheet by sheet, as openpyxl writes them."""

import io
from collections.abc import Mapping, Sequence

import openpyxl


def xlsx(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """An XLSX file with these sheets, in order, each holding these rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Upload templates, written from the data contract: a CSV and an XLSX with the column guide."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.functions import tostring

from dashboard import contract

# One timestamp inside every written XLSX, so rewriting unchanged templates leaves the committed files as they were.
_WRITTEN_AT = dt.datetime(2025, 1, 1)


def guide(kind: str) -> pd.DataFrame:
    """One row per column of the dataset: name, required, description, allowed values, example."""
    return pd.DataFrame([{
        "column": c.name,
        "required": "yes" if c.required else "no",
        "description": c.description,
        "allowed values": "; ".join(c.allowed),
        "example": c.example,
    } for c in contract.COLUMNS[kind]])


def csv_bytes(kind: str) -> bytes:
    """The CSV template: the header row only (examples are in the column guide)."""
    return (",".join(c.name for c in contract.COLUMNS[kind]) + "\n").encode("utf-8")


def xlsx_workbook(kind: str) -> Workbook:
    """The XLSX template: a data sheet with drop-downs, and a column guide with examples."""
    columns = contract.COLUMNS[kind]
    wb = Workbook()
    data = wb.active
    data.title = kind
    data.append([c.name for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, col in enumerate(columns, 1):
        letter = data.cell(row=1, column=index).column_letter
        data.column_dimensions[letter].width = max(14, len(col.name) + 4)
        if col.allowed:
            rule = DataValidation(type="list", formula1='"' + ",".join(a.replace(",", "") for a in col.allowed) + '"',
                                  allow_blank=True)
            rule.add(f"{letter}2:{letter}5000")
            data.add_data_validation(rule)
    sheet = wb.create_sheet("Column guide")
    frame = guide(kind)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["C"].width = 90
    return wb


def xlsx_bytes(kind: str) -> bytes:
    """The XLSX template as bytes that depend only on the contract (openpyxl stamps the time of saving)."""
    wb = xlsx_workbook(kind)
    saved = io.BytesIO()
    wb.save(saved)
    wb.properties.created = wb.properties.modified = _WRITTEN_AT
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = tostring(wb.properties.to_tree()) if item.filename == "docProps/core.xml" else src.read(item)
            dst.writestr(zipfile.ZipInfo(item.filename, _WRITTEN_AT.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_all(out_dir: Path) -> list[Path]:
    """Write the CSV and XLSX template of every dataset into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in contract.KINDS:
        path = out_dir / f"{kind}_template.csv"
        path.write_bytes(csv_bytes(kind))
        paths.append(path)
        path = out_dir / f"{kind}_template.xlsx"
        path.write_bytes(xlsx_bytes(kind))
        paths.append(path)
    return paths

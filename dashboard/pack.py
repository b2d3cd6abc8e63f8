"""The funder pack: every table of a selection in one spreadsheet, as the reader may see it.

One sheet per table of `report --json` (reports.view, so a funder's pack is disclosure-controlled like every page),
a first sheet saying what the pack is (network, period, IoD release, the disclosure rule in force, definitions),
and every text cell neutralised so a spreadsheet shows it as typed.
"""

import datetime as dt
import io
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard import access, figures, parsing, refdata_fetch, reports
from dashboard.problems import safe_for_spreadsheet

# The tables, in the order of the sheets: (sheet name, where the rows are in the report).
TABLES: list[tuple[str, tuple[str, ...]]] = [
    ("By decile", ("by_decile",)),
    ("By quintile", ("by_quintile",)),
    ("By quarter", ("by_quarter",)),
    ("Journey", ("funnel", "total")),
    ("Journey by decile", ("funnel", "by_decile")),
    ("Journey by institution", ("funnel", "by_institution")),
    ("Journey by start quarter", ("funnel", "by_start_quarter")),
    ("Representation", ("representation", "rows")),
    ("Wales and Scotland", ("nation_deciles",)),
    ("Equality monitoring", ("equality",)),
    ("Spend by institution", ("spend_by_institution",)),
    ("Spend by category", ("spend_by_category",)),
    ("Spend by source of place", ("spend_by_source",)),
    ("Top suppliers", ("top_suppliers",)),
    ("Targets", ("targets",)),
]
# Columns holding a quarter's calendar name ('2025Q2'): each gets a neighbour naming it the network's way.
QUARTER_COLUMNS = ("quarter", "start_quarter", "from_quarter", "to_quarter", "measured_to")
HEADLINE_COUNTS = ("participants", "completions", "jobs_filled")
DEFINITIONS = [
    ("participants", "People who started on an initiative in the period."),
    ("completions", "Completions dated in the period, whoever started when."),
    ("jobs_filled", "Job starts dated in the period."),
    ("imd_decile", "Index of Multiple Deprivation decile of the area (LSOA): 1 is the 10% most deprived areas in "
                   "England. Blank: outside England's index (Wales, Scotland) or of unknown location."),
    ("imd_quintile", "Quintile 1 (deciles 1–2) is Core20, the 20% most deprived areas."),
    ("spend_gbp", "Pounds paid to suppliers in the period."),
    ("spend_local_gbp", "Pounds paid to suppliers in the network's own local authority districts."),
    ("*_pct", "A percentage (0–100) of the row's total."),
    ("*_ratio", "A group's share of the people reached who live in the network's area, divided by its share of the "
                "area's working-age population: 1.0 is in proportion."),
    ("cohort (Journey sheets)", "The people who started in the period, and what they have gone on to do so far."),
    ("Targets", "What the network or an initiative promised: the figure over the target's own quarters so far "
                "(from_quarter to measured_to), against its value by the deadline; for a count, expected_by_now is "
                "a straight line from nothing at the start to the value at the deadline."),
]


def _rows(report: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]] | None:
    value: Any = report
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return [value] if isinstance(value, dict) else list(value)


def _plain_text(markdown: str) -> str:
    """The disclosure rule's Markdown as plain text for a cell: bullets as •, no emphasis marks."""
    return "\n".join("• " + line[2:] if line.startswith("- ") else line
                     for line in markdown.replace("**", "").splitlines())


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers; lists joined; text neutralised."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return safe_for_spreadsheet(str(value))


def _named(row: dict[str, Any], year_start: str) -> dict[str, Any]:
    """The row with each quarter also named the network's way ('Apr–Jun 2025', or '2025/26 Q1 (Apr–Jun 2025)')."""
    named: dict[str, Any] = {}
    for key, value in row.items():
        named[key] = value
        if key in QUARTER_COLUMNS and isinstance(value, str):
            named[f"{key}_label"] = parsing.quarter_label(value, year_start)
    return named


def _sheet(workbook: Workbook, title: str, rows: list[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title)
    columns = list(dict.fromkeys(key for row in rows for key, value in row.items() if not isinstance(value, dict)))
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in columns])
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, min(48, len(column) + 4))
    sheet.freeze_panes = "A2"


def build(con: duckdb.DuckDBPyConnection, scope: access.Scope, selection: figures.Selection) -> bytes:
    """The pack of the selection as this reader may see it, as .xlsx bytes (the caller audits the export)."""
    report = reports.view(con, scope, selection, reports.ALL_SECTIONS)
    workbook = Workbook()
    about = workbook.active
    about.title = "About this pack"
    rule = report.get("disclosure")
    facts = [
        ("Network", report["network_name"]),
        ("Initiative", report["initiative_id"] or "All initiatives"),
        ("Institution", report["institution_id"] or "All institutions"),
        ("Period", f"{report['date_from']} to {report['date_to']} ({report['period_label']})"),
        ("Areas ranked by", f"{report['imd_release_title']} ({report['imd_release']}), LSOA {report['lsoa_vintage']}"),
        ("Figures", _plain_text(rule["text"]) if rule else "Exact figures, as recorded (no disclosure control for "
                                                            "this reader)."),
        ("Synthetic demo data", "Yes: no real people or payments" if report["is_demo"] else "No"),
        ("Made", f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, for {scope.actor}"),
        ("Sources", "Contains public sector information licensed under the Open Government Licence v3.0, from "
                    + ", ".join(dict.fromkeys(a["publisher"] for a in refdata_fetch.attributions())) + "."),
    ]
    for label, value in facts:
        about.append([label, _cell(value)])
        about.cell(about.max_row, 1).font = Font(bold=True)
    about.append([])
    about.append(["Headline figures"])
    about.cell(about.max_row, 1).font = Font(bold=True)
    for key, value in report.items():
        # Numbers, and counts hidden by disclosure control ('<5'); not the labels of the selection.
        if key == "lsoa_vintage" or isinstance(value, bool | dict | list) or value is None:
            continue
        if isinstance(value, int | float) or key in HEADLINE_COUNTS:
            about.append([key, _cell(value)])
    about.append([])
    about.append(["Definitions"])
    about.cell(about.max_row, 1).font = Font(bold=True)
    for term, meaning in DEFINITIONS:
        about.append([term, meaning])
    if rule:
        for section, why in (rule.get("withheld") or {}).items():
            about.append([f"Not included: {section}", _cell(why)])
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 110
    for title, path in TABLES:
        rows = _rows(report, path)
        if rows:
            _sheet(workbook, title, [_named(row, report["year_start"]) for row in rows])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

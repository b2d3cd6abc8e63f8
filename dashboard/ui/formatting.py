"""Numbers and periods as people read them: £1,234,567, £1.2m, 1,234, 41.3%, Jul–Sep 2025. No Streamlit."""

import datetime as dt
import math
from typing import Any

import pandas as pd

from dashboard import palette, parsing


def count(n: int | float) -> str:
    """A count with thousands separators: 1,234."""
    return f"{int(n):,}"


def money(gbp: float) -> str:
    """Whole pounds with separators: £1,234,567 (a minus sign for credits)."""
    sign = "−" if gbp < 0 else ""
    return f"{sign}£{abs(gbp):,.0f}"


def money_short(gbp: float) -> str:
    """Pounds at a glance: £1.2m, £845k, £9,870."""
    sign = "−" if gbp < 0 else ""
    value = abs(gbp)
    if value >= 999_950:
        return f"{sign}£{value / 1e6:,.1f}m"
    if value >= 10_000:
        return f"{sign}£{value / 1e3:,.0f}k"
    return f"{sign}£{value:,.0f}"


def pct(value: float | None) -> str:
    """A percentage to one decimal place, or an en dash when there is nothing to divide."""
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}%"


# Changes start with an ASCII '-' when negative: st.metric reads the sign from the first character.
def signed_count(n: int) -> str:
    """A change in a count: +12, -3, 0."""
    return f"+{n:,}" if n > 0 else (f"-{abs(n):,}" if n < 0 else "0")


def signed_money(gbp: float) -> str:
    """A change in pounds: +£120k, -£4,500."""
    if round(gbp) == 0:
        return "£0"
    return ("+" if gbp > 0 else "-") + money_short(abs(gbp))


def signed_points(points: float) -> str:
    """A change in a percentage, in percentage points: +2.1 pts."""
    if round(points, 1) == 0:
        return "0.0 pts"
    return f"{'+' if points > 0 else '-'}{abs(points):.1f} pts"


def long_date(day: dt.date) -> str:
    """1 January 2025."""
    return f"{day.day} {day:%B %Y}"


def quarter_span(first: str, last: str) -> str:
    """'Jan–Mar 2025 to Apr–Jun 2026', or one quarter's label."""
    if first == last:
        return parsing.quarter_label(first)
    return f"{parsing.quarter_label(first)} to {parsing.quarter_label(last)}"


def period_text(first: str, last: str) -> str:
    """The dates a quarter range covers: '1 January 2025 to 30 June 2026'."""
    return f"{long_date(parsing.quarter_bounds(first)[0])} to {long_date(parsing.quarter_bounds(last)[1])}"


def area_label(row: dict[str, Any]) -> str:
    """A report's by_decile row as a display label ('1 · most deprived', 'Wales')."""
    return palette.area_label(row["imd_decile"] if row["imd_decile"] is not None else row["group"])


def not_ranked_text(report: dict[str, Any]) -> str:
    """What the grey 'not ranked' bars hold, e.g. 'Location unknown: 3 participants, £1.3m spend'."""
    parts = []
    for row in report["by_decile"]:
        if row["imd_decile"] is not None:
            continue
        figures = [f"{count(row[key])} {name}" for key, name in
                   (("participants", "participants"), ("jobs_filled", "jobs filled")) if row[key]]
        if row["spend_gbp"]:
            figures.append(f"{money_short(row['spend_gbp'])} spend")
        if figures:
            parts.append(f"{area_label(row)}: {', '.join(figures)}")
    return "; ".join(parts)


def method_note(report: dict[str, Any]) -> str:
    """What the charts rank by, which period they cover, and what the grey bars hold."""
    release = report["imd_release"]
    note = (f"Areas ranked by the {report['imd_release_title']} (IoD {release[3:]}): Index of Multiple "
            f"Deprivation deciles of LSOA {report['lsoa_vintage']} areas, where decile 1 is the 10% most "
            f"deprived areas in England. Figures cover {period_text(report['from_quarter'], report['to_quarter'])}"
            f" ({quarter_span(report['from_quarter'], report['to_quarter'])}).")
    grey = not_ranked_text(report)
    if grey:
        note += (" Grey bars are not ranked by England's index (other nations, or no known location) and are "
                 f"still counted in every total: {grey}.")
    return note


TABLE_COLUMNS = {"participants": "Participants", "completions": "Completions", "jobs_filled": "Jobs filled",
                 "spend_gbp": "Spend", "spend_local_gbp": "Local spend"}


def decile_table(report: dict[str, Any]) -> "pd.io.formats.style.Styler":
    """The per-decile figures for display: one row per area group, counts and whole pounds formatted."""
    df = pd.DataFrame(report["by_decile"])
    shown = pd.DataFrame({"Area (IMD decile)": [area_label(row) for row in report["by_decile"]]})
    for key, name in TABLE_COLUMNS.items():
        shown[name] = df[key]
    money_columns = [TABLE_COLUMNS["spend_gbp"], TABLE_COLUMNS["spend_local_gbp"]]
    return (shown.style.hide(axis="index")
            .format(count, subset=[c for c in TABLE_COLUMNS.values() if c not in money_columns])
            .format(money, subset=money_columns))


def decile_csv(report: dict[str, Any]) -> bytes:
    """The per-decile figures of a report as CSV bytes, each row stating its selection."""
    rows = [{
        "network_id": report["network_id"],
        "initiative_id": report["initiative_id"] or "all",
        "from_quarter": report["from_quarter"],
        "to_quarter": report["to_quarter"],
        "date_from": report["date_from"],
        "date_to": report["date_to"],
        "imd_release": report["imd_release"],
        "lsoa_vintage": report["lsoa_vintage"],
        "area": area_label(row),
        "imd_decile": row["imd_decile"],
        "participants": row["participants"],
        "completions": row["completions"],
        "jobs_filled": row["jobs_filled"],
        "spend_gbp": f"{row['spend_gbp']:.2f}",
        "spend_local_gbp": f"{row['spend_local_gbp']:.2f}",
    } for row in report["by_decile"]]
    return pd.DataFrame(rows).astype({"imd_decile": "Int64"}).to_csv(index=False).encode("utf-8")


def versus_previous(first: str, last: str) -> str:
    """How a metric's change is described: 'vs previous quarter', 'vs previous year', 'vs previous 6 quarters'."""
    n = parsing.quarters_between(first, last)
    if n == 1:
        return "vs previous quarter"
    if n % 4 == 0:
        return "vs previous year" if n == 4 else f"vs previous {n // 4} years"
    return f"vs previous {n} quarters"

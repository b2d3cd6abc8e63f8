"""Numbers and periods as people read them: £1,234,567, £1.2m, 1,234, 41.3%, Jul–Sep 2025. No Streamlit."""

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard import palette, parsing


def count(n: int | float | str) -> str:
    """A count with thousands separators: 1,234 (a count hidden by disclosure control as it is shown: '<5')."""
    if isinstance(n, str):
        return n
    return f"{int(n):,}"


def money(gbp: float) -> str:
    """Whole pounds with separators: £1,234,567 (a minus sign for credits)."""
    sign = "−" if gbp < 0 else ""
    return f"{sign}£{abs(gbp):,.0f}"


def money_exact(gbp: Decimal | float) -> str:
    """Pounds and pence, as a finance system shows a file's total: £7,815,670.80."""
    value = Decimal(str(gbp)).quantize(Decimal("0.01"))
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}"


def money_short(gbp: float) -> str:
    """Pounds at a glance: £1.2m, £845k, £9,870."""
    sign = "−" if gbp < 0 else ""
    value = abs(gbp)
    if value >= 999_950:
        return f"{sign}£{value / 1e6:,.1f}m"
    if value >= 10_000:
        return f"{sign}£{value / 1e3:,.0f}k"
    return f"{sign}£{value:,.0f}"


def pct(value: float | str | None) -> str:
    """A percentage to one decimal place, or an en dash when there is nothing to divide ('[c]' when hidden)."""
    if isinstance(value, str):
        return value
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


def plain(text: Any) -> str:
    """Text from a file or a register shown as itself in Markdown: every character Markdown would act on escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$])", r"\\\1", str(text))


def period_text(first: str, last: str, year_start: str = "calendar") -> str:
    """The dates a quarter range covers: '1 January 2025 to 30 June 2026'; for a network whose year starts in
    April, its financial quarters first: '2025/26 Q1–Q4 (1 April 2025 to 31 March 2026)'."""
    dates = f"{long_date(parsing.quarter_bounds(first)[0])} to {long_date(parsing.quarter_bounds(last)[1])}"
    return f"{parsing.financial_span(first, last)} ({dates})" if year_start == "april" else dates


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
            f" ({report['period_label']}).")
    grey = not_ranked_text(report)
    if grey:
        note += (" Grey bars are not ranked by England's index (other nations, or no known location) and are "
                 f"still counted in every total: {grey}.")
    return note


TABLE_COLUMNS = {"participants": "Participants", "completions": "Completions", "jobs_filled": "Jobs filled",
                 "spend_gbp": "Spend", "spend_local_gbp": "Local spend"}


def decile_table(report: dict[str, Any]) -> "pd.io.formats.style.Styler":
    """The per-decile figures for display: one row per area group, counts and whole pounds formatted."""
    shown = pd.DataFrame({"Area (IMD decile)": [area_label(row) for row in report["by_decile"]]})
    # Text already, as shown: a funder's counts mix numbers with '<5', which no numeric column can hold.
    for key, name in TABLE_COLUMNS.items():
        shown[name] = [(money if key.endswith("_gbp") else count)(row[key]) for row in report["by_decile"]]
    return shown.style.hide(axis="index").set_properties(subset=list(TABLE_COLUMNS.values()),
                                                         **{"text-align": "right"})


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


def has_figures(report: dict[str, Any]) -> bool:
    """Whether a report holds anything at all: people, jobs or spend."""
    return bool(report["participants"] or report["completions"] or report["jobs_filled"]
                or report["spend_total_gbp"])


def change(now: dict[str, Any], before: dict[str, Any], key: str, kind: str) -> str | None:
    """The change of a figure on the period before, for a metric's delta ('count', 'money' or 'pct'); none when the
    period before had no figures, or either value is hidden by disclosure control (a '<5' or '[c]' text)."""
    if not has_figures(before) or not isinstance(now[key], int | float) or not isinstance(before[key], int | float):
        return None
    return {"count": signed_count, "money": signed_money, "pct": signed_points}[kind](now[key] - before[key])


def comparison_caption(before: dict[str, Any]) -> str:
    """What the changes compare with, under the metrics."""
    span = before["period_label"]
    return (f"Changes compare with {span}, the period of the same length before." if has_figures(before)
            else f"No figures for the period before ({span}) to compare with.")


def versus_previous(first: str, last: str) -> str:
    """How a metric's change is described: 'vs previous quarter', 'vs previous year', 'vs previous 6 quarters'."""
    n = parsing.quarters_between(first, last)
    if n == 1:
        return "vs previous quarter"
    if n % 4 == 0:
        return "vs previous year" if n == 4 else f"vs previous {n // 4} years"
    return f"vs previous {n} quarters"


# The measures a comparison lines up: (report key, label, format).
COMPARE_MEASURES = (
    ("participants", "Participants", "count"),
    ("participants_most_deprived_20_pct", "… from the 20% most deprived areas", "pct"),
    ("completions", "Completions", "count"),
    ("jobs_filled", "Jobs filled", "count"),
    ("jobs_filled_most_deprived_20_pct", "… filled from the 20% most deprived areas", "pct"),
    ("conversion_rate_pct", "Conversion rate", "pct"),
    ("spend_total_gbp", "Total spend", "money"),
    ("spend_local_pct", "Local share of spend", "pct"),
    ("spend_most_deprived_20_pct", "Share of spend in the 20% most deprived areas", "pct"),
    ("spend_sme_pct", "Share of spend with SMEs", "pct"),
    ("spend_vcse_pct", "Share of spend with VCSEs", "pct"),
    ("spend_known_location_pct", "Spend with a known location", "pct"),
)


def _shown(value: Any, kind: str) -> str:
    if isinstance(value, str):  # already a display text, such as a suppressed count
        return value
    if value is None:
        return "–"
    return {"count": count, "pct": pct, "money": money}[kind](value)


def compare_table(reports: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Measures down, compared reports across, formatted for display."""
    rows = {label: [_shown(r[key], kind) for r in reports.values()] for key, label, kind in COMPARE_MEASURES}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(reports)).rename_axis("Measure")


def compare_csv(reports: dict[str, dict[str, Any]]) -> bytes:
    """One row per compared report with its selection and every compared measure, unformatted."""
    rows = [{"name": name, "network_id": r["network_id"], "institution_id": r["institution_id"] or "all",
             "initiative_id": r["initiative_id"] or "all", "from_quarter": r["from_quarter"],
             "to_quarter": r["to_quarter"], "imd_release": r["imd_release"],
             **{key: r[key] for key, _, _ in COMPARE_MEASURES}} for name, r in reports.items()]
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


# Breakdowns: the initiative and local-spend pages.

def quarter_tick(quarter: str, year_start: str = "calendar") -> str:
    """'2025Q3' as an axis label on two lines: 'Jul–Sep<br>2025', or '2025/26 Q2<br>Jul–Sep 2025'."""
    if year_start == "april":
        return f"{parsing.financial_quarter(quarter)}<br>{parsing.quarter_label(quarter)}"
    return parsing.quarter_label(quarter).replace(" ", "<br>", 1)


def selection_columns(selection: Any) -> dict[str, Any]:
    """The columns every breakdown CSV row starts with, saying which selection it describes."""
    return {"network_id": selection.network_id, "initiative_id": selection.initiative_id or "all",
            "institution_id": selection.institution_id or "all", "from_quarter": selection.from_quarter,
            "to_quarter": selection.to_quarter, "imd_release": selection.imd_release}


def breakdown_csv(rows: list[dict[str, Any]], selection: Any) -> bytes:
    """Breakdown rows as CSV bytes, unformatted (pounds to the penny), each row stating its selection."""
    frame = pd.DataFrame([{**selection_columns(selection), **row} for row in rows])
    for column in frame.columns:
        if column.endswith("_gbp"):
            frame[column] = frame[column].map(lambda v: f"{v:.2f}")
        elif column == "imd_decile":
            frame[column] = frame[column].astype("Int64")
    return frame.to_csv(index=False).encode("utf-8")


COHORT_COLUMNS = {"starters": "Started", "starters_completed": "Completed",
                  "starters_with_job": "Started a job", "with_job_pct": "Job rate",
                  "starters_in_post_6_months_reported": "Followed up at 6 months",
                  "starters_in_post_6_months": "Still in post",
                  "in_post_6_months_pct": "Still in post (of followed up)"}


def cohort_table(rows: list[dict[str, Any]], label: str, label_of) -> pd.DataFrame:
    """Funnel rows for display: a label column, then the cohort's counts and rates formatted."""
    shown = pd.DataFrame({label: [label_of(r) for r in rows]})
    for key, name in COHORT_COLUMNS.items():
        shown[name] = [pct(r[key]) if key.endswith("_pct") else count(r[key]) for r in rows]
    return shown


SPEND_COLUMNS = {"spend_gbp": "Spend", "spend_local_gbp": "Local", "spend_local_pct": "Local share",
                 "spend_most_deprived_20_pct": "In 20% most deprived", "spend_sme_pct": "SME share",
                 "spend_vcse_pct": "VCSE share", "spend_unknown_location_gbp": "Location unknown",
                 "spend_known_location_pct": "Known location"}


def spend_table(rows: list[dict[str, Any]], label: str, label_key: str) -> pd.DataFrame:
    """Spend breakdown rows for display: a label column, then whole pounds and shares."""
    shown = pd.DataFrame({label: [str(r[label_key]) for r in rows]})
    for key, name in SPEND_COLUMNS.items():
        shown[name] = [pct(r[key]) if key.endswith("_pct") else money(r[key]) for r in rows]
    return shown


def _yes_no(value: bool | None) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


def supplier_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Top suppliers for display: name, spend, where they are (local, IMD decile) and SME/VCSE."""
    return pd.DataFrame({
        "Supplier": [r["supplier_name"] or "Not named in the file" for r in rows],
        "Spend": [money(r["spend_gbp"]) for r in rows],
        "Local": [{"yes": "Yes", "no": "No", "unknown": "Location unknown"}[r["is_local"]] for r in rows],
        "Area (IMD decile)": [palette.area_label(r["imd_decile"] if r["imd_decile"] is not None else r["area_group"])
                              for r in rows],
        "SME": [_yes_no(r["is_sme"]) for r in rows],
        "VCSE": [_yes_no(r["is_vcse"]) for r in rows],
    })


def equality_table(rows: list[dict[str, Any]], characteristic: str) -> pd.DataFrame:
    """One characteristic's rows for display: value, participants and jobs filled with their shares."""
    mine = [r for r in rows if r["characteristic"] == characteristic]
    return pd.DataFrame({
        "Answer": [r["value"] for r in mine],
        "Participants": [f"{count(r['participants'])} ({pct(r['participants_pct'])})" for r in mine],
        "Jobs filled": [f"{count(r['jobs_filled'])} ({pct(r['jobs_filled_pct'])})" for r in mine],
    })


def quarter_table(rows: list[dict[str, Any]], columns: dict[str, str], year_start: str = "calendar") -> pd.DataFrame:
    """by_quarter rows for display: the quarter, then the chosen columns (counts, or whole pounds for *_gbp)."""
    shown = pd.DataFrame({"Quarter": [parsing.quarter_label(r["quarter"], year_start) for r in rows]})
    for key, name in columns.items():
        shown[name] = [money(r[key]) if key.endswith("_gbp") else (pct(r[key]) if key.endswith("_pct")
                                                                    else count(r[key])) for r in rows]
    return shown


TREND_COLUMNS = {"participants": "Participants", "completions": "Completions", "jobs_filled": "Jobs filled",
                 "spend_gbp": "Spend", "spend_local_gbp": "Local spend",
                 "cumulative_participants": "Participants since the start",
                 "cumulative_jobs_filled": "Jobs filled since the start",
                 "cumulative_spend_gbp": "Spend since the start"}


def representation_table(representation: dict[str, Any]) -> pd.DataFrame:
    """Representation rows for display: each IMD group's shares of people and of working-age population."""
    key = "imd_quintile" if representation["grouping"] == "quintile" else "imd_decile"

    def share(value: float | str | None) -> str:
        return pct(value if isinstance(value, str) or value is None else value * 100)

    def ratio(value: float | str | None) -> str:
        if isinstance(value, str):  # hidden by disclosure control
            return value
        return "–" if value is None else f"{value:.2f}"

    rows = representation["rows"]
    return pd.DataFrame({
        f"IMD {representation['grouping']}": [str(r[key]) + (" · most deprived" if r[key] == 1 else "")
                                              for r in rows],
        "Participants": [f"{count(r['participants'])} ({share(r['participants_share'])})" for r in rows],
        "Jobs filled": [f"{count(r['jobs_filled'])} ({share(r['jobs_share'])})" for r in rows],
        "Working-age people": [f"{count(round(r['working_age_population']))} ({share(r['population_share'])})"
                               for r in rows],
        "Participants ratio": [ratio(r["participants_ratio"]) for r in rows],
        "Jobs ratio": [ratio(r["jobs_ratio"]) for r in rows],
    })


# Targets: the overview, the initiative page, the slides and the Targets page.

STATUS_COLOURS = {"met": "green", "on_track": "blue", "behind": "orange", "missed": "red", "not_started": "gray",
                  "unknown": "gray"}


def target_figure(value: Any, kind: str) -> str:
    """A target's figure or value: a count, whole pounds, or a percentage ('<5' as it is)."""
    if isinstance(value, str):
        return value
    return {"count": count, "money": money, "pct": pct}[kind](value)


def target_progress_text(target: dict[str, Any]) -> str:
    """Where a target stands, in one sentence: '124 so far (Apr–Jun 2026 to Jul–Sep 2026); 100 expected by now.'"""
    if target["status"] == "not_started":
        return f"No data yet for its quarters ({target['period_label']})."
    if target["status"] == "unknown":
        shown = target["figure"] if isinstance(target["figure"], str) else "no figure"
        return f"{shown} so far ({target['period_label']}): too few to say how far it has come."
    text = f"{target_figure(target['figure'], target['kind'])} so far ({target['period_label']})"
    if target["expected_by_now"] is not None and target["status"] not in ("met", "missed"):
        text += f"; {target_figure(target['expected_by_now'], target['kind'])} expected by now"
    return text + "."


def target_share(target: dict[str, Any]) -> float | None:
    """How far an 'at least' target has come, 0 to 1, for a progress bar (None for 'at most' or no figure)."""
    if target["direction"] != "at_least" or not isinstance(target["figure"], int | float) or not target["value"]:
        return None
    return max(0.0, min(1.0, target["figure"] / target["value"]))

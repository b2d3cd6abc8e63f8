"""Breakdowns behind the initiative and local-spend pages: by quarter, the participant funnel, equality
monitoring, and spend by institution, category and supplier. Every function takes a figures.Selection,
follows figures_by_area's rules (active submissions, each event in the quarter of its own date, the supplier
register filling in what a payment lacks) and returns JSON-ready values: ints, pounds as floats to the penny,
None where a share has nothing to divide.
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from dashboard import contract, figures, parsing, registers, store

NOT_RECORDED = "Not recorded"
NOT_CATEGORISED = "Not categorised"
EQUALITY = {"age_band": contract.AGE_BANDS, "gender": contract.GENDERS, "ethnicity": contract.ETHNIC_GROUPS,
            "disability": contract.DISABILITY}
COHORT_FIELDS = ("starters", "starters_completed", "starters_with_job", "starters_in_post_6_months_reported",
                 "starters_in_post_6_months")
_AREA_GROUPS = [str(d) for d in range(1, 11)] + list(figures.GROUP_KEYS)


def _params(selection: figures.Selection, *, deciles: bool = True) -> dict[str, Any]:
    params = selection.params()
    if not deciles:  # DuckDB refuses a parameter the query does not use
        del params["imd_release"]
    return params


def _gbp(pence: int) -> float:
    return float(Decimal(int(pence)).scaleb(-2))


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(float(Decimal(int(part)) * 100 / Decimal(int(whole))), 2)


def _quarters(first: str, last: str) -> list[str]:
    return [parsing.shift_quarter(first, i) for i in range(parsing.quarters_between(first, last))]


def _group_key(area_group: str) -> str:
    """figures_by_area's area group as figures.report names it ('1'..'10', 'wales', 'unknown')."""
    return figures.GROUP_KEYS.get(area_group, area_group)


def _decile(area_group: str) -> int | None:
    return int(area_group) if area_group.isdigit() else None


# Spend


def _spend_figures(row: Any) -> dict[str, Any]:
    """Total, local, most-deprived-20%, SME, VCSE and unknown-location spend of a row in pence."""
    total, local, deprived, unknown = (int(row.spend_pence), int(row.local_pence), int(row.deprived_pence),
                                       int(row.unknown_pence))
    sme, vcse = int(row.sme_pence), int(row.vcse_pence)
    return {
        "spend_gbp": _gbp(total),
        "spend_local_gbp": _gbp(local),
        "spend_local_pct": _pct(local, total),
        "spend_most_deprived_20_gbp": _gbp(deprived),
        "spend_most_deprived_20_pct": _pct(deprived, total),
        "spend_sme_gbp": _gbp(sme),
        "spend_sme_pct": _pct(sme, total),
        "spend_vcse_gbp": _gbp(vcse),
        "spend_vcse_pct": _pct(vcse, total),
        "spend_unknown_location_gbp": _gbp(unknown),
        "spend_known_location_pct": _pct(total - unknown, total),
    }


def _largest_first(df: pd.DataFrame, label: str) -> pd.DataFrame:
    """Rows by spend, largest first; ties by label, so the order is stable."""
    return df.assign(_label=df[label].astype(str)).sort_values(["spend_pence", "_label"], ascending=[False, True])


def _institutions(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, network_id: str) -> list[dict[str, Any]]:
    names = store.run(con, "network_institutions", network_id=network_id)
    name_of = dict(zip(names["institution_id"], names["name"], strict=True))
    return [{"institution_id": r.institution_id, "institution_name": name_of.get(r.institution_id, r.institution_id),
             **_spend_figures(r)} for r in _largest_first(df, "institution_id").itertuples()]


def _categories(df: pd.DataFrame) -> list[dict[str, Any]]:
    df = df.assign(category=df["category"].fillna(NOT_CATEGORISED))
    return [{"category": r.category, **_spend_figures(r)} for r in _largest_first(df, "category").itertuples()]


def _flag(value: Any) -> bool | None:
    return None if pd.isna(value) else bool(value)


def spend_by_institution(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """One row per institution with spend in the selection, largest first: total, local, deprived, SME, VCSE."""
    return _institutions(con, store.run(con, "figures_by_institution", **_params(selection)), selection.network_id)


def spend_by_category(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """One row per expenditure category (blank as 'Not categorised'), largest spend first."""
    return _categories(store.run(con, "spend_by_category", **_params(selection)))


SOURCES = {  # where a payment's place came from, in the order shown
    "partner file": "Partner's own file",
    "coordinator": "Coordinator's supplier list",
    "companies_house": "Companies House",
    "charity_commission": "Charity Commission",
    "oscr": "Scottish Charity Regulator",
    "fca_mutuals": "FCA Mutuals Public Register",
    "redacted": "Redacted payee",
    "unknown": "Location unknown",
}


def spend_by_source(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """The selection's spend by where its place came from (SOURCES, in that order), with each one's share.

    A register's entry also names the date of the register loaded ('Companies House, 1 November 2026').
    """
    df = store.run(con, "spend_by_source", **_params(selection, deciles=False))
    releases = {r["register"]: r["release_date"] for r in registers.status(con)}
    pence = {source: int(Decimal(str(gbp)) * 100) for source, gbp in zip(df["source"], df["spend_gbp"], strict=True)}
    total = sum(pence.values())
    rows = []
    for source, label in SOURCES.items():
        if source not in pence:
            continue
        if source in releases:
            label = f"{label}, register of {dt.date.fromisoformat(releases[source]):%-d %B %Y}"
        rows.append({"source": source, "source_label": label, "spend_gbp": _gbp(pence[source]),
                     "spend_pct": _pct(pence[source], total)})
    return rows


def top_suppliers(con: duckdb.DuckDBPyConnection, selection: figures.Selection, limit: int = 10
                  ) -> list[dict[str, Any]]:
    """The limit largest suppliers by spend, each with where it is (local yes/no/unknown, decile) and its flags.

    A supplier is its supplier register entry, or else its normalised name. Its name and place are those of
    the largest part of its spend, its SME and VCSE flags those of the largest part that has them (None: never
    known).
    """
    df = store.run(con, "top_suppliers", **_params(selection), limit=limit)
    return [{
        "supplier_name": r.supplier_name,
        "is_local": ("yes" if r.is_local else "no") if r.area_group != "unknown" else "unknown",
        "area_group": _group_key(r.area_group),
        "imd_decile": _decile(r.area_group),
        "is_sme": _flag(r.is_sme),
        "is_vcse": _flag(r.is_vcse),
        **_spend_figures(r),
    } for r in df.itertuples()]


# Participants


def _cohort_figures(df: pd.DataFrame) -> dict[str, Any]:
    sums = {f: int(df[f].sum()) for f in COHORT_FIELDS}
    return {
        **sums,
        "completed_pct": _pct(sums["starters_completed"], sums["starters"]),
        "with_job_pct": _pct(sums["starters_with_job"], sums["starters"]),
        "in_post_6_months_reported_pct": _pct(sums["starters_in_post_6_months_reported"], sums["starters_with_job"]),
        "in_post_6_months_pct": _pct(sums["starters_in_post_6_months"], sums["starters_in_post_6_months_reported"]),
    }


def funnel(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> dict[str, Any]:
    """The participant journey of a COHORT: the people who started in the range, and what they went on to do.

    starters started in the range; starters_completed, starters_with_job and starters_in_post_6_months count
    those same people's outcomes recorded so far, whatever their date, and starters_in_post_6_months_reported
    those with a job whose partner followed up at six months (in_post_6_months_pct is of those). This differs
    from report's completions and jobs_filled, which count every event dated in the range, whoever started when.
    Returned in total, by area group (deciles 1..10 of the release, then Wales, Scotland, Northern Ireland and
    unknown), by institution (largest cohort first) and by start quarter (every quarter of the range).
    """
    df = store.run(con, "cohort_funnel", **_params(selection))
    empty = df.iloc[0:0]
    by_decile = []
    for group in _AREA_GROUPS:
        rows = df[df["area_group"] == group]
        by_decile.append({"group": _group_key(group), "imd_decile": _decile(group), **_cohort_figures(rows)})
    names = store.run(con, "network_institutions", network_id=selection.network_id)
    name_of = dict(zip(names["institution_id"], names["name"], strict=True))
    sizes = df.groupby("institution_id")["starters"].sum()
    by_institution = [{"institution_id": key, "institution_name": name_of.get(key, key),
                       **_cohort_figures(df[df["institution_id"] == key])}
                      for key in sorted(sizes.index, key=lambda k: (-int(sizes[k]), k))]
    by_start_quarter = [{"start_quarter": q, **_cohort_figures(df[df["start_quarter"] == q] if len(df) else empty)}
                        for q in _quarters(selection.from_quarter, selection.to_quarter)]
    return {"cohort": "participants who started in the range", "from_quarter": selection.from_quarter,
            "to_quarter": selection.to_quarter, "total": _cohort_figures(df), "by_decile": by_decile,
            "by_institution": by_institution, "by_start_quarter": by_start_quarter}


def equality(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """Participants (started in the range) and jobs filled (dated in the range) by each equality characteristic.

    One row per characteristic and value: every value the contract allows, in its order, then 'Not recorded'
    for blanks; each characteristic's rows add up to report's participants and jobs_filled.
    """
    df = store.run(con, "equality_breakdown", **_params(selection, deciles=False))
    out = []
    for characteristic, allowed in EQUALITY.items():
        rows = df[df["characteristic"] == characteristic].set_index("value")
        seen = list(allowed) + [v for v in rows.index if v not in allowed and v != NOT_RECORDED] + [NOT_RECORDED]
        total_people, total_jobs = int(rows["participants"].sum()), int(rows["jobs_filled"].sum())
        for value in seen:
            people = int(rows.at[value, "participants"]) if value in rows.index else 0
            jobs = int(rows.at[value, "jobs_filled"]) if value in rows.index else 0
            out.append({"characteristic": characteristic, "value": value, "participants": people,
                        "participants_pct": _pct(people, total_people), "jobs_filled": jobs,
                        "jobs_filled_pct": _pct(jobs, total_jobs)})
    return out


# Over time


def by_quarter(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """One row per quarter of the range (zeros where nothing happened), events counted in their own quarter.

    The cumulative_* fields run from the network's first quarter with any data (or the range's start, if
    earlier), not from the range's start: a range starting later still shows the totals since the beginning.
    """
    span = figures.data_quarters(con, selection.network_id)
    first = min(span[0], selection.from_quarter) if span else selection.from_quarter
    history = replace(selection, from_quarter=first)
    sums = store.run(con, "figures_by_quarter", **_params(history)).set_index("quarter")
    running: dict[str, int] = {}
    out = []
    for quarter in _quarters(first, selection.to_quarter):
        row: dict[str, Any] = {"quarter": quarter}
        for field in ("participants", "completions", "jobs_filled"):
            row[field] = int(sums.at[quarter, field]) if quarter in sums.index else 0
        paid = sums.loc[quarter] if quarter in sums.index else None
        pence = {key: 0 if paid is None else int(paid[column]) for key, column in (
            ("spend_gbp", "spend_pence"), ("spend_local_gbp", "local_pence"),
            ("spend_most_deprived_20_gbp", "deprived_pence"), ("spend_unknown_location_gbp", "unknown_pence"))}
        row.update({k: _gbp(v) for k, v in pence.items()})
        row["spend_known_location_pct"] = _pct(pence["spend_gbp"] - pence["spend_unknown_location_gbp"],
                                               pence["spend_gbp"])
        for field, value in [(f, row[f]) for f in ("participants", "completions", "jobs_filled")] + list(
                pence.items()):
            if field == "spend_unknown_location_gbp":
                continue
            running[field] = running.get(field, 0) + value
            total = running[field]
            row[f"cumulative_{field}"] = _gbp(total) if field.endswith("_gbp") else total
        if quarter >= selection.from_quarter:
            out.append(row)
    return out

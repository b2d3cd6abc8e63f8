"""The figures of the product: participants, jobs and spend by IMD decile for a selection."""

import datetime as dt
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from dashboard import parsing, store

IMD_RELEASES = {
    "IoD2025": {"lsoa_vintage": 2021, "title": "English Indices of Deprivation 2025"},
    "IoD2019": {"lsoa_vintage": 2011, "title": "English Indices of Deprivation 2019"},
}
DEFAULT_RELEASE = "IoD2025"
MOST_DEPRIVED_DECILES = (1, 2)
GROUP_KEYS = {"Wales": "wales", "Scotland": "scotland", "Northern Ireland": "northern_ireland",
              "unknown": "unknown"}
# The area groups of figures_by_area, in the order every table and chart lists them; and what each row holds.
AREA_GROUPS = (*(str(decile) for decile in range(1, 11)), *GROUP_KEYS)
_COUNTS = ("participants", "completions", "jobs_filled", "starters_with_job")
_SUMS = ("spend_gbp", "spend_local_gbp", "spend_sme_gbp", "spend_sme_known_gbp", "spend_vcse_gbp",
         "spend_vcse_known_gbp")


@dataclass(frozen=True)
class Selection:
    """What a figure is about: a network, optionally one initiative or institution, a quarter range."""

    network_id: str
    from_quarter: str
    to_quarter: str
    initiative_id: str | None = None
    institution_id: str | None = None
    imd_release: str = DEFAULT_RELEASE

    def params(self) -> dict[str, Any]:
        """The query parameters for this selection."""
        if self.imd_release not in IMD_RELEASES:
            raise store.StoreError(f"Unknown IoD release '{self.imd_release}': use one of {', '.join(IMD_RELEASES)}")
        date_from, _ = parsing.quarter_bounds(self.from_quarter)
        _, date_to = parsing.quarter_bounds(self.to_quarter)
        if date_from > date_to:
            raise store.StoreError(f"The quarter range {self.from_quarter} to {self.to_quarter} is backwards")
        return {"network_id": self.network_id, "initiative_id": self.initiative_id,
                "institution_id": self.institution_id, "date_from": date_from, "date_to": date_to,
                "imd_release": self.imd_release}

    def previous(self) -> "Selection":
        """The period of the same length just before this one."""
        length = parsing.quarters_between(self.from_quarter, self.to_quarter)
        return replace(self, from_quarter=parsing.shift_quarter(self.from_quarter, -length),
                       to_quarter=parsing.shift_quarter(self.from_quarter, -1))


def by_area(con: duckdb.DuckDBPyConnection, selection: Selection) -> list[dict[str, Any]]:
    """One row per decile 1..10, then Wales, Scotland, Northern Ireland and unknown location (zero where the
    selection has nothing there)."""
    found = {row["area_group"]: row for row in store.rows(con, "figures_by_area", **selection.params())}
    return [found.get(group) or {"area_group": group, "imd_decile": int(group) if group.isdigit() else None,
                                 **dict.fromkeys(_COUNTS, 0), **dict.fromkeys(_SUMS, Decimal("0.00"))}
            for group in AREA_GROUPS]


def data_quarters(con: duckdb.DuckDBPyConnection, network_id: str) -> tuple[str, str] | None:
    """The first and last quarter in which the network has any recorded event, or None."""
    span = store.run(con, "network_data_span", network_id=network_id)
    first, last = span["first_date"].iloc[0], span["last_date"].iloc[0]
    if pd.isna(first):
        return None
    return parsing.quarter_of(pd.Timestamp(first).date()), parsing.quarter_of(pd.Timestamp(last).date())


def _pct(part: Any, whole: Any) -> float | None:
    return None if not whole else round(float(Decimal(part) * 100 / Decimal(whole)), 2)


def _gbp(value: Any) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def _is_deprived(row: dict[str, Any]) -> bool:
    return row["imd_decile"] in MOST_DEPRIVED_DECILES


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline figures from the by-area rows; totals are sums of the groups, so they always agree."""

    def total(field: str, keep=lambda row: True) -> Any:
        return sum((row[field] for row in rows if keep(row)), 0)

    people = total("participants")
    jobs = total("jobs_filled")
    spend_total = Decimal(total("spend_gbp"))
    unknown = total("spend_gbp", lambda row: row["area_group"] == "unknown")
    deprived_spend = total("spend_gbp", _is_deprived)
    return {
        "participants": int(people),
        "completions": int(total("completions")),
        "jobs_filled": int(jobs),
        "conversion_rate_pct": _pct(total("starters_with_job"), people),
        "participants_most_deprived_20_pct": _pct(total("participants", _is_deprived), people),
        "jobs_filled_most_deprived_20_pct": _pct(total("jobs_filled", _is_deprived), jobs),
        "spend_total_gbp": _gbp(spend_total),
        "spend_local_gbp": _gbp(total("spend_local_gbp")),
        "spend_local_pct": _pct(total("spend_local_gbp"), spend_total),
        "spend_most_deprived_20_gbp": _gbp(deprived_spend),
        "spend_most_deprived_20_pct": _pct(deprived_spend, spend_total),
        "spend_unknown_location_gbp": _gbp(unknown),
        "spend_known_location_pct": _pct(spend_total - Decimal(unknown), spend_total),
        "spend_sme_gbp": _gbp(total("spend_sme_gbp")),
        "spend_sme_pct": _pct(total("spend_sme_gbp"), spend_total),
        "spend_sme_flagged_pct": _pct(total("spend_sme_known_gbp"), spend_total),
        "spend_vcse_gbp": _gbp(total("spend_vcse_gbp")),
        "spend_vcse_pct": _pct(total("spend_vcse_gbp"), spend_total),
        "spend_vcse_flagged_pct": _pct(total("spend_vcse_known_gbp"), spend_total),
    }


def report(con: duckdb.DuckDBPyConnection, selection: Selection) -> dict[str, Any]:
    """Every figure for a selection, as the JSON that `report --json` prints."""
    found = store.rows(con, "network_definition", network_id=selection.network_id)
    if not found:
        known = ", ".join(store.run(con, "networks")["network_id"]) or "none loaded"
        raise store.StoreError(f"No network '{selection.network_id}' (known: {known})")
    network = found[0]
    params = selection.params()
    area = by_area(con, selection)
    release = IMD_RELEASES[selection.imd_release]
    by_decile = []
    for row in area:
        is_decile = row["imd_decile"] is not None
        by_decile.append({
            "group": str(int(row["imd_decile"])) if is_decile else GROUP_KEYS[row["area_group"]],
            "imd_decile": int(row["imd_decile"]) if is_decile else None,
            "participants": int(row["participants"]),
            "completions": int(row["completions"]),
            "jobs_filled": int(row["jobs_filled"]),
            "spend_gbp": _gbp(row["spend_gbp"]),
            "spend_local_gbp": _gbp(row["spend_local_gbp"]),
        })
    return {
        "network_id": selection.network_id,
        "network_name": network["name"],
        "is_demo": bool(network["is_demo"]),
        "initiative_id": selection.initiative_id,
        "institution_id": selection.institution_id,
        "from_quarter": selection.from_quarter,
        "to_quarter": selection.to_quarter,
        "year_start": str(network["year_start"]),
        "period_label": parsing.quarter_span(selection.from_quarter, selection.to_quarter,
                                             str(network["year_start"])),
        "date_from": params["date_from"].isoformat(),
        "date_to": params["date_to"].isoformat(),
        "imd_release": selection.imd_release,
        "imd_release_title": release["title"],
        "lsoa_vintage": release["lsoa_vintage"],
        **summarise(area),
        "by_decile": by_decile,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def selection_dict(selection: Selection) -> dict[str, Any]:
    """The selection as plain values (for caching keys and URLs)."""
    return asdict(selection)

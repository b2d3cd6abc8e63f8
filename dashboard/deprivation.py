"""Deprivation beyond England's deciles: Wales's and Scotland's own indices, quintiles, and representation."""

from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from dashboard import figures, refdata, store, summaries

NATION_INDICES = {
    "WIMD2019": {"nation": "Wales", "label": "WIMD 2019", "title": "Welsh Index of Multiple Deprivation 2019",
                 "areas": "LSOAs (2011)", "area_count": 1909,
                 "decile_rule": "decile = floor((rank - 1) x 10 / 1,909) + 1, so decile 1 is ranks 1-191 "
                                "(the Welsh Government's 10% most deprived), each decile 190 or 191 LSOAs"},
    "SIMD2020v2": {"nation": "Scotland", "label": "SIMD 2020v2",
                   "title": "Scottish Index of Multiple Deprivation 2020v2",
                   "areas": "data zones (2011)", "area_count": 6976,
                   "decile_rule": "decile = ceil(rank x 10 / 6,976), so decile 1 is ranks 1-697 "
                                  "(the Scottish Government's convention), each decile 697 or 698 data zones"},
}
CORE20_QUINTILE = 1
GROUPINGS = ("decile", "quintile")

_NUMERATOR = ("Shares are of participants starting (and jobs filled) in the period by people living in the "
              "network's area (the LSOAs of its districts) in ranked English LSOAs; people elsewhere, in Wales, "
              "Scotland or at an unknown address are left out, so numerator and denominator cover one population.")
_DENOMINATORS = {
    "IoD2019": {
        "source": "published",
        "text": "Working-age population (18-59/64, mid-2015, excluding prisoners) of each LSOA (2011), as "
                "published in the English Indices of Deprivation 2019, File 6: population denominators.",
    },
    "IoD2025": {
        "source": "proxy",
        "text": "The English Indices of Deprivation 2025 come with no population denominators in the reference "
                "data, so a proxy is used: the IoD2019 File 6 working-age population (18-59/64, mid-2015) of each "
                "LSOA (2011), carried to LSOA (2021) through the ONS exact-fit lookup. An unchanged LSOA keeps "
                "its population; a merged 2021 LSOA takes the sum of its 2011 parts; a split 2011 LSOA's "
                "population is divided equally among its 2021 pieces (and a complex change is divided equally, "
                "then summed). The populations are 2015 ones, not 2021 ones.",
    },
}


def nation_deciles(con: duckdb.DuckDBPyConnection, selection: figures.Selection) -> list[dict[str, Any]]:
    """People and payments in Wales and Scotland by that nation's own index decile (None: not ranked or known)."""
    params = selection.params()
    del params["imd_release"]  # England's release plays no part: each nation has its own index
    rows = []
    for row in store.run(con, "nation_deciles", **params).itertuples():
        rows.append({
            "nation": row.nation,
            "index": NATION_INDICES[row.index_name]["label"],
            "decile": None if pd.isna(row.decile) else int(row.decile),
            "participants": int(row.participants),
            "completions": int(row.completions),
            "jobs_filled": int(row.jobs_filled),
            "spend_gbp": _gbp(row.spend_gbp),
        })
    return rows


def _gbp(value: Any) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def quintile_of(imd_decile: int) -> int:
    """The quintile (1 = most deprived 20%, Core20) holding a decile."""
    return (int(imd_decile) + 1) // 2


def quintiles(by_decile: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's by_decile rows folded into quintiles 1..5 (1 = Core20), then the non-ranked groups unchanged."""
    ranked = [row for row in by_decile if row.get("imd_decile") is not None]
    others = [row for row in by_decile if row.get("imd_decile") is None]
    fields = [key for key, value in (ranked[0] if ranked else {}).items()
              if key not in ("group", "imd_decile") and isinstance(value, int | float) and not isinstance(value, bool)]
    folded = []
    for quintile in range(1, 6):
        rows = [row for row in ranked if quintile_of(row["imd_decile"]) == quintile]
        out: dict[str, Any] = {"group": f"q{quintile}", "imd_quintile": quintile,
                               "imd_deciles": [2 * quintile - 1, 2 * quintile],
                               "is_core20": quintile == CORE20_QUINTILE}
        for field in fields:
            values = [row[field] for row in rows]
            # Money is summed as decimals so quintile totals match the deciles' to the penny.
            out[field] = (_gbp(sum(Decimal(str(v)) for v in values)) if field.endswith("_gbp")
                          else sum(values))
        folded.append(out)
    return folded + others


def _share(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _ratio(share: float | None, population_share: float | None) -> float | None:
    return None if share is None or not population_share else share / population_share


def representation(con: duckdb.DuckDBPyConnection, selection: figures.Selection,
                   grouping: str = "decile") -> dict[str, Any]:
    """Participants and jobs per IMD decile (or quintile) against its share of the area's working-age people."""
    if grouping not in GROUPINGS:
        raise store.StoreError(f"Unknown grouping '{grouping}': use one of {', '.join(GROUPINGS)}")
    # The area's population by decile depends on the reference data and the network's districts alone.
    population = summaries.kept(con, selection.network_id, ("population", selection.imd_release), lambda: store.run(
        con, "representation_population", network_id=selection.network_id, imd_release=selection.imd_release))
    df = store.run(con, "representation", **selection.params()).merge(population, on="imd_decile", how="left")
    key = "imd_decile"
    if grouping == "quintile":
        key = "imd_quintile"
        df = df.assign(imd_quintile=df["imd_decile"].map(quintile_of)).groupby(key, as_index=False)[
            ["participants", "jobs_filled", "working_age_population"]].sum()
    participants_total = int(df["participants"].sum())
    jobs_total = int(df["jobs_filled"].sum())
    population_total = float(df["working_age_population"].sum())
    rows = []
    for row in df.itertuples():
        participants_share = _share(int(row.participants), participants_total)
        jobs_share = _share(int(row.jobs_filled), jobs_total)
        population_share = _share(float(row.working_age_population), population_total)
        rows.append({
            key: int(getattr(row, key)),
            "participants": int(row.participants),
            "participants_share": participants_share,
            "jobs_filled": int(row.jobs_filled),
            "jobs_share": jobs_share,
            "working_age_population": round(float(row.working_age_population), 2),
            "population_share": population_share,
            "participants_ratio": _ratio(participants_share, population_share),
            "jobs_ratio": _ratio(jobs_share, population_share),
        })
    release = figures.IMD_RELEASES[selection.imd_release]
    return {
        "imd_release": selection.imd_release,
        "lsoa_vintage": release["lsoa_vintage"],
        "grouping": grouping,
        "rows": rows,
        "participants_in_area": participants_total,
        "jobs_filled_in_area": jobs_total,
        "working_age_population": round(population_total, 2),
        "numerator": _NUMERATOR,
        "denominator": {**_DENOMINATORS[selection.imd_release], "population": "working age (18-59/64)",
                        "population_year": "mid-2015", "lsoa_vintage": release["lsoa_vintage"]},
        "ratio_meaning": "1.0 means in proportion to the area's working-age population; above 1.0, "
                         "over-represented; None where the group has no population in the area or nobody was counted.",
    }


def methodology_facts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the methodology page says about Welsh and Scottish deprivation, quintiles and representation."""
    loaded = {row["index_name"]: row for row in store.run(con, "refdata_nation_indices").to_dict("records")}
    zones = store.run(con, "refdata_data_zones").iloc[0]
    scottish_postcodes, with_zone = int(zones["scottish_postcodes"]), int(zones["with_data_zone"])
    indices = []
    for index_name, facts in NATION_INDICES.items():
        row = loaded.get(index_name)
        indices.append({
            "index_name": index_name, "label": facts["label"], "title": facts["title"], "nation": facts["nation"],
            "areas": facts["areas"], "loaded": row is not None,
            "area_count": int(row["area_count"]) if row else 0,
            "decile_rule": facts["decile_rule"],
            "population_published": bool(row["has_population"]) if row else False,
        })
    return {
        "nation_indices": indices,
        "never_pooled": "Welsh and Scottish areas are shown in their own nation's deciles, each ranked within "
                        "that nation only; they are never put on England's scale or added to England's deciles.",
        "wales_assignment": "Welsh people and payments carry an LSOA (2011), which WIMD 2019 ranks directly; one "
                            "known only by its 2021 LSOA takes the decile of its 2011 parts when they agree "
                            "(else it is counted as not known).",
        "scotland_data_zones_available": with_zone > 0,
        "scottish_postcodes": scottish_postcodes,
        "scottish_postcodes_with_data_zone": with_zone,
        "scotland_assignment": (
            "The reference data holds no Scottish boundaries, so a Scottish postcode can be given a data zone "
            "only by the ONS postcode lookup (NSPL/ONSPD), whose 2011 LSOA column holds the data zone for "
            "Scotland. "
            + (f"It was loaded: {with_zone:,} of {scottish_postcodes:,} Scottish postcodes have a data zone, "
               "so Scottish suppliers with a postcode are ranked by SIMD."
               if with_zone else
               "It was not loaded, so Scottish suppliers are counted under Scotland with decile not known.")
            + " Participants' records keep no full postcode or data zone, so Scottish participants are always "
              "counted with decile not known."
        ),
        "quintiles": "Quintile 1 is deciles 1-2 (Core20: the 20% most deprived areas), quintile 2 deciles 3-4, "
                     "and so on to quintile 5 (deciles 9-10).",
        "representation_numerator": _NUMERATOR,
        "representation_denominators": {release: facts["text"] for release, facts in _DENOMINATORS.items()},
        "reference_loaded": refdata.is_loaded(con),
    }

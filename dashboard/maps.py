"""Maps by deprivation: the figures per LSOA and the boundaries to draw them with, all offline."""

import functools
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import access, config, figures, refdata, store, summaries

# The boundaries the IMD release ranks: IoD2025 uses 2021 LSOAs, IoD2019 those of 2011.
BOUNDARY_KIND = {2021: "lsoa21", 2011: "lsoa11"}
LAYERS = ("imd_decile", "participants", "jobs_filled", "spend_gbp")
FIGURE_COLUMNS = ["participants", "completions", "jobs_filled", "spend_gbp"]
# dashboard/static/ is served at /app/static/ (enableStaticServing), so the browser fetches England once.
STATIC_GEO_DIR = config.REPO_DIR / "dashboard" / "static" / "geo"
STATIC_GEO_URL = "/app/static/geo/"
# Bump when the England file's contents change, so every copy is rewritten.
ENGLAND_VERSION = "england-1"


def boundary_kind(imd_release: str) -> str:
    """'lsoa21' or 'lsoa11': the boundaries whose areas the release gives deciles to."""
    return BOUNDARY_KIND[figures.IMD_RELEASES[imd_release]["lsoa_vintage"]]


PEOPLE_COLUMNS = ("participants", "completions", "jobs_filled")


def lsoa_figures(con: duckdb.DuckDBPyConnection, selection: figures.Selection, *,
                 scope: access.Scope) -> pd.DataFrame:
    """One row per English LSOA of the release's vintage: name, district, decile, in_network_area, figures.

    Counts of people per LSOA are too fine for disclosure-controlled readers: theirs come back empty (NA).
    """
    access.require_read(scope, selection.network_id, selection.institution_id, selection.initiative_id)
    # The areas depend on the reference data alone: read once until it is loaded again.
    areas = summaries.kept(con, None, ("lsoa areas", selection.imd_release), lambda: store.run(
        con, "lsoa_areas", imd_release=selection.imd_release))
    districts = store.run(con, "network_districts", network_id=selection.network_id)["lad24_code"]
    placed = store.run(con, "figures_by_lsoa", **selection.params())
    df = areas.assign(in_network_area=areas["lad24_code"].isin(districts)).merge(placed, on="lsoa_code", how="left")
    for column in PEOPLE_COLUMNS:
        df[column] = df[column].fillna(0).astype("int64")
    df["spend_gbp"] = df["spend_gbp"].astype("float64").fillna(0.0)
    if not access.exact_figures(scope, selection.network_id, selection.institution_id):
        for column in PEOPLE_COLUMNS:
            if column in df.columns:
                df[column] = pd.array([pd.NA] * len(df), dtype="Int64")
    return df


@functools.lru_cache(maxsize=4)
def _features(path: str, modified_ns: int) -> dict[str, dict]:
    """The features of a boundaries file by area code (read once per file version)."""
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    return {feature["id"]: feature for feature in collection["features"]}


def _boundaries(kind: str) -> dict[str, dict]:
    path = refdata.boundaries_path(kind)
    return _features(str(path), path.stat().st_mtime_ns)


def _properties(row: Any) -> dict[str, Any]:
    # Hover reads the name, district and decile from the geometry, so reruns send only codes and values.
    return {"lsoa_name": row.lsoa_name, "lad24_name": row.lad24_name or "", "imd_decile": int(row.imd_decile)}


def area_geojson(lsoa_df: pd.DataFrame, imd_release: str) -> dict[str, Any]:
    """A FeatureCollection of the given LSOAs (id = LSOA code) with name, district and decile properties."""
    features = _boundaries(boundary_kind(imd_release))
    out = []
    for row in lsoa_df.itertuples():
        feature = features.get(row.lsoa_code)
        if feature is not None:
            out.append({"type": "Feature", "id": row.lsoa_code, "properties": _properties(row),
                        "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": out}


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def lad_outlines(lad24_codes: list[str]) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of the districts' boundary rings, None between rings (one line trace)."""
    features = _boundaries("lad24")
    lons: list[float | None] = []
    lats: list[float | None] = []
    for code in lad24_codes:
        if code not in features:
            continue
        for ring in _rings(features[code]["geometry"]):
            lons += [point[0] for point in ring] + [None]
            lats += [point[1] for point in ring] + [None]
    return lons, lats


def bounds(geojson: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a FeatureCollection, or None when it has no features."""
    lons, lats = [], []
    for feature in geojson["features"]:
        for ring in _rings(feature["geometry"]):
            lons += [point[0] for point in ring]
            lats += [point[1] for point in ring]
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def mapped_table(lsoa_df: pd.DataFrame) -> pd.DataFrame:
    """The mapped values as a download: one row per LSOA, named columns, decile first."""
    return lsoa_df[["lsoa_code", "lsoa_name", "lad24_code", "lad24_name", "imd_decile", *FIGURE_COLUMNS]]


# --- England as one static file ------------------------------------------------------------------------------------

def england_file(imd_release: str) -> Path:
    """Where the England-wide boundaries of a release's LSOAs are served from."""
    return STATIC_GEO_DIR / f"england-{imd_release}.geojson"


def england_url(imd_release: str) -> str:
    """The address the browser fetches the England-wide boundaries from."""
    return STATIC_GEO_URL + england_file(imd_release).name


ENGLAND_DISTRICTS_FILE = STATIC_GEO_DIR / "england-lad24.geojson"
ENGLAND_DISTRICTS_URL = STATIC_GEO_URL + ENGLAND_DISTRICTS_FILE.name


def _write_text(path: Path, text: str) -> None:
    refdata.write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_england_districts() -> dict[str, Any]:
    """Write England's district (LAD 2024) boundaries to the static folder, for outlines over the England map."""
    features = _boundaries("lad24")
    key = hashlib.sha256((ENGLAND_VERSION + refdata.boundaries_path("lad24").with_suffix(".key").read_text())
                         .encode()).hexdigest()[:20]
    key_path = ENGLAND_DISTRICTS_FILE.with_suffix(".key")
    cached = ENGLAND_DISTRICTS_FILE.is_file() and key_path.is_file() and key_path.read_text().strip() == key
    english = [feature for code, feature in features.items() if code.startswith("E")]
    if not cached:
        text = json.dumps({"type": "FeatureCollection", "features": english}, separators=(",", ":"))
        _write_text(ENGLAND_DISTRICTS_FILE, text)
        _write_text(key_path, key)
    return {"path": str(ENGLAND_DISTRICTS_FILE), "features": len(english),
            "bytes": ENGLAND_DISTRICTS_FILE.stat().st_size, "cached": cached}


def _england_key(imd_release: str, areas_df: pd.DataFrame) -> str:
    kind = boundary_kind(imd_release)
    boundary_key = refdata.boundaries_path(kind).with_suffix(".key")
    digest = hashlib.sha256(ENGLAND_VERSION.encode())
    digest.update(boundary_key.read_bytes() if boundary_key.is_file() else b"")
    digest.update(pd.util.hash_pandas_object(areas_df, index=False).values.tobytes())
    return digest.hexdigest()[:20]


def write_england_geometry(con: duckdb.DuckDBPyConnection, imd_release: str) -> dict[str, Any]:
    """Write the release's 30,000-odd English LSOAs to the static folder unless it is already current."""
    started = time.monotonic()
    areas_df = store.run(con, "lsoa_names", imd_release=imd_release)
    path = england_file(imd_release)
    key_path = path.with_suffix(".key")
    key = _england_key(imd_release, areas_df)
    cached = path.is_file() and key_path.is_file() and key_path.read_text().strip() == key
    if not cached:
        collection = area_geojson(areas_df, imd_release)
        text = json.dumps(collection, separators=(",", ":"))
        _write_text(path, text)
        _write_text(key_path, key)
    return {"path": str(path), "features": len(areas_df), "bytes": path.stat().st_size, "cached": cached,
            "seconds": round(time.monotonic() - started, 2)}


def ensure_england_geometry(db: Path | None = None) -> dict[str, dict[str, Any]]:
    """The England-wide map file of every loaded IoD release, written once (the set-up step calls this)."""
    with store.connect(db) as con:
        cur = con.cursor()
        releases = store.run(cur, "refdata_releases")["imd_release"].tolist()
        written = {release: write_england_geometry(cur, release) for release in releases
                   if release in figures.IMD_RELEASES}
    return {**written, "lad24": write_england_districts()}

"""Reference geography: build the ref_* tables from the publishers' files, once per set of files."""

import fnmatch
import hashlib
import os
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import geopandas as gpd
import pandas as pd
from tqdm import tqdm

from dashboard import config, postcodes, store, summaries

# Bump when the postcode join or the map simplification changes, so cached results are rebuilt.
CODE_VERSION = "refdata-2"

NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
BNG = "EPSG:27700"  # British National Grid, metres: Code-Point's own grid
NEAREST_LSOA_M = 500  # coastal and estuary postcodes fall just outside the clipped LSOA polygons
NEAREST_LAD_M = 2000
NO_COORDINATES = 90  # Code-Point positional quality: no usable location
BOUNDARY_KINDS = ("lsoa21", "lsoa11", "lad24")
# The boundaries are already generalised by ONS; simplifying keeps shared edges shared and drops slivers.
SIMPLIFY_M = {"lsoa21": 10, "lsoa11": 10, "lad24": 50}

MISSING_MESSAGE = (
    "The reference data (IMD deciles, LSOAs and postcodes) is not loaded yet. Run `make run`, which loads it "
    "on first start, or `python -m dashboard refdata load --from DIR` with the official files in DIR, or "
    "`python -m dashboard refdata fetch` to download them first."
)
_WHAT_TO_DO = (
    "Run `python -m dashboard refdata fetch` to download the official files, or "
    "`python -m dashboard refdata load --from DIR` with DIR laid out as data/reference_manifest.csv lists."
)
_LSOA_CODE = r"^[EW]01\d{6}$"


class RefdataError(store.StoreError):
    """Reference files missing, unrecognised or inconsistent; the message says what to do."""


@dataclass(frozen=True)
class _Source:
    dataset: str
    what: str
    path: str  # where the reference layout keeps it
    names: tuple[str, ...] = ()  # publisher file names (lower-case globs, matched in any folder)


_SOURCES = (
    _Source("imd2025", "English Indices of Deprivation 2025, File 1 (xlsx)",
            "imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
            ("file_1_iod2025_index_of_multiple_deprivation*.xlsx",)),
    _Source("imd2019", "English Indices of Deprivation 2019, File 1 (xlsx)",
            "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
            ("file_1_*imd2019_index_of_multiple_deprivation*.xlsx",)),
    _Source("population2019", "English Indices of Deprivation 2019, File 6: population denominators (xlsx)",
            "imd2019/File_6_-_IoD2019_Population_Denominators.xlsx",
            ("file_6_*iod2019_population_denominators*.xlsx",)),
    _Source("lsoa21_lookup", "ONS LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW (csv)",
            "lookups/lsoa21_ward24_lad24/derived/lookup_lsoa21_ward24_ltla24.csv",
            ("lsoa21_wd24_lad24_ew_lu*.csv", "lsoa_(2021)_to_electoral_ward_(2024)_to_lad_(2024)*.csv")),
    _Source("lsoa11_lsoa21_lookup", "ONS LSOA (2011) to LSOA (2021) to LAD (2022) Exact Fit Lookup for EW (csv)",
            "lookups/lsoa11_lsoa21_lad22/derived/lookup_lsoa11_lsoa21_ltla22.csv",
            ("lsoa11_lsoa21_lad22_ew_lu*.csv", "lsoa_(2011)_to_lsoa_(2021)_to_local_authority_district_(2022)*.csv")),
    _Source("lsoa11_lookup", "ONS Lower Layer Super Output Area (2011) to Ward (2019) Lookup in EW (csv)",
            "lookups/ons_lsoa11_ward19_lad19_ew/135.csv",
            ("lsoa11_wd19_lad19_ew_lu*.csv", "lower_layer_super_output_area_(2011)_to_ward_(2019)*.csv")),
    _Source("lsoa21_boundaries", "ONS LSOA (December 2021) Boundaries EW BSC V4 (GeoPackage or GeoJSON)",
            "boundaries/lsoa2021_bsc_ew_v4/derived/boundaries_lsoa21.gpkg",
            ("lower_layer_super_output_areas_*2021_boundaries_ew_bsc*.gpkg",
             "lower_layer_super_output_areas_*2021_boundaries_ew_bsc*.geojson")),
    _Source("lsoa11_boundaries", "ONS LSOA (December 2011) Boundaries Super Generalised Clipped (BSC) EW V3 (GeoJSON)",
            "boundaries/lsoa2011_bsc_ew_v3/LSOA.geojson",
            ("lower_layer_super_output_areas_*2011*_boundaries_super_generalised_clipped*.geojson",)),
    _Source("lad24_boundaries", "ONS Local Authority Districts (May 2024) Boundaries UK BUC (GeoPackage or GeoJSON)",
            "boundaries/lad2024_buc_uk/derived/boundaries_ltla24.gpkg",
            ("local_authority_districts_*2024_boundaries_uk_buc*.gpkg",
             "local_authority_districts_*2024_boundaries_uk_buc*.geojson")),
)
# Wales's and Scotland's own indices: loaded when present, never required (England's figures do not need them).
_NATION_SOURCES = (
    _Source("wimd2019", "ONS Index of Multiple Deprivation (December 2019) Lookup in Wales: WIMD 2019 ranks (csv)",
            "wimd/ons_imd_dec2019_lookup_wales/006.csv",
            ("imd_dec_2019_lookup_in_wales*.csv",
             "index_of_multiple_deprivation_(december_2019)_lookup_in_wales*.csv")),
    _Source("simd2020v2", "Scottish Index of Multiple Deprivation 2020v2 ranks (xlsx)",
            "simd/SIMD+2020v2+-+ranks.xlsx",
            ("simd*2020v2*ranks*.xlsx",)),
)
OPTIONAL_DATASETS = tuple(source.dataset for source in _NATION_SOURCES)
_CODEPOINT_WHAT = "OS Code-Point Open (Data/CSV/<area>.csv[.gz] files, or codepo_gb.zip)"
_NSPL_NAMES = ("nspl*.csv", "onspd*.csv", "nspl*.zip", "onspd*.zip")


# --- finding and checking the files --------------------------------------------------------------------------------

def locate(source_dir: Path, *, required: bool = True) -> dict[str, list[Path]]:
    """The files load() reads from source_dir, by dataset; RefdataError names any missing (unless required=False)."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        if not required:
            return {}
        raise RefdataError(f"The reference directory {source_dir} does not exist. {_WHAT_TO_DO}")
    # os.walk, unlike Path.rglob, follows symlinked folders: a reference directory may be assembled from links.
    every = sorted(
        (Path(folder) / name).relative_to(source_dir).as_posix()
        for folder, _, names in os.walk(source_dir, followlinks=True) for name in names
    )
    found: dict[str, list[Path]] = {}
    missing = []
    for source in _SOURCES + _NATION_SOURCES:
        if (source_dir / source.path).is_file():
            found[source.dataset] = [source_dir / source.path]
            continue
        matches = [rel for rel in every if _name_matches(rel, source.names)]
        if len(matches) > 1:
            raise RefdataError(
                f"Several files in {source_dir} could be the {source.what}: {', '.join(matches)}. Keep one of them."
            )
        if matches:
            found[source.dataset] = [source_dir / matches[0]]
        elif source.dataset not in OPTIONAL_DATASETS:
            missing.append(f"{source.path} ({source.what})")
    codepoint = _codepoint_files(every)
    if codepoint:
        found["codepoint"] = [source_dir / rel for rel in codepoint]
    else:
        missing.append(f"postcodes/codepoint_open_trimmed/Data/CSV/*.csv.gz ({_CODEPOINT_WHAT})")
    if missing and required:
        raise RefdataError(
            f"Reference files missing from {source_dir}: " + "; ".join(missing) + f". {_WHAT_TO_DO}"
        )
    nspl = _nspl_files(every)
    if nspl:
        found["nspl"] = [source_dir / rel for rel in nspl]
    return found


def _name_matches(rel: str, patterns: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1].lower()
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def _codepoint_files(every: list[str]) -> list[str]:
    """Code-Point Open area files: gzipped (reference layout), as unzipped from OS, or OS's zip itself."""
    in_data_csv = [rel for rel in every if [p.lower() for p in rel.split("/")[-3:-1]] == ["data", "csv"]]
    for group in (
        [rel for rel in in_data_csv if rel.lower().endswith(".csv.gz")],
        [rel for rel in in_data_csv if rel.lower().endswith(".csv")],
        [rel for rel in every if _name_matches(rel, ("codepo_gb*.zip",))],
    ):
        if group:
            return group
    return []


def _nspl_files(every: list[str]) -> list[str]:
    """An ONS postcode lookup, if supplied: the single UK-wide file when there is one, else every part."""
    csvs = [rel for rel in every if _name_matches(rel, _NSPL_NAMES[:2])]
    found = csvs or [rel for rel in every if _name_matches(rel, _NSPL_NAMES[2:])]
    whole_uk = [rel for rel in found if rel.lower().rsplit(".", 1)[0].endswith("_uk")]
    return whole_uk or found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cache_key(kind: str, checksums: list[str]) -> str:
    """A key for a derived file: its inputs' contents and the code version, not their names or places."""
    text = "\n".join([CODE_VERSION, kind, *sorted(checksums)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# --- reading the published tables -----------------------------------------------------------------------------------

def _squash(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def _read_sheet(path: Path, rel: str, sheet: str, headers: dict[str, str]) -> pd.DataFrame:
    """Columns of one worksheet found by their published headers (by prefix: IoD2025 truncates one)."""
    try:
        df = pd.read_excel(path, sheet_name=sheet, engine="openpyxl")
    except ValueError as exc:
        raise RefdataError(f"{rel} has no sheet '{sheet}' ({exc}). Is it the right file? {_WHAT_TO_DO}") from exc
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise RefdataError(f"{rel} cannot be read as an Excel workbook: {exc}") from exc
    picked = {}
    for name, published in headers.items():
        match = [c for c in df.columns if _squash(c).startswith(_squash(published))]
        if len(match) != 1:
            raise RefdataError(
                f"{rel}, sheet '{sheet}': expected one column headed '{published}', found columns "
                f"{list(df.columns)}. The publisher may have changed the layout; this version cannot read it."
            )
        picked[name] = df[match[0]]
    return pd.DataFrame(picked).dropna(how="all")


def _pick_columns(df: pd.DataFrame, rel: str, aliases: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Rename a table's columns to ours, accepting each publisher spelling, in any case."""
    by_lower = {_squash(c): c for c in df.columns}
    picked = {}
    for name, spellings in aliases.items():
        match = next((by_lower[s] for s in spellings if s in by_lower), None)
        if match is None:
            raise RefdataError(
                f"{rel}: no column {' or '.join(spellings)} (found {list(df.columns)}). "
                "The publisher may have changed the layout; this version cannot read it."
            )
        picked[name] = df[match]
    return pd.DataFrame(picked)


def _read_csv(path: Path, rel: str, aliases: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise RefdataError(f"{rel} cannot be read as a CSV file: {exc}") from exc
    return _pick_columns(df, rel, aliases).dropna(how="all")


def _require(df: pd.DataFrame, rel: str, *, unique: str | None = None, pattern: dict[str, str] | None = None) -> None:
    """Stop on a table that is empty, has gaps, repeats its key or holds codes of the wrong form."""
    if df.empty:
        raise RefdataError(f"{rel} holds no rows.")
    gaps = df.columns[df.isna().any()].tolist()
    if gaps:
        raise RefdataError(f"{rel} has empty cells in {gaps}.")
    if unique and df[unique].duplicated().any():
        twice = df[unique][df[unique].duplicated()]
        raise RefdataError(f"{rel} lists {len(twice)} {unique} values twice, e.g. {twice.iloc[0]}.")
    for column, regex in (pattern or {}).items():
        bad = df[column][~df[column].astype(str).str.match(regex)]
        if not bad.empty:
            raise RefdataError(f"{rel}: unexpected {column} '{bad.iloc[0]}' ({len(bad)} such rows).")


def _nation_of(codes: pd.Series) -> pd.Series:
    """The nation named by the first letter of a GSS code (E01..., W06..., S12..., N09...)."""
    return codes.str[0].map(NATIONS)


def _imd(path: Path, rel: str, release: str) -> pd.DataFrame:
    """One IoD release's File 1: rank and decile for every LSOA in England."""
    if release == "IoD2025":
        sheet, lsoa_year, lad_year, vintage = "IMD25", 2021, 2024, 2021
    else:
        sheet, lsoa_year, lad_year, vintage = "IMD2019", 2011, 2019, 2011
    df = _read_sheet(path, rel, sheet, {
        "lsoa_code": f"LSOA code ({lsoa_year})",
        "lsoa_name": f"LSOA name ({lsoa_year})",
        "lad_code": f"Local Authority District code ({lad_year})",
        "lad_name": f"Local Authority District name ({lad_year})",
        "imd_rank": "Index of Multiple Deprivation (IMD) Rank",
        "imd_decile": "Index of Multiple Deprivation (IMD) Decile",
    })
    _require(df, rel, unique="lsoa_code", pattern={"lsoa_code": r"^E01\d{6}$", "imd_decile": r"^(10|[1-9])$"})
    df.insert(0, "imd_release", release)
    df.insert(1, "lsoa_vintage", vintage)
    return df.astype({"imd_rank": "int64", "imd_decile": "int64"})


def _population(path: Path, rel: str) -> pd.DataFrame:
    df = _read_sheet(path, rel, "Population Denominators", {
        "lsoa11_code": "LSOA code (2011)",
        "population_total": "Total population: mid 2015 (excluding prisoners)",
        "population_working_age": "Working age population 18-59/64",
    })
    _require(df, rel, unique="lsoa11_code", pattern={"lsoa11_code": r"^E01\d{6}$"})
    return df.astype({"population_total": "float64", "population_working_age": "float64"})


def _lsoa21(path: Path, rel: str) -> pd.DataFrame:
    df = _read_csv(path, rel, {
        "lsoa21_code": ("lsoa21_code", "lsoa21cd"),
        "lsoa21_name": ("lsoa21_name", "lsoa21nm"),
        "ward24_code": ("ward24_code", "wd24cd"),
        "ward24_name": ("ward24_name", "wd24nm"),
        "lad24_code": ("ltla24_code", "lad24cd", "lad24_code"),
        "lad24_name": ("ltla24_name", "lad24nm", "lad24_name"),
    })
    _require(df, rel, unique="lsoa21_code", pattern={"lsoa21_code": _LSOA_CODE})
    df["nation"] = _nation_of(df["lsoa21_code"])
    return df


def _lsoa11(path: Path, rel: str) -> pd.DataFrame:
    df = _read_csv(path, rel, {
        "lsoa11_code": ("lsoa11cd", "lsoa11_code"),
        "lsoa11_name": ("lsoa11nm", "lsoa11_name"),
        "ward19_code": ("wd19cd", "ward19_code"),
        "ward19_name": ("wd19nm", "ward19_name"),
        "lad19_code": ("lad19cd", "lad19_code"),
        "lad19_name": ("lad19nm", "lad19_name"),
    })
    _require(df, rel, unique="lsoa11_code", pattern={"lsoa11_code": _LSOA_CODE})
    return df


def _lsoa11_lsoa21(path: Path, rel: str) -> pd.DataFrame:
    df = _read_csv(path, rel, {
        "lsoa11_code": ("lsoa11_code", "lsoa11cd"),
        "lsoa21_code": ("lsoa21_code", "lsoa21cd"),
        "change_code": ("change_code", "chgind"),
        "lad22_code": ("ltla22_code", "lad22cd", "lad22_code"),
    })
    _require(df, rel, pattern={"lsoa11_code": _LSOA_CODE, "lsoa21_code": _LSOA_CODE, "change_code": r"^[USMX]$"})
    return df


def nation_decile(rank: int, area_count: int, index_name: str) -> int:
    """An area's decile within its own nation, by the rule its publisher uses (1 = most deprived 10%)."""
    if index_name == "WIMD2019":
        # Welsh Government: the most deprived 10% are ranks 1-191 of 1,909, so each cut-off rounds up.
        return (rank - 1) * 10 // area_count + 1
    if index_name == "SIMD2020v2":
        # Scottish Government: decile = ceil(rank x 10 / 6,976), so decile 1 is ranks 1-697.
        return -(-rank * 10 // area_count)
    raise RefdataError(f"No decile rule for the index '{index_name}'.")


def _ranked(df: pd.DataFrame, rel: str, index_name: str) -> pd.DataFrame:
    """Check the ranks run 1..n once each, then add each area's decile within its nation."""
    ranks = pd.to_numeric(df["rank"], errors="coerce")
    if ranks.isna().any() or sorted(ranks.astype("int64")) != list(range(1, len(df) + 1)):
        raise RefdataError(f"{rel}: the ranks are not 1 to {len(df):,} once each; is it the whole published file?")
    df = df.assign(rank=ranks.astype("int64"))
    df["decile"] = [nation_decile(rank, len(df), index_name) for rank in df["rank"]]
    return df


def _wimd(path: Path, rel: str) -> pd.DataFrame:
    """WIMD 2019 overall rank of every Welsh LSOA 2011, as ONS's lookup publishes it (no decile column)."""
    df = _read_csv(path, rel, {
        "area_code": ("lsoa11cd", "lsoa11_code"),
        "area_name": ("lsoa11nm", "lsoa11_name"),
        "lad_code": ("ladcd", "lad19cd", "lad_code"),
        "lad_name": ("ladnm", "lad19nm", "lad_name"),
        "rank": ("wimd_2019", "wimd19", "wimd_2019_rank"),
    })
    _require(df, rel, unique="area_code", pattern={"area_code": r"^W01\d{6}$"})
    df = _ranked(df, rel, "WIMD2019")
    return df.assign(index_name="WIMD2019", nation="Wales", population_total=None, population_working_age=None)


def _simd(path: Path, rel: str) -> pd.DataFrame:
    """SIMD 2020v2 overall rank and published populations of every Scottish data zone 2011."""
    df = _read_sheet(path, rel, "SIMD 2020v2 ranks", {
        "area_code": "Data_Zone",
        "lad_name": "Council_area",
        "population_total": "Total_population",
        "population_working_age": "Working_age_population",
        "rank": "SIMD2020v2_Rank",
    })
    _require(df, rel, unique="area_code", pattern={"area_code": r"^S01\d{6}$"})
    df = _ranked(df, rel, "SIMD2020v2")
    return df.astype({"population_total": "float64", "population_working_age": "float64"}).assign(
        index_name="SIMD2020v2", nation="Scotland", area_name=None, lad_code=None)


_NATION_COLUMNS = ["index_name", "nation", "area_code", "area_name", "lad_code", "lad_name", "rank", "decile",
                   "population_total", "population_working_age"]


# --- polygons -------------------------------------------------------------------------------------------------------

_POLYGON_COLUMNS = {
    "lsoa21": {"lsoa21_code": ("lsoa21_code", "lsoa21cd"), "lsoa21_name": ("lsoa21_name", "lsoa21nm")},
    "lsoa11": {"lsoa11_code": ("lsoa11cd", "lsoa11_code"), "lsoa11_name": ("lsoa11nm", "lsoa11_name")},
    "lad24": {"lad24_code": ("ltla24_code", "lad24cd", "lad24_code"),
              "lad24_name": ("ltla24_name", "lad24nm", "lad24_name")},
}


def _polygons(kind: str, path: Path, rel: str) -> gpd.GeoDataFrame:
    """Boundaries with our column names, in lon/lat, every geometry valid."""
    try:
        raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise RefdataError(f"{rel} cannot be read as boundaries (GeoPackage or GeoJSON): {exc}") from exc
    gdf = gpd.GeoDataFrame(_pick_columns(raw, rel, _POLYGON_COLUMNS[kind]), geometry=raw.geometry.values,
                           crs=raw.crs or "EPSG:4326")
    _require(gdf.drop(columns="geometry"), rel, unique=f"{kind}_code")
    if kind != "lad24":
        # England and Wales only, whatever else the file holds.
        gdf = gdf[gdf[f"{kind}_code"].str.match(_LSOA_CODE)]
    invalid = ~gdf.geometry.is_valid
    gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
    return gdf.to_crs("EPSG:4326").reset_index(drop=True)


# --- postcodes ------------------------------------------------------------------------------------------------------

def _codepoint_tables(paths: list[Path]) -> Iterator[tuple[str, IO[bytes] | Path]]:
    """Each Code-Point area file, whether a plain or gzipped CSV or a member of OS's zip."""
    for path in paths:
        if path.suffix.lower() != ".zip":
            yield path.name, path
            continue
        with zipfile.ZipFile(path) as archive:
            for member in sorted(archive.namelist()):
                parts = member.lower().split("/")
                if parts[-3:-1] == ["data", "csv"] and parts[-1].endswith(".csv"):
                    with archive.open(member) as f:
                        yield member, f


def _read_codepoint(paths: list[Path], progress: bool) -> pd.DataFrame:
    """Postcode, positional quality and grid reference of every Code-Point Open postcode (no header rows)."""
    names = ["postcode", "quality", "easting", "northing"]
    frames = []
    tables = tqdm(_codepoint_tables(paths), desc="Code-Point files", unit="file", file=sys.stderr,
                  disable=not progress, leave=False, total=len(paths) if paths[0].suffix != ".zip" else None)
    for name, table in tables:
        try:
            frames.append(pd.read_csv(table, header=None, usecols=[0, 1, 2, 3], names=names, dtype={"postcode": str},
                                      compression="gzip" if name.lower().endswith(".gz") else None))
        except (ValueError, OSError, pd.errors.ParserError) as exc:
            raise RefdataError(f"Code-Point file {name} cannot be read (expected postcode, quality, "
                               f"easting, northing with no header): {exc}") from exc
    df = pd.concat(frames, ignore_index=True)
    if not pd.api.types.is_numeric_dtype(df["easting"]) or not pd.api.types.is_numeric_dtype(df["northing"]):
        raise RefdataError("Code-Point files: eastings and northings are not all numbers; is it Code-Point Open?")
    return df


def _normalised(raw: pd.Series) -> pd.Series:
    """postcodes.normalise on every value; None where it is not a valid postcode."""
    def one(text: str) -> str | None:
        try:
            return postcodes.normalise(text)
        except postcodes.PostcodeError:
            return None
    return raw.map(one, na_action="ignore")


def _inside(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame, code: str) -> pd.Series:
    """The code of the polygon holding each point (NaN for none)."""
    hits = gpd.sjoin(gpd.GeoDataFrame(geometry=points), polygons[[code, "geometry"]], predicate="within")
    return hits[code].groupby(level=0).first().reindex(points.index)


def _nearest(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame, code: str, max_m: float) -> pd.Series:
    """The code of the nearest polygon within max_m metres of each point (NaN for none)."""
    if points.empty:
        return pd.Series(index=points.index, dtype=object)
    hits = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=points), polygons[[code, "geometry"]], max_distance=max_m)
    return hits[code].groupby(level=0).first().reindex(points.index)


def _locate_points(df: pd.DataFrame, lsoa21: gpd.GeoDataFrame, lsoa11: gpd.GeoDataFrame,
                   lad: gpd.GeoDataFrame) -> pd.DataFrame:
    """LSOA 2021, LSOA 2011, nation and method for each grid reference (polygons in BNG)."""
    points = gpd.GeoSeries(gpd.points_from_xy(df["easting"], df["northing"]), index=df.index, crs=BNG)
    out = pd.DataFrame({"postcode": df["postcode"], "lsoa21_code": _inside(points, lsoa21, "lsoa21_code")})
    out["lsoa_method"] = out["lsoa21_code"].notna().map({True: "point_in_polygon", False: None})

    outside = points[out["lsoa21_code"].isna()]
    lad_code = _inside(outside, lad, "lad24_code")
    far = lad_code.isna()
    lad_code[far] = _nearest(outside[far], lad, "lad24_code", NEAREST_LAD_M)
    lad_nation = _nation_of(lad_code)
    # Outside every English and Welsh LSOA but inside a Scottish district: Scotland, even near the border.
    near_candidates = outside[lad_nation.ne("Scotland")]
    near = _nearest(near_candidates, lsoa21, "lsoa21_code", NEAREST_LSOA_M).dropna()
    out.loc[near.index, "lsoa21_code"] = near
    out.loc[near.index, "lsoa_method"] = "nearest_polygon"

    out["nation"] = _nation_of(out["lsoa21_code"])
    by_lad = out["nation"].isna()
    out.loc[by_lad, "nation"] = lad_nation.reindex(out.index)[by_lad]
    unplaced = out.index[out["nation"].isna()]
    in_scottish_area = out.loc[unplaced, "postcode"].map(postcodes.area).isin(postcodes.SCOTTISH_AREAS)
    out.loc[in_scottish_area.index[in_scottish_area], "nation"] = "Scotland"
    out.loc[out["nation"].notna() & out["lsoa_method"].isna(), "lsoa_method"] = "lad_only"

    in_ew = out.index[out["nation"].isin(["England", "Wales"])]
    lsoa11_code = _inside(points[in_ew], lsoa11, "lsoa11_code")
    far = lsoa11_code.isna()
    lsoa11_code[far] = _nearest(points[in_ew][far], lsoa11, "lsoa11_code", NEAREST_LSOA_M)
    out["lsoa11_code"] = lsoa11_code.reindex(out.index)
    return out


def _postcodes_by_geography(paths: list[Path], polygons: Callable[[str], gpd.GeoDataFrame],
                            progress: bool) -> pd.DataFrame:
    """Every Code-Point postcode located by point-in-polygon; `skipped` says why a row cannot be used."""
    raw = _read_codepoint(paths, progress)
    raw["postcode"] = _normalised(raw["postcode"])
    raw["skipped"] = None
    raw.loc[raw["quality"].eq(NO_COORDINATES) | raw["easting"].isna() | raw["northing"].isna(),
            "skipped"] = "no_coordinates"
    raw.loc[raw["postcode"].isna(), "skipped"] = "invalid_postcode"
    raw = raw[~(raw["postcode"].duplicated() & raw["postcode"].notna())]
    usable = raw[raw["skipped"].isna()]
    located = _locate_points(usable, *(polygons(kind).to_crs(BNG) for kind in ("lsoa21", "lsoa11", "lad24")))
    df = raw[["postcode", "skipped"]].join(located.drop(columns="postcode"))
    df.loc[df["skipped"].isna() & df["nation"].isna(), "skipped"] = "no_nation"
    return df[["postcode", "lsoa21_code", "lsoa11_code", "nation", "lsoa_method", "skipped"]].reset_index(drop=True)


_NSPL_COLUMNS = {
    "postcode": ("pcds", "pcd", "pcd7", "pcd8", "postcode"),
    "lsoa21_code": ("lsoa21", "lsoa21cd"),
}


def _nspl_table(name: str, opener: Callable[[], IO[bytes]]) -> pd.DataFrame:
    """The columns we need from one NSPL/ONSPD file, whatever its edition calls them."""
    with opener() as f:
        header = pd.read_csv(f, nrows=0, encoding="utf-8-sig").columns
    lower = {_squash(c): c for c in header}
    wanted = {}
    for ours, spellings in _NSPL_COLUMNS.items():
        found = next((lower[s] for s in spellings if s in lower), None)
        if found is None:
            raise RefdataError(f"The postcode lookup {name} has no column {' or '.join(spellings)}; "
                               "is it the ONS Postcode Directory or National Statistics Postcode Lookup?")
        wanted[found] = ours
    for pattern, ours in ((r"^lsoa11(cd)?$", "lsoa11_code"), (r"^ctry\d*(cd)?$", "country_code"),
                          (r"^doterm$", "doterm")):
        found = next((c for lc, c in lower.items() if re.match(pattern, lc)), None)
        if found:
            wanted[found] = ours
    with opener() as f:
        df = pd.read_csv(f, usecols=list(wanted), dtype=str, encoding="utf-8-sig", keep_default_na=False,
                         na_values=[""])
    return df.rename(columns=wanted)


def _postcodes_from_nspl(paths: list[Path], progress: bool) -> pd.DataFrame:
    """Live postcodes with the LSOAs ONS assigns them; rows we cannot use are left to the polygon join."""
    frames = []
    for path in tqdm(paths, desc="ONS postcode lookup", file=sys.stderr, disable=not progress, leave=False):
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if _name_matches(m, _NSPL_NAMES[:2])]
                members = [m for m in members if m.lower()[:-4].endswith("_uk")] or members
                frames += [_nspl_table(f"{path.name}:{m}", lambda m=m: archive.open(m)) for m in members]
        else:
            frames.append(_nspl_table(path.name, lambda path=path: open(path, "rb")))
    df = pd.concat(frames, ignore_index=True)
    for optional in ("lsoa11_code", "country_code", "doterm"):
        if optional not in df:
            df[optional] = None
    df = df[df["doterm"].isna()]  # terminated postcodes
    country = df["country_code"].fillna(df["lsoa21_code"])
    df = df.assign(postcode=_normalised(df["postcode"]), nation=_nation_of(country.fillna("")),
                   lsoa_method="nspl")
    in_ew = df["nation"].isin(["England", "Wales"])
    # For Scotland NSPL's 2011 LSOA column holds the 2011 data zone, the area SIMD ranks.
    df["data_zone_code"] = df["lsoa11_code"].astype(object).where(
        df["nation"].eq("Scotland") & df["lsoa11_code"].fillna("").str.match(r"^S01\d{6}$"), None)
    for column in ("lsoa21_code", "lsoa11_code"):
        df[column] = df[column].where(in_ew & df[column].fillna("").str.match(_LSOA_CODE))
    usable = df["postcode"].notna() & df["nation"].notna() & (df["lsoa21_code"].notna() | ~in_ew)
    df = df[usable].drop_duplicates("postcode")
    return df[["postcode", "lsoa21_code", "lsoa11_code", "nation", "lsoa_method", "data_zone_code"]].reset_index(
        drop=True)


def _with_nspl(geography_df: pd.DataFrame, nspl_df: pd.DataFrame) -> pd.DataFrame:
    """ONS's exact answer replaces the polygon one; postcodes only ONS knows are added."""
    rest = geography_df[~geography_df["postcode"].isin(nspl_df["postcode"])]
    return pd.concat([nspl_df.assign(skipped=None), rest], ignore_index=True)


# --- cached derived files -------------------------------------------------------------------------------------------

def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary name beside path, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _cached_frame(name: str, key: str, build: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, bool]:
    """A derived table for these inputs from the cache, building it first if absent; (frame, was cached)."""
    path = config.cache_dir() / f"{name}-{key}.parquet"
    if path.is_file():
        try:
            return pd.read_parquet(path), True
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt
    df = build()
    write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False))
    for stale in path.parent.glob(f"{name}-*.parquet"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return df, False


def boundaries_path(kind: str) -> Path:
    """The simplified GeoJSON (EPSG:4326, feature id = area code) of 'lsoa21', 'lsoa11' or 'lad24'."""
    if kind not in BOUNDARY_KINDS:
        raise RefdataError(f"No boundaries of kind '{kind}'; choose one of {', '.join(BOUNDARY_KINDS)}.")
    path = config.cache_dir() / "geo" / f"{kind}.geojson"
    if not path.is_file():
        raise RefdataError(f"The {kind} map boundaries have not been built ({path} is missing). "
                           "`python -m dashboard refdata load --from DIR` builds them, even when that "
                           "reference data is already loaded.")
    return path


def _build_boundaries(kind: str, key: str, polygons: Callable[[str], gpd.GeoDataFrame]) -> dict:
    """Simplify one set of boundaries for maps, unless the cache already holds them for this key."""
    path = config.cache_dir() / "geo" / f"{kind}.geojson"
    key_path = path.with_suffix(".key")
    cached = path.is_file() and key_path.is_file() and key_path.read_text().strip() == key
    if not cached:
        gdf = polygons(kind)
        projected = gdf.geometry.to_crs(BNG)
        # Coverage simplification moves each shared edge once, so neighbours still meet without gaps.
        simplified = projected.simplify_coverage(SIMPLIFY_M[kind]).to_crs("EPSG:4326")
        # Names stay in the database: the map file carries only the code, as feature id and property.
        out = gpd.GeoDataFrame({"id": gdf[f"{kind}_code"], f"{kind}_code": gdf[f"{kind}_code"]},
                               geometry=simplified, crs="EPSG:4326")
        # 5 decimals of a degree is about a metre: plenty for a map, and a third of the bytes.
        write_atomic(path, lambda tmp: out.to_file(tmp, driver="GeoJSON", engine="pyogrio",
                                                    COORDINATE_PRECISION=5, ID_FIELD="id"))
        write_atomic(key_path, lambda tmp: tmp.write_text(key))
    return {"path": str(path), "bytes": path.stat().st_size, "cached": cached}


# --- the load -------------------------------------------------------------------------------------------------------

class _Inputs:
    """The located source files, their checksums, and each set of polygons read at most once."""

    def __init__(self, source_dir: Path, files: dict[str, list[Path]]):
        self.source_dir = source_dir
        self.files = files
        self.sources_df = pd.DataFrame(
            [(dataset, self.rel(path), _sha256(path)) for dataset, paths in files.items() for path in paths],
            columns=["dataset", "file_path", "sha256"],
        )
        self.sha = dict(zip(self.sources_df["file_path"], self.sources_df["sha256"], strict=True))
        self._polygons: dict[str, gpd.GeoDataFrame] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.source_dir).as_posix()

    def path(self, dataset: str) -> Path:
        return self.files[dataset][0]

    def key(self, kind: str, datasets: list[str]) -> str:
        return _cache_key(kind, [self.sha[self.rel(p)] for d in datasets for p in self.files[d]])

    def polygons(self, kind: str) -> gpd.GeoDataFrame:
        if kind not in self._polygons:
            path = self.path(f"{kind}_boundaries")
            self._polygons[kind] = _polygons(kind, path, self.rel(path))
        return self._polygons[kind]

    def table(self, dataset: str, read: Callable[[Path, str], pd.DataFrame], *, cache: bool = False) -> pd.DataFrame:
        path = self.path(dataset)
        if not cache:
            return read(path, self.rel(path))
        # Parsing a workbook takes seconds; its rows are kept in the cache like the postcode join.
        return _cached_frame(dataset, self.key(dataset, [dataset]), lambda: read(path, self.rel(path)))[0]

    def boundaries(self) -> dict:
        return {kind: _build_boundaries(kind, self.key(f"geo-{kind}", [f"{kind}_boundaries"]), self.polygons)
                for kind in BOUNDARY_KINDS}


def load(source_dir: Path, db: Path | None = None, *, progress: bool = True, force: bool = False) -> dict:
    """Build every ref_* table from the official files in source_dir, all in one transaction."""
    started = time.monotonic()
    source_dir = Path(source_dir)
    files = locate(source_dir)
    steps = tqdm(total=5, desc="Reference data", unit="step", file=sys.stderr, disable=not progress)
    try:
        steps.set_postfix_str("checksums")
        inputs = _Inputs(source_dir, files)
        with store.connect(db) as con:
            loaded_df = store.run(con.cursor(), "refdata_source_files")
        if not force and set(zip(loaded_df["file_path"], loaded_df["sha256"], strict=True)) == set(inputs.sha.items()):
            steps.set_postfix_str("already loaded")
            return {"skipped": True, "reason": "the same files (by sha256) are already loaded",
                    "source_dir": str(source_dir), "boundaries": inputs.boundaries(),
                    "seconds": round(time.monotonic() - started, 1)}
        steps.update()

        steps.set_postfix_str("deprivation and lookups")
        imd_df = pd.concat([inputs.table("imd2025", lambda path, rel: _imd(path, rel, "IoD2025"), cache=True),
                            inputs.table("imd2019", lambda path, rel: _imd(path, rel, "IoD2019"), cache=True)],
                           ignore_index=True)
        lad_df = pd.DataFrame(inputs.polygons("lad24").drop(columns="geometry"))
        lad_df["nation"] = _nation_of(lad_df["lad24_code"])
        nation_frames = [inputs.table(dataset, read, cache=True)[_NATION_COLUMNS]
                         for dataset, read in (("wimd2019", _wimd), ("simd2020v2", _simd)) if dataset in files]
        nation_imd_df = (pd.concat(nation_frames, ignore_index=True) if nation_frames
                         else pd.DataFrame(columns=_NATION_COLUMNS))
        tables = {
            "ref_imd": imd_df,
            "ref_nation_imd": nation_imd_df,
            "ref_lsoa21": inputs.table("lsoa21_lookup", _lsoa21),
            "ref_lsoa11": inputs.table("lsoa11_lookup", _lsoa11),
            "ref_lsoa11_lsoa21": inputs.table("lsoa11_lsoa21_lookup", _lsoa11_lsoa21),
            "ref_population": inputs.table("population2019", _population, cache=True),
            "ref_lad": lad_df,
        }
        steps.update()

        steps.set_postfix_str("postcodes")
        geography_df, join_cached = _cached_frame(
            "postcodes", inputs.key("postcodes", ["codepoint", *(f"{k}_boundaries" for k in BOUNDARY_KINDS)]),
            lambda: _postcodes_by_geography(files["codepoint"], inputs.polygons, progress),
        )
        all_postcodes_df = geography_df
        if "nspl" in files:
            all_postcodes_df = _with_nspl(geography_df, _postcodes_from_nspl(files["nspl"], progress))
        postcode_df = all_postcodes_df[all_postcodes_df["skipped"].isna()].drop(columns="skipped")
        if "data_zone_code" not in postcode_df:
            postcode_df = postcode_df.assign(data_zone_code=None)  # no postcode lookup: no data zones
        tables["ref_postcode"] = postcode_df
        tables["ref_source"] = inputs.sources_df
        steps.update()

        steps.set_postfix_str("map boundaries")
        boundaries = inputs.boundaries()
        steps.update()

        steps.set_postfix_str("writing")
        store.write(lambda cur: _replace_tables(cur, tables), db)
        steps.update()
    finally:
        steps.close()

    return {
        "skipped": False,
        "source_dir": str(source_dir),
        "rows": {table: len(df) for table, df in tables.items()},
        "releases": imd_df.groupby("imd_release").size().to_dict(),
        "nation_indices": nation_imd_df.groupby("index_name").size().to_dict(),
        "postcodes": {
            "source": "ONS postcode lookup, then point-in-polygon" if "nspl" in files else "point-in-polygon",
            "join_cached": join_cached,
            "by_method": postcode_df["lsoa_method"].value_counts().to_dict(),
            "by_nation": postcode_df["nation"].value_counts().to_dict(),
            "skipped": all_postcodes_df["skipped"].value_counts().to_dict(),
        },
        "boundaries": boundaries,
        "seconds": round(time.monotonic() - started, 1),
    }


def _replace_tables(cur: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> None:
    """Empty the ref_* tables and fill them from the frames (inside the caller's transaction)."""
    store.run(cur, "refdata_clear")
    inserts = {
        "ref_imd": "ref_imd_insert", "ref_lsoa21": "ref_lsoa21_insert", "ref_lsoa11": "ref_lsoa11_insert",
        "ref_lsoa11_lsoa21": "ref_lsoa11_lsoa21_insert", "ref_population": "ref_population_insert",
        "ref_lad": "ref_lad_insert", "ref_postcode": "ref_postcode_insert", "ref_nation_imd": "ref_nation_imd_insert",
        "ref_source": "ref_source_insert",
    }
    for table, query in inserts.items():
        cur.register("ref_rows", tables[table])
        store.run(cur, query)
        cur.unregister("ref_rows")
    store.run(cur, "ref_population21_refresh")  # derived from two of them
    summaries.rebuild(cur)  # the deciles and districts every summary is grouped by


# --- what is loaded -------------------------------------------------------------------------------------------------

def status(con: duckdb.DuckDBPyConnection) -> dict:
    """Which IoD releases are loaded, row counts, when, from which files, and how postcodes were placed."""
    counts = store.run(con, "refdata_row_counts")
    sources = store.run(con, "refdata_sources")
    loaded_at = sources["loaded_at"].max() if not sources.empty else None
    sources["loaded_at"] = sources["loaded_at"].astype(str)
    return {
        "loaded": bool(counts["row_count"].gt(0).all()),
        "loaded_at": None if loaded_at is None else str(loaded_at),
        "releases": store.run(con, "refdata_releases").to_dict("records"),
        "row_counts": dict(zip(counts["table_name"], counts["row_count"].astype(int), strict=True)),
        "sources": sources.to_dict("records"),
        "postcode_methods": store.run(con, "refdata_postcode_methods").to_dict("records"),
        "nation_indices": store.run(con, "refdata_nation_indices").to_dict("records"),
    }


def is_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every reference table holds rows."""
    return bool(store.run(con, "refdata_row_counts")["row_count"].gt(0).all())

"""The reference layer against the facts published with the IoD releases, ONS lookups and Code-Point Open."""

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dashboard import refdata, store

DATA = Path(__file__).resolve().parent / "data"
BIRMINGHAM = "E08000025"


@pytest.fixture(scope="module")
def con(ref_db_template, tmp_path_factory):
    """One private copy of the loaded reference database for this module's read-only checks."""
    path = tmp_path_factory.mktemp("refdata") / "reference.duckdb"
    shutil.copyfile(ref_db_template, path)
    with store.connect(path) as con:
        yield con


def rows(con, sql: str, **params) -> list[tuple]:
    return con.cursor().execute(sql, params or None).fetchall()


def linked_reference(tmp_path: Path, reference_dir: Path, *, leave_out: str | None = None) -> Path:
    """A reference directory made of links to the real one, less one top-level folder."""
    source = tmp_path / "reference"
    source.mkdir()
    for child in reference_dir.iterdir():
        if child.is_dir() and child.name != leave_out:
            (source / child.name).symlink_to(child)
    return source


# --- published facts ------------------------------------------------------------------------------------------------

def test_iod2025_ranks_every_lsoa_in_england_into_equal_deciles(con):
    by_decile = dict(rows(con, "select imd_decile, count(*) from ref_imd where imd_release = 'IoD2025' group by 1"))
    assert sum(by_decile.values()) == 33_755
    assert sorted(by_decile) == list(range(1, 11))
    assert all(3_375 <= n <= 3_376 for n in by_decile.values())
    assert rows(con, "select distinct lsoa_vintage from ref_imd where imd_release = 'IoD2025'") == [(2021,)]


def test_iod2019_ranks_every_lsoa_2011(con):
    assert rows(con, "select count(*), min(lsoa_vintage), max(lsoa_vintage) from ref_imd "
                     "where imd_release = 'IoD2019'") == [(32_844, 2011, 2011)]
    assert rows(con, "select count(*) from ref_imd where imd_release = 'IoD2019' and imd_decile = 1") == [(3_284,)]


@pytest.mark.parametrize(("release", "lsoas", "in_decile_1"), [("IoD2025", 659, 282), ("IoD2019", 639, 264)])
def test_birmingham_lsoas_and_most_deprived_decile(con, release, lsoas, in_decile_1):
    sql = ("select count(*), count(*) filter (where imd_decile = 1) from ref_imd "
           "where imd_release = $release and lad_code = $lad")
    assert rows(con, sql, release=release, lad=BIRMINGHAM) == [(lsoas, in_decile_1)]


def test_lookups_match_their_published_row_counts(con):
    counts = refdata.status(con.cursor())["row_counts"]
    assert counts["ref_lsoa21"] == 35_672
    assert counts["ref_lsoa11"] == 34_753
    assert counts["ref_lsoa11_lsoa21"] == 35_795
    assert counts["ref_population"] == 32_844
    assert counts["ref_lad"] == 361
    assert counts["ref_nation_imd"] == 1_909 + 6_976  # WIMD 2019 LSOAs, SIMD 2020 data zones
    assert rows(con, "select count(*) from ref_lsoa21 where lad24_code = $lad", lad=BIRMINGHAM) == [(659,)]
    assert rows(con, "select count(*) from ref_lsoa11 where lad19_code = $lad", lad=BIRMINGHAM) == [(639,)]


def test_nations_follow_the_code_prefixes(con):
    assert dict(rows(con, "select nation, count(*) from ref_lsoa21 group by 1")) == {"England": 33_755, "Wales": 1_917}
    assert dict(rows(con, "select nation, count(*) from ref_lad group by 1")) == {
        "England": 296, "Wales": 22, "Scotland": 32, "Northern Ireland": 11}


def test_birmingham_population_matches_file_6(con, reference_dir):
    # Worked out independently from the workbook: columns E (total) and I (working age), LAD code in column C.
    sheet = openpyxl.load_workbook(
        reference_dir / "imd2019" / "File_6_-_IoD2019_Population_Denominators.xlsx", read_only=True
    )["Population Denominators"]
    total = working_age = 0.0
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[2] == BIRMINGHAM:
            total += row[4]
            working_age += row[8]
    assert 1_000_000 < total < 1_200_000  # Birmingham's mid-2015 population, about 1.1 million
    got = rows(con, "select sum(p.population_total), sum(p.population_working_age) from ref_population as p "
                    "join ref_lsoa11 as l using (lsoa11_code) where l.lad19_code = $lad", lad=BIRMINGHAM)
    assert got[0] == (pytest.approx(total), pytest.approx(working_age))


def test_wimd_2019_ranks_every_welsh_lsoa_2011_into_its_own_deciles(con, reference_dir):
    by_decile = dict(rows(con, "select decile, count(*) from ref_nation_imd where index_name = 'WIMD2019' group by 1"))
    assert sum(by_decile.values()) == 1_909 and sorted(by_decile) == list(range(1, 11))
    assert all(190 <= n <= 191 for n in by_decile.values())
    # Decile 1 is ranks 1-191, as the Welsh Government publishes it.
    assert rows(con, "select min(rank), max(rank) from ref_nation_imd where index_name = 'WIMD2019' "
                     "and decile = 1") == [(1, 191)]
    # Every Welsh LSOA 2011 of the ONS lookup is ranked, and nothing else is.
    assert rows(con, "select count(*) from ref_lsoa11 where lsoa11_code like 'W%' and lsoa11_code not in "
                     "(select area_code from ref_nation_imd where index_name = 'WIMD2019')") == [(0,)]
    # Butetown 8 in Cardiff (rank 547), read straight from the published CSV.
    published = next(line.split(",") for line in (reference_dir / "wimd" / "ons_imd_dec2019_lookup_wales" / "006.csv")
                     .read_text(encoding="utf-8").splitlines() if line.startswith("W01001952,"))
    assert rows(con, "select rank, lad_code from ref_nation_imd where area_code = 'W01001952'") == [
        (int(published[5]), published[2])]


def test_simd_2020v2_ranks_every_data_zone_into_its_own_deciles(con, reference_dir):
    by_decile = dict(rows(con, "select decile, count(*) from ref_nation_imd where index_name = 'SIMD2020v2' "
                               "group by 1"))
    assert sum(by_decile.values()) == 6_976 and sorted(by_decile) == list(range(1, 11))
    assert all(697 <= n <= 698 for n in by_decile.values())
    assert rows(con, "select max(rank) from ref_nation_imd where index_name = 'SIMD2020v2' and decile = 1") == [(697,)]
    # Scotland's published populations, summed independently from the workbook.
    sheet = openpyxl.load_workbook(reference_dir / "simd" / "SIMD+2020v2+-+ranks.xlsx",
                                   read_only=True)["SIMD 2020v2 ranks"]
    total = working_age = 0
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0]:
            total += row[3]
            working_age += row[4]
    assert 5_000_000 < total < 5_600_000  # Scotland, about 5.4 million
    assert rows(con, "select sum(population_total), sum(population_working_age) from ref_nation_imd "
                     "where index_name = 'SIMD2020v2'") == [(total, working_age)]
    # The two nations are never put on one scale: England's ref_imd holds neither.
    assert rows(con, "select count(*) from ref_imd where lsoa_code like 'W%' or lsoa_code like 'S%'") == [(0,)]


def test_welsh_and_scottish_indices_are_optional(tmp_path, reference_dir):
    found = refdata.locate(linked_reference(tmp_path, reference_dir, leave_out="wimd"))
    assert "wimd2019" not in found and "simd2020v2" in found
    assert {"wimd2019", "simd2020v2"} <= set(refdata.locate(reference_dir))


def test_fetch_warns_but_does_not_stop_for_a_missing_optional_index(tmp_path, monkeypatch, caplog):
    from dashboard import refdata_fetch

    wimd = [row for row in refdata_fetch.manifest() if row["dataset"] == "wimd2019"]
    monkeypatch.setattr(refdata_fetch, "manifest", lambda: wimd)
    assert refdata_fetch.fetch(tmp_path, progress=False) == []
    assert "data.gov.uk" in caplog.text and "006.csv" in caplog.text
    # Asked for by name, it is an error like any other file to fetch by hand.
    with pytest.raises(refdata_fetch.FetchError, match="Lookup in Wales"):
        refdata_fetch.fetch(tmp_path, progress=False, only=["wimd2019"])


def test_status_lists_the_nation_indices(con):
    indices = {r["index_name"]: r for r in refdata.status(con.cursor())["nation_indices"]}
    assert (indices["WIMD2019"]["area_count"], indices["WIMD2019"]["last_rank_in_decile_1"]) == (1_909, 191)
    assert (indices["SIMD2020v2"]["area_count"], indices["SIMD2020v2"]["last_rank_in_decile_1"]) == (6_976, 697)
    assert indices["SIMD2020v2"]["has_population"] and not indices["WIMD2019"]["has_population"]


# --- postcodes ------------------------------------------------------------------------------------------------------

def postcode(con, code: str) -> dict:
    sql = ("select p.postcode, p.lsoa21_code, p.lsoa11_code, p.nation, p.lsoa_method, i.imd_decile "
           "from ref_postcode as p left join ref_imd as i "
           "on i.imd_release = 'IoD2025' and i.lsoa_code = p.lsoa21_code where p.postcode = $postcode")
    found = rows(con, sql, postcode=code)
    assert len(found) == 1, f"{code} not in ref_postcode"
    return dict(zip(["postcode", "lsoa21_code", "lsoa11_code", "nation", "lsoa_method", "imd_decile"], found[0],
                    strict=True))


def test_birmingham_city_centre_postcode(con):
    assert postcode(con, "B1 1BB") == {"postcode": "B1 1BB", "lsoa21_code": "E01033620", "lsoa11_code": "E01033620",
                                       "nation": "England", "lsoa_method": "point_in_polygon", "imd_decile": 3}


def test_cardiff_postcode_is_welsh_with_no_english_decile(con):
    found = postcode(con, "CF10 1EP")
    assert found["nation"] == "Wales"
    assert found["lsoa21_code"].startswith("W01") and found["lsoa11_code"].startswith("W01")
    assert found["imd_decile"] is None


def test_edinburgh_postcode_is_scottish_with_no_lsoa(con):
    found = postcode(con, "EH1 1YZ")
    assert (found["nation"], found["lsoa21_code"], found["lsoa11_code"], found["lsoa_method"]) == (
        "Scotland", None, None, "lad_only")


def test_every_code_point_postcode_with_coordinates_is_placed(con):
    by_method = dict(rows(con, "select lsoa_method, count(*) from ref_postcode group by 1"))
    # 1,739,998 in Code-Point Open, 964 of them without coordinates.
    assert sum(by_method.values()) == 1_739_998 - 964
    assert set(by_method) == {"point_in_polygon", "nearest_polygon", "lad_only"}
    assert by_method["nearest_polygon"] < 3_000  # coasts and estuaries only
    assert rows(con, "select count(*) from ref_postcode where postcode in ('B1 1AY', 'EH1 1YZ', 'CF10 1EP')") == [(3,)]


def test_postcode_lsoas_agree_with_their_nation(con):
    assert rows(con, """
        select count(*) from ref_postcode as p
        left join ref_lsoa21 as l using (lsoa21_code)
        where (p.nation in ('England', 'Wales') and p.lsoa_method <> 'lad_only' and l.nation is distinct from p.nation)
            or (p.nation = 'Scotland' and (p.lsoa21_code is not null or p.lsoa11_code is not null))
            or (p.lsoa11_code is not null and p.lsoa11_code not in (select lsoa11_code from ref_lsoa11))
    """) == [(0,)]
    # Wholly Scottish postcode areas never land in England or Wales.
    assert rows(con, "select count(*) from ref_postcode where nation <> 'Scotland' "
                     "and regexp_extract(postcode, '^[A-Z]+') in ('EH', 'G', 'AB', 'KW', 'ZE', 'HS')") == [(0,)]


# --- loading --------------------------------------------------------------------------------------------------------

def test_second_load_of_the_same_files_is_skipped(ref_db, reference_dir):
    with store.connect(ref_db) as con:
        before = rows(con, "select file_path, sha256, loaded_at from ref_source order by file_path")
    summary = refdata.load(reference_dir, db=ref_db, progress=False)
    assert summary["skipped"] is True
    with store.connect(ref_db) as con:
        assert rows(con, "select file_path, sha256, loaded_at from ref_source order by file_path") == before
    assert len(before) == 131


def test_status_and_is_loaded(con, tmp_path):
    status = refdata.status(con.cursor())
    assert status["loaded"] and refdata.is_loaded(con.cursor())
    assert [(r["imd_release"], r["lsoa_vintage"], r["lsoa_count"]) for r in status["releases"]] == [
        ("IoD2025", 2021, 33_755), ("IoD2019", 2011, 32_844)]
    assert {s["dataset"] for s in status["sources"]} >= {"imd2025", "imd2019", "population2019", "codepoint"}
    assert status["loaded_at"]
    with store.connect(tmp_path / "empty.duckdb") as empty:
        assert not refdata.is_loaded(empty.cursor())
        assert refdata.status(empty.cursor())["loaded"] is False
    assert "python -m dashboard refdata load --from DIR" in refdata.MISSING_MESSAGE
    assert "make run" in refdata.MISSING_MESSAGE and "refdata fetch" in refdata.MISSING_MESSAGE


def test_missing_files_are_named_with_what_to_do(tmp_path):
    with pytest.raises(refdata.RefdataError) as info:
        refdata.load(tmp_path, db=tmp_path / "db.duckdb", progress=False)
    message = str(info.value)
    assert "imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx" in message
    assert "Code-Point Open" in message
    assert "python -m dashboard refdata fetch" in message and "refdata load --from DIR" in message


def test_a_changed_header_stops_the_load_and_leaves_the_database_alone(tmp_path, reference_dir, ref_db):
    source = linked_reference(tmp_path, reference_dir, leave_out="imd2025")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "IMD25"
    sheet.append(["LSOA21CD", "LSOA name (2021)", "Local Authority District code (2024)",
                  "Local Authority District name (2024)", "Index of Multiple Deprivation (IMD) Rank",
                  "Index of Multiple Deprivation (IMD) Decile"])
    sheet.append(["E01000001", "City of London 001A", "E09000001", "City of London", 1, 1])
    (source / "imd2025").mkdir()
    book.save(source / "imd2025" / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx")
    with pytest.raises(refdata.RefdataError, match=r"expected one column headed 'LSOA code \(2021\)'"):
        refdata.load(source, db=ref_db, progress=False, force=True)
    with store.connect(ref_db) as con:
        assert refdata.is_loaded(con.cursor())


def test_a_failure_while_writing_keeps_the_previous_load(ref_db, reference_dir, monkeypatch):
    real_run = store.run

    def failing_run(con, name, **params):
        if name == "ref_source_insert":  # the last write of the load
            raise store.QueryError("simulated failure")
        return real_run(con, name, **params)

    monkeypatch.setattr(store, "run", failing_run)
    with pytest.raises(store.QueryError, match="simulated"):
        refdata.load(reference_dir, db=ref_db, progress=False, force=True)
    monkeypatch.undo()
    with store.connect(ref_db) as con:
        counts = refdata.status(con.cursor())["row_counts"]
    assert counts["ref_postcode"] == 1_739_034 and counts["ref_imd"] == 66_599 and counts["ref_source"] == 131


def test_nspl_answer_wins_over_the_polygons(tmp_path, reference_dir):
    source = linked_reference(tmp_path, reference_dir)
    (source / "nspl").mkdir()
    shutil.copy(DATA / "nspl" / "NSPL_SYNTHETIC_UK.csv", source / "nspl")
    db = tmp_path / "nspl.duckdb"
    summary = refdata.load(source, db=db, progress=False)
    assert summary["postcodes"]["by_method"]["nspl"] == 4
    with store.connect(db) as con:
        # Polygons put B1 1BB in E01033620 (decile 3); the synthetic NSPL row says E01008882 (decile 1).
        assert postcode(con, "B1 1BB")["lsoa21_code"] == "E01008882"
        assert postcode(con, "B1 1BB")["lsoa_method"] == "nspl"
        # A terminated NSPL row is ignored: the polygon answer stands.
        assert postcode(con, "B1 1AY")["lsoa_method"] == "point_in_polygon"
        # A postcode only NSPL knows is added; Scottish data zones are not LSOAs; Jersey and GIR 0AA are dropped.
        assert postcode(con, "B99 9ZZ")["lsoa21_code"] == "E01033620"
        assert (postcode(con, "EH1 1YZ")["nation"], postcode(con, "EH1 1YZ")["lsoa21_code"]) == ("Scotland", None)
        assert rows(con, "select count(*) from ref_postcode where postcode in ('JE2 3AB', 'GIR 0AA')") == [(0,)]
        assert rows(con, "select count(*) from ref_source where dataset = 'nspl'") == [(1,)]
        # NSPL's 2011 LSOA column holds the data zone for Scotland: kept, so SIMD can rank Scottish postcodes.
        assert rows(con, "select data_zone_code from ref_postcode where postcode = 'EH1 1YZ'") == [("S01008677",)]
        assert rows(con, "select count(*) from ref_postcode where data_zone_code is not null") == [(1,)]


def test_nspl_column_names_of_older_editions(tmp_path):
    path = tmp_path / "NSPL_MAY_2019_UK.csv"
    path.write_text("pcd,pcd2,pcds,doterm,ctry,lsoa11,lsoa21\n"
                    "B1  1BB,B1  1BB,B1 1BB,,E92000001,E01033620,E01033620\n"
                    "CF101EP,CF10 1EP,CF10 1EP,,W92000004,W01001952,W01001952\n", encoding="utf-8")
    df = refdata._postcodes_from_nspl([path], progress=False)
    assert df.to_dict("records") == [
        {"postcode": "B1 1BB", "lsoa21_code": "E01033620", "lsoa11_code": "E01033620", "nation": "England",
         "lsoa_method": "nspl", "data_zone_code": None},
        {"postcode": "CF10 1EP", "lsoa21_code": "W01001952", "lsoa11_code": "W01001952", "nation": "Wales",
         "lsoa_method": "nspl", "data_zone_code": None},
    ]


def test_nspl_zip_uses_the_whole_uk_file_not_its_parts(tmp_path):
    header = "pcds,doterm,ctry25cd,lsoa11cd,lsoa21cd\n"
    with zipfile.ZipFile(tmp_path / "NSPL_FEB_2025.zip", "w") as archive:
        archive.writestr("Data/NSPL_FEB_2025_UK.csv", header + "B1 1BB,,E92000001,E01033620,E01033620\n")
        archive.writestr("Data/multi_csv/NSPL_FEB_2025_B.csv", header + "B1 1BB,,E92000001,E01009999,E01009999\n")
        archive.writestr("Documents/NSPL User Guide.csv", "not data\n")
    assert refdata._nspl_files(["nspl/NSPL_FEB_2025.zip", "other/readme.txt"]) == ["nspl/NSPL_FEB_2025.zip"]
    df = refdata._postcodes_from_nspl([tmp_path / "NSPL_FEB_2025.zip"], progress=False)
    assert df[["postcode", "lsoa21_code"]].values.tolist() == [["B1 1BB", "E01033620"]]


def test_code_point_as_published_by_os_is_read(tmp_path):
    # OS's own product: codepo_gb.zip holding Data/CSV/<area>.csv, ten columns, no header.
    area_csv = ('"B1  1BB",10,406654,286948,"E92000001","E19000001","E18000005","","E08000025","E05011151"\n'
                '"EH1 1YZ",10,325597,673676,"S92000003","","S08000024","","S12000036","S13002920"\n'
                '"B1  9ZZ",90,0,0,"E92000001","","","","",""\n')
    with zipfile.ZipFile(tmp_path / "codepo_gb.zip", "w") as archive:
        archive.writestr("Doc/readme.txt", "Code-Point Open")
        archive.writestr("Data/CSV/b.csv", area_csv)
    assert refdata._codepoint_files(["codepo_gb.zip", "Doc/x.csv"]) == ["codepo_gb.zip"]
    df = refdata._read_codepoint([tmp_path / "codepo_gb.zip"], progress=False)
    assert df["postcode"].tolist() == ["B1  1BB", "EH1 1YZ", "B1  9ZZ"]
    assert df["quality"].tolist() == [10, 10, 90]
    # The reference layout: gzipped area files; unzipped OS files are taken when there are no gzipped ones.
    assert refdata._codepoint_files(["p/Data/CSV/b.csv.gz", "p/Data/CSV/b.csv"]) == ["p/Data/CSV/b.csv.gz"]
    assert refdata._codepoint_files(["codepo/Data/CSV/b.csv", "codepo/Doc/x.csv"]) == ["codepo/Data/CSV/b.csv"]
    with gzip.open(tmp_path / "b.csv.gz", "wt") as f:
        f.write(area_csv)
    assert len(refdata._read_codepoint([tmp_path / "b.csv.gz"], progress=False)) == 3


def test_progress_is_drawn_on_stderr(tmp_path, reference_dir, ref_db, capsys):
    refdata.load(reference_dir, db=ref_db, progress=True)
    captured = capsys.readouterr()
    assert "Reference data" in captured.err and captured.out == ""


# --- map boundaries -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "features", "code"), [("lsoa21", 35_672, "E01033620"), ("lad24", 361, BIRMINGHAM)])
def test_simplified_boundaries_are_cached_geojson(ref_db_template, kind, features, code):
    path = refdata.boundaries_path(kind)
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert len(collection["features"]) == features
    feature = next(f for f in collection["features"] if f["id"] == code)
    assert feature["properties"] == {f"{kind}_code": code}
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert -6.5 < lon < 2 and 49 < lat < 61  # lon/lat, not British National Grid
    assert len(str(lon).split(".")[1]) <= 5


def test_boundaries_path_says_how_to_build_them(tmp_path, monkeypatch):
    monkeypatch.setenv("ANCHOR_CACHE", str(tmp_path))
    with pytest.raises(refdata.RefdataError, match="refdata load"):
        refdata.boundaries_path("lsoa21")
    with pytest.raises(refdata.RefdataError, match="lsoa21, lsoa11, lad24"):
        refdata.boundaries_path("msoa21")


def test_missing_boundaries_are_rebuilt_even_when_the_load_is_skipped(ref_db, reference_dir, tmp_path, monkeypatch):
    geo = tmp_path / "cache" / "geo"
    geo.mkdir(parents=True)
    for name in ("lsoa21.geojson", "lsoa21.key", "lsoa11.geojson", "lsoa11.key"):
        shutil.copy(refdata.boundaries_path("lsoa21").parent / name, geo)
    monkeypatch.setenv("ANCHOR_CACHE", str(tmp_path / "cache"))
    summary = refdata.load(reference_dir, db=ref_db, progress=False)
    assert summary["skipped"] is True
    assert {kind: b["cached"] for kind, b in summary["boundaries"].items()} == {
        "lsoa21": True, "lsoa11": True, "lad24": False}
    assert refdata.boundaries_path("lad24").stat().st_size > 100_000

"""Maps: figures per LSOA (tiny world by hand, demo against the report), geometry, England file, the page."""

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, figures, ingest, maps, networks, store
from dashboard.ui import cache
from dashboard.ui import maps as map_figures
from tests import tiny
from tests.apptest import funder, signed_in

REPO_DIR = Path(__file__).resolve().parent.parent
PAGE = REPO_DIR / "dashboard" / "views" / "maps.py"
EMPTY_NETWORK = Path(__file__).resolve().parent / "data" / "empty_network.yaml"
DEMO = dict(network_id="birmingham", from_quarter="2025Q1", to_quarter="2026Q2")
FIGURES = ["participants", "completions", "jobs_filled", "spend_gbp"]
NO_AREAS = {"type": "FeatureCollection", "features": []}  # the figure's colours and values need no boundaries


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    return path


def _lsoa_figures(db: Path | None = None, **selection) -> pd.DataFrame:
    with store.connect(db) as con:
        return maps.lsoa_figures(con.cursor(), figures.Selection(**selection), scope=access.system())


def _nonzero(df: pd.DataFrame, column: str) -> dict[str, float]:
    return {r.lsoa_code: getattr(r, column) for r in df.itertuples() if getattr(r, column)}


def test_tiny_world_by_lsoa_iod2025(tiny_db):
    df = _lsoa_figures(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")
    # Every IoD2025 LSOA of the tiny world, once.
    assert df["lsoa_code"].tolist() == [f"E0100000{i}" for i in range(1, 7)]
    # Q1 starters: P1 at B1 1AA (..01), P2 at B2 2BB (..02), P3 given ..03, P4 at B66 4DD (..04);
    # P5 lives in Wales and P6 in Scotland: no English LSOA, not on the map.
    assert _nonzero(df, "participants") == {"E01000001": 1, "E01000002": 1, "E01000003": 1, "E01000004": 1}
    # Q1 completions: P1, P2, P4 (P6's is in Scotland).
    assert _nonzero(df, "completions") == {"E01000001": 1, "E01000002": 1, "E01000004": 1}
    # Q1 job starts: P2 (25 March) and P4 (20 February); P1's is 1 April.
    assert _nonzero(df, "jobs_filled") == {"E01000002": 1, "E01000004": 1}
    # Acme 1000.00 less its 100.00 credit at B1 1AA; Brum CIC 2500.50 at B91 3DE; Sandwell Supplies 400 at
    # B66 4DD. Cardiff Co (Wales) and Mystery Ltd (no location) are not mapped.
    assert _nonzero(df, "spend_gbp") == {"E01000001": pytest.approx(900.00), "E01000003": pytest.approx(2500.50),
                                         "E01000004": pytest.approx(400.00)}
    # The network's districts are Birmingham and Solihull: Sandwell's ..04 lies outside them.
    assert df[df["in_network_area"]]["lsoa_code"].tolist() == ["E01000001", "E01000002", "E01000003",
                                                                 "E01000005", "E01000006"]
    assert dict(zip(df["lsoa_code"], df["imd_decile"], strict=True)) == {
        "E01000001": 1, "E01000002": 2, "E01000003": 10, "E01000004": 1, "E01000005": 3, "E01000006": 1}
    assert df.loc[df["lsoa_code"] == "E01000003", "lad24_name"].item() == "Solihull"


def test_tiny_world_by_lsoa_iod2019_uses_2011_areas(tiny_db):
    df = _lsoa_figures(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1", imd_release="IoD2019")
    assert df["lsoa_code"].tolist() == ["E01000001", "E01000002", "E01000003", "E01000104", "E01000105",
                                        "E01000106"]
    # B66 4DD lies in 2011 LSOA E01000105: P4 and Sandwell Supplies' 400 go there.
    assert _nonzero(df, "participants") == {"E01000001": 1, "E01000002": 1, "E01000003": 1, "E01000105": 1}
    assert _nonzero(df, "spend_gbp") == {"E01000001": pytest.approx(900.00), "E01000003": pytest.approx(2500.50),
                                         "E01000105": pytest.approx(400.00)}
    # E01000106 split into two Birmingham 2021 LSOAs, so it lies in Birmingham; ..104/..105 became Sandwell's.
    assert df[df["in_network_area"]]["lsoa_code"].tolist() == ["E01000001", "E01000002", "E01000003",
                                                                 "E01000106"]


@pytest.mark.parametrize("extra", [{}, {"imd_release": "IoD2019"}, {"initiative_id": "i-can"},
                                   {"from_quarter": "2025Q3", "to_quarter": "2025Q3"}])
def test_lsoa_sums_agree_with_the_report_by_decile(demo_db, extra):
    selection = {**DEMO, **extra}
    df = _lsoa_figures(**selection)
    with store.connect() as con:
        report = figures.report(con.cursor(), figures.Selection(**selection))
    by_decile = df.groupby("imd_decile")[FIGURES].sum()
    deciles = [row for row in report["by_decile"] if row["imd_decile"] is not None]
    assert sum(row["participants"] for row in deciles) > 0
    for row in deciles:
        for column in FIGURES:
            assert by_decile.loc[row["imd_decile"], column] == pytest.approx(row[column], abs=0.005), (
                row["imd_decile"], column)


def test_demo_spend_placed_by_the_register_is_mapped(demo_db):
    # Payments exported without a location are placed through the supplier register: the map must show them.
    with store.connect() as con:
        unlocated = con.execute("select count(*) from spend where network_id = 'birmingham' and nation is null"
                                ).fetchone()[0]
    assert unlocated > 0
    df = _lsoa_figures(**DEMO)
    with store.connect() as con:
        report = figures.report(con.cursor(), figures.Selection(**DEMO))
    english = report["spend_total_gbp"] - sum(
        row["spend_gbp"] for row in report["by_decile"] if row["imd_decile"] is None)
    assert df["spend_gbp"].sum() == pytest.approx(english, abs=0.01)


def test_network_area_and_geometry_ids_match_the_lsoa_codes(demo_db):
    df = _lsoa_figures(**DEMO)
    with store.connect() as con:
        lookup = con.execute("select lsoa21_code, lad24_code from ref_lsoa21").df()
    # Independently: the LSOAs whose 2024 district is Birmingham or Solihull (the demo network's districts).
    in_area = set(lookup.loc[lookup["lad24_code"].isin(["E08000025", "E08000029"]), "lsoa21_code"])
    area_df = df[df["in_network_area"]]
    assert set(area_df["lsoa_code"]) == in_area
    assert 700 <= len(area_df) <= 1500
    geojson = maps.area_geojson(area_df, "IoD2025")
    assert [f["id"] for f in geojson["features"]] == area_df["lsoa_code"].tolist()
    first = geojson["features"][0]["properties"]
    row = area_df.iloc[0]
    assert first == {"lsoa_name": row["lsoa_name"], "lad24_name": row["lad24_name"],
                     "imd_decile": int(row["imd_decile"])}
    west, south, east, north = maps.bounds(geojson)
    assert -2.1 < west < east < -1.5 and 52.3 < south < north < 52.7  # Birmingham and Solihull
    lons, lats = maps.lad_outlines(["E08000025", "E08000029"])
    assert len(lons) == len(lats) and lons.count(None) >= 2


def test_england_file_holds_every_english_lsoa(demo_db):
    written = maps.ensure_england_geometry()
    with store.connect() as con:
        codes = set(con.execute("select lsoa_code from ref_imd where imd_release = 'IoD2025'").df()["lsoa_code"])
    collection = json.loads(maps.england_file("IoD2025").read_text())
    ids = [f["id"] for f in collection["features"]]
    assert len(ids) == 33_755 == written["IoD2025"]["features"]
    assert set(ids) == codes and all(code.startswith("E01") for code in ids)
    assert {"lsoa_name", "lad24_name", "imd_decile"} <= set(collection["features"][0]["properties"])
    districts = json.loads(maps.ENGLAND_DISTRICTS_FILE.read_text())["features"]
    assert districts and all(f["id"].startswith("E") for f in districts)
    # Written once: a second call finds the files current.
    assert maps.ensure_england_geometry()["IoD2025"]["cached"]


def test_figures_colour_deciles_with_the_one_palette(demo_db):
    from dashboard import palette

    df = _lsoa_figures(**DEMO)
    fig = map_figures.lsoa_map(df, "imd_decile", NO_AREAS)
    trace = fig.data[0]
    assert [c for _, c in trace.colorscale][::2] == [palette.DECILE_COLOURS[d] for d in range(1, 11)]
    assert trace.colorbar.ticktext[0] == "1 · most deprived" and trace.colorbar.ticktext[-1] == "10 · least deprived"
    assert fig.layout.map.style == "white-bg"
    spend = map_figures.lsoa_map(df, "spend_gbp", NO_AREAS, title="Spend · England")
    assert set(spend.data[0].colorbar.ticktext) >= {"none", "£1k"}
    assert spend.layout.title.text == "Spend · England"
    # One trace: LSOAs with no spend sit in the grey band below the scale, the rest on the warm scale.
    assert len(spend.data) == 1 and spend.data[0].colorscale[0][1] == map_figures.NOTHING_COLOUR
    paid = df["spend_gbp"].to_numpy() > 0
    none_z = spend.data[0].z[~paid]
    assert (none_z == none_z[0]).all() and none_z[0] == pytest.approx(spend.data[0].zmin, abs=1e-5)
    assert (spend.data[0].z[paid] > none_z[0]).all()


def test_england_goes_to_the_map_by_url_with_codes_and_values_only(demo_db):
    df = _lsoa_figures(**DEMO)
    spec = map_figures.map_args(df, "spend_gbp", maps.england_url("IoD2025"), districts=maps.ENGLAND_DISTRICTS_URL,
                                title="Spend · England", view_key="england", filename="f")
    assert spec["areas"] == "/app/static/geo/england-IoD2025.geojson"
    assert spec["districts"] == "/app/static/geo/england-lad24.geojson"
    # Codes and values only: far smaller than the 13 MB of England's boundaries.
    assert len(json.dumps(spec)) < 2_000_000 and len(spec["codes"]) == len(df)
    assert spec["hover"]["spend_gbp"] == df["spend_gbp"].round().astype("int64").tolist()
    assert spec["hover"]["participants"] == df["participants"].tolist()


def _run_maps(scope=None, **query: str) -> AppTest:
    # The page on its own, as the other page tests run theirs: sign-in is app.py's concern.
    at = signed_in(AppTest.from_file(str(PAGE), default_timeout=120), *([scope] if scope else []))
    at.query_params.update(query)
    return at.run()


def _map(at: AppTest) -> dict:
    """The spec the page gave its map (dashboard/map_component), as the browser receives it."""
    maps_drawn = [e for e in at.get("component_instance") if "area_map" in e.proto.component_name]
    assert len(maps_drawn) == 1
    return json.loads(maps_drawn[0].proto.json_args)["spec"]


def test_maps_page_for_the_demo_network(demo_db):
    cache.clear()
    at = _run_maps(network="birmingham", **{"from": "2025Q1", "to": "2026Q2"})
    assert not at.exception
    spec = _map(at)
    # A city's areas go with the map; every one of them has its code and value.
    assert len(spec["areas"]["features"]) == len(spec["codes"]) == len(spec["layer"]["z"])
    assert {f["id"] for f in spec["areas"]["features"]} == set(spec["codes"])
    assert spec["layer"]["name"] == "IMD decile" and spec["edges"]
    assert spec["districts"]["features"][0]["geometry"]["type"] == "MultiLineString"
    assert at.radio(key="maps_layer").value == "imd_decile"

    at.radio(key="maps_layer").set_value("spend_gbp").run()
    assert not at.exception
    assert at.query_params["layer"] == "spend_gbp"
    spec = _map(at)
    assert spec["layer"]["name"] == "Spend" and spec["title"].startswith("Spend by neighbourhood (LSOA)")
    assert spec["filename"] == "anchor-impact_birmingham_spend_gbp_network_2025Q1-2026Q2"

    at.radio(key="maps_area").set_value("england").run()
    assert not at.exception
    spec = _map(at)
    # England's areas by URL: the browser fetches them once and keeps them while the layer or figures change.
    assert spec["areas"] == maps.england_url("IoD2025") and spec["districts"] == maps.ENGLAND_DISTRICTS_URL
    assert len(spec["codes"]) == 33_755 and not spec["edges"]
    assert len(json.dumps(spec)) < 2_000_000
    assert at.query_params["area"] == "england"
    assert at.get("download_button")


def test_maps_page_for_a_network_without_data(demo_db):
    networks.load(EMPTY_NETWORK, db=demo_db)
    cache.clear()
    at = _run_maps(network="coventry-empty")
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)
    # Still a map: the deprivation of Coventry's own areas.
    assert _map(at)["layer"]["name"] == "IMD decile"
    at.radio(key="maps_layer").set_value("participants").run()
    assert not at.exception


def test_maps_page_says_how_to_install_a_missing_map_library(demo_db, monkeypatch):
    from dashboard.ui import widgets

    monkeypatch.setattr(widgets, "MAP_LIBRARY", widgets.MAP_LIBRARY.with_name("missing.js"))
    cache.clear()
    at = _run_maps(network="birmingham")
    assert not at.exception
    assert any("make setup" in e.value for e in at.error)


def _funder_sees_no_people(spec: dict, spend_gbp: pd.Series) -> None:
    assert spec["layer"]["name"] in ("IMD decile", "Spend")
    # Spend alone per area, in whole pounds: no figures of participants or jobs, not even zeros.
    assert list(spec["hover"]) == ["spend_gbp"]
    assert spec["hover"]["spend_gbp"] == spend_gbp.round().astype("int64").tolist()
    assert "Participants" not in json.dumps(spec) and "Jobs" not in json.dumps(spec)


def test_a_funders_england_map_carries_no_counts_of_people(demo_db):
    cache.clear()
    # Asking for participants in the URL gets the deprivation layer: the people layers are not offered at all.
    at = _run_maps(funder(("birmingham", None)), network="birmingham", area="england", layer="participants",
                   **{"from": "2025Q1", "to": "2026Q2"})
    assert not at.exception
    assert at.radio(key="maps_layer").options == ["Deprivation decile", "Spend"]
    assert at.radio(key="maps_layer").value == "imd_decile"
    assert at.query_params["layer"] == "imd_decile"
    spend_gbp = _lsoa_figures(**DEMO)["spend_gbp"]
    _funder_sees_no_people(_map(at), spend_gbp)
    at.radio(key="maps_layer").set_value("spend_gbp").run()
    assert not at.exception
    _funder_sees_no_people(_map(at), spend_gbp)
    assert spend_gbp.sum() > 0


def test_figures_without_counts_of_people_carry_spend_alone(demo_db):
    df = _lsoa_figures(**DEMO)
    controlled = df.assign(**{c: pd.array([pd.NA] * len(df), dtype="Int64") for c in maps.PEOPLE_COLUMNS})
    for layer in ("imd_decile", "spend_gbp"):
        trace = map_figures.lsoa_map(controlled, layer, NO_AREAS).data[0]
        assert trace.customdata.shape == (len(df), 1) and trace.hovertemplate == map_figures.HOVER_SPEND_ONLY
        assert (trace.customdata[:, 0] == df["spend_gbp"].round().to_numpy()).all()
    # With exact figures, the hover reads participants, jobs filled and spend in that order.
    exact = map_figures.lsoa_map(df, "participants", NO_AREAS).data[0]
    assert exact.hovertemplate == map_figures.HOVER
    assert (exact.customdata == df[["participants", "jobs_filled", "spend_gbp"]].round().to_numpy()).all()


def test_the_page_map_and_the_slide_map_colour_every_layer_alike(demo_db):
    df = _lsoa_figures(**DEMO)
    for layer in map_figures.LAYER_LABELS:
        trace = map_figures.lsoa_map(df, layer, NO_AREAS).data[0]
        spec = map_figures.map_args(df, layer, maps.england_url("IoD2025"), districts=maps.ENGLAND_DISTRICTS_URL,
                                    title="t", view_key="k", filename="f")["layer"]
        assert spec["name"] == trace.name and spec["ticktext"] == list(trace.colorbar.ticktext)
        assert spec["zmin"] == pytest.approx(trace.zmin) and spec["zmax"] == pytest.approx(trace.zmax)
        assert [list(stop) for stop in trace.colorscale] == [list(stop) for stop in spec["colorscale"]]
        assert spec["z"] == pytest.approx(list(trace.z), abs=1e-4)

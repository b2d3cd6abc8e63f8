"""Network settings: a network set up in the app with no YAML. The core's check, apply and slug on the tiny world;
the page driven by AppTest on the real reference data and the demo."""

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard import access, ingest, networks, store
from dashboard.ui import cache
from dashboard.ui import maps as map_figures
from tests import tiny
from tests.apptest import ADMIN, coordinator, signed_in

PAGE = Path(__file__).resolve().parent.parent / "dashboard" / "views" / "network_settings.py"
TABLES = ("network", "network_lad", "institution", "initiative", "network_access", "network_sso_domain")
ADMIN_SCOPE = access.Scope("admin@x.example", "admin")
COORDINATOR = access.Scope("coord@x.example", "coordinator", "tiny")


def _rows(db: Path, sql: str, **params) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or None).fetchall()


def _state(db: Path, network_id: str) -> dict[str, list[tuple]]:
    """Every row the definition writes for one network (the time it was written left out)."""
    columns = {"network": "* exclude (updated_at)"}
    return {t: _rows(db, f"select {columns.get(t, '*')} from {t} where network_id = $n order by all",  # noqa: S608
                     n=network_id) for t in TABLES}


def _everything(db: Path) -> dict[str, list[tuple]]:
    return {t: _rows(db, f"select * from {t} order by all") for t in (*TABLES, "audit_log")}  # noqa: S608


@pytest.fixture
def tiny_db(tmp_path) -> Path:
    return tiny.build(tmp_path / "tiny.duckdb")


def page_dict() -> dict:
    """A new network as the page builds it: dates as dates, an institution that has left, an April year."""
    return {
        "id": "coventry", "name": "Coventry Anchor Network", "description": "Hospitals and the council.",
        "local_districts": ["E08000025", "E08000028"],
        "institutions": [
            {"id": "uhcw", "name": "University Hospitals Coventry", "type": "nhs_trust"},
            {"id": "council", "name": "Coventry City Council", "type": "local_authority"},
            {"id": "college", "name": "Coventry College", "type": "college", "left": dt.date(2026, 3, 31)},
        ],
        "initiatives": [
            {"id": "health-careers", "name": "Health Careers", "lead": "uhcw", "start": dt.date(2025, 4, 1),
             "end": dt.date(2026, 3, 31), "description": "Entry-level NHS jobs."},
            {"id": "buy-local", "name": "Buy Local", "lead": "council", "start": dt.date(2025, 4, 1)},
        ],
        "year_start": "april",
        "disclosure": {"threshold": 10},
        "access": {"public_view": True, "sso_domains": []},
    }


# --- slug --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, taken, expected", [
    ("Birmingham Anchor Network", [], "birmingham-anchor-network"),
    ("Birmingham & Solihull", [], "birmingham-and-solihull"),
    ("  Café Zoë (North) ", [], "cafe-zoe-north"),
    ("Ysbyty Gwynedd", ["ysbyty-gwynedd"], "ysbyty-gwynedd-2"),
    ("Ysbyty Gwynedd", ["ysbyty-gwynedd", "ysbyty-gwynedd-2"], "ysbyty-gwynedd-3"),
    ("???", [], "id"),
])
def test_slug_makes_an_id_from_a_name(name, taken, expected):
    assert networks.slug(name, taken) == expected


def test_slug_stays_within_63_characters_and_unique():
    long = "University Hospitals Coventry and Warwickshire NHS Trust Research Institute"
    first = networks.slug(long, [])
    second = networks.slug(long, [first])
    assert len(first) == len(second) == 63 and second.endswith("-2") and first != second
    assert networks.check({**page_dict(), "id": second}, "t")["id"] == second  # a valid id


# --- check --------------------------------------------------------------------------------------------------------


def test_check_names_every_bad_field_at_once():
    doc = page_dict()
    doc["year_start"] = "july"
    doc["institutions"][2]["left"] = "last March"
    doc["institutions"].append({"id": "uhcw", "name": "Again", "type": "nhs_trust"})
    doc["initiatives"][0]["end"] = dt.date(2025, 1, 1)
    doc["initiatives"][1]["lead"] = None
    with pytest.raises(networks.NetworkError) as refused:
        networks.check(doc, "coventry.yaml")
    assert refused.value.problems == [
        "network: year_start 'july' must be one of calendar, april",
        "institutions[3]: 'left' must be a date like 2025-03-31",
        "institutions[4]: id 'uhcw' appears twice",
        "initiatives[1]: 'end' 2025-01-01 is before 'start' 2025-04-01",
        "initiatives[2]: 'lead' is missing",
    ]
    assert str(refused.value).startswith("coventry.yaml:\n  network: year_start 'july'")


def test_check_takes_a_year_start_and_a_left_date_or_neither():
    doc = page_dict()
    assert networks.check(doc, "t") is doc
    del doc["year_start"], doc["institutions"][2]["left"]
    assert networks.check(doc, "t") is doc


# --- apply ------------------------------------------------------------------------------------------------------------


def test_applying_the_pages_dict_equals_loading_its_exported_yaml(tiny_db, tmp_path):
    assert networks.apply(page_dict(), tiny_db, scope=ADMIN_SCOPE, source=networks.PAGE) == "coventry"
    applied = _state(tiny_db, "coventry")
    assert applied["institution"] == [("coventry", "college", "Coventry College", "college", dt.date(2026, 3, 31)),
                                      ("coventry", "council", "Coventry City Council", "local_authority", None),
                                      ("coventry", "uhcw", "University Hospitals Coventry", "nhs_trust", None)]
    assert applied["network"] == [("coventry", "Coventry Anchor Network", "Hospitals and the council.", False, 10,
                                   "april")]
    with store.connect(tiny_db) as con:
        exported = networks.export(con.cursor(), "coventry")
        assert networks.definition(con.cursor(), "coventry") == {**page_dict(), "local_districts": [
            "E08000025", "E08000028"], "institutions": sorted(page_dict()["institutions"], key=lambda i: i["id"]),
            "initiatives": sorted(page_dict()["initiatives"], key=lambda i: i["id"])}
    doc = yaml.safe_load(exported)
    assert doc["year_start"] == "april" and doc["institutions"][0]["left"] == dt.date(2026, 3, 31)
    # The YAML loaded into another installation writes exactly the same rows; loaded back here, nothing changes.
    path = tmp_path / "coventry.yaml"
    path.write_text(exported, encoding="utf-8")
    elsewhere = tiny.build(tmp_path / "elsewhere.duckdb")
    networks.load(path, elsewhere)
    assert _state(elsewhere, "coventry") == applied
    networks.load(path, tiny_db)
    assert _state(tiny_db, "coventry") == applied


def test_a_network_without_year_start_counts_calendar_years(tiny_db):
    assert _rows(tiny_db, "select year_start from network") == [("calendar",)]
    doc = page_dict()
    del doc["year_start"]
    networks.apply(doc, tiny_db, scope=ADMIN_SCOPE, source=networks.PAGE)
    with store.connect(tiny_db) as con:
        assert networks.definition(con.cursor(), "coventry")["year_start"] == "calendar"


def _upload_for_trust(db: Path) -> None:
    data = b"participant_ref,initiative,home_postcode,start_date\nR1,h2h,B1 1AA,10/01/2025\n"
    preview = ingest.prepare("tiny", "trust", "participants", "2025Q1", data, "p.csv", db=db, scope=access.system())
    assert preview.ok, preview.problems
    ingest.commit(preview, db=db, scope=access.system())


def test_an_institution_with_submissions_cannot_be_removed_but_can_leave(tiny_db):
    _upload_for_trust(tiny_db)
    with store.connect(tiny_db) as con:
        doc = networks.definition(con.cursor(), "tiny")
    before = _everything(tiny_db)
    without_trust = {**doc, "institutions": [i for i in doc["institutions"] if i["id"] != "trust"],
                     "initiatives": [{**i, "lead": "council"} for i in doc["initiatives"]],
                     "description": "changed as well"}
    with pytest.raises(networks.NetworkError) as refused:
        networks.apply(without_trust, tiny_db, scope=COORDINATOR, source=networks.PAGE)
    assert refused.value.problems == [
        "institutions trust have submissions and cannot be removed: give them the date they left instead"]
    assert _everything(tiny_db) == before  # nothing written, not even the audit log
    # Marked as left, it stays with its data.
    left = {**doc, "institutions": [{**i, "left": dt.date(2025, 6, 30)} if i["id"] == "trust" else i
                                    for i in doc["institutions"]]}
    networks.apply(left, tiny_db, scope=COORDINATOR, source=networks.PAGE)
    assert _rows(tiny_db, "select institution_id, left_on from institution order by 1") == [
        ("council", None), ("trust", dt.date(2025, 6, 30))]
    assert _rows(tiny_db, "select count(*) from participant where institution_id = 'trust'") == [(1,)]


def test_an_institution_that_has_left_sends_no_file_for_a_later_quarter(tiny_db):
    _upload_for_trust(tiny_db)
    with store.connect(tiny_db) as con:
        doc = networks.definition(con.cursor(), "tiny")

    def file(quarter: str) -> bytes:
        month = 3 * int(quarter[-1]) - 1
        row = f"R{month},h2h,B1 1AA,10/{month:02d}/2025"
        return f"participant_ref,initiative,home_postcode,start_date\n{row}\n".encode()

    # Prepared while a member, committed after the coordinator recorded that it left: refused, nothing written.
    pending = ingest.prepare("tiny", "trust", "participants", "2025Q3", file("2025Q3"), "p.csv", db=tiny_db,
                             scope=access.system())
    assert pending.ok, pending.problems
    left = {**doc, "institutions": [{**i, "left": dt.date(2025, 5, 15)} if i["id"] == "trust" else i
                                    for i in doc["institutions"]]}
    networks.apply(left, tiny_db, scope=COORDINATOR, source=networks.PAGE)
    before = _everything(tiny_db)
    message = ("Test NHS Trust left the network on 15 May 2025, before Jul–Sep 2025: it sends no files for later "
               "quarters. Files for the quarters it was a member can still be sent or corrected.")
    with pytest.raises(ingest.IngestError) as refused:
        ingest.commit(pending, db=tiny_db, scope=access.system())
    assert [p.message for p in refused.value.problems] == [message]
    assert _everything(tiny_db) == before
    later = ingest.prepare("tiny", "trust", "participants", "2025Q3", file("2025Q3"), "p.csv", db=tiny_db,
                           scope=access.system())
    assert [p.message for p in later.problems] == [message]
    # The quarter it left in, and the ones before, can still be sent or corrected.
    for quarter in ("2025Q2", "2025Q1"):
        preview = ingest.prepare("tiny", "trust", "participants", quarter, file(quarter), "p.csv", db=tiny_db,
                                 scope=access.system())
        assert preview.ok, preview.problems


def test_saving_on_the_page_is_audited_as_a_save_and_a_file_as_a_load(tiny_db, tmp_path):
    with store.connect(tiny_db) as con:
        doc = networks.definition(con.cursor(), "tiny")
        text = networks.export(con.cursor(), "tiny")
    networks.apply({**doc, "year_start": "april"}, tiny_db, scope=COORDINATOR, source=networks.PAGE)
    networks.apply(page_dict(), tiny_db, scope=ADMIN_SCOPE, source=networks.PAGE)
    (tmp_path / "tiny.yaml").write_text(text, encoding="utf-8")
    networks.load(tmp_path / "tiny.yaml", tiny_db, scope=COORDINATOR)
    entries = _rows(tiny_db, "select actor_email, role, action, network_id, detail from audit_log order by all")
    saved = [(e[0], e[2], e[3], json.loads(e[4])) for e in entries if e[0] != access.system().actor]
    assert sorted(saved, key=lambda e: (e[1], e[2])) == [
        ("coord@x.example", "network.load", "tiny",
         {"file": "tiny.yaml", "institutions": 2, "initiatives": 2, "targets": 0, "public_view": False}),
        ("admin@x.example", "network.save", "coventry",
         {"created": True, "institutions": 3, "initiatives": 2, "targets": 0, "public_view": True}),
        ("coord@x.example", "network.save", "tiny",
         {"created": False, "institutions": 2, "initiatives": 2, "targets": 0, "public_view": False}),
    ]


def test_only_an_administrator_creates_and_a_coordinator_saves_only_their_own(tiny_db):
    before = _everything(tiny_db)
    with pytest.raises(access.Denied):
        networks.apply(page_dict(), tiny_db, scope=COORDINATOR, source=networks.PAGE)
    with pytest.raises(access.Denied):
        networks.settings(None, tiny_db, scope=COORDINATOR)
    other = access.Scope("coord@y.example", "coordinator", "elsewhere")
    with pytest.raises(access.Denied):
        networks.settings("tiny", tiny_db, scope=other)
    assert _everything(tiny_db) == before


def test_settings_offer_every_district_by_name(tiny_db):
    found = networks.settings("tiny", tiny_db, scope=COORDINATOR)
    assert list(found["districts"]["label"]) == [
        "Birmingham (England)", "Cardiff (Wales)", "City of Edinburgh (Scotland)", "Sandwell (England)",
        "Solihull (England)"]
    assert found["definition"]["id"] == "tiny" and found["yaml"].startswith("# Network 'tiny'")
    assert found["with_submissions"] == set() and found["network_ids"] == set()
    new = networks.settings(None, tiny_db, scope=ADMIN_SCOPE)
    assert new["definition"] is None and new["yaml"] is None and new["network_ids"] == {"tiny"}


def test_unknown_districts_are_refused_by_name_of_the_field(tiny_db):
    doc = {**page_dict(), "local_districts": ["E08000025", "E99999999"]}
    with pytest.raises(networks.NetworkError, match="local_districts has unknown LAD 2024 codes: E99999999"):
        networks.apply(doc, tiny_db, scope=ADMIN_SCOPE, source=networks.PAGE)
    assert _rows(tiny_db, "select network_id from network") == [("tiny",)]


# --- the map of the local area -------------------------------------------------------------------------------------


def test_the_district_map_fills_the_chosen_districts_with_their_holes(ref_db):
    with store.connect(ref_db) as con:
        choices = networks.district_choices(con.cursor())
    codes = ["E07000012", "E07000008"]  # South Cambridgeshire, which surrounds Cambridge
    geojson = map_figures.district_geojson(codes)
    south_cambs = next(f for f in geojson["features"] if f["id"] == "E07000012")["geometry"]
    polygons = south_cambs["coordinates"] if south_cambs["type"] == "MultiPolygon" else [south_cambs["coordinates"]]
    assert any(len(rings) > 1 for rings in polygons)  # Cambridge is a hole in it, not filled over
    fig = map_figures.district_map(choices[choices["lad24_code"].isin(codes)], geojson)
    spec = fig.to_dict()
    assert json.loads(pio.to_json(go.Figure(spec).to_dict(), validate=False)) == json.loads(
        pio.to_json(spec, validate=False))
    area = spec["data"][0]
    assert area["type"] == "choroplethmap" and list(area["locations"]) == codes
    assert list(area["text"]) == ["South Cambridgeshire (England)", "Cambridge (England)"]
    assert spec["layout"]["map"]["style"] == "white-bg"


# --- the page --------------------------------------------------------------------------------------------------------


def run_page(scope: access.Scope, **query: str) -> AppTest:
    cache.clear()
    at = signed_in(AppTest.from_file(str(PAGE), default_timeout=120), scope)
    at.query_params.update(query)
    return at.run()


def field(at: AppTest, kind: str, name: str):
    """The widget of one of the page's fields (its key ends in the number of times the page was filled)."""
    [widget] = [w for w in at.get(kind) if re.fullmatch(rf"network_settings_{name}_\d+", w.key or "")]
    return widget


def edit(at: AppTest, table: str, *, added=(), edited=None, deleted=()) -> AppTest:
    """Edit one of the page's tables as the browser would, and rerun."""
    at.session_state[f"network_settings_{table}"] = {"edited_rows": edited or {}, "added_rows": list(added),
                                                      "deleted_rows": list(deleted)}
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _state_of(con: duckdb.DuckDBPyConnection, network_id: str) -> dict:
    """A network's definition and how many audit entries it has."""
    return {"definition": networks.definition(con.cursor(), network_id), "audit_entries": con.execute(
        "select count(*) from audit_log where network_id = $n", {"n": network_id}).fetchall()}


def test_an_administrator_creates_a_network_for_districts_chosen_by_name(demo_db):
    at = ok(run_page(ADMIN))
    at = ok(at.radio(key="network_settings_mode").set_value("new").run())
    assert not at.data_editor[0].value.shape[0] and not at.get("download_button")
    districts = field(at, "multiselect", "districts")
    with store.connect(demo_db) as con:
        code_of = dict(zip(*networks.district_choices(con.cursor())[["label", "lad24_code"]].T.values, strict=True))
    chosen = ["Coventry (England)", "Warwick (England)"]
    assert set(chosen) <= set(districts.options)
    districts.set_value([code_of[label] for label in chosen])
    field(at, "text_input", "name").input("Coventry & Warwickshire Anchors")
    at = ok(at.run())
    # The map draws the chosen districts as they are chosen.
    area = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert area["type"] == "choroplethmap" and sorted(area["locations"]) == sorted(code_of[c] for c in chosen)
    assert "`coventry-and-warwickshire-anchors`" in at.caption[1].value
    at = ok(edit(at, "institutions", added=[
        {"name": "University Hospitals Coventry and Warwickshire", "type": "nhs_trust"},
        {"name": "Coventry City Council", "type": "local_authority"},
        {"name": "University of Warwick", "type": "university", "left": "2026-03-31"}]))
    at = ok(edit(at, "initiatives", added=[
        {"name": "Health Careers", "lead": "Coventry City Council", "start": "2025-04-01",
         "description": "Entry-level jobs."}]))
    field(at, "radio", "year_start").set_value("april")
    field(at, "toggle", "public_view").set_value(True)
    at = ok(at.button(key="network_settings_save").click().run())
    assert "Created Coventry & Warwickshire Anchors" in at.success[0].value
    assert "3 institutions (1 left), 1 initiative" in at.success[0].value

    with store.connect(demo_db) as con:
        listed = networks.list_networks(con.cursor())
        doc = networks.definition(con.cursor(), "coventry-and-warwickshire-anchors")
    assert "Coventry & Warwickshire Anchors" in set(listed["name"])
    assert doc["local_districts"] == sorted(code_of[c] for c in chosen)
    assert doc["institutions"] == [
        {"id": "coventry-city-council", "name": "Coventry City Council", "type": "local_authority"},
        {"id": "university-hospitals-coventry-and-warwickshire",
         "name": "University Hospitals Coventry and Warwickshire", "type": "nhs_trust"},
        {"id": "university-of-warwick", "name": "University of Warwick", "type": "university",
         "left": dt.date(2026, 3, 31)}]
    assert doc["initiatives"] == [{"id": "health-careers", "name": "Health Careers", "lead": "coventry-city-council",
                                   "start": dt.date(2025, 4, 1), "description": "Entry-level jobs."}]
    assert doc["year_start"] == "april" and doc["access"]["public_view"] is True
    assert doc["disclosure"] == {"threshold": 5}
    # The page now edits the new network, ids beside each row, and offers its YAML.
    assert at.selectbox(key="network_settings_network").value == "coventry-and-warwickshire-anchors"
    assert list(at.data_editor[0].value["id"]) == [i["id"] for i in doc["institutions"]]
    assert [d.key for d in at.get("download_button")] == ["network_settings_download_yaml"]


def test_a_coordinator_edits_their_network_and_cannot_create_one(demo_db):
    scope = coordinator("birmingham")
    at = ok(run_page(scope, network="birmingham"))
    assert "network_settings_mode" not in [r.key for r in at.radio]
    assert not any("New network" in str(getattr(e, "value", "")) for e in at.main)
    assert field(at, "text_input", "name").value == "Birmingham Anchor Network"
    institutions = at.data_editor[0].value
    assert dict(zip(institutions["id"], institutions["has_data"], strict=True))["uhb"] == "Yes"
    with store.connect(demo_db) as con:
        before = _state_of(con, "birmingham")

    # Removing an institution with submissions is refused, and nothing changes.
    uhb = list(institutions["id"]).index("uhb")
    at = edit(at, "institutions", deleted=[uhb])
    field(at, "text_area", "description").input("A new description")
    at = at.button(key="network_settings_save").click().run()
    # Every problem at once: the initiative it led has lost its lead too.
    assert not at.exception and "Nothing was saved.** 2 problems" in at.error[0].value
    assert "Initiatives, row 2\\: lead 'University Hospitals Birmingham NHS Foundation Trust' is not one of" in (
        at.error[0].value)
    assert "Institutions uhb have submissions and cannot be removed\\: give them the date they left" in (
        at.error[0].value)
    with store.connect(demo_db) as con:
        assert _state_of(con, "birmingham") == before

    # Marked as left instead, it is saved with the new description; the page shows the saved network.
    at = ok(edit(at, "institutions", edited={uhb: {"left": "2026-06-30"}}))
    at = ok(at.button(key="network_settings_save").click().run())
    assert "Saved Birmingham Anchor Network" in at.success[0].value and "7 institutions (1 left)" in (
        at.success[0].value)
    with store.connect(demo_db) as con:
        doc = networks.definition(con.cursor(), "birmingham")
        log = store.run(con.cursor(), "audit_log_of_network", network_id="birmingham", since=None, limit=1)
    assert doc["description"] == "A new description"
    assert next(i for i in doc["institutions"] if i["id"] == "uhb")["left"] == dt.date(2026, 6, 30)
    assert (log["action"].iloc[0], log["actor_email"].iloc[0]) == ("network.save", scope.actor)
    assert field(at, "text_area", "description").value == "A new description"


def test_renaming_an_institution_carries_its_initiatives_lead(demo_db):
    at = ok(run_page(coordinator("birmingham"), network="birmingham"))
    ids = list(at.data_editor[0].value["id"])
    i_can = list(at.data_editor[1].value["id"]).index("i-can")
    at = ok(edit(at, "initiatives", edited={i_can: {"description": "Typed before the rename."}}))
    at = ok(edit(at, "institutions", edited={ids.index("bcc"): {"name": "Birmingham City Council (BCC)"}}))
    # The lead column's choices changed, so the table started again from what it showed: the edit is kept.
    initiatives = at.data_editor[1].value.set_index("id")
    assert initiatives.loc["i-can", "lead"] == initiatives.loc["buy-local", "lead"] == "Birmingham City Council (BCC)"
    assert initiatives.loc["i-can", "description"] == "Typed before the rename."
    at = ok(at.button(key="network_settings_save").click().run())
    with store.connect(demo_db) as con:
        doc = networks.definition(con.cursor(), "birmingham")
    assert {i["id"]: (i["lead"], i["description"]) for i in doc["initiatives"]}["i-can"] == (
        "bcc", "Typed before the rename.")
    assert {i["id"]: i["name"] for i in doc["institutions"]}["bcc"] == "Birmingham City Council (BCC)"


def test_the_page_refuses_a_partner(demo_db):
    at = run_page(access.Scope("partner@birmingham.demo.example", "partner", "birmingham", "uhb"),
                  network="birmingham")
    assert not at.exception
    assert any("Only the network's coordinator" in i.value for i in at.info)
    assert not at.data_editor


def test_the_page_says_plainly_what_is_missing_and_creates_nothing(demo_db):
    with store.connect(demo_db) as con:
        before = set(networks.list_networks(con.cursor())["network_id"])
    at = ok(run_page(ADMIN))
    at = ok(at.radio(key="network_settings_mode").set_value("new").run())
    field(at, "text_input", "name").input("Nowhere Network")
    at = ok(edit(at, "institutions", added=[{"name": "Nowhere College", "type": "college"},
                                             {"name": "Nowhere College", "type": "university"}]))
    at = at.button(key="network_settings_save").click().run()
    assert not at.exception and "more than one is called 'Nowhere College'" in at.error[0].value
    at = ok(edit(at, "institutions", added=[{"name": "Nowhere College", "type": "college"}]))
    at = ok(edit(at, "initiatives", added=[{"name": "Going Places", "lead": "Nowhere College"}]))
    at = at.button(key="network_settings_save").click().run()
    assert not at.exception
    assert at.error[0].value == ("**Nothing was saved.** 2 problems to fix:\n"
                                 "- The local area needs at least one district\n"
                                 "- Initiatives, row 1\\: 'Starts' is missing")
    with store.connect(demo_db) as con:
        assert set(networks.list_networks(con.cursor())["network_id"]) == before

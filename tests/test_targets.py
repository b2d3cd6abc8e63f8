"""Targets: set in the network definition or on the Targets page; their progress in `report --json` (`targets`),
on the Overview, the Initiative page and the slides, each figure worked out again here from the report of the
target's own quarters, as the reader may see it."""

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, figures, networks, parsing, reports, store, targets
from tests.apptest import coordinator, funder, signed_in

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "dashboard" / "app.py"
COORDINATOR = access.Scope("coordinator@birmingham.example", "coordinator", "birmingham")
FUNDER = access.Scope("funder@birmingham.example", "funder", grants=frozenset({("birmingham", None)}))
ONE_INITIATIVE = access.Scope("funder@i-can.example", "funder", grants=frozenset({("birmingham", "i-can")}))


def _target(**changes) -> targets.Target:
    base = {"target_id": "t", "measure": "participants", "value": 200.0, "deadline": dt.date(2027, 3, 31),
            "from_quarter": "2026Q2"}
    return targets.Target(**{**base, **changes})


@pytest.mark.parametrize(("changes", "figure", "measured_to", "status", "expected"), [
    ({}, 124, "2026Q3", "on_track", 100.0),          # half the quarters, more than half the way
    ({}, 99, "2026Q3", "behind", 100.0),
    ({}, 200, "2026Q3", "met", 100.0),               # a count only grows: reached is met
    ({}, 150, "2027Q1", "missed", 200.0),            # the deadline's quarter is in and it fell short
    ({}, 60, "2026Q2", "on_track", 50.0),
    ({"direction": "at_most", "measure": "spend_total_gbp", "value": 1000.0}, 1200.5, "2026Q3", "missed", 500.0),
    ({"direction": "at_most", "measure": "spend_total_gbp", "value": 1000.0}, 900, "2027Q1", "met", 1000.0),
    ({"measure": "spend_local_pct", "value": 55.0}, 50.5, "2026Q3", "behind", None),
    ({"measure": "spend_local_pct", "value": 55.0}, 56.0, "2026Q3", "on_track", None),  # a share can still fall
    ({"measure": "spend_local_pct", "value": 55.0}, 56.0, "2027Q1", "met", None),
    ({"measure": "spend_local_pct", "value": 55.0}, 50.5, "2027Q1", "missed", None),
    ({}, "<5", "2026Q3", "unknown", None),           # hidden by disclosure control: no claim either way
    ({"measure": "spend_local_pct"}, None, "2026Q3", "unknown", None),
    ({}, None, None, "not_started", None),
])
def test_status(changes, figure, measured_to, status, expected):
    assert targets.status(_target(**changes), figure, measured_to) == (status, expected)


def _definition(db: Path) -> dict:
    with store.connect(db) as con:
        return networks.definition(con.cursor(), "birmingham")


@pytest.mark.parametrize(("entry", "message"), [
    ({"measure": "happiness"}, "measure 'happiness' is not one of participants"),
    ({"measure": "spend_local_pct", "value": 140}, "value 140 is a percentage, so at most 100"),
    ({"value": -1}, "value '-1' must be a number, 0 or more"),
    ({"value": "lots"}, "value 'lots' must be a number"),
    ({"direction": "about"}, "direction 'about' must be one of at_least, at_most"),
    ({"from": "2026Q5"}, "'from' is the first quarter the target covers: '2026Q5' is not a quarter"),
    ({"by": "next year"}, "'by' must be the deadline, a date like 2026-03-31"),
    ({"by": dt.date(2026, 3, 31)}, "the deadline 2026-03-31 is before its first quarter 2026Q2 begins"),
    ({"initiative": "nobody"}, "initiative 'nobody' is not one of the network's initiatives"),
    ({"id": "nhs-jobs"}, "id 'nhs-jobs' appears twice"),
])
def test_a_bad_target_is_refused_saying_which_and_why_and_changes_nothing(demo_db, entry, message):
    before = _definition(demo_db)
    doc = copy.deepcopy(before)
    doc["targets"].append({"id": "new", "measure": "participants", "value": 10, "from": "2026Q2",
                           "by": dt.date(2027, 3, 31), **entry})
    with pytest.raises(networks.NetworkError) as raised:
        networks.apply(doc, demo_db, scope=COORDINATOR, source=networks.PAGE)
    assert any(f"targets[5]: {message}" in p for p in raised.value.problems), raised.value.problems
    assert _definition(demo_db) == before


def test_targets_round_trip_through_the_yaml_the_networks_way(demo_db, tmp_path):
    doc = _definition(demo_db)
    assert [t["id"] for t in doc["targets"]] == ["local-spend-share", "residents-reached", "nhs-jobs",
                                                 "most-deprived-reach"]
    with store.connect(demo_db) as con:
        con.execute("update network set year_start = 'april' where network_id = 'birmingham'")
    april = _definition(demo_db)
    assert {t["from"] for t in april["targets"]} == {"2026/27Q1"}  # the same quarter, named the network's way
    networks.apply(april, demo_db, scope=COORDINATOR, source=networks.PAGE)
    assert _definition(demo_db) == april


def _report(db: Path, scope: access.Scope, selection: figures.Selection) -> dict:
    with store.connect(db) as con:
        return reports.view(con.cursor(), scope, selection)


@pytest.mark.parametrize("scope", [COORDINATOR, FUNDER], ids=["coordinator", "funder"])
def test_each_targets_figure_is_the_readers_report_of_its_own_quarters(demo_db, scope):
    selection = figures.Selection("birmingham", "2025Q1", "2025Q4")  # the targets' quarters are their own
    with store.connect(demo_db) as con:
        progress = reports.view(con.cursor(), scope, selection, ("targets",))["targets"]
        last = figures.data_quarters(con.cursor(), "birmingham")[1]
    assert last == "2026Q3"
    assert [t["id"] for t in progress] == ["local-spend-share", "residents-reached", "nhs-jobs",
                                           "most-deprived-reach"]
    for target in progress:
        again = _report(demo_db, scope, figures.Selection("birmingham", "2026Q2", "2026Q3",
                                                          initiative_id=target["initiative_id"]))
        assert target["figure"] == again[target["measure"]], target["id"]
        assert target["measured_to"] == "2026Q3" and target["to_quarter"] == "2027Q1"
        assert target["period_label"] == "Apr–Jun 2026 to Jul–Sep 2026"
        if target["kind"] != "pct":
            assert target["expected_by_now"] == target["value"] * 2 / 4
        if scope is FUNDER and target["kind"] == "count":
            assert target["figure"] % 5 == 0  # rounded, never an exact small count
    by_id = {t["id"]: t for t in progress}
    if scope is COORDINATOR:  # the demo's figures, worked out by hand from the report above
        assert (by_id["residents-reached"]["figure"], by_id["residents-reached"]["status"]) == (124, "on_track")
        assert (by_id["nhs-jobs"]["figure"], by_id["nhs-jobs"]["status"]) == (33, "behind")
        assert by_id["local-spend-share"]["status"] == "behind"


def test_a_funder_of_one_initiative_sees_only_its_targets_and_an_institution_none(demo_db):
    with store.connect(demo_db) as con:
        cur = con.cursor()
        mine = reports.view(cur, ONE_INITIATIVE, figures.Selection("birmingham", "2026Q2", "2026Q3",
                                                                     initiative_id="i-can"), ("targets",))
        of_uob = reports.view(cur, COORDINATOR, figures.Selection("birmingham", "2026Q2", "2026Q3",
                                                                    institution_id="uob"), ("targets",))
    assert [t["id"] for t in mine["targets"]] == ["most-deprived-reach"]
    assert of_uob["targets"] == []


def test_report_json_prints_the_targets(demo_db):
    done = subprocess.run([sys.executable, "-m", "dashboard", "report", "--network", "birmingham", "--json",
                           "--as-role", "funder"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["targets"]
    assert {t["id"]: t["status"] for t in printed} == {
        "local-spend-share": "behind", "residents-reached": "on_track", "nhs-jobs": "behind",
        "most-deprived-reach": "on_track"}


def test_the_coordinator_adds_and_removes_a_target_on_the_page(demo_db):
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60), coordinator("birmingham"))
    at.query_params["network"] = "birmingham"
    at.switch_page("views/targets.py").run()
    assert not at.exception and not at.error
    at.selectbox(key="targets_whose").set_value("i-can")
    at.selectbox(key="targets_measure").set_value("jobs_filled")
    at.number_input(key="targets_value").set_value(30)
    at.selectbox(key="targets_from").set_value(parsing.quarter_of(dt.date.today()))
    at.date_input(key="targets_by").set_value(dt.date(2027, 12, 31))
    at.button[[b.label for b in at.button].index("Add target")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Added" in s.value for s in at.success)
    added = [t for t in _definition(demo_db)["targets"] if t["id"] not in {
        "local-spend-share", "residents-reached", "nhs-jobs", "most-deprived-reach"}]
    assert added == [{"id": "jobs-filled-i-can", "measure": "jobs_filled", "value": 30, "direction": "at_least",
                      "from": parsing.quarter_of(dt.date.today()), "by": dt.date(2027, 12, 31),
                      "initiative": "i-can"}]
    with store.connect(demo_db) as con:
        audit = con.execute("select action from audit_log order by audit_id desc limit 1").fetchone()
    assert audit[0] == "network.save"

    at.selectbox(key="targets_gone").set_value("jobs-filled-i-can")
    at.button[[b.label for b in at.button].index("Remove target")].click().run()
    assert not at.exception and not at.error
    assert [t["id"] for t in _definition(demo_db)["targets"]] == [
        "local-spend-share", "residents-reached", "nhs-jobs", "most-deprived-reach"]


def test_the_overview_initiative_page_and_slides_show_progress(demo_db):
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60), funder(("birmingham", None)))
    at.query_params["network"] = "birmingham"
    at.run()
    assert not at.exception and not at.error
    texts = [m.value for m in at.markdown]
    assert "##### Targets" in texts
    assert any("Participants at least 200 by 31 March 2027" in t for t in texts)
    assert any(c.value.startswith("130 so far (Apr–Jun 2026 to Jul–Sep 2026); 100 expected by now")
               for c in at.caption)  # the funder's rounded figure
    at.switch_page("views/present.py")
    at.query_params["slide"] = "3"
    at.run()
    assert not at.exception
    assert [h.value for h in at.header] == ["Progress against targets"]
    at.switch_page("views/initiative.py").run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "Jobs filled at least 80" in shown and "Local share of spend at least 55%" not in shown

"""Retention: records past a network's rule are replaced by counts, and every report of every past period stays
exactly what it was: headline, deciles, quarters, cohorts, equality, Welsh and Scottish deciles, representation,
maps, the funder's disclosure-controlled document and its cells.

The demo networks are uploaded through the normal ingest; each is read for many selections before and after a
retention run that removes some of its records and keeps others.
"""

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard import access, erasure, figures, maps, parsing, reports, retention, store, subject_access, summaries

NETWORKS = ("birmingham", "london")
ON = dt.date(2026, 12, 7)  # fixed, so the records due do not move with the day the tests run
KEEP_YEARS = 1
VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"


def _plain(value: Any) -> Any:
    """A report as plain, comparable values (DataFrames as lists of rows, NaN as None), without when it was made."""
    if isinstance(value, pd.DataFrame):
        return [_plain(row) for row in value.astype(object).where(value.notna(), None).to_dict("records")]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value


def _selections(cur, network_id: str) -> list[figures.Selection]:
    first, last = figures.data_quarters(cur, network_id)
    quarters = [first]
    while quarters[-1] != last:
        quarters.append(parsing.shift_quarter(quarters[-1], 1))
    initiatives = [r[0] for r in cur.execute("select initiative_id from initiative where network_id = ?",
                                             [network_id]).fetchall()]
    institutions = [r[0] for r in cur.execute("select institution_id from institution where network_id = ?",
                                              [network_id]).fetchall()]
    chosen = [figures.Selection(network_id, first, last, imd_release=release) for release in figures.IMD_RELEASES]
    chosen += [figures.Selection(network_id, q, q) for q in quarters]
    chosen += [figures.Selection(network_id, first, last, initiative_id=i) for i in initiatives]
    chosen += [figures.Selection(network_id, first, last, institution_id=i) for i in institutions[:3]]
    return chosen


def _everything(db: Path) -> dict[str, Any]:
    """Every report a reader can see, for each selection of each demo network: exact, protected, maps, cells."""
    coordinator = access.system()
    out: dict[str, Any] = {}
    with store.connect(db) as con:
        cur = con.cursor()
        for network_id in NETWORKS:
            for sel in _selections(cur, network_id):
                key = repr(sel)
                out[key + " full"] = _plain(reports.full(cur, sel))
                out[key + " protected"] = _plain(reports.protected(cur, sel))
                lsoas = maps.lsoa_figures(cur, sel, scope=coordinator)
                shown = lsoas[(lsoas[list(maps.PEOPLE_COLUMNS)].sum(axis=1) > 0) | (lsoas["spend_gbp"] != 0)]
                out[key + " map"] = _plain(shown.reset_index(drop=True))
            for release in figures.IMD_RELEASES:
                out[f"{network_id} {release} cells"] = _plain(store.run(cur, "disclosure_cells", network_id=network_id,
                                                                       imd_release=release))
    return out


def _held(db: Path, network_id: str) -> int:
    with store.connect(db) as con:
        return con.execute("select count(*) from participant where network_id = ?", [network_id]).fetchone()[0]


@pytest.fixture(scope="module")
def retained(tmp_path_factory, demo_db_template):
    """The demo database read in full, then after a retention run on each network: (before, after, db, applied)."""
    db = tmp_path_factory.mktemp("retention") / "anchor.duckdb"
    db.write_bytes(demo_db_template.read_bytes())
    before = _everything(db)
    held = {n: _held(db, n) for n in NETWORKS}
    for network_id in NETWORKS:
        retention.set_rule(access.system(), network_id, KEEP_YEARS, db)
    with store.connect(db) as con:
        due = {r["network_id"]: r["records_due"] for r in retention.rules(con.cursor(), on_date=ON)}
    applied = {a.network_id: a for a in retention.apply(access.system(), on_date=ON, db=db)}
    return before, _everything(db), db, applied, held, due


def test_the_run_removes_the_records_past_the_rule_and_keeps_the_rest(retained):
    _, _, db, applied, held, due = retained
    for network_id in NETWORKS:
        removed = applied[network_id].records_removed
        assert 0 < removed < held[network_id], "the demo should have records on both sides of the rule"
        assert removed == due[network_id]
        assert _held(db, network_id) == held[network_id] - removed
    with store.connect(db) as con:
        # What is left is every record whose last date is within the year before the run (no demo initiative ends).
        oldest = con.execute("select min(greatest(start_date, completion_date, job_start_date)) from participant"
                             ).fetchone()[0]
        assert oldest > ON.replace(year=ON.year - KEEP_YEARS)
        people = con.execute("select sum(people) from participant_tally where measure = 'participants'").fetchone()[0]
        assert people == sum(a.records_removed for a in applied.values())
        # The counts name no one: no reference, postcode district, employer or exact day survives.
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns where table_name "
                                             "in ('participant_tally', 'participant_trait_tally')").fetchall()}
        assert not columns & {"participant_ref", "postcode_district", "employer", "start_date", "job_start_date"}
        assert con.execute("select count(*) from participant_tally where day(month) <> 1").fetchone()[0] == 0


def test_every_past_report_is_exactly_what_it_was(retained):
    before, after, *_ = retained
    assert before.keys() == after.keys()
    differing = [key for key in before if before[key] != after[key]]
    assert not differing, f"{len(differing)} of {len(before)} reports changed, first: {differing[:3]}"
    # The run did change what is stored: reports are equal because the counts replaced the records.
    assert any(v for k, v in after.items() if k.endswith(" map"))


def test_the_summaries_and_submissions_still_add_up(retained):
    _, _, db, *_ = retained
    with store.connect(db) as con:
        cur = con.cursor()
        for network_id in NETWORKS:
            assert summaries.check(cur, network_id).empty
        assert store.run(cur, "doctor_submissions_not_whole").empty


def test_the_run_is_audited_with_its_counts_and_again_removes_nothing(retained):
    _, _, db, applied, *_ = retained
    with store.connect(db) as con:
        log = con.execute("select network_id, detail from audit_log where action = 'retention.apply' "
                          "order by audit_id").fetchall()
    assert [n for n, _ in log] == sorted(NETWORKS, key=list(applied).index)
    assert all(f'"records": {applied[n].records_removed}' in detail for n, detail in log)
    again = retention.apply(access.system(), on_date=ON, db=db)
    assert [a.records_removed for a in again] == [0, 0]


def test_a_removed_record_can_no_longer_be_found_by_its_reference(tmp_path, demo_db):
    with store.connect(demo_db) as con:
        ref, institution = con.execute(
            "select participant_ref, institution_id from participant where network_id = 'birmingham' "
            "order by start_date limit 1").fetchone()
    retention.set_rule(access.system(), "birmingham", KEEP_YEARS)
    retention.apply(access.system(), "birmingham", on_date=ON)
    assert subject_access.export(access.system(), "birmingham", institution, ref).empty
    assert erasure.delete_participant(access.system(), "birmingham", institution, ref) == 0


def test_a_resubmitted_quarter_replaces_its_counts_too(tmp_path, demo_db):
    """Counts belong to their submission: once a partner's later file supersedes it, they no longer count."""
    with store.connect(demo_db) as con:
        sub, quarter, institution = con.execute(
            "select submission_id, quarter, institution_id from submission where network_id = 'birmingham' and "
            "kind = 'participants' and status = 'active' order by quarter limit 1").fetchone()
    retention.set_rule(access.system(), "birmingham", KEEP_YEARS)
    retention.apply(access.system(), "birmingham", on_date=ON)
    with store.connect(demo_db) as con:
        assert con.execute("select count(*) from participant where submission_id = ?", [sub]).fetchone()[0] == 0
        sel = figures.Selection("birmingham", quarter, quarter, institution_id=institution)
        assert figures.report(con.cursor(), sel)["participants"] > 0
        con.execute("update submission set status = 'superseded' where submission_id = ?", [sub])
        summaries.rebuild(con.cursor(), ["birmingham"])
        assert figures.report(con.cursor(), sel)["participants"] == 0
        assert store.run(con.cursor(), "cohort_funnel", **sel.params()).empty


def test_rules_are_checked_and_only_those_who_manage_a_network_set_them(demo_db):
    with pytest.raises(store.StoreError, match="between 1 and 100 years"):
        retention.set_rule(access.system(), "birmingham", 0)
    with pytest.raises(store.StoreError, match="no network 'nowhere'"):
        retention.set_rule(access.system(), "nowhere", 3)
    partner = access.Scope("partner@example.org", "partner", "london", "barts")
    with pytest.raises(access.Denied):
        retention.set_rule(partner, "london", 3)
    with pytest.raises(store.StoreError, match="no retention rule"):
        retention.apply(access.system(), "london")
    retention.set_rule(access.system(), "london", 6)
    retention.set_rule(access.system(), "london", None)
    with store.connect(demo_db) as con:
        assert retention.rules(con.cursor(), "london")[0]["keep_years"] is None


def test_the_retention_commands(demo_db):
    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "dashboard", "retention", *args], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "no rule" in cli("status")
    assert "keeps participants' records 2 year(s)" in cli("set", "--network", "london", "--years", "2")
    status = cli("status", "--network", "london", "--on", "2031-01-01")
    assert status.startswith("london: kept 2 year(s)") and "due for removal on 2031-01-01" in status
    held = _held(demo_db, "london")
    due_today = int(cli("status", "--network", "london").split(" held, ")[1].split()[0])
    assert f"london: removed {due_today} participant record(s)" in cli("apply")
    assert _held(demo_db, "london") == held - due_today


def test_the_methodology_page_states_the_networks_rule(demo_db):
    from streamlit.testing.v1 import AppTest

    from dashboard.ui import cache
    from tests.apptest import coordinator, signed_in

    def headed(at: AppTest) -> str:
        texts = [m.value for m in at.markdown]
        headers = [h.value for h in at.header]
        assert "How long participants' records are kept" in headers
        return next(t for t in texts if "retention rule" in t or "records are kept" in t)

    def page() -> AppTest:
        at = signed_in(AppTest.from_file(str(VIEWS / "methodology.py"), default_timeout=120),
                       coordinator("birmingham"))
        at.query_params["network"] = "birmingham"
        return at.run()

    at = page()
    assert not at.exception
    assert headed(at).startswith("This network has set no retention rule")
    retention.set_rule(access.system(), "birmingham", 6)
    cache.clear()  # as any page shows a change within its cache's minute
    at = page()
    assert headed(at).startswith("Participants' records are kept **6 years after their initiative ends**")

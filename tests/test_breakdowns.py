"""Breakdowns on the tiny world against values worked out by hand (see tests/data/tiny), invariants against
figures.report, and the demo's six-month follow-ups recalculated from its generated files."""

import datetime as dt
import io

import pandas as pd
import pytest

from dashboard import breakdowns, checks, figures, ingest, store, summaries
from dashboard.ui import formatting
from tests import tiny

Q1 = dict(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")
SPEND_SUMS = {"spend_gbp": "spend_total_gbp", "spend_local_gbp": "spend_local_gbp",
              "spend_most_deprived_20_gbp": "spend_most_deprived_20_gbp",
              "spend_unknown_location_gbp": "spend_unknown_location_gbp", "spend_sme_gbp": "spend_sme_gbp",
              "spend_vcse_gbp": "spend_vcse_gbp"}


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    return path


def _run(fn, db=None, **selection):
    with store.connect(db) as con:
        return fn(con.cursor(), figures.Selection(**{**Q1, **selection}))


def _report(db=None, **selection):
    return _run(figures.report, db, **selection)


def _cohort(row):
    return tuple(row[f] for f in breakdowns.COHORT_FIELDS)


# The funnel: a cohort


def test_funnel_follows_the_people_who_started_in_the_range(tiny_db):
    result = _run(breakdowns.funnel)
    # Q1 starters P1-P5. Completed: P1, P2, P4. A job: P1 (its start on 1 April still counts: the cohort's
    # outcome so far), P2, P4. Followed up at six months: P2 (Yes), P4 (No).
    assert _cohort(result["total"]) == (5, 3, 3, 2, 1)
    assert result["total"]["with_job_pct"] == 60.0
    assert result["total"]["in_post_6_months_pct"] == 50.0
    # The report counts events by date instead: completions include P6 (who started in 2024Q4); jobs leave
    # out P1's April job. The page says why they differ.
    report = _report()
    assert (report["completions"], report["jobs_filled"]) == (4, 2)
    assert result["total"]["starters"] == report["participants"]
    assert result["total"]["with_job_pct"] == report["conversion_rate_pct"]


def test_funnel_by_decile_institution_and_start_quarter(tiny_db):
    result = _run(breakdowns.funnel, to_quarter="2025Q2")
    by_group = {r["group"]: _cohort(r) for r in result["by_decile"] if r["starters"]}
    # IoD2025: P1 (B1 1AA) and P4 (B66 4DD) decile 1; P2 decile 2; P3 decile 10; P5 Cardiff;
    # P7 (b11aa, started 2 April) decile 1.
    assert by_group == {"1": (3, 2, 2, 1, 0), "2": (1, 1, 1, 1, 1), "10": (1, 0, 0, 0, 0),
                        "wales": (1, 0, 0, 0, 0)}
    assert [r["group"] for r in result["by_decile"]] == [str(d) for d in range(1, 11)] + [
        "wales", "scotland", "northern_ireland", "unknown"]
    assert [(r["institution_id"], r["institution_name"], r["starters"]) for r in result["by_institution"]] == [
        ("trust", "Test NHS Trust", 6)]
    assert [(r["start_quarter"], r["starters"], r["starters_with_job"]) for r in result["by_start_quarter"]] == [
        ("2025Q1", 5, 3), ("2025Q2", 1, 0)]


def test_funnel_uses_the_chosen_release(tiny_db):
    result = _run(breakdowns.funnel, imd_release="IoD2019")
    by_group = {r["group"]: r["starters"] for r in result["by_decile"] if r["starters"]}
    # IoD2019 by the 2011 LSOA: P2 decile 1, P1 decile 2, P4 (E01000105) decile 5, P3 decile 10, P5 Wales.
    assert by_group == {"1": 1, "2": 1, "5": 1, "10": 1, "wales": 1}


def test_funnel_of_an_empty_selection_is_zeros_not_an_error(tiny_db):
    result = _run(breakdowns.funnel, initiative_id="ican", institution_id="council")
    assert _cohort(result["total"]) == (0, 0, 0, 0, 0)
    assert result["total"]["with_job_pct"] is None
    assert result["by_institution"] == []
    assert [r["starters"] for r in result["by_start_quarter"]] == [0]


# Equality monitoring


def test_equality_counts_starters_and_jobs_with_not_recorded(tiny_db):
    rows = _run(breakdowns.equality)
    got = {(r["characteristic"], r["value"]): (r["participants"], r["jobs_filled"]) for r in rows
           if r["participants"] or r["jobs_filled"]}
    # Starters P1-P5: P1 25-34 Female White No; P4 16-24 male; the rest blank. Jobs dated in Q1: P2 (blank), P4.
    assert got == {
        ("age_band", "16-24"): (1, 1), ("age_band", "25-34"): (1, 0), ("age_band", "Not recorded"): (3, 1),
        ("gender", "Female"): (1, 0), ("gender", "Male"): (1, 1), ("gender", "Not recorded"): (3, 1),
        ("ethnicity", "White"): (1, 0), ("ethnicity", "Not recorded"): (4, 2),
        ("disability", "No"): (1, 0), ("disability", "Not recorded"): (4, 2),
    }
    ages = [r["value"] for r in rows if r["characteristic"] == "age_band"]
    assert ages == ["16-24", "25-34", "35-49", "50-64", "65+", "Prefer not to say", "Not recorded"]
    assert next(r for r in rows if r["value"] == "16-24")["jobs_filled_pct"] == 50.0


# Spend


def test_spend_by_institution_and_category_to_the_penny(tiny_db):
    (council,) = _run(breakdowns.spend_by_institution)
    assert council["institution_name"] == "Test City Council"
    # 1000 + 2500.50 + 400 + 300 + 199.99 - 100; local: Birmingham and Solihull suppliers (Acme 900, Brum 2500.50);
    # deciles 1-2: Acme 900 and Sandwell 400; SME: Acme, Brum, Sandwell; VCSE: Brum; unknown: Mystery.
    assert {k: council[k] for k in SPEND_SUMS} == {
        "spend_gbp": 4300.49, "spend_local_gbp": 3400.50, "spend_most_deprived_20_gbp": 1300.00,
        "spend_unknown_location_gbp": 199.99, "spend_sme_gbp": 3800.50, "spend_vcse_gbp": 2500.50}
    assert council["spend_known_location_pct"] == pytest.approx(95.35)
    categories = {r["category"]: (r["spend_gbp"], r["spend_local_gbp"], r["spend_unknown_location_gbp"])
                  for r in _run(breakdowns.spend_by_category)}
    # Cleaning: Brum 2500.50 (Solihull); Catering: Acme 1000 - 100; the rest have no category.
    assert categories == {"Cleaning": (2500.50, 2500.50, 0.0), "Catering": (900.0, 900.0, 0.0),
                          "Not categorised": (899.99, 0.0, 199.99)}
    assert [r["category"] for r in _run(breakdowns.spend_by_category)][0] == "Cleaning"


def test_top_suppliers(tiny_db):
    rows = _run(breakdowns.top_suppliers)
    got = [(r["supplier_name"], r["spend_gbp"], r["is_local"], r["area_group"], r["is_sme"], r["is_vcse"])
           for r in rows]
    # Acme's payment and its credit are one supplier; Sandwell is in decile 1 but not a local district.
    assert got == [("Brum CIC", 2500.50, "yes", "10", True, True),
                   ("Acme Catering Ltd", 900.0, "yes", "1", True, False),
                   ("Sandwell Supplies", 400.0, "no", "1", True, None),
                   ("Cardiff Co", 300.0, "no", "wales", False, False),
                   ("Mystery Ltd", 199.99, "unknown", "unknown", None, None)]
    assert [r["supplier_name"] for r in _run(lambda con, sel: breakdowns.top_suppliers(con, sel, limit=2))] == [
        "Brum CIC", "Acme Catering Ltd"]


def test_supplier_register_places_spend_without_a_location(tiny_db):
    with store.connect() as con:
        con.execute("insert into supplier_register (network_id, supplier_key, supplier_name, supplier_postcode, "
                    "lsoa21_code, lsoa11_code, nation, is_sme, updated_at, updated_by) values ('tiny', 'mystery', "
                    "'Mystery Limited', 'B2 2BB', 'E01000002', 'E01000002', 'England', true, current_timestamp, "
                    "'test')")
        summaries.rebuild(con.cursor(), ["tiny"])  # as suppliers.load does, in its transaction
    # Mystery's 199.99 now lies in Birmingham decile 2: local, among the most deprived, SME, located.
    (council,) = _run(breakdowns.spend_by_institution)
    assert (council["spend_local_gbp"], council["spend_most_deprived_20_gbp"], council["spend_sme_gbp"],
            council["spend_unknown_location_gbp"]) == (3600.49, 1499.99, 4000.49, 0.0)
    mystery = next(r for r in _run(breakdowns.top_suppliers) if r["spend_gbp"] == 199.99)
    assert (mystery["supplier_name"], mystery["is_local"], mystery["imd_decile"], mystery["is_sme"]) == (
        "Mystery Limited", "yes", 2, True)
    _assert_spend_agrees(_report(), council)


# Over time


def test_by_quarter_counts_each_event_in_its_own_quarter_and_runs_from_the_start(tiny_db):
    rows = _run(breakdowns.by_quarter, to_quarter="2025Q3")
    got = [(r["quarter"], r["participants"], r["completions"], r["jobs_filled"], r["spend_gbp"],
            r["spend_local_gbp"], r["spend_most_deprived_20_gbp"]) for r in rows]
    # Q1: starts P1-P5, completions P1 P2 P4 P6, jobs P2 P4, spend as above. Q2: P7 starts, P1's job,
    # Later Payment Ltd's 5000 (B1 1AA: local, decile 1). Q3: nothing.
    assert got == [("2025Q1", 5, 4, 2, 4300.49, 3400.50, 1300.0), ("2025Q2", 1, 0, 1, 5000.0, 5000.0, 5000.0),
                   ("2025Q3", 0, 0, 0, 0.0, 0.0, 0.0)]
    # Running totals include P6, who started in 2024Q4, the network's first quarter with data.
    assert [(r["cumulative_participants"], r["cumulative_jobs_filled"], r["cumulative_spend_gbp"]) for r in rows] == [
        (6, 2, 4300.49), (7, 3, 9300.49), (7, 3, 9300.49)]
    assert rows[0]["spend_unknown_location_gbp"] == 199.99 and rows[2]["spend_known_location_pct"] is None
    (q2,) = _run(breakdowns.by_quarter, from_quarter="2025Q2", to_quarter="2025Q2")
    assert (q2["participants"], q2["cumulative_participants"], q2["cumulative_spend_local_gbp"]) == (1, 7, 8400.5)


# Invariants against figures.report


def _assert_spend_agrees(report, *rows):
    for key, total in SPEND_SUMS.items():
        assert sum(r[key] for r in rows) == pytest.approx(report[total], abs=0.001), key


def _assert_agrees(db, **selection):
    report = _report(db, **selection)
    _assert_spend_agrees(report, *_run(breakdowns.spend_by_institution, db, **selection))
    _assert_spend_agrees(report, *_run(breakdowns.spend_by_category, db, **selection))
    _assert_spend_agrees(report, *_run(lambda c, s: breakdowns.top_suppliers(c, s, limit=10_000), db, **selection))
    quarters = _run(breakdowns.by_quarter, db, **selection)
    for key in ("participants", "completions", "jobs_filled"):
        assert sum(r[key] for r in quarters) == report[key], key
    for key, total in list(SPEND_SUMS.items())[:4]:
        assert sum(r[key] for r in quarters) == pytest.approx(report[total], abs=0.001), key
    funnel = _run(breakdowns.funnel, db, **selection)
    total = funnel["total"]
    assert total["starters"] == report["participants"]
    assert total["with_job_pct"] == report["conversion_rate_pct"]
    for part in ("by_decile", "by_institution", "by_start_quarter"):
        for field in breakdowns.COHORT_FIELDS:
            assert sum(r[field] for r in funnel[part]) == total[field], (part, field)
    assert [r["starters"] for r in funnel["by_decile"]] == [r["participants"] for r in report["by_decile"]]
    for row in [total, *funnel["by_decile"], *funnel["by_institution"], *funnel["by_start_quarter"]]:
        assert row["starters"] >= row["starters_completed"]
        assert row["starters"] >= row["starters_with_job"] >= row["starters_in_post_6_months_reported"]
        assert row["starters_in_post_6_months_reported"] >= row["starters_in_post_6_months"]
    for characteristic in breakdowns.EQUALITY:
        rows = [r for r in _run(breakdowns.equality, db, **selection) if r["characteristic"] == characteristic]
        assert sum(r["participants"] for r in rows) == report["participants"]
        assert sum(r["jobs_filled"] for r in rows) == report["jobs_filled"]


@pytest.mark.parametrize("selection", [
    {}, {"to_quarter": "2025Q2"}, {"imd_release": "IoD2019", "to_quarter": "2025Q2"}, {"initiative_id": "h2h"},
    {"institution_id": "trust"}, {"from_quarter": "2024Q4", "to_quarter": "2025Q4"},
])
def test_breakdowns_add_up_to_the_report_on_the_tiny_world(tiny_db, selection):
    _assert_agrees(None, **selection)


@pytest.mark.parametrize("selection", [
    {"network_id": "birmingham", "from_quarter": "2024Q4", "to_quarter": "2026Q3"},
    {"network_id": "birmingham", "from_quarter": "2025Q2", "to_quarter": "2025Q4", "initiative_id": "buy-local"},
    {"network_id": "london", "from_quarter": "2025Q1", "to_quarter": "2025Q4", "institution_id": "barts",
     "imd_release": "IoD2019"},
])
def test_breakdowns_add_up_to_the_report_on_the_demo(demo_db, selection):
    _assert_agrees(demo_db, **selection)


def test_demo_follow_ups_equal_a_recalculation_from_its_files(demo_db, demo_db_template):
    folder = demo_db_template.parent / "uploads" / "birmingham"
    people = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False)
                        for p in sorted(folder.glob("*_participants_*.csv"))])
    started = pd.to_datetime(people["start_date"], format="%d/%m/%Y")
    cohort = people[(started >= "2025-01-01") & (started <= "2025-12-31")]
    total = _run(breakdowns.funnel, demo_db, network_id="birmingham", from_quarter="2025Q1",
                 to_quarter="2025Q4")["total"]
    assert total["starters"] == len(cohort)
    assert total["starters_with_job"] == int((cohort["job_start_date"] != "").sum())
    assert total["starters_in_post_6_months_reported"] == int((cohort["in_post_6_months"] != "").sum())
    assert total["starters_in_post_6_months"] == int((cohort["in_post_6_months"] == "Yes").sum())
    # Plausible: most job starters old enough are followed up, and most of those are still in post.
    assert 0.5 < total["starters_in_post_6_months_reported"] / total["starters_with_job"] < 0.9
    assert 0.65 < total["in_post_6_months_pct"] / 100 < 0.95
    # Nobody is followed up before six months have passed since their job start.
    jobs = pd.to_datetime(people["job_start_date"], format="%d/%m/%Y", errors="coerce")
    followed = people["in_post_6_months"] != ""
    assert (jobs[followed] + pd.Timedelta(days=183) <= pd.Timestamp("2026-09-30")).all()


# The in_post_6_months column end to end


def test_in_post_flag_is_read_like_the_spend_flags_and_needs_a_job_start():
    def check(rows):
        table = pd.DataFrame(rows, columns=["participant_ref", "initiative", "start_date", "job_start_date",
                                            "in_post_6_months"], index=[2, 3], dtype=str)
        return checks.check("participants", table, today=dt.date(2025, 12, 1))

    typed, problems = check([["A1", "h2h", "10/01/2025", "01/02/2025", "y"],
                             ["A2", "h2h", "10/01/2025", "01/02/2025", "FALSE"]])
    assert problems == [] and typed["in_post_6_months"].tolist() == [True, False]
    _, problems = check([["A1", "h2h", "10/01/2025", "", "Yes"], ["A2", "h2h", "10/01/2025", "01/02/2025", "maybe"]])
    assert [(p.row, p.column) for p in problems] == [(3, "in_post_6_months"), (2, "in_post_6_months")]
    assert "no job start date" in problems[1].message and "not Yes or No" in problems[0].message


def test_breakdown_csv_states_the_selection_and_keeps_pence(tiny_db):
    selection = figures.Selection(**Q1)
    rows = _run(breakdowns.spend_by_category)
    frame = pd.read_csv(io.BytesIO(formatting.breakdown_csv(rows, selection)), dtype=str)
    assert frame["category"].tolist() == ["Cleaning", "Catering", "Not categorised"]
    assert frame["spend_gbp"].tolist() == ["2500.50", "900.00", "899.99"]
    assert set(frame["network_id"]) == {"tiny"} and set(frame["initiative_id"]) == {"all"}

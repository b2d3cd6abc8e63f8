"""Figures on the tiny world, against values worked out by hand (see tests/data/tiny)."""

import pytest

from dashboard import figures, ingest, store
from tests import tiny

Q1 = dict(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    return path


def _report(**kwargs):
    with store.connect() as con:
        return figures.report(con.cursor(), figures.Selection(**{**Q1, **kwargs}))


def _groups(result, field):
    return {row["group"]: row[field] for row in result["by_decile"] if row[field]}


def test_participant_figures_count_each_event_by_its_own_date(tiny_db):
    result = _report()
    # Starts in Q1: P1-P5 (P6 started in 2024Q4, P7 in 2025Q2).
    assert result["participants"] == 5
    # Completions in Q1: P1, P2, P4 and P6 (who started the quarter before).
    assert result["completions"] == 4
    # Job starts in Q1: P2 and P4; P1's job starts on 1 April.
    assert result["jobs_filled"] == 2
    # Of the five Q1 starters, P1, P2 and P4 have a job start recorded.
    assert result["conversion_rate_pct"] == 60.0


def test_participants_by_iod2025_decile(tiny_db):
    result = _report()
    assert _groups(result, "participants") == {"1": 2, "2": 1, "10": 1, "wales": 1}
    assert _groups(result, "completions") == {"1": 2, "2": 1, "scotland": 1}
    assert _groups(result, "jobs_filled") == {"1": 1, "2": 1}
    assert result["participants_most_deprived_20_pct"] == 60.0
    assert result["imd_release"] == "IoD2025" and result["lsoa_vintage"] == 2021


def test_iod2019_uses_the_2011_lsoa_of_the_postcode_not_a_mixed_decile(tiny_db):
    result = _report(imd_release="IoD2019")
    # B66 4DD lies in 2011 LSOA E01000105 (decile 5); E01000003 given as a code maps to itself (decile 10).
    assert _groups(result, "participants") == {"1": 1, "2": 1, "5": 1, "10": 1, "wales": 1}
    assert result["lsoa_vintage"] == 2011


def test_spend_figures_to_the_penny(tiny_db):
    result = _report()
    assert result["spend_total_gbp"] == 4300.49  # 1000 + 2500.50 + 400 + 300 + 199.99 - 100
    assert result["spend_local_gbp"] == 3400.50  # Birmingham and Solihull suppliers, credit included
    assert result["spend_local_pct"] == pytest.approx(79.07)
    assert result["spend_unknown_location_gbp"] == 199.99
    assert result["spend_known_location_pct"] == pytest.approx(95.35)
    assert result["spend_most_deprived_20_gbp"] == 1300.00
    assert result["spend_sme_gbp"] == 3800.50
    assert result["spend_vcse_gbp"] == 2500.50
    assert _groups(result, "spend_gbp") == {"1": 1300.0, "10": 2500.5, "wales": 300.0, "unknown": 199.99}


def test_deciles_add_up_to_the_totals(tiny_db):
    for release in figures.IMD_RELEASES:
        result = _report(imd_release=release, to_quarter="2025Q2")
        for field, total in (("participants", "participants"), ("jobs_filled", "jobs_filled"),
                             ("spend_gbp", "spend_total_gbp")):
            assert sum(row[field] for row in result["by_decile"]) == pytest.approx(result[total])
        assert [row["group"] for row in result["by_decile"]] == [str(d) for d in range(1, 11)] + [
            "wales", "scotland", "northern_ireland", "unknown"]


def test_initiative_and_institution_filters(tiny_db):
    assert _report(initiative_id="h2h")["participants"] == 3
    assert _report(initiative_id="ican")["participants"] == 2
    assert _report(institution_id="council")["participants"] == 0
    assert _report(institution_id="council")["spend_total_gbp"] == 4300.49
    assert _report(institution_id="trust")["spend_total_gbp"] == 0


def test_previous_period_is_the_same_length_just_before():
    selection = figures.Selection("tiny", "2025Q1", "2025Q4")
    assert (selection.previous().from_quarter, selection.previous().to_quarter) == ("2024Q1", "2024Q4")


def test_resubmission_supersedes_and_identical_file_changes_nothing(tiny_db, tmp_path):
    again = ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    assert again.unchanged
    smaller = tmp_path / "spend_v2.csv"
    smaller.write_text("supplier_name,amount_gbp,payment_date\nAcme Catering Ltd,1000.00,15/01/2025\n")
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q1", smaller)
    assert len(receipt.superseded) == 1
    result = _report()
    assert result["spend_total_gbp"] == 1000.0
    assert result["spend_unknown_location_gbp"] == 1000.0  # no postcode in the new file
    with store.connect() as con:
        subs = store.run(con.cursor(), "submission_active", network_id="tiny", institution_id="council",
                         kind="spend", quarter="2025Q1")
    assert subs["submission_id"].tolist() == [receipt.submission_id]

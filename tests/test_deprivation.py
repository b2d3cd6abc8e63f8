"""Welsh and Scottish deciles, quintiles and representation on the tiny world, against values worked out by hand.

The tiny world (tests/data/tiny) adds for these tests:
- WIMD 2019 (ref_nation_imd.csv): W01000001 rank 191 -> decile 1, W01000002 rank 192 -> 2, W01000003 rank 1909 -> 10,
  W01000004 rank 1000 -> 6. 2011 W01000002 splits into 2021 W01000004 and W01000005; 2011 W01000003 and W01000004
  merge into 2021 W01000006 (their deciles, 10 and 6, disagree).
- SIMD 2020v2: data zone S01008677 rank 698 -> decile 2, S01008678 rank 6976 -> 10. Postcodes EH4 4DD and EH2 2BB
  carry those data zones (as from NSPL); EH1 1AA and EH3 3AB have none.
- England: 2011 E01000106 (Birmingham, IoD2019 decile 4, working age 600) splits into 2021 E01000005 (IoD2025
  decile 3) and E01000006 (decile 1).
"""

import datetime as dt
import math
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from dashboard import deprivation, figures, ingest, refdata, store, summaries
from tests import tiny

Q1 = dict(network_id="tiny", from_quarter="2025Q1", to_quarter="2025Q1")


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    return path


@pytest.fixture
def nations_db(tiny_db):
    """The tiny world plus Welsh and Scottish people and payments, and one register entry in Wales."""
    ingest.ingest("tiny", "council", "participants", "2025Q1", tiny.TINY / "participants_council_2025Q1.csv")
    ingest.ingest("tiny", "trust", "spend", "2025Q1", tiny.TINY / "spend_trust_2025Q1.csv")
    with store.connect() as con:
        # Valleys Catering's payments carry no postcode; its register entry places it at CF10 1AA (W01000001).
        con.execute("""
            insert into supplier_register by name
            select 'tiny' as network_id, 'valleys catering' as supplier_key, 'Valleys Catering Ltd' as supplier_name,
                'CF10 1AA' as supplier_postcode, 'W01000001' as lsoa21_code, 'W01000001' as lsoa11_code,
                'Wales' as nation, current_timestamp as updated_at, 'test' as updated_by
        """)
        summaries.rebuild(con.cursor(), ["tiny"])  # as suppliers.load does, in its transaction
    return tiny_db


def _selection(**kwargs):
    return figures.Selection(**{**Q1, **kwargs})


def _nation_rows(**kwargs):
    with store.connect() as con:
        return deprivation.nation_deciles(con.cursor(), _selection(**kwargs))


def _nonzero(rows, nation):
    fields = ("participants", "completions", "jobs_filled", "spend_gbp")
    return {row["decile"]: {f: row[f] for f in fields if row[f]} for row in rows
            if row["nation"] == nation and any(row[f] for f in fields)}


# --- Wales and Scotland in their own deciles -----------------------------------------------------------------------

def test_welsh_and_scottish_people_and_payments_by_their_own_nations_deciles(nations_db):
    rows = _nation_rows()
    # Every nation has deciles 1..10 then 'not known', whether or not anything falls there.
    assert [(r["nation"], r["index"], r["decile"]) for r in rows] == (
        [("Wales", "WIMD 2019", d) for d in [*range(1, 11), None]]
        + [("Scotland", "SIMD 2020v2", d) for d in [*range(1, 11), None]])
    assert _nonzero(rows, "Wales") == {
        # P5 lives at CF10 1AA (W01000001, rank 191); Cardiff Co (300) is there, and so is Valleys Catering (500)
        # by its register entry.
        1: {"participants": 1, "spend_gbp": 800.0},
        # W1 at CF10 3AB: only the 2021 LSOA W01000004 is known, split from 2011 W01000002 (decile 2);
        # the job starts on 10 March. Taff Trading (60) is there too.
        2: {"participants": 1, "jobs_filled": 1, "spend_gbp": 60.0},
        # W3 and Bay Builders (40) at CF10 2BB: 2021 W01000006 merges two 2011 LSOAs in deciles 10 and 6.
        None: {"participants": 1, "spend_gbp": 40.0},
    }
    assert _nonzero(rows, "Scotland") == {
        2: {"spend_gbp": 250.0},     # Edinburgh Bakes, EH4 4DD, data zone S01008677 (rank 698)
        10: {"spend_gbp": 120.5},    # Leith Logistics, EH2 2BB, data zone S01008678 (rank 6976)
        # People keep no data zone: W2 (started 7 Feb, completed 28 Mar) and P6 (completed 15 Jan);
        # Glasgow Print's postcode EH3 3AB has no data zone. Later Scottish Ltd pays in April: not counted.
        None: {"participants": 1, "completions": 2, "spend_gbp": 80.0},
    }


def test_nation_deciles_add_up_to_the_reports_wales_and_scotland(nations_db):
    rows = _nation_rows()
    with store.connect() as con:
        report = figures.report(con.cursor(), _selection())
    groups = {row["group"]: row for row in report["by_decile"]}
    for nation, group in (("Wales", "wales"), ("Scotland", "scotland")):
        for field in ("participants", "completions", "jobs_filled", "spend_gbp"):
            assert sum(r[field] for r in rows if r["nation"] == nation) == pytest.approx(groups[group][field])
    # The English deciles are untouched: no Welsh or Scottish row is put on England's scale.
    assert sum(r["participants"] for r in report["by_decile"] if r["imd_decile"]) == 4  # P1, P2, P3, P4


def test_nation_deciles_follow_the_selection(nations_db):
    # Only the council's participants (W1, W2, W3) and payments (Cardiff Co, 300).
    council = _nation_rows(institution_id="council")
    assert _nonzero(council, "Wales") == {1: {"spend_gbp": 300.0}, 2: {"participants": 1, "jobs_filled": 1},
                                          None: {"participants": 1}}
    # Q2: Later Scottish Ltd at EH1 1AA, which has no data zone.
    q2 = _nation_rows(from_quarter="2025Q2", to_quarter="2025Q2")
    assert _nonzero(q2, "Scotland") == {None: {"spend_gbp": 999.0}}
    assert _nonzero(q2, "Wales") == {}


def test_rows_are_json_ready(nations_db):
    for row in _nation_rows():
        assert all(isinstance(v, (str, int, float, type(None))) and not isinstance(v, bool) for v in row.values())


# --- quintiles ------------------------------------------------------------------------------------------------------

def test_quintiles_fold_pairs_of_deciles_and_keep_the_other_groups(tiny_db):
    with store.connect() as con:
        by_decile = figures.report(con.cursor(), _selection())["by_decile"]
    folded = deprivation.quintiles(by_decile)
    assert [row["group"] for row in folded] == ["q1", "q2", "q3", "q4", "q5", "wales", "scotland",
                                                "northern_ireland", "unknown"]
    # IoD2025, Q1 starters: P1 (decile 1), P4 (Sandwell, decile 1), P2 (decile 2), P3 (decile 10).
    assert [row["participants"] for row in folded[:5]] == [3, 0, 0, 0, 1]
    # Spend: deciles 1 (1300) and 10 (2500.50); the Welsh 300 and unknown 199.99 stay as they were.
    assert [row["spend_gbp"] for row in folded[:5]] == [1300.0, 0.0, 0.0, 0.0, 2500.5]
    assert folded[0]["is_core20"] and not folded[1]["is_core20"]
    assert folded[0]["imd_deciles"] == [1, 2] and folded[4]["imd_deciles"] == [9, 10]
    assert folded[5:] == by_decile[10:]
    for field in ("participants", "completions", "jobs_filled", "spend_gbp", "spend_local_gbp"):
        assert sum(row[field] for row in folded) == pytest.approx(sum(row[field] for row in by_decile))


def test_quintile_money_adds_to_the_penny():
    by_decile = [{"group": str(d), "imd_decile": d, "participants": d, "spend_gbp": 0.1} for d in range(1, 11)]
    folded = deprivation.quintiles(by_decile)
    assert [row["spend_gbp"] for row in folded] == [0.2] * 5  # 0.1 + 0.1 as floats would be 0.2 only by luck
    assert [row["participants"] for row in folded] == [3, 7, 11, 15, 19]
    assert [deprivation.quintile_of(d) for d in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


# --- representation -------------------------------------------------------------------------------------------------

def _representation(grouping="decile", **kwargs):
    with store.connect() as con:
        return deprivation.representation(con.cursor(), _selection(**kwargs), grouping=grouping)


def test_representation_iod2025_against_the_carried_population(nations_db):
    result = _representation()
    by = {row["imd_decile"]: row for row in result["rows"]}
    assert list(by) == list(range(1, 11))
    # The network's area is Birmingham and Solihull. Working-age people carried to LSOA 2021:
    # E01000001 1000 (d1), E01000006 600/2 = 300 (d1), E01000002 1100 (d2), E01000005 300 (d3),
    # E01000003 800 (d10); Sandwell's E01000004 (900 + 700) is outside. Total 3500.
    assert {d: row["working_age_population"] for d, row in by.items() if row["working_age_population"]} == {
        1: 1300, 2: 1100, 3: 300, 10: 800}
    assert result["working_age_population"] == 3500
    # Starters living in the area: P1 (d1), P2 (d2), P3 (d10); P4 (Sandwell) and the Welsh and Scottish
    # starters are left out. Jobs in Q1 in the area: P2 only (P1's starts in April, P4 is in Sandwell).
    assert (result["participants_in_area"], result["jobs_filled_in_area"]) == (3, 1)
    assert by[1]["participants_share"] == pytest.approx(1 / 3)
    assert by[1]["population_share"] == pytest.approx(1300 / 3500)
    assert by[1]["participants_ratio"] == pytest.approx((1 / 3) / (1300 / 3500))   # 0.897
    assert by[2]["participants_ratio"] == pytest.approx((1 / 3) / (1100 / 3500))   # 1.061
    assert by[3]["participants_ratio"] == 0.0
    assert by[10]["participants_ratio"] == pytest.approx((1 / 3) / (800 / 3500))   # 1.458
    assert by[2]["jobs_share"] == 1.0 and by[2]["jobs_ratio"] == pytest.approx(3500 / 1100)
    assert by[1]["jobs_ratio"] == 0.0
    # No population in the area: no ratio.
    assert by[5]["population_share"] == 0.0 and by[5]["participants_ratio"] is None and by[5]["jobs_ratio"] is None
    assert result["denominator"]["source"] == "proxy"
    assert "divided equally" in result["denominator"]["text"] and "File 6" in result["denominator"]["text"]
    assert "ranked English LSOAs" in result["numerator"]


def test_representation_iod2019_uses_the_published_population(tiny_db):
    result = _representation(imd_release="IoD2019")
    by = {row["imd_decile"]: row for row in result["rows"]}
    # File 6 by LSOA 2011 in the area: E01000002 1100 (d1), E01000001 1000 (d2), E01000106 600 (d4),
    # E01000003 800 (d10). Sandwell's E01000104 and E01000105 are outside.
    assert {d: row["working_age_population"] for d, row in by.items() if row["working_age_population"]} == {
        1: 1100, 2: 1000, 4: 600, 10: 800}
    # P2 (E01000002, d1, with the job), P1 (E01000001, d2), P3 (E01000003, d10).
    assert {d: row["participants"] for d, row in by.items() if row["participants"]} == {1: 1, 2: 1, 10: 1}
    assert by[1]["participants_ratio"] == pytest.approx((1 / 3) / (1100 / 3500))
    assert by[2]["participants_ratio"] == pytest.approx((1 / 3) / (1000 / 3500))
    assert by[4]["participants_ratio"] == 0.0
    assert by[1]["jobs_ratio"] == pytest.approx(3500 / 1100)
    assert result["denominator"]["source"] == "published" and result["lsoa_vintage"] == 2011


def test_representation_by_quintile(tiny_db):
    result = _representation(grouping="quintile")
    by = {row["imd_quintile"]: row for row in result["rows"]}
    assert list(by) == [1, 2, 3, 4, 5]
    # Core20 (deciles 1-2): P1 and P2 of 3 starters, against 2400 of 3500 working-age people.
    assert by[1]["participants"] == 2 and by[1]["working_age_population"] == 2400
    assert by[1]["participants_ratio"] == pytest.approx((2 / 3) / (2400 / 3500))   # 0.972
    assert by[2]["participants_ratio"] == 0.0                                        # decile 3: 300 people, nobody
    assert by[5]["participants_ratio"] == pytest.approx((1 / 3) / (800 / 3500))
    assert by[3]["participants_ratio"] is None
    with pytest.raises(store.StoreError, match="grouping"):
        _representation(grouping="vigintile")


def test_representation_with_nobody_counted_has_no_ratios(tiny_db):
    result = _representation(institution_id="council")
    assert result["participants_in_area"] == 0
    assert all(row["participants_share"] is None and row["participants_ratio"] is None for row in result["rows"])
    assert result["working_age_population"] == 3500


def test_shares_add_up_to_one(tiny_db):
    for release in figures.IMD_RELEASES:
        rows = _representation(imd_release=release)["rows"]
        assert sum(row["population_share"] for row in rows) == pytest.approx(1.0)
        assert sum(row["participants_share"] for row in rows) == pytest.approx(1.0)


# --- decile rules ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("index_name", "rank", "decile"), [
    ("WIMD2019", 1, 1), ("WIMD2019", 191, 1), ("WIMD2019", 192, 2), ("WIMD2019", 382, 2), ("WIMD2019", 383, 3),
    ("WIMD2019", 1909, 10),
    ("SIMD2020v2", 1, 1), ("SIMD2020v2", 697, 1), ("SIMD2020v2", 698, 2), ("SIMD2020v2", 1395, 2),
    ("SIMD2020v2", 1396, 3), ("SIMD2020v2", 6976, 10),
])
def test_decile_rules(index_name, rank, decile):
    count = deprivation.NATION_INDICES[index_name]["area_count"]
    assert refdata.nation_decile(rank, count, index_name) == decile


def test_tiny_nation_deciles_follow_the_rules():
    rows = pd.read_csv(tiny.TINY / "ref_nation_imd.csv")
    for row in rows.itertuples():
        count = deprivation.NATION_INDICES[row.index_name]["area_count"]
        assert refdata.nation_decile(row.rank, count, row.index_name) == row.decile


def test_decile_rule_agrees_with_an_independent_count():
    # Independently: the Welsh Government puts ceil(1909 / 10) = 191 LSOAs in decile 1 and so on cumulatively.
    for count, index_name, cut in ((1909, "WIMD2019", math.ceil), (6976, "SIMD2020v2", math.floor)):
        for decile in range(1, 10):
            last = cut(count * decile / 10)
            assert refdata.nation_decile(last, count, index_name) == decile
            assert refdata.nation_decile(last + 1, count, index_name) == decile + 1


# --- on the official files ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ref_con(ref_db_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("deprivation") / "reference.duckdb"
    shutil.copyfile(ref_db_template, path)
    with store.connect(path) as con:
        yield con


def test_official_files_rank_to_the_published_deciles(ref_con):
    sql = "select rank, decile from ref_nation_imd where index_name = $index_name"
    wimd = dict(ref_con.cursor().execute(sql, {"index_name": "WIMD2019"}).fetchall())
    assert (wimd[191], wimd[192], wimd[1909]) == (1, 2, 10)
    simd = dict(ref_con.cursor().execute(sql, {"index_name": "SIMD2020v2"}).fetchall())
    assert (simd[697], simd[698], simd[6976]) == (1, 2, 10)


def test_methodology_facts_on_the_official_files(ref_con):
    facts = deprivation.methodology_facts(ref_con.cursor())
    by_index = {i["index_name"]: i for i in facts["nation_indices"]}
    assert by_index["WIMD2019"]["loaded"] and by_index["WIMD2019"]["area_count"] == 1909
    assert by_index["SIMD2020v2"]["loaded"] and by_index["SIMD2020v2"]["area_count"] == 6976
    assert by_index["SIMD2020v2"]["population_published"] and not by_index["WIMD2019"]["population_published"]
    assert "191" in by_index["WIMD2019"]["decile_rule"] and "697" in by_index["SIMD2020v2"]["decile_rule"]
    # Code-Point and polygons only: no Scottish postcode has a data zone, and the text says so.
    assert facts["scotland_data_zones_available"] is False and facts["scottish_postcodes"] > 150_000
    assert "not loaded" in facts["scotland_assignment"]
    assert set(facts["representation_denominators"]) == {"IoD2019", "IoD2025"}


def test_methodology_facts_on_the_tiny_world(tiny_db):
    with store.connect() as con:
        facts = deprivation.methodology_facts(con.cursor())
    # EH2 2BB and EH4 4DD carry data zones; EH1 1AA and EH3 3AB do not.
    assert facts["scotland_data_zones_available"] is True
    assert (facts["scottish_postcodes"], facts["scottish_postcodes_with_data_zone"]) == (4, 2)
    assert "2 of 4 Scottish postcodes" in facts["scotland_assignment"]


def test_proxy_population_keeps_englands_total(ref_con):
    # Carrying File 6 to LSOA 2021 neither loses nor invents people: the totals over England agree.
    cur = ref_con.cursor()
    cur.execute("insert into network_lad select 'all', lad24_code from ref_lad where nation = 'England'")
    selection = figures.Selection("all", "2025Q1", "2025Q1")
    carried = deprivation.representation(cur, selection)["working_age_population"]
    published = deprivation.representation(cur, replace(selection, imd_release="IoD2019"))["working_age_population"]
    file6 = cur.execute("select sum(population_working_age) from ref_population").fetchone()[0]
    assert carried == pytest.approx(file6) and published == pytest.approx(file6)
    assert 30_000_000 < file6 < 36_000_000  # England's working-age population, mid-2015
    cur.execute("delete from network_lad where network_id = 'all'")


def test_selection_dates_bind(nations_db):
    # December 2024 alone: P6 started in Edinburgh on 20 December; nothing else happened then.
    with store.connect() as con:
        df = store.run(con.cursor(), "nation_deciles", network_id="tiny", initiative_id=None, institution_id=None,
                       date_from=dt.date(2024, 12, 1), date_to=dt.date(2024, 12, 31))
    counted = df[(df["participants"] > 0) | (df["completions"] > 0) | (df["spend_gbp"] != 0)]
    assert counted[["nation", "participants", "completions"]].values.tolist() == [["Scotland", 1, 0]]
    assert pd.isna(counted["decile"].iloc[0])

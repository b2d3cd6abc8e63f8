"""Disclosure control: every count a disclosure-controlled reader sees is a sum of the finest cells' rounded
running totals (dashboard.disclosure), worked out here by hand and checked against the exact figures."""

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard import access, disclosure, figures, ingest, networks, parsing, reports, store
from dashboard.disclosure import SUPPRESSED_PCT, DisclosureError, Rule
from tests import tiny

REPO = Path(__file__).resolve().parent.parent
RULE = Rule()
FUNDER = access.Scope("funder@example.org", "funder", grants=frozenset({("tiny", None)}))


# --- the rule -------------------------------------------------------------------------------------------------------


def test_rounding_to_base_five_as_hesa_does():
    assert [RULE.round(n) for n in range(13)] == [0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10]
    assert [Rule(3).round(n) for n in range(5)] == [0, 0, 3, 3, 3]
    assert [Rule(10).round(n) for n in (4, 5, 14, 15)] == [0, 10, 10, 20]
    assert RULE.span(20) == (18, 22) and RULE.span(0) == (0, 2) and RULE.span(5) == (3, 7)
    for bad in (2, 101, 5.0, True, "5"):
        with pytest.raises(DisclosureError, match="threshold"):
            Rule(bad)


def test_percentages_of_shown_counts():
    assert RULE.pct(10, 40) == 25.0
    assert RULE.pct(10, 20) == SUPPRESSED_PCT  # a base under 25
    assert RULE.pct("<5", 40) == SUPPRESSED_PCT and RULE.pct(5, "<5") == SUPPRESSED_PCT
    assert RULE.pct(0, 0) is None  # nothing to divide
    assert RULE.pct(45, 40) == 100.0  # never above the whole
    assert RULE.pct(10, 40, scale=1.0, digits=None) == 0.25


def test_rule_text_has_a_worked_example():
    text = RULE.text()
    assert "21 at the end of June and 22 at the end of September, both round to 20" in text
    assert "from 18 to 22" in text and '"<5"' in text and "under 25" in text and "HESA" in text
    assert "from 35 to 44" in Rule(10).text()


def test_display_and_number():
    assert disclosure.display(1234) == "1,234" and disclosure.display("<5") == "<5" and disclosure.display(None) == ""
    assert disclosure.number("<5") is None and disclosure.number(7) == 7


# --- cells, by hand -------------------------------------------------------------------------------------------------


def cells(rows, rule=RULE):
    return disclosure.Cells(pd.DataFrame(rows, columns=["measure", "initiative_id", "institution_id", "place",
                                                       "quarter", "people"]), rule)


def test_a_count_is_the_sum_of_its_cells_rounded_running_totals():
    # One cell of decile 4: 21 people by the end of 2025Q2 (3 + 18), 22 by the end of 2025Q3, 30 by 2026Q1.
    c = cells([("participants", "h2h", "trust", "4", "2025Q1", 3), ("participants", "h2h", "trust", "4", "2025Q2", 18),
               ("participants", "h2h", "trust", "4", "2025Q3", 1), ("participants", "h2h", "trust", "4", "2026Q1", 8),
               ("participants", "ican", "council", "4", "2025Q3", 2)])
    # Running totals 3, 21, 22, 22, 30 round to 5, 20, 20, 20, 30.
    assert c.count("participants", "2025Q1", "2025Q1") == 5
    assert c.count("participants", "2025Q2", "2025Q2", initiative="h2h") == 15
    assert c.count("participants", "2025Q3", "2025Q3", initiative="h2h") == "<5"  # 20 - 20: the one person hidden
    assert c.count("participants", "2025Q1", "2025Q3", initiative="h2h") == 20
    # The ican cell: 2 by 2025Q3, which rounds to 0 at every end: '<5' whatever the period.
    assert c.count("participants", "2024Q1", "2030Q4", initiative="ican") == "<5"
    # Both cells together: the sum of their own differences (20 + 0), not the rounded sum of people (22 -> 20).
    assert c.count("participants", "2025Q1", "2025Q3") == 20
    assert c.count("participants", "2025Q4", "2026Q1") == 10
    # Periods add up: the two halves of 2025Q1..2026Q1 make the whole.
    assert c.count("participants", "2025Q1", "2026Q1") == 20 + 10
    # Nobody ever in decile 7, nor any job: 0, not '<5'.
    assert c.count("participants", "2025Q1", "2026Q1", groups=["7"]) == 0
    assert c.count("jobs_filled", "2025Q1", "2026Q1") == 0
    assert c.institutions(None) == ["council", "trust"] and c.institutions("ican") == ["council"]


def test_places_group_into_the_reports_groups():
    c = cells([("participants", "h2h", "trust", "wales:3", "2025Q1", 6),
               ("participants", "h2h", "trust", "wales:", "2025Q1", 4),
               ("participants", "h2h", "trust", "Northern Ireland", "2025Q1", 5)])
    assert c.count("participants", "2025Q1", "2025Q1", groups=["wales"]) == 5 + 5  # 6 -> 5, 4 -> 5
    assert c.count("participants", "2025Q1", "2025Q1", places=["wales:3"]) == 5
    assert c.count("participants", "2025Q1", "2025Q1", groups=["northern_ireland"]) == 5


def test_a_figure_with_no_rule_is_refused(tiny_db):
    with store.connect(tiny_db) as con:
        cur = con.cursor()
        sel = figures.Selection("tiny", "2025Q1", "2025Q1")
        doc = reports.full(cur, sel)
        rows = store.run(cur, "disclosure_cells", network_id="tiny", imd_release="IoD2025")
    c = disclosure.Cells(rows, RULE)
    with pytest.raises(DisclosureError, match="by_month"):
        disclosure.protect_report({**doc, "by_month": [{"month": "2025-01", "participants": 3}]}, c)
    with pytest.raises(DisclosureError, match="apprentices"):
        disclosure.protect_report({**doc, "spend_by_category": [{**r, "apprentices": 2}
                                                                for r in doc["spend_by_category"]]}, c)
    funnel = {**doc["funnel"], "total": {**doc["funnel"]["total"], "starters_in_post_12_months": 1}}
    with pytest.raises(DisclosureError, match="starters_in_post_12_months"):
        disclosure.protect_report({**doc, "funnel": funnel}, c)


def test_every_report_section_has_a_rule():
    assert set(reports.SECTIONS) | {"by_decile", "by_quintile"} <= set(disclosure.SECTIONS)


# --- the tiny network, end to end ------------------------------------------------------------------------------------


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "participants", "2025Q1", tiny.TINY / "participants_council_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    return path


def test_cells_add_up_to_the_exact_figures(tiny_db):
    # queries/disclosure_cells.sql counts the same people as the report's queries: summed without rounding over
    # any period, its cells give every exact count of the report's sections.
    with store.connect(tiny_db) as con:
        cur = con.cursor()
        rows = store.run(cur, "disclosure_cells", network_id="tiny", imd_release="IoD2025")
        for first, last in (("2024Q4", "2024Q4"), ("2025Q1", "2025Q1"), ("2025Q1", "2025Q2"), ("2024Q1", "2026Q4")):
            doc = reports.full(cur, figures.Selection("tiny", first, last))
            inside = rows[(rows["quarter"] >= first) & (rows["quarter"] <= last)]

            def total(measure, places=None, frame=inside):
                chosen = frame[frame["measure"] == measure]
                if places is not None:
                    chosen = chosen[chosen["place"].isin(places)]
                return int(chosen["people"].sum())
            for c in ("participants", "completions", "jobs_filled"):
                assert total(c) == doc[c], (first, last, c)
                for row in doc["by_decile"]:
                    places = [str(row["imd_decile"])] if row["imd_decile"] else [
                        {"wales": "Wales", "northern_ireland": "Northern Ireland"}.get(row["group"], row["group"])]
                    if row["group"] in ("wales", "scotland"):
                        places = sorted({p for p in rows["place"] if p.startswith(f"{row['group']}:")})
                    assert total(c, places) == row[c], (first, last, c, row["group"])
            for field in ("starters_completed", "starters_with_job", "starters_in_post_6_months_reported",
                          "starters_in_post_6_months"):
                assert total(field) == doc["funnel"]["total"][field], (first, last, field)
            for row in doc["representation"]["rows"]:
                assert total("participants_in_area", [str(row["imd_decile"])]) == row["participants"]
                assert total("jobs_filled_in_area", [str(row["imd_decile"])]) == row["jobs_filled"]
            assert doc["participants"] > 0 or first == "2024Q4"


def test_tiny_network_as_a_funder_sees_it(tiny_db):
    with store.connect(tiny_db) as con:
        cur = con.cursor()
        sel = figures.Selection("tiny", "2025Q1", "2025Q1")
        exact = reports.full(cur, sel)
        shown = reports.view(cur, FUNDER, sel)
        rows = store.run(cur, "disclosure_cells", network_id="tiny", imd_release="IoD2025")
    # Worked out by hand from the cells: each (measure, initiative, institution, place) rounded on its own.
    people = rows[rows["measure"] == "participants"]
    cell = ["initiative_id", "institution_id", "place"]
    to = people[people["quarter"] <= "2025Q1"].groupby(cell)["people"].sum()
    before = people[people["quarter"] < "2025Q1"].groupby(cell)["people"].sum().reindex(to.index, fill_value=0)
    assert (to - before).sum() == exact["participants"] and before.sum() > 0  # someone started before 2025Q1
    hand = sum(RULE.round(int(t)) - RULE.round(int(b)) for t, b in zip(to, before, strict=True))
    assert shown["participants"] == (hand if hand else "<5")
    assert all(not isinstance(v, int) or v % 5 == 0 for v in (shown["participants"], shown["completions"],
                                                                shown["jobs_filled"]))
    decile_sum = sum(r["participants"] for r in shown["by_decile"] if isinstance(r["participants"], int))
    assert decile_sum == (shown["participants"] if isinstance(shown["participants"], int) else 0)
    assert shown["spend_total_gbp"] == exact["spend_total_gbp"]  # money in full
    assert shown["equality"] is None and "equality" in shown["disclosure"]["withheld"]
    assert shown["disclosure"]["text"] == RULE.text()
    json.dumps(shown)


# --- the rule of a network ------------------------------------------------------------------------------------------


def test_network_yaml_threshold_is_checked(tmp_path):
    birmingham = REPO / "data" / "networks" / "birmingham.yaml"
    base = birmingham.read_text(encoding="utf-8")
    doc = networks.read_definition(birmingham)
    assert networks.disclosure_rule_of(doc) == Rule(5)
    for bad in ("{threshold: 2}", "{threshold: five}", "10", "{limit: 5}"):
        path = tmp_path / "n.yaml"
        path.write_text(base.replace("disclosure: {threshold: 5}", f"disclosure: {bad}"), encoding="utf-8")
        with pytest.raises(networks.NetworkError, match="disclosure"):
            networks.read_definition(path)


def test_network_threshold_is_stored_and_read(tmp_path):
    with store.connect(tmp_path / "t.duckdb") as con:
        cur = con.cursor()
        assert networks.disclosure_rule(cur, "nowhere") == Rule(5)
        store.run(cur, "network_upsert", network_id="n", name="N", description=None, is_demo=False)
        assert networks.disclosure_rule(cur, "n") == Rule(5)
        store.run(cur, "network_disclosure_set", network_id="n", disclosure_threshold=10)
        assert networks.disclosure_rule(cur, "n") == Rule(10)


def test_network_load_stores_the_threshold(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    network_id = networks.read_definition(tiny.TINY / "network.yaml")["id"]
    with store.connect(db) as con:
        assert networks.disclosure_rule(con.cursor(), network_id) == Rule(5)
    stricter = tmp_path / "network.yaml"
    stricter.write_text((tiny.TINY / "network.yaml").read_text(encoding="utf-8") + "\ndisclosure: {threshold: 10}\n",
                        encoding="utf-8")
    networks.load(stricter, db)
    with store.connect(db) as con:
        assert networks.disclosure_rule(con.cursor(), network_id) == Rule(10)


# --- the demo network, every period -------------------------------------------------------------------------------


def test_subtracting_any_two_periods_of_the_demo_gives_away_nothing(demo_db):
    # The attack: a funder asks for every quarter range and subtracts answers with the same start or the
    # same end. Each difference is exactly what the funder is shown for the quarters between (so it tells them
    # nothing new), and is a multiple of 5: never a count of 1 to 4.
    funder = access.Scope("funder@example.org", "funder", grants=frozenset({("birmingham", None)}))
    with store.connect(demo_db) as con:
        cur = con.cursor()
        first, last = figures.data_quarters(cur, "birmingham")
        quarters = [first]
        while quarters[-1] < last:
            quarters.append(parsing.shift_quarter(quarters[-1], 1))
        shown = {}
        for i, a in enumerate(quarters):
            for b in quarters[i:]:
                doc = reports.view(cur, funder, figures.Selection("birmingham", a, b))
                shown[(a, b)] = {("all", c): doc[c] for c in ("participants", "completions", "jobs_filled")}
                shown[(a, b)].update({(row["group"], c): row[c] for row in doc["by_decile"]
                                      for c in ("participants", "completions", "jobs_filled")})

    def value(v):
        return 0 if v == "<5" else v
    pairs = 0
    for (a, b), cells_ab in shown.items():
        for (c, d), cells_cd in shown.items():
            if (a == c and d < b) or (b == d and c > a):
                gap = (parsing.shift_quarter(d, 1), b) if a == c else (a, parsing.shift_quarter(c, -1))
                between = shown[gap]
                for key, v in cells_ab.items():
                    difference = value(v) - value(cells_cd[key])
                    assert difference == value(between[key]) and difference % 5 == 0, ((a, b), (c, d), key)
                    pairs += 1
    assert len(shown) == len(quarters) * (len(quarters) + 1) // 2 and pairs > 5_000


def test_a_section_read_on_its_own_is_the_one_in_the_whole_protected_document(demo_db):
    # A page reads a funder's sections one by one; each must be exactly the section of their whole document,
    # for the network, an initiative and a partner reading the network, over random periods and both releases.
    import random

    rng = random.Random(14)
    readers = [access.Scope("funder@example.org", "funder", grants=frozenset({("birmingham", None)})),
               access.Scope("public", "public")]
    with store.connect(demo_db) as con:
        cur = con.cursor()
        first, last = figures.data_quarters(cur, "birmingham")
        span = parsing.quarters_between(first, last)
        initiatives = [None, *store.run(cur, "network_initiatives", network_id="birmingham")["initiative_id"]]
        compared = 0
        for _ in range(6):
            a = rng.randrange(span)
            b = rng.randrange(a, span)
            selection = figures.Selection("birmingham", parsing.shift_quarter(first, a),
                                          parsing.shift_quarter(first, b), initiative_id=rng.choice(initiatives),
                                          imd_release=rng.choice(["IoD2025", "IoD2019"]))
            scope = rng.choice(readers)
            if not access.can_read(scope, "birmingham", None, selection.initiative_id):
                continue
            whole = reports.view(cur, scope, selection)
            headline = reports.view(cur, scope, selection, ())
            assert ({k: v for k, v in headline.items() if k != "generated_at"}
                    == {k: v for k, v in whole.items() if k not in reports.SECTIONS and k != "generated_at"})
            assert headline["disclosure"]["withheld"].keys() == {"equality"}
            for name in reports.SECTIONS:
                assert reports.section(cur, scope, selection, name) == whole[name], (selection, name)
                compared += 1
        assert compared >= 30

"""Disclosure control: no count of 1 to 4 people reaches funders or the public, shown or worked out."""

import copy
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import disclosure, figures, networks, store
from dashboard.disclosure import SECONDARY_MARK, DisclosureError, Rule

REPO = Path(__file__).resolve().parent.parent
RULE = Rule()
GROUPS = [str(d) for d in range(1, 11)] + ["Wales", "Scotland", "Northern Ireland", "unknown"]
COUNTS = ("participants", "completions", "jobs_filled")


# --- an independent reader: brute-force search over whole numbers --------------------------------------------------


def _reader_view(values, equations, rule, cap, withheld=False):
    """What a reader knows: each hidden cell's range from its mark, and each sum as coefficients over hidden cells.

    A [c] cell is searched up to cap: a cap can only make a cell look pinned, never hide a leak. None is a count
    the report never shows (e.g. starters who have not completed): any whole number from 0.
    """
    domains = {}
    for key, value in values.items():
        if value is None:
            domains[key] = (0, cap)
        elif value == rule.primary_mark:
            domains[key] = (0 if withheld else 1, rule.threshold - 1)
        elif value == SECONDARY_MARK:
            domains[key] = (rule.threshold, cap)
        else:
            assert isinstance(value, int), (key, value)
    sums = []
    for total, parts in equations:
        coef, rhs = {}, 0
        for key, sign in [(p, 1) for p in parts] + [(total, -1)]:
            if key in domains:
                coef[key] = coef.get(key, 0) + sign
            else:
                rhs -= sign * values[key]
        if coef:
            sums.append((coef, rhs))
    return domains, sums


def _tighten(domains, sums):
    """Narrow each whole-number range by every sum until nothing moves; None if some range empties."""
    domains = dict(domains)
    changed = True
    while changed:
        changed = False
        for coef, rhs in sums:
            low = sum(c * domains[k][0] if c > 0 else c * domains[k][1] for k, c in coef.items())
            high = sum(c * domains[k][1] if c > 0 else c * domains[k][0] for k, c in coef.items())
            if not low <= rhs <= high:
                return None
            for key, c in coef.items():
                lo, hi = domains[key]
                own_low, own_high = (c * lo, c * hi) if c > 0 else (c * hi, c * lo)
                # c * x must lie in [rhs - (high - own_high), rhs - (low - own_low)]
                a, b = rhs - (high - own_high), rhs - (low - own_low)
                new_lo, new_hi = (math.ceil(a / c), math.floor(b / c)) if c > 0 else (math.ceil(b / c),
                                                                                      math.floor(a / c))
                new_lo, new_hi = max(lo, new_lo), min(hi, new_hi)
                if new_lo > new_hi:
                    return None
                if (new_lo, new_hi) != (lo, hi):
                    domains[key] = (new_lo, new_hi)
                    changed = True
    return domains


def _solve(domains, sums):
    """A whole-number solution of the sums within the ranges, or None (search by halving ranges)."""
    domains = _tighten(domains, sums)
    if domains is None:
        return None
    open_keys = [k for k, (lo, hi) in domains.items() if lo < hi]
    if not open_keys:
        return {k: lo for k, (lo, _) in domains.items()}
    key = min(open_keys, key=lambda k: domains[k][1] - domains[k][0])
    lo, hi = domains[key]
    mid = (lo + hi) // 2
    return _solve({**domains, key: (lo, mid)}, sums) or _solve({**domains, key: (mid + 1, hi)}, sums)


def assert_nothing_derivable(values, equations, rule, grand_total=0, withheld=False, truth=None):
    """No count 1..t-1 is shown; every hidden cell could take another whole value; hidden sums are not small.

    A never-shown cell (None) may be worked out unless its true value (truth[key]) is 1..t-1.
    """
    truth = truth or {}
    for key, value in values.items():
        assert not (isinstance(value, int) and 1 <= value < rule.threshold), f"{key} shows {value}"
    cap = 3 * (grand_total + sum(v for v in values.values() if isinstance(v, int))) + 3 * rule.threshold
    domains, sums = _reader_view(values, equations, rule, cap, withheld)
    first = _solve(domains, sums) if domains else {}
    assert first is not None, "what is shown contradicts itself"
    for key, value in first.items():
        if values[key] is None and not 1 <= truth[key] < rule.threshold:
            continue
        # One solution is known; the cell is safe if some other solution gives it another value.
        lo, hi = domains[key]
        below = lo < value and _solve({**domains, key: (lo, value - 1)}, sums)
        above = value < hi and _solve({**domains, key: (value + 1, hi)}, sums)
        # Worked out as 0 is no more than a zero shown as 0 (only a withheld or never-shown count can be 0).
        assert below or above or value == 0, f"{key} can be worked out as {value} from {values}"
    for total, parts in equations:
        if values[total] not in (rule.primary_mark, SECONDARY_MARK, None):
            hidden = [p for p in parts if p in domains]
            rest = values[total] - sum(values[p] for p in parts if p not in domains)
            if hidden and all(values[p] is None for p in hidden):
                assert not 1 <= rest < rule.threshold, (total, parts, rest)  # never-shown counts adding up to rest
            else:
                assert not hidden or (len(hidden) >= 2 and rest >= rule.threshold), (total, parts, values)


# --- the rule and its marks ----------------------------------------------------------------------------------------


def test_rule_text_and_marks():
    assert RULE.primary_mark == "<5"
    assert '"<5"' in RULE.text() and "zero is shown as 0" in RULE.text()
    assert Rule(10).primary_mark == "<10" and "from 1 to 9" in Rule(10).text()
    for bad in (2, 0, True, "5", 5.0):
        with pytest.raises(DisclosureError):
            Rule(bad)


def test_display_and_number():
    assert disclosure.display(12345) == "12,345"
    assert disclosure.display("<5") == "<5" and disclosure.number("<5") is None
    assert disclosure.display(0) == "0" and disclosure.number(7) == 7
    assert disclosure.display(None) == ""


# --- hand-worked tables ------------------------------------------------------------------------------------------


def _one_way(cells, total, rule=RULE):
    rows = [{"group": i, "n": v} for i, v in enumerate(cells)]
    out = disclosure.protect_table(rows, ["n"], rule, totals={"n": total})
    return [r["n"] for r in out.rows], out.totals["n"]


def test_one_small_cell_takes_the_next_smallest_with_it():
    # 3 is small; with it alone hidden, 47 - (0+12+25) would give it back, so the next smallest non-zero (7)
    # goes too. The reader then knows x3 + x7 = 10 with x3 in 1..4 and x7 >= 5: x3 could be 1..4.
    assert _one_way([0, 3, 12, 7, 25], 47) == ([0, "<5", 12, SECONDARY_MARK, 25], 47)


def test_zero_is_shown_and_large_counts_untouched():
    assert _one_way([0, 0, 5, 9], 14) == ([0, 0, 5, 9], 14)


def test_a_small_total_is_hidden_with_its_small_cells():
    assert _one_way([1, 2, 0], 3) == (["<5", "<5", 0], "<5")


def test_hidden_cells_summing_to_a_small_count_take_another_cell():
    # 1 and 2 hidden would still give 33 - 30 = 3 people in the two cells together: hide 30 as well.
    assert _one_way([1, 2, 30], 33) == (["<5", "<5", SECONDARY_MARK], 33)


def test_a_partner_cell_of_exactly_the_threshold_is_not_enough():
    # Hiding 1 and 5 leaves x1 + x5 = 6 with x1 >= 1 and x5 >= 5: both are pinned (1 and 5). 7 goes too:
    # x1 + x5 + x7 = 13 with x5, x7 >= 5 leaves x1 anywhere in 1..3.
    assert _one_way([1, 5, 7], 13) == (["<5", SECONDARY_MARK, SECONDARY_MARK], 13)


def test_a_table_too_small_to_protect_is_withheld_whole():
    # Four people, one in each of four cells: with the total hidden as <5, each cell would still be known to
    # be exactly 1 (four cells of at least 1 adding up to at most 4). Every count goes, the zero too.
    rows = [{"n": v} for v in (1, 1, 0, 1, 1)]
    out = disclosure.protect_table(rows, ["n"], RULE, totals={"n": 4})
    assert out.withheld and [r["n"] for r in out.rows] == ["<5"] * 5 and out.totals == {"n": "<5"}
    again = disclosure.protect_table(out.rows, ["n"], RULE, totals=out.totals)
    assert again.withheld and again.rows == out.rows


def test_a_cell_with_no_partner_hides_the_total():
    # 1 and 5 are the only non-zero cells: the only way left is to hide the total too.
    cells, total = _one_way([1, 5, 0], 6)
    assert cells == ["<5", SECONDARY_MARK, 0] and total == SECONDARY_MARK


def test_two_way_table_hides_a_rectangle():
    # Row A: 3 + 10 = 13; row B: 8 + 12 = 20; columns 11 and 22, grand total 33. 3 is small; its row partner
    # (10) and column partner (8) are hidden, then B's 12 so row B and column 2 do not give them back. A
    # reader knows a = 3 only as: a in 1..4, 13-a >= 5, 11-a >= 5, 9+a >= 5, so a could be 1..4.
    rows = [{"row": "A", "c1": 3, "c2": 10, "all": 13}, {"row": "B", "c1": 8, "c2": 12, "all": 20}]
    out = disclosure.protect_table(rows, ["c1", "c2", "all"], RULE, totals={"c1": 11, "c2": 22, "all": 33},
                                   column_sums=[("all", ["c1", "c2"])])
    assert [(r["c1"], r["c2"], r["all"]) for r in out.rows] == [("<5", "[c]", 13), ("[c]", "[c]", 20)]
    assert out.totals == {"c1": 11, "c2": 22, "all": 33}


def test_derived_sum_over_a_hidden_cell_is_hidden():
    rows = [{"d": 1, "n": 3}, {"d": 2, "n": 40}, {"d": 3, "n": 9}, {"d": 4, "n": 20}]
    out = disclosure.protect_table(rows, ["n"], RULE, totals={"n": 72}, derived={"top": [0, 1]})
    assert [r["n"] for r in out.rows] == ["<5", 40, "[c]", 20]
    assert out.derived == {"top": {"n": SECONDARY_MARK}}


def test_feasible_ranges_worked_by_hand():
    # x + y = 10 with x marked <5 (1..4) and y marked [c] (>= 5): x in 1..4 (y 6..9 covers it), y in 6..9.
    values = {"t": 10, "x": "<5", "y": "[c]"}
    status = {"t": "shown", "x": "primary", "y": "secondary"}
    ranges = disclosure.feasible_ranges(values, status, [("t", ["x", "y"])], RULE)
    assert ranges["x"] == pytest.approx((1, 4)) and ranges["y"] == pytest.approx((6, 9))


def test_sums_that_do_not_add_up_are_refused():
    with pytest.raises(DisclosureError, match="add up"):
        disclosure.protect_table([{"n": 3}, {"n": 9}], ["n"], RULE, totals={"n": 13})


@pytest.mark.parametrize(("pct", "base", "shown"), [
    (1.5, 200, False),    # 3 of 200 people
    (98.5, 200, False),   # 197 of 200: the other 3 are a small count
    (2.5, 200, True),     # 5 of 200
    (0.0, 200, True),     # nobody: zero is a fact, shown
    (50.0, "<5", False),  # the base is hidden
])
def test_percentages_hide_small_counts_recovered_from_them(pct, base, shown):
    result = disclosure.protect_percentage(pct, None, base, RULE)
    assert result == (pct if shown else "[c]")


# --- the report ----------------------------------------------------------------------------------------------------


def _area_df(people, spend):
    """A by-area frame as queries/figures_by_area.sql returns it; people[i] = (participants, completions, jobs,
    starters_with_job), spend[i] in pence."""
    rows = []
    for group, (p, c, j, s), pence in zip(GROUPS, people, spend, strict=True):
        gbp = Decimal(pence) / 100
        rows.append({"area_group": group, "imd_decile": int(group) if group.isdigit() else None,
                     "participants": p, "completions": c, "jobs_filled": j, "starters_with_job": s,
                     "spend_gbp": gbp, "spend_local_gbp": gbp / 2, "spend_sme_gbp": gbp / 4,
                     "spend_sme_known_gbp": gbp / 2, "spend_vcse_gbp": gbp / 5, "spend_vcse_known_gbp": gbp / 2})
    df = pd.DataFrame(rows)
    df["imd_decile"] = df["imd_decile"].astype("Int64")
    # As DuckDB hands them over (sum() of integers is a HUGEINT): Python numbers, not numpy ones.
    people_columns = ["participants", "completions", "jobs_filled", "starters_with_job"]
    df[people_columns] = df[people_columns].astype(object)
    return df


def _report(area_df):
    """The report dict as figures.report builds it, without the database."""
    by_decile = []
    for row in area_df.itertuples():
        is_decile = not pd.isna(row.imd_decile)
        by_decile.append({
            "group": str(int(row.imd_decile)) if is_decile else figures.GROUP_KEYS[row.area_group],
            "imd_decile": int(row.imd_decile) if is_decile else None,
            "participants": int(row.participants), "completions": int(row.completions),
            "jobs_filled": int(row.jobs_filled), "spend_gbp": float(row.spend_gbp),
            "spend_local_gbp": float(row.spend_local_gbp),
        })
    return {"network_id": "n", "network_name": "N", "is_demo": True, "initiative_id": None, "institution_id": None,
            "from_quarter": "2025Q1", "to_quarter": "2025Q4", "date_from": "2025-01-01", "date_to": "2025-12-31",
            "imd_release": "IoD2025", "imd_release_title": "x", "lsoa_vintage": 2021,
            **figures.summarise(area_df), "by_decile": by_decile, "generated_at": "2026-01-01T00:00:00+00:00"}


def _report_equations(protected, rule):
    """Everything a reader can add up: each count column over the groups, deciles 1+2 via the shown percentage."""
    values, equations = {}, []
    rows = protected["by_decile"]
    for col in COUNTS:
        for row in rows:
            values[(row["group"], col)] = row[col]
        values[("total", col)] = protected[col]
        equations.append((("total", col), [(row["group"], col) for row in rows]))
    for col, pct_key in (("participants", "participants_most_deprived_20_pct"),
                         ("jobs_filled", "jobs_filled_most_deprived_20_pct")):
        pct, base = protected[pct_key], protected[col]
        if pct is not None and not disclosure.is_hidden(pct):
            # 2 decimal places of a base under 10,000 give the count back exactly.
            values[("d12", col)] = round(pct * base / 100)
            equations.append((("d12", col), [("1", col), ("2", col)]))
    return values, equations


count = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 7), st.integers(8, 60))


@st.composite
def area_people(draw):
    people = []
    for _ in GROUPS:
        p = draw(count)
        people.append((p, draw(st.integers(0, p)), draw(count), draw(st.integers(0, p))))
    return people


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=area_people(), spend=st.lists(st.integers(0, 10**9), min_size=14, max_size=14),
       threshold=st.sampled_from([5, 5, 3, 10]))
def test_random_reports_show_and_leak_no_small_count(people, spend, threshold):
    rule = Rule(threshold)
    report = _report(_area_df(people, spend))
    before = copy.deepcopy(report)
    protected = disclosure.protect_report(report, rule)
    assert report == before, "the input report was changed"
    values, equations = _report_equations(protected, rule)
    withheld = protected["disclosure"]["withheld"] == ["by_decile"]
    assert_nothing_derivable(values, equations, rule, max(report[c] for c in COUNTS), withheld)
    # Shown counts are the exact figures; money is never touched.
    for key in COUNTS:
        assert protected[key] in (report[key], rule.primary_mark, SECONDARY_MARK)
    for row_in, row_out in zip(report["by_decile"], protected["by_decile"], strict=True):
        for key, value in row_in.items():
            assert row_out[key] == value or (key in COUNTS and disclosure.is_hidden(row_out[key]))
    for key, value in report.items():
        if key.startswith("spend_"):
            assert protected[key] == value
    # The conversion rate never gives back a small number of starters with a job, or without one.
    starters, total = sum(p[3] for p in people), report["participants"]
    if not disclosure.is_hidden(protected["conversion_rate_pct"]) and total:
        assert not 1 <= starters < threshold and not 1 <= total - starters < threshold
    for pct_key, col in (("participants_most_deprived_20_pct", "participants"),
                         ("jobs_filled_most_deprived_20_pct", "jobs_filled")):
        if disclosure.is_hidden(protected[col]):
            assert protected[pct_key] in (None, "[c]")
    assert protected["disclosure"]["rule"]["threshold"] == threshold
    assert disclosure.protect_report(protected, rule) == protected, "protecting twice changed the report"


@st.composite
def two_way(draw):
    n_rows, n_cols = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    cells = [[draw(st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 12))) for _ in range(n_cols)]
             for _ in range(n_rows)]
    return cells


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=two_way())
def test_random_two_way_tables_leak_no_small_count(cells):
    cols = [f"c{j}" for j in range(len(cells[0]))]
    rows = [{"row": i, **dict(zip(cols, r, strict=True)), "all": sum(r)} for i, r in enumerate(cells)]
    totals = {c: sum(r[c] for r in rows) for c in [*cols, "all"]}
    out = disclosure.protect_table(rows, [*cols, "all"], RULE, totals=totals, column_sums=[("all", cols)])
    values = {(i, c): r[c] for i, r in enumerate(out.rows) for c in [*cols, "all"]}
    values.update({("total", c): v for c, v in out.totals.items()})
    equations = [(("total", c), [(i, c) for i in range(len(rows))]) for c in [*cols, "all"]]
    equations += [((i, "all"), [(i, c) for c in cols]) for i in range(len(rows))]
    equations.append((("total", "all"), [("total", c) for c in cols]))
    assert_nothing_derivable(values, equations, RULE, totals["all"], out.withheld)
    for i, r in enumerate(rows):
        for c in [*cols, "all"]:
            assert out.rows[i][c] == r[c] or disclosure.is_hidden(out.rows[i][c])
    again = disclosure.protect_table(out.rows, [*cols, "all"], RULE, totals=out.totals, column_sums=[("all", cols)])
    assert again.rows == out.rows and again.totals == out.totals


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(count, min_size=1, max_size=8))
def test_random_one_way_tables_match_the_brute_force_reader(cells):
    rows = [{"n": v} for v in cells]
    out = disclosure.protect_table(rows, ["n"], RULE, totals={"n": sum(cells)})
    shown = [r["n"] for r in out.rows]
    values = {("c", i): v for i, v in enumerate(shown)} | {"total": out.totals["n"]}
    equations = [("total", [("c", i) for i in range(len(cells))])]
    assert_nothing_derivable(values, equations, RULE, sum(cells), out.withheld)
    # Nothing is hidden without need: a table with no small count is shown whole.
    if not any(1 <= c < 5 for c in cells):
        assert shown == cells


def test_report_fails_closed_on_figures_it_does_not_know():
    report = _report(_area_df([(10, 5, 5, 5)] * 14, [100] * 14))
    disclosure.protect_report(report, RULE)
    with pytest.raises(DisclosureError, match="participants_previous"):
        disclosure.protect_report({**report, "participants_previous": 3}, RULE)
    with pytest.raises(DisclosureError, match="by_month"):
        disclosure.protect_report({**report, "by_month": [{"month": "2025-01", "participants": 3}]}, RULE)
    with pytest.raises(DisclosureError, match="completions"):
        disclosure.protect_report({**report, "by_quarter": [{"quarter": "2025Q1", "participants": 3}]}, RULE)
    rows = [{**r, "apprentices": 2} for r in report["by_decile"]]
    with pytest.raises(DisclosureError, match="apprentices"):
        disclosure.protect_report({**report, "by_decile": rows}, RULE)


def test_report_hand_worked():
    # Decile 1 has 3 participants, decile 2 has 40, decile 3 has 9, the rest none: 52 in all.
    people = [(3, 3, 0, 1), (40, 20, 10, 10), (9, 9, 9, 9)] + [(0, 0, 0, 0)] * 11
    report = _report(_area_df(people, [12345] * 14))
    out = disclosure.protect_report(report, RULE)
    got = {r["group"]: r["participants"] for r in out["by_decile"][:3]}
    assert got == {"1": "<5", "2": 40, "3": "[c]"} and out["participants"] == 52
    # 43 of 52 in deciles 1-2 would give back decile 1 from decile 2's 40: hidden.
    assert out["participants_most_deprived_20_pct"] == "[c]"
    # 20 of 52 started a job (38.46%): not small either way, shown.
    assert out["conversion_rate_pct"] == pytest.approx(38.46)
    assert out["spend_total_gbp"] == report["spend_total_gbp"] == pytest.approx(1728.30)
    assert out["disclosure"]["text"] == RULE.text()


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


def test_brute_force_reader_catches_a_leak():
    # The checker itself must fail on a leaky table: 3 hidden alone in a shown total.
    values = {"t": 20, "a": "<5", "b": 17}
    with pytest.raises(AssertionError):
        assert_nothing_derivable(values, [("t", ["a", "b"])], RULE)
    values = {"t": 6, "a": "<5", "b": "[c]"}  # 1 + 5: both pinned
    with pytest.raises(AssertionError):
        assert_nothing_derivable(values, [("t", ["a", "b"])], RULE)


def test_network_load_stores_the_threshold(tmp_path):
    from tests import tiny

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

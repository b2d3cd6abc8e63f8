"""Disclosure control of the full report (reports.full): every section, protected together, leaks no small count.

The random reports are built here from random people, independently of the dashboard's queries; what a reader can
add up is written out here from the sections' meaning, independently of disclosure.py's model, and checked with
the brute-force reader of test_disclosure.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard import access, demo, disclosure, figures, ingest, parsing, reports, store
from dashboard.disclosure import SECONDARY_MARK, DisclosureError, Rule
from tests import tiny
from tests.test_disclosure import assert_nothing_derivable

RULE = Rule()
QUARTERS = ("2025Q1", "2025Q2")
GROUPS = [str(d) for d in range(1, 11)] + ["wales", "scotland", "northern_ireland", "unknown"]
COUNTS = ("participants", "completions", "jobs_filled")
COHORT = ("starters", "starters_completed", "starters_with_job", "starters_in_post_6_months_reported",
          "starters_in_post_6_months")
NESTED = (("starters", "starters_completed"), ("starters", "starters_with_job"),
          ("starters_with_job", "starters_in_post_6_months_reported"),
          ("starters_in_post_6_months_reported", "starters_in_post_6_months"))
FUNNEL_PCTS = {"completed_pct": ("starters_completed", "starters"), "with_job_pct": ("starters_with_job", "starters"),
               "in_post_6_months_reported_pct": ("starters_in_post_6_months_reported", "starters_with_job"),
               "in_post_6_months_pct": ("starters_in_post_6_months", "starters_in_post_6_months_reported")}
# Every field anywhere in the report that holds a count of people.
COUNT_FIELDS = frozenset({*COUNTS, *COHORT, *(f"cumulative_{c}" for c in COUNTS), "participants_in_area",
                          "jobs_filled_in_area"})
EQUALITY = {"gender": ("Female", "Male", "Not recorded"), "age_band": ("16-24", "25-49", "Not recorded")}


def _pct(part, whole):
    return None if not whole else round(part * 100 / whole, 2)


# --- a random world and the report it gives ----------------------------------------------------------------------


@st.composite
def people(draw, max_people=18):
    """Random participants: when they started (or before the range), completed, found a job; where and who."""
    out = []
    for _ in range(draw(st.integers(0, max_people))):
        start = draw(st.sampled_from(["before", *QUARTERS]))
        later = [q for q in QUARTERS if start == "before" or q >= start]
        job = draw(st.one_of(st.none(), st.sampled_from(later)))
        reported = job is not None and draw(st.booleans())
        group = draw(st.sampled_from(["1", "1", "2", "3", "7", "wales", "wales", "scotland", "unknown"]))
        out.append({
            "start": start, "completion": draw(st.one_of(st.none(), st.sampled_from(later))), "job": job,
            "reported": reported, "in_post": reported and draw(st.booleans()), "group": group,
            "in_area": group.isdigit() and draw(st.booleans()),
            "wimd": draw(st.sampled_from([1, 2, None])) if group == "wales" else None,
            "institution": draw(st.sampled_from(["a", "b"])),
            "gender": draw(st.sampled_from(EQUALITY["gender"])),
            "age_band": draw(st.sampled_from(EQUALITY["age_band"])),
        })
    return out


def _in(quarter):
    return quarter in QUARTERS


def _cohort(rows):
    sums = {"starters": len(rows), "starters_completed": sum(p["completion"] is not None for p in rows),
            "starters_with_job": sum(p["job"] is not None for p in rows),
            "starters_in_post_6_months_reported": sum(p["reported"] for p in rows),
            "starters_in_post_6_months": sum(p["in_post"] for p in rows)}
    return {**sums, **{k: _pct(sums[n], sums[d]) for k, (n, d) in FUNNEL_PCTS.items()}}


def _representation(world, grouping, population):
    label = "imd_decile" if grouping == "decile" else "imd_quintile"
    keys = range(1, 11) if grouping == "decile" else range(1, 6)

    def group_of(p):
        d = int(p["group"])
        return d if grouping == "decile" else (d + 1) // 2
    local = [p for p in world if p["in_area"]]
    pops = {k: sum(population[d - 1] for d in range(1, 11) if (d if grouping == "decile" else (d + 1) // 2) == k)
            for k in keys}
    people_in = sum(_in(p["start"]) for p in local)
    jobs_in = sum(_in(p["job"]) for p in local)
    rows = []
    for k in keys:
        n = sum(_in(p["start"]) for p in local if group_of(p) == k)
        j = sum(_in(p["job"]) for p in local if group_of(p) == k)
        share_p, share_j = (n / people_in if people_in else None), (j / jobs_in if jobs_in else None)
        pop_share = pops[k] / sum(population)
        rows.append({label: k, "participants": n, "participants_share": share_p, "jobs_filled": j,
                     "jobs_share": share_j, "working_age_population": float(pops[k]), "population_share": pop_share,
                     "participants_ratio": None if share_p is None else share_p / pop_share,
                     "jobs_ratio": None if share_j is None else share_j / pop_share})
    return {"imd_release": "IoD2025", "lsoa_vintage": 2021, "grouping": grouping, "rows": rows,
            "participants_in_area": people_in, "jobs_filled_in_area": jobs_in,
            "working_age_population": float(sum(population)), "numerator": "n", "denominator": {"text": "d"},
            "ratio_meaning": "r"}


def build_report(world, spend):
    """The full report of a world, every section as reports.full shapes it."""
    starters = [p for p in world if _in(p["start"])]
    counts = {"participants": len(starters), "completions": sum(_in(p["completion"]) for p in world),
              "jobs_filled": sum(_in(p["job"]) for p in world)}
    by_decile = []
    for g in GROUPS:
        here = [p for p in world if p["group"] == g]
        by_decile.append({"group": g, "imd_decile": int(g) if g.isdigit() else None,
                          "participants": sum(_in(p["start"]) for p in here),
                          "completions": sum(_in(p["completion"]) for p in here),
                          "jobs_filled": sum(_in(p["job"]) for p in here), "spend_gbp": spend[0] / 100,
                          "spend_local_gbp": spend[1] / 100})
    by_quintile = []
    for q in range(1, 6):
        pair = [r for r in by_decile if r["imd_decile"] in (2 * q - 1, 2 * q)]
        by_quintile.append({"group": f"q{q}", "imd_quintile": q, "imd_deciles": [2 * q - 1, 2 * q],
                            "is_core20": q == 1, **{c: sum(r[c] for r in pair) for c in
                                                    (*COUNTS, "spend_gbp", "spend_local_gbp")}})
    by_quintile += [r for r in by_decile if r["imd_decile"] is None]
    by_quarter, running = [], {c: 0 for c in COUNTS}
    for quarter in ("before", *QUARTERS):
        row = {"quarter": quarter, "participants": sum(p["start"] == quarter for p in world),
               "completions": sum(p["completion"] == quarter for p in world),
               "jobs_filled": sum(p["job"] == quarter for p in world), "spend_gbp": spend[2] / 100,
               "spend_known_location_pct": 50.0, "cumulative_spend_gbp": spend[2] / 50}
        for c in COUNTS:
            running[c] += row[c]
            row[f"cumulative_{c}"] = running[c]
        if quarter != "before":
            by_quarter.append(row)
    funnel = {"cohort": "c", "from_quarter": QUARTERS[0], "to_quarter": QUARTERS[-1], "total": _cohort(starters),
              "by_decile": [{"group": g, "imd_decile": int(g) if g.isdigit() else None,
                             **_cohort([p for p in starters if p["group"] == g])} for g in GROUPS],
              "by_institution": [{"institution_id": i, "institution_name": i.upper(),
                                  **_cohort([p for p in starters if p["institution"] == i])}
                                 for i in sorted({p["institution"] for p in starters})],
              "by_start_quarter": [{"start_quarter": q, **_cohort([p for p in starters if p["start"] == q])}
                                   for q in QUARTERS]}
    equality = []
    for characteristic, values in EQUALITY.items():
        for value in values:
            n = sum(_in(p["start"]) for p in world if p[characteristic] == value)
            j = sum(_in(p["job"]) for p in world if p[characteristic] == value)
            equality.append({"characteristic": characteristic, "value": value, "participants": n,
                             "participants_pct": _pct(n, counts["participants"]), "jobs_filled": j,
                             "jobs_filled_pct": _pct(j, counts["jobs_filled"])})
    nation_deciles = []
    for nation, deciles in (("Wales", [*range(1, 11), None]), ("Scotland", [*range(1, 11), None])):
        group = nation.lower()
        for d in deciles:
            here = [p for p in world if p["group"] == group and p["wimd"] == d]
            nation_deciles.append({"nation": nation, "index": "x", "decile": d,
                                   "participants": sum(_in(p["start"]) for p in here),
                                   "completions": sum(_in(p["completion"]) for p in here),
                                   "jobs_filled": sum(_in(p["job"]) for p in here), "spend_gbp": 0.0})
    population = [100 + 10 * d for d in range(1, 11)]
    money_row = {"spend_gbp": spend[3] / 100, "spend_local_pct": 12.5}
    with_job = sum(p["job"] is not None for p in starters)
    deprived = {c: by_decile[0][c] + by_decile[1][c] for c in COUNTS}
    return {
        "network_id": "n", "network_name": "N", "is_demo": True, "initiative_id": None, "institution_id": None,
        "from_quarter": QUARTERS[0], "to_quarter": QUARTERS[-1], "imd_release": "IoD2025", "lsoa_vintage": 2021,
        **counts, "conversion_rate_pct": _pct(with_job, counts["participants"]),
        "participants_most_deprived_20_pct": _pct(deprived["participants"], counts["participants"]),
        "jobs_filled_most_deprived_20_pct": _pct(deprived["jobs_filled"], counts["jobs_filled"]),
        "spend_total_gbp": spend[0] / 10, "by_decile": by_decile, "by_quintile": by_quintile,
        "by_quarter": by_quarter, "funnel": funnel, "equality": equality, "nation_deciles": nation_deciles,
        "representation": _representation(world, "decile", population),
        "representation_by_quintile": _representation(world, "quintile", population),
        "spend_by_institution": [{"institution_id": "a", "institution_name": "A", **money_row}],
        "spend_by_category": [{"category": "Cleaning", **money_row}],
        "top_suppliers": [{"supplier_name": "S", "is_local": "yes", "area_group": "3", "imd_decile": 3,
                           "is_sme": True, "is_vcse": None, **money_row}],
    }


def _truth_of_before(world):
    return {c: sum(p[k] == "before" for p in world) for c, k in
            (("participants", "start"), ("completions", "completion"), ("jobs_filled", "job"))}


# --- what a reader can add up ------------------------------------------------------------------------------------


def reader_equations(doc, report, world):
    """Every cell of the protected doc, what sums to what, and the never-shown counts a reader can reason about.

    Returns (values, equations, truth): None marks a never-shown count, whose true value is in truth.
    """
    values, equations, truth = {}, [], {}

    def cell(key, value):
        values[key] = value
        return key

    def unseen(key, true_value):
        values[key], truth[key] = None, true_value
        return key

    top = {c: cell(("top", c), doc[c]) for c in COUNTS if c in doc}
    decile = {}
    if "by_decile" in doc:
        for i, row in enumerate(doc["by_decile"]):
            for c in COUNTS:
                decile[(row["group"], c)] = cell(("by_decile", i, c), row[c])
        for c in COUNTS:
            equations.append((top[c], [decile[(g, c)] for g in GROUPS]))
        # The headline percentages give back deciles 1+2 (two places of a small base are exact).
        for c, pct_key in (("participants", "participants_most_deprived_20_pct"),
                           ("jobs_filled", "jobs_filled_most_deprived_20_pct")):
            pct, base = doc[pct_key], doc[c]
            if pct is not None and not disclosure.is_hidden(pct):
                assert not disclosure.is_hidden(base)
                equations.append((cell(("d12", c), round(pct * base / 100)), [decile[("1", c)], decile[("2", c)]]))
    if "by_quintile" in doc:
        for i, row in enumerate(doc["by_quintile"]):
            for c in COUNTS:
                parts = ([decile[(str(d), c)] for d in row["imd_deciles"]] if "imd_quintile" in row
                         else [decile[(row["group"], c)]])
                equations.append((cell(("by_quintile", i, c), row[c]), parts))
    quarter = {}
    if "by_quarter" in doc:
        before = _truth_of_before(world)
        for c in COUNTS:
            previous = unseen(("before", c), before[c])
            for i, row in enumerate(doc["by_quarter"]):
                quarter[(row["quarter"], c)] = cell(("by_quarter", i, c), row[c])
                cumulative = cell(("by_quarter", i, f"cumulative_{c}"), row[f"cumulative_{c}"])
                equations.append((cumulative, [previous, quarter[(row["quarter"], c)]]))
                previous = cumulative
            equations.append((top[c], [quarter[(q, c)] for q in QUARTERS]))
    if "funnel" in doc:
        funnel, raw = doc["funnel"], report["funnel"]
        total = {f: cell(("funnel", "total", f), funnel["total"][f]) for f in COHORT}
        equations.append((top["participants"], [total["starters"]]))
        for part in ("by_decile", "by_institution", "by_start_quarter"):
            rows = []
            for i, row in enumerate(funnel[part]):
                rows.append({f: cell(("funnel", part, i, f), row[f]) for f in COHORT})
                if part == "by_decile":
                    equations.append((decile[(row["group"], "participants")], [rows[-1]["starters"]]))
                if part == "by_start_quarter" and quarter:
                    equations.append((quarter[(row["start_quarter"], "participants")], [rows[-1]["starters"]]))
            for f in COHORT:
                equations.append((total[f], [r[f] for r in rows]))
            for i, (row, raw_row) in enumerate(zip(rows, raw[part], strict=True)):
                for big, small in NESTED:
                    equations.append((row[big], [row[small], unseen(("gap", part, i, big, small),
                                                                    raw_row[big] - raw_row[small])]))
        for big, small in NESTED:
            equations.append((total[big], [total[small], unseen(("gap", "total", big, small),
                                                                raw["total"][big] - raw["total"][small])]))
        pct = doc["conversion_rate_pct"]
        if pct is not None and not disclosure.is_hidden(pct):
            equations.append((cell("with_job", round(pct * doc["participants"] / 100)), [total["starters_with_job"]]))
    if "equality" in doc:
        for characteristic in EQUALITY:
            for c in ("participants", "jobs_filled"):
                equations.append((top[c], [cell(("equality", i, c), row[c]) for i, row in enumerate(doc["equality"])
                                           if row["characteristic"] == characteristic]))
    if "nation_deciles" in doc:
        for nation in ("Wales", "Scotland"):
            for c in COUNTS:
                equations.append((decile[(nation.lower(), c)],
                                  [cell(("nation", i, c), row[c]) for i, row in enumerate(doc["nation_deciles"])
                                   if row["nation"] == nation]))
    rep_decile = {}
    for name, label in (("representation", "imd_decile"), ("representation_by_quintile", "imd_quintile")):
        if name not in doc:
            continue
        for c, total_key in (("participants", "participants_in_area"), ("jobs_filled", "jobs_filled_in_area")):
            total = cell((name, total_key), doc[name][total_key])
            rows = []
            for i, (row, raw_row) in enumerate(zip(doc[name]["rows"], report[name]["rows"], strict=True)):
                rows.append(cell((name, i, c), row[c]))
                group = row[label]
                if label == "imd_decile":
                    rep_decile[(group, c)] = rows[-1]
                    # People in the area are some of the decile's people: the rest are a count too.
                    raw_decile = next(r for r in report["by_decile"] if r["imd_decile"] == group)
                    equations.append((decile[(str(group), c)], [rows[-1], unseen(("outside", group, c),
                                                                                 raw_decile[c] - raw_row[c])]))
                else:
                    equations.append((rows[-1], [rep_decile[(2 * group - 1, c)], rep_decile[(2 * group, c)]]))
            equations.append((total, rows))
            if label == "imd_quintile":
                equations.append((total, [("representation", total_key)]))
    return values, equations, truth


def assert_percentages_follow_counts(doc):
    """A percentage, share or ratio is shown only where the counts it is made of are."""
    hidden = disclosure.is_hidden

    def shown(value):
        return value is not None and not hidden(value)
    for row in [doc["funnel"]["total"], *doc["funnel"]["by_decile"], *doc["funnel"]["by_institution"],
                *doc["funnel"]["by_start_quarter"]]:
        for pct, (num, den) in FUNNEL_PCTS.items():
            if shown(row[pct]):
                assert not hidden(row[num]) and not hidden(row[den]), (row, pct)
    for row in doc["equality"]:
        for c in ("participants", "jobs_filled"):
            if shown(row[f"{c}_pct"]):
                assert not hidden(row[c]) and not hidden(doc[c])
    for name in ("representation", "representation_by_quintile"):
        section = doc[name]
        for row in section["rows"]:
            for c, share, ratio, total in (("participants", "participants_share", "participants_ratio",
                                            "participants_in_area"),
                                           ("jobs_filled", "jobs_share", "jobs_ratio", "jobs_filled_in_area")):
                if shown(row[share]) or shown(row[ratio]):
                    assert not hidden(row[c]) and not hidden(section[total]), (name, row)
            assert not hidden(row["working_age_population"]) and not hidden(row["population_share"])
    if shown(doc["conversion_rate_pct"]):
        assert not hidden(doc["funnel"]["total"]["starters_with_job"])


def walk(value, path=()):
    """(path, key, value) of every field in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, (*path, i))


def assert_safe_and_faithful(report, doc, rule=RULE):
    """No count field shows 1..t-1; shown counts are exact; money and everything else is unchanged."""
    flat_in = {(*p, k): v for p, k, v in walk(report)}
    for path, key, value in walk(doc):
        if key == "disclosure" or "disclosure" in path:
            continue
        before = flat_in[(*path, key)]
        if key in COUNT_FIELDS:
            assert not (isinstance(value, int) and 1 <= value < rule.threshold), (path, key, value)
            assert value == before or disclosure.is_hidden(value), (path, key, before, value)
        elif key.endswith(("_pct", "_share", "_ratio")) and not key.startswith("spend_"):
            assert value == before or value == SECONDARY_MARK, (path, key, before, value)
        elif not isinstance(value, dict | list):
            assert value == before, (path, key, before, value)  # money, populations, labels: as they were


# --- (a) random reports, section by section and whole ------------------------------------------------------------

SECTION_SETS = [
    ("by_decile", "by_quintile"), ("by_decile", "by_quarter"), ("by_decile", "funnel"),
    ("by_decile", "by_quarter", "funnel"), ("by_decile", "equality"), ("by_decile", "nation_deciles"),
    ("by_decile", "representation"), ("by_decile", "representation", "representation_by_quintile"),
]
SECTIONS_IN_BUILD = ("by_decile", "by_quintile", "by_quarter", "funnel", "equality", "nation_deciles",
                     "representation", "representation_by_quintile", "spend_by_institution", "spend_by_category",
                     "top_suppliers")


def _check_random(world, spend, keep, threshold):
    rule = Rule(threshold)
    full = build_report(world, spend)
    report = {k: v for k, v in full.items() if k not in SECTIONS_IN_BUILD or k in keep}
    before = copy.deepcopy(report)
    try:
        doc = disclosure.protect_report(report, rule)
    except disclosure.Unprotectable:
        # Refused whole: the reader is told the selection is too small and sees no figure at all.
        event("refused as unprotectable")
        return None
    assert report == before, "the input report was changed"
    values, equations, truth = reader_equations(doc, report, world)
    withheld = bool(doc["disclosure"]["withheld"])
    assert_nothing_derivable(values, equations, rule, len(world), withheld, truth)
    assert_safe_and_faithful(report, doc, rule)
    assert disclosure.protect_report(doc, rule) == doc, "protecting twice changed the report"
    return doc


@pytest.mark.parametrize("keep", SECTION_SETS, ids=["+".join(k[1:]) for k in SECTION_SETS])
# Each example solves the reader's integer problem by brute force: few, small worlds keep the suite quick.
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(world=people(max_people=10), spend=st.lists(st.integers(0, 10**8), min_size=4, max_size=4),
       threshold=st.sampled_from([5, 5, 3]))
def test_random_sections_leak_no_small_count(keep, world, spend, threshold):
    _check_random(world, spend, keep, threshold)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(world=people(max_people=10), spend=st.lists(st.integers(0, 10**8), min_size=4, max_size=4))
def test_random_full_reports_leak_no_small_count(world, spend):
    doc = _check_random(world, spend, SECTIONS_IN_BUILD, 5)
    if doc is None:
        return
    assert_percentages_follow_counts(doc)
    for name in ("spend_by_institution", "spend_by_category", "top_suppliers"):
        assert doc[name] == build_report(world, spend)[name]


def test_hand_worked_cumulative_and_funnel():
    # Ten people start in 2025Q1, all in decile 3, institution a; one more started before the range. The running
    # total 11 less the quarter's 10 would give back the 1 before: the quarter's starters are hidden (then
    # before + quarter = 11 with the quarter at least 5 leaves 0..6 before), and so, the same people, the headline,
    # decile 3, the funnel's total and every partition of it.
    person = {"completion": None, "job": None, "reported": False, "in_post": False, "group": "3", "in_area": False,
              "wimd": None, "institution": "a", "gender": "Female", "age_band": "16-24"}
    world = [{**person, "start": "2025Q1"} for _ in range(10)] + [{**person, "start": "before"}]
    report = build_report(world, [0, 0, 0, 0])
    doc = disclosure.protect_report(report, RULE)
    q1 = doc["by_quarter"][0]
    assert (q1["participants"], q1["cumulative_participants"]) == (SECONDARY_MARK, 11)
    assert doc["participants"] == SECONDARY_MARK and doc["by_decile"][2]["participants"] == SECONDARY_MARK
    assert doc["funnel"]["total"]["starters"] == SECONDARY_MARK
    assert doc["funnel"]["total"]["completed_pct"] == SECONDARY_MARK
    # Nobody completed or found a job: zeros are facts, shown.
    assert doc["completions"] == 0 and doc["funnel"]["total"]["starters_with_job"] == 0
    assert doc["by_quarter"][1]["cumulative_participants"] == 11


def test_funnel_outcome_one_short_of_the_cohort_is_hidden():
    # 12 starters, 10 completed: the 2 who did not complete are a small count, so the completions are hidden (the
    # smallest shown figure of that sum), and with it the percentage.
    person = {"start": "2025Q1", "job": None, "reported": False, "in_post": False, "group": "3", "in_area": False,
              "wimd": None, "institution": "a", "gender": "Female", "age_band": "16-24"}
    world = [{**person, "completion": "2025Q1"} for _ in range(10)] + [{**person, "completion": None}] * 2
    doc = disclosure.protect_report({k: v for k, v in build_report(world, [0] * 4).items()
                                     if k not in ("by_quarter", "representation", "representation_by_quintile")},
                                    RULE)
    total = doc["funnel"]["total"]
    assert total["starters"] == 12 and total["starters_completed"] == SECONDARY_MARK
    assert total["completed_pct"] == SECONDARY_MARK


# --- (c) every section has a rule ----------------------------------------------------------------------------------


def test_every_report_section_has_a_rule():
    assert set(reports.SECTIONS) | {"by_decile", "by_quintile"} <= set(disclosure.SECTIONS)


def test_a_section_with_no_rule_is_refused(tiny_doc):
    with pytest.raises(DisclosureError, match="by_month"):
        disclosure.protect_report({**tiny_doc, "by_month": [{"month": "2025-01", "participants": 3}]}, RULE)
    rows = [{**r, "apprentices": 2} for r in tiny_doc["spend_by_category"]]
    with pytest.raises(DisclosureError, match="apprentices"):
        disclosure.protect_report({**tiny_doc, "spend_by_category": rows}, RULE)
    funnel = {**tiny_doc["funnel"], "total": {**tiny_doc["funnel"]["total"], "starters_in_post_12_months": 1}}
    with pytest.raises(DisclosureError, match="starters_in_post_12_months"):
        disclosure.protect_report({**tiny_doc, "funnel": funnel}, RULE)
    with pytest.raises(DisclosureError, match="add up"):
        broken = copy.deepcopy(tiny_doc)
        broken["equality"][0]["participants"] += 1
        disclosure.protect_report(broken, RULE)


# --- (b) reports.full on real databases ----------------------------------------------------------------------------


@pytest.fixture
def tiny_doc(tmp_path, monkeypatch):
    path = tiny.build(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("ANCHOR_DB", str(path))
    ingest.ingest("tiny", "trust", "participants", "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv")
    ingest.ingest("tiny", "council", "spend", "2025Q1", tiny.TINY / "spend_council_2025Q1.csv")
    with store.connect(path) as con:
        return reports.full(con.cursor(), figures.Selection("tiny", "2025Q1", "2025Q1"))


def test_tiny_full_report(tiny_doc):
    doc = disclosure.protect_report(tiny_doc, RULE)
    assert_safe_and_faithful(tiny_doc, doc)
    assert disclosure.protect_report(doc, RULE) == doc
    # Six people started by the end of 2025Q1, five in it (tests/data/tiny): the one before is a small count, so
    # the quarter's 5 starters are hidden (the one before is then 0 or 1), and the headline participants with them.
    assert tiny_doc["by_quarter"][0]["cumulative_participants"] - tiny_doc["by_quarter"][0]["participants"] == 1
    assert doc["by_quarter"][0]["participants"] == doc["participants"] == SECONDARY_MARK
    assert doc["by_quarter"][0]["cumulative_participants"] == 6
    assert doc["funnel"]["total"]["starters"] == SECONDARY_MARK and doc["conversion_rate_pct"] == SECONDARY_MARK
    json.dumps(doc)


@pytest.mark.parametrize("network_id", ["birmingham", "london"])
def test_demo_full_reports(demo_db, network_id):
    # A year of the whole network, and one institution in one initiative in one quarter (small counts).
    initiative, plan = list(demo.PROGRAMMES[network_id].items())[-1]
    with store.connect(demo_db) as con:
        cur = con.cursor()
        span = figures.data_quarters(cur, network_id)
        selections = [figures.Selection(network_id, parsing.shift_quarter(span[1], -3), span[1]),
                      figures.Selection(network_id, span[-1], span[-1], initiative_id=initiative,
                                        institution_id=plan["partners"][-1])]
        docs = [reports.full(cur, sel) for sel in selections]
    assert 0 < docs[1]["participants"] < 60  # the narrow selection really has small counts to protect
    for report in docs:
        before = copy.deepcopy(report)
        doc = disclosure.protect_report(report, RULE)
        assert report == before
        assert_safe_and_faithful(report, doc)
        assert disclosure.protect_report(doc, RULE) == doc, "protecting twice changed the report"
        json.dumps(doc)
    narrow = disclosure.protect_report(docs[1], RULE)
    small = [(p, k) for p, k, v in walk(docs[1]) if k in COUNT_FIELDS and isinstance(v, int) and 1 <= v < 5]
    assert small and all(disclosure.is_hidden(dict(walk_at(narrow, p))[k]) for p, k in small)


def walk_at(doc, path):
    """The fields of the object at path."""
    for step in path:
        doc = doc[step]
    return doc.items()


def test_every_view_of_a_selection_hides_the_same_cells(demo_db):
    # Two views protected apart could hide different cells and, put together, show both. A funder's views of one
    # selection are cut from one protected document, so the cells they share are hidden alike.
    funder = access.Scope("funder@example.org", "funder", grants=frozenset({("birmingham", None)}))
    initiative, plan = list(demo.PROGRAMMES["birmingham"].items())[-1]
    with store.connect(demo_db) as con:
        cur = con.cursor()
        last = figures.data_quarters(cur, "birmingham")[1]
        sel = figures.Selection("birmingham", last, last, initiative_id=initiative, institution_id=plan["partners"][-1])
        whole = reports.view(cur, funder, sel)
        parts = [reports.view(cur, funder, sel, sections) for sections in ((), ("funnel",), ("by_quarter", "equality"))]
        with pytest.raises(access.Denied):
            reports.section(cur, funder, sel, "funnel")
        # A reader of exact figures may read a section alone: the same as in the full document.
        assert reports.section(cur, access.system(), sel, "funnel") == reports.full(cur, sel, ("funnel",))["funnel"]
    assert any(disclosure.is_hidden(v) for _, _, v in walk(whole))
    for part, sections in zip(parts, ((), ("funnel",), ("by_quarter", "equality")), strict=True):
        assert set(part) == {key for key in whole if key not in reports.SECTIONS or key in sections}
        assert all(part[key] == whole[key] for key in part if key != "generated_at")

"""Chart and map specs: built unvalidated for speed, so every one is validated here by plotly, once.

Each figure's to_dict() is fed back through go.Figure with full validation: a misspelt property or a bad value
raises, and a value plotly would coerce shows as a difference. Hand-made rows check what each chart draws.
"""

import inspect
import json
import shutil

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard import access, figures, maps, palette, reports, store
from dashboard.ui import charts
from dashboard.ui import maps as map_figures

# Every public function that returns a figure must be built in test_every_chart_on_the_demo_validates.
FIGURE_FUNCTIONS = {f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
                    for module in (charts, map_figures)
                    for name, fn in inspect.getmembers(module, inspect.isfunction)
                    if fn.__module__ == module.__name__ and not name.startswith("_")
                    and inspect.signature(fn).return_annotation in (go.Figure, "go.Figure")}
# A long exact period, and one quarter of London whose protected document hides small counts.
SELECTIONS = [figures.Selection("birmingham", "2024Q4", "2026Q3"),
              figures.Selection("birmingham", "2025Q3", "2025Q3", imd_release="IoD2019"),
              figures.Selection("london", "2025Q3", "2025Q3")]


def _json(spec: dict) -> dict:
    """The figure as the browser receives it."""
    return json.loads(pio.to_json(spec, validate=False))


def assert_valid(fig: go.Figure) -> dict:
    """Raises if plotly's validation rejects the spec, or would change any of it; returns the spec as JSON."""
    spec = fig.to_dict()
    validated = go.Figure(spec).to_dict()
    assert _json(validated) == _json(spec)
    return _json(spec)


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory, demo_db_template):
    """Exact and protected report documents of the demo, as the pages read them."""
    path = tmp_path_factory.mktemp("chart_specs") / "anchor.duckdb"
    shutil.copyfile(demo_db_template, path)
    docs = []
    with store.connect(path) as con:
        cur = con.cursor()
        for selection in SELECTIONS:
            docs.append((f"{selection.network_id} {selection.from_quarter} exact", reports.full(cur, selection)))
            docs.append((f"{selection.network_id} {selection.from_quarter} protected",
                         reports.protected(cur, selection)))
        lsoa_df = maps.lsoa_figures(cur, SELECTIONS[0], scope=access.system())
        districts = store.run(cur, "network_districts", network_id="birmingham")["lad24_code"].tolist()
    return docs, lsoa_df, districts


def _page_charts(doc: dict) -> list[tuple[str, go.Figure]]:
    """Every chart the pages draw from one report document, called as the pages call them."""
    built = []

    def add(name: str, fig: go.Figure) -> None:
        built.append((name, fig))

    for grouping in ("decile", "quintile"):
        for measure in ("participants", "jobs_filled", "spend_gbp", "spend_local_gbp"):
            if any(row[measure] for row in doc["by_decile"]):
                add("charts.decile_bars", charts.decile_bars(doc[f"by_{grouping}"], measure, grouping=grouping,
                                                             title=f"{measure} by IMD {grouping}"))
        funnel = doc["funnel"]
        add("charts.decile_rate_bars", charts.decile_rate_bars(funnel["by_decile"], "starters_with_job", "starters",
                                                               grouping=grouping, title="Share"))
    add("charts.cohort_funnel", charts.cohort_funnel(doc["funnel"]["total"]))
    add("charts.cohort_by_quarter", charts.cohort_by_quarter(doc["funnel"]["by_start_quarter"]))
    add("charts.events_by_quarter", charts.events_by_quarter(doc["by_quarter"]))
    add("charts.events_by_quarter", charts.events_by_quarter(doc["by_quarter"], cumulative=True))
    add("charts.spend_where_by_quarter", charts.spend_where_by_quarter(doc["by_quarter"]))
    add("charts.spend_where_bars", charts.spend_where_bars(doc["spend_by_institution"], "institution_name",
                                                           title="Spend by institution"))
    add("charts.spend_where_bars", charts.spend_where_bars(doc["spend_by_category"], "category",
                                                           title="Spend by category"))
    add("charts.spend_sources_bar", charts.spend_sources_bar(doc["spend_by_source"]))
    for section in ("representation", "representation_by_quintile"):
        for measure in ("participants", "jobs_filled"):
            add("charts.representation_bars", charts.representation_bars(doc[section], measure, title="Share"))
    nations = [row for row in doc["nation_deciles"] if row["participants"] or row["jobs_filled"] or row["spend_gbp"]]
    for nation in sorted({row["nation"] for row in nations}):
        add("charts.nation_bars", charts.nation_bars([row for row in nations if row["nation"] == nation]))
    return built


def test_every_chart_on_the_demo_validates(demo_docs):
    docs, lsoa_df, districts = demo_docs
    built = []
    for _, doc in docs:
        built += _page_charts(doc)
    exact = {name: doc for name, doc in docs if name.endswith("exact")}
    built.append(("charts.share_by_decile", charts.share_by_decile(exact, "participants")))
    built.append(("charts.share_by_decile", charts.share_by_decile(exact, "spend_gbp")))
    area_df = lsoa_df[lsoa_df["in_network_area"]].reset_index(drop=True)
    geojson = maps.area_geojson(area_df, "IoD2025")
    for layer in maps.LAYERS:
        built.append(("maps.lsoa_map", map_figures.lsoa_map(area_df, layer, geojson, bounds=maps.bounds(geojson),
                                                            districts=maps.lad_outlines(districts), title="Area")))
    built.append(("maps.district_map", map_figures.district_map(
        pd.DataFrame({"lad24_code": districts, "label": districts}), map_figures.district_geojson(districts))))
    assert {name for name, _ in built} == FIGURE_FUNCTIONS, "a public figure function is not validated here"
    hidden_marks = 0
    for _, fig in built:
        spec = assert_valid(fig)
        hidden_marks += sum(text in ("<5", "[c]") for trace in spec["data"] for text in trace.get("text") or [])
    # The protected London quarter hides small counts, so some bars are drawn as marked gaps.
    assert hidden_marks > 0


def test_figures_keep_plotlys_default_look():
    # Fonts, grid, backgrounds and hover labels not set by a chart come from plotly's default template.
    rows = [{"group": str(d), "imd_decile": d, "participants": d} for d in range(1, 11)]
    template = go.Figure().to_dict()["layout"]["template"]
    assert template == pio.templates[pio.templates.default].to_plotly_json()
    assert charts.decile_bars(rows, "participants").to_dict()["layout"]["template"] == template


def _deciles(measure: str, values: dict[int, object]) -> list[dict]:
    return [{"group": str(d), "imd_decile": d, measure: values.get(d, 0)} for d in range(1, 11)]


def test_decile_bars_draw_hidden_values_as_marked_gaps_on_round_ticks():
    rows = _deciles("participants", {1: 10, 2: 6, 3: "<5", 4: "[c]", 5: 1})
    spec = assert_valid(charts.decile_bars(rows, "participants", title="People"))
    bar, layout = spec["data"][0], spec["layout"]
    assert bar["y"][:5] == [10, 6, 0, 0, 1]
    assert bar["text"][:5] == ["", "", "<5", "[c]", ""]
    # Shares of the 17 shown: decile 1 is 10/17 = 58.8%; a hidden value's share is hidden too.
    assert "58.8%" in bar["hovertext"][0] and "hidden of total" in bar["hovertext"][2]
    # Top 10, whole counts: steps of 2 give 0..10 in five steps (1 gives ten, 5 gives two); range 10 x 1.02.
    assert layout["yaxis"]["tickvals"] == [0, 2, 4, 6, 8, 10] and layout["yaxis"]["range"] == [0, 10.2]
    assert layout["title"]["text"] == "People" and "shapes" not in layout


def test_decile_bars_quintiles_and_not_ranked_behind_a_dotted_line():
    rows = [{"group": str(q), "imd_quintile": q, "imd_decile": None, "jobs_filled": 6 - q} for q in range(1, 6)]
    rows.append({"group": "wales", "imd_quintile": None, "imd_decile": None, "jobs_filled": 3})
    spec = assert_valid(charts.decile_bars(rows, "jobs_filled", grouping="quintile"))
    bar, layout = spec["data"][0], spec["layout"]
    # Quintile 5 + 1.6: the grey bar after a gap.
    assert bar["x"] == pytest.approx([1, 2, 3, 4, 5, 6.6]) and bar["y"] == [5, 4, 3, 2, 1, 3]
    assert bar["marker"]["color"][0] == palette.QUINTILE_COLOURS[1] == palette.DECILE_COLOURS[1]
    assert bar["marker"]["color"][-1] == palette.NON_DECILE_COLOUR
    assert layout["xaxis"]["ticktext"][0].startswith("1 · Core20") and layout["title"]["text"] == (
        "Jobs filled by IMD quintile")
    # The separator sits halfway between quintile 5 and the grey bar at 6.6.
    (line,) = layout["shapes"]
    assert line["x0"] == line["x1"] == pytest.approx(5.8)
    assert line["yref"] == "y domain" and line["line"]["dash"] == "dot"


def test_decile_bars_with_net_credits_and_with_no_rows():
    rows = _deciles("spend_gbp", {1: 500.0, 2: -120.0})
    yaxis = assert_valid(charts.decile_bars(rows, "spend_gbp"))["layout"]["yaxis"]
    # Below zero plotly places the ticks, as money.
    assert yaxis["tickprefix"] == "£" and "range" not in yaxis and "tickvals" not in yaxis
    empty = assert_valid(charts.decile_bars([], "participants"))
    assert empty["data"][0]["x"] == [] and empty["layout"]["xaxis"]["range"] == [0.4, 10.6]


def test_share_by_decile_splits_each_report_into_shares():
    # A: 3 in decile 1, 1 in decile 2 (75%, 25%). B: 1 in decile 10, 1 not ranked (50%, 50%).
    docs = {"A": {"by_decile": [{"imd_decile": 1, "participants": 3}, {"imd_decile": 2, "participants": 1}]},
            "B": {"by_decile": [{"imd_decile": 10, "participants": 1}, {"imd_decile": None, "participants": 1}]}}
    spec = assert_valid(charts.share_by_decile(docs, "participants"))
    bars = spec["data"]
    assert [b["name"] for b in bars] == [palette.DECILE_LABELS[d] for d in range(1, 11)] + ["Not ranked"]
    assert bars[0]["x"] == [75, 0] and bars[1]["x"] == [25, 0] and bars[9]["x"] == [0, 50] and bars[10]["x"] == [0, 50]
    assert bars[0]["marker"]["color"] == palette.DECILE_COLOURS[1] and bars[10]["marker"]["color"] == (
        palette.NON_DECILE_COLOUR)
    assert spec["layout"]["barmode"] == "stack" and spec["layout"]["height"] == 120 + 56 * 2


def test_cohort_funnel_with_a_hidden_stage_and_six_month_follow_up():
    total = {"starters": 40, "starters_completed": 30, "starters_with_job": "<5",
             "starters_in_post_6_months_reported": 12, "starters_in_post_6_months": 9}
    spec = assert_valid(charts.cohort_funnel(total))
    funnel = spec["data"][0]
    assert funnel["type"] == "funnel" and funnel["x"] == [40, 30, None, 12, 9]
    assert funnel["y"][-1] == "Still in post at 6 months" and spec["layout"]["yaxis"]["tickfont"]["size"] == 16


def test_decile_rate_bars_fold_quintiles_and_mark_hidden_rates_as_unknown():
    rows = [{"group": str(d), "imd_decile": d, "starters": 10 + d, "starters_with_job": d} for d in range(1, 11)]
    rows[2]["starters_with_job"] = "<5"
    rows.append({"group": "wales", "imd_decile": None, "starters": 8, "starters_with_job": 2})
    spec = assert_valid(charts.decile_rate_bars(rows, "starters_with_job", "starters", grouping="quintile",
                                                title="Share who started a job"))
    bar = spec["data"][0]
    # Quintile 1 = deciles 1-2: (1 + 2) / (11 + 12) = 13.0%; quintile 2 holds hidden decile 3: no rate.
    # Not ranked: 2 / 8 = 25%.
    assert bar["y"][0] == pytest.approx(300 / 23) and bar["text"][0] == "13.0%"
    assert bar["y"][1] is None and bar["text"][1] == ""
    assert bar["x"][-1] == pytest.approx(6.6) and bar["y"][-1] == 25
    assert spec["layout"]["yaxis"]["tickvals"] == [0, 25, 50, 75, 100]
    assert spec["layout"]["shapes"][0]["x0"] == pytest.approx(5.8)
    # Under disclosure control a share of a base under 25 is not drawn (as the tables show '[c]').
    small = assert_valid(charts.decile_rate_bars(rows, "starters_with_job", "starters", title="Share",
                                                 min_base=25))["data"][0]
    assert small["y"][:10] == [None] * 10 and small["y"][-1] is None
    assert assert_valid(charts.decile_rate_bars(rows, "starters_with_job", "starters", title="Share",
                                                min_base=20))["data"][0]["y"][9] == pytest.approx(50)


QUARTERS = [{"quarter": f"2025Q{i}", "start_quarter": f"2025Q{i}", "participants": i, "completions": "<5",
             "jobs_filled": 1, "cumulative_participants": 2 * i, "cumulative_completions": i,
             "cumulative_jobs_filled": "<5", "starters": 5, "starters_completed": "<5", "starters_with_job": 2,
             "spend_gbp": 100.0 * i, "spend_local_gbp": 30.0, "spend_unknown_location_gbp": -5.0} for i in (1, 2)]


def test_quarter_charts_draw_bars_or_running_lines_with_hidden_counts_as_gaps():
    bars = assert_valid(charts.events_by_quarter(QUARTERS))
    assert [t["type"] for t in bars["data"]] == ["bar"] * 3 and bars["layout"]["barmode"] == "group"
    assert bars["data"][0]["y"] == [1, 2] and bars["data"][1]["y"] == [None, None]
    assert bars["data"][0]["x"] == ["Jan–Mar<br>2025", "Apr–Jun<br>2025"]
    lines = assert_valid(charts.events_by_quarter(QUARTERS, cumulative=True))
    assert [t["mode"] for t in lines["data"]] == ["lines+markers"] * 3 and lines["data"][0]["y"] == [2, 4]
    assert "since the start" in lines["data"][0]["hovertemplate"] and lines["data"][2]["y"] == [None, None]
    cohort = assert_valid(charts.cohort_by_quarter(QUARTERS))
    assert cohort["data"][1]["y"] == [None, None] and cohort["layout"]["title"]["y"] == 0.99
    assert [t["marker"]["color"] for t in cohort["data"]] == list(charts.STAGE_COLOURS)


def test_spend_where_charts_split_local_elsewhere_and_unknown():
    # Quarter 1: 100 spent, 30 local, -5 unknown (a credit): elsewhere = 100 - 30 + 5 = 75.
    spec = assert_valid(charts.spend_where_by_quarter(QUARTERS))
    assert [t["name"] for t in spec["data"]] == list(charts.WHERE_LABELS.values())
    assert [t["y"][0] for t in spec["data"]] == [30.0, 75.0, -5.0]
    assert spec["layout"]["barmode"] == "relative" and spec["layout"]["yaxis"]["tickprefix"] == "£"
    rows = [dict(r, institution_name=f"Trust {i}") for i, r in enumerate(QUARTERS)]
    across = assert_valid(charts.spend_where_bars(rows, "institution_name", title="By institution"))
    assert across["data"][0]["y"] == ["Trust 0", "Trust 1"] and across["data"][0]["orientation"] == "h"
    assert across["layout"]["yaxis"]["autorange"] == "reversed" and across["layout"]["height"] == 140 + 44 * 2


def test_representation_bars_draw_the_line_of_proportion():
    rows = [{"imd_decile": d, "participants_share": 0.1, "population_share": 0.1, "jobs_share": 0.1,
             "participants_ratio": {1: 2.0, 2: None, 3: "[c]"}.get(d, 1.0), "jobs_ratio": 1.0} for d in range(1, 11)]
    spec = assert_valid(charts.representation_bars({"grouping": "decile", "rows": rows}, "participants",
                                                   title="Participants: share ÷ population share"))
    bar, layout = spec["data"][0], spec["layout"]
    assert bar["y"][:4] == [2.0, 0, 0, 1.0] and bar["text"][:4] == ["2.0×", "–", "–", "1.0×"]
    # Top ratio 2.0, headroom 18%.
    assert layout["yaxis"]["range"] == [0, pytest.approx(2.36)]
    (line,) = layout["shapes"]
    assert line["y0"] == line["y1"] == 1 and line["xref"] == "x domain" and line["line"]["dash"] == "dash"
    assert layout["annotations"][0]["text"] == "1.0 = in proportion"


def test_nation_bars_show_one_measure_and_offer_the_others_in_the_legend():
    rows = [{"index": "WIMD 2019", "nation": "Wales", "decile": d, "participants": d, "jobs_filled": 0,
             "spend_gbp": 10.0 * d} for d in range(1, 11)]
    rows.append({"index": "WIMD 2019", "nation": "Wales", "decile": None, "participants": 3, "jobs_filled": "<5",
                 "spend_gbp": 0.0})
    spec = assert_valid(charts.nation_bars(rows))
    assert [(t["name"], t["visible"]) for t in spec["data"]] == [
        ("Participants", True), ("Jobs filled", "legendonly"), ("Spend", "legendonly")]
    participants = spec["data"][0]
    assert participants["x"][-1] == charts.NOT_RANKED_X and participants["y"][-1] == 3
    assert participants["marker"]["color"][-1] == palette.NON_DECILE_COLOUR
    assert spec["layout"]["title"]["text"] == "Wales: people and spend by WIMD 2019 decile"
    assert spec["layout"]["xaxis"]["ticktext"][-1] == "Decile<br>not known"


def test_network_map_sends_its_areas_and_district_lines_inline():
    import pandas as pd

    # Two areas, one with people and spend; without counts of people the hover shows spend only.
    lsoa_df = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "imd_decile": [1, 10],
                            "participants": [3, 0], "jobs_filled": [1, 0], "spend_gbp": [1500.0, 0.0]})
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {"lsoa_name": code, "lad24_name": "Here", "imd_decile": d},
         "geometry": {"type": "Polygon", "coordinates": [[[x, 52], [x + 0.01, 52], [x, 52.01], [x, 52]]]}}
        for code, d, x in (("E01000001", 1, -1.9), ("E01000002", 10, -1.8))]}
    fig = map_figures.lsoa_map(lsoa_df, "spend_gbp", geojson, bounds=maps.bounds(geojson),
                               districts=([-1.9, -1.8, None], [52.0, 52.01, None]), view_key="tiny")
    spec = assert_valid(fig)
    areas, lines = spec["data"]
    assert areas["locations"] == ["E01000001", "E01000002"] and areas["geojson"]["features"][0]["id"] == "E01000001"
    assert areas["marker"]["line"]["width"] == 0.4 and areas["hovertemplate"] == map_figures.HOVER
    # £1,500 is 10^3.18 on the log scale; the empty area sits in the grey band below the scale's start.
    z = fig.data[0].z
    assert z[0] == pytest.approx(3.176, abs=1e-3) and z[1] == pytest.approx(areas["zmin"], abs=1e-5)
    assert lines["type"] == "scattermap" and lines["lon"] == [-1.9, -1.8, None] and lines["hoverinfo"] == "skip"
    assert "layers" not in spec["layout"]["map"] and spec["layout"]["uirevision"] == "tiny"
    controlled = lsoa_df.astype({"participants": "Int64", "jobs_filled": "Int64"})
    controlled[["participants", "jobs_filled"]] = pd.NA
    spend_only = assert_valid(map_figures.lsoa_map(controlled, "imd_decile", geojson, bounds=maps.bounds(geojson)))
    assert spend_only["data"][0]["hovertemplate"] == map_figures.HOVER_SPEND_ONLY and len(spend_only["data"]) == 1

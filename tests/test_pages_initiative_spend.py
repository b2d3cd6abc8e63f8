"""The initiative and local-spend pages, driven by AppTest on a private copy of the demo database: they show
the figures of dashboard.breakdowns and figures.report, offer every download, and say so when a selection is
empty."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import breakdowns, figures, networks, store
from dashboard.ui import cache, formatting
from tests import apptest
from tests.apptest import signed_in

VIEWS = Path(__file__).resolve().parent.parent / "dashboard" / "views"
EMPTY_NETWORK = Path(__file__).resolve().parent / "data" / "empty_network.yaml"
SPAN = {"from": "2025Q1", "to": "2026Q2"}


def run_page(page: str, **query: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=120))
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def metric(at: AppTest, label: str) -> str:
    matches = [m for m in at.metric if m.label == label]
    assert len(matches) == 1, f"no single metric labelled {label!r}: {[m.label for m in at.metric]}"
    return matches[0].value


def downloads(at: AppTest) -> list[str]:
    return [d.key for d in at.get("download_button")]


def computed(db: Path, fn, **selection):
    with store.connect(db) as con:
        return fn(con.cursor(), figures.Selection(**selection))


def png_only_modebar(at: AppTest) -> None:
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["displaylogo"] is False
        assert "toImage" not in config["modeBarButtonsToRemove"] and "zoom2d" in config["modeBarButtonsToRemove"]
        assert config["toImageButtonOptions"]["scale"] == 2


def test_initiative_page_shows_the_cohort_funnel(demo_db):
    at = run_page("initiative", network="birmingham", initiative="i-can", **SPAN)
    assert not at.exception and not at.error
    selection = dict(network_id="birmingham", initiative_id="i-can", from_quarter="2025Q1", to_quarter="2026Q2")
    funnel = computed(demo_db, breakdowns.funnel, **selection)["total"]
    assert at.title[0].value == "I Can"
    assert metric(at, "Started") == formatting.count(funnel["starters"])
    assert metric(at, "Completed") == formatting.count(funnel["starters_completed"])
    assert metric(at, "Started a job") == formatting.count(funnel["starters_with_job"])
    assert metric(at, "Still in post at 6 months") == formatting.pct(funnel["in_post_6_months_pct"])
    # The cohort is said to differ from the overview's event counts.
    assert any("cohort" in c.value and "overview" in c.value for c in at.caption)
    assert any("Synthetic demo data" in w.value for w in at.warning)
    # Above the tabs, the funnel and job rate; the first tab opens by default: the cohort by decile.
    assert downloads(at) == ["initiative_download_funnel", "initiative_download_by_decile"]
    charts = at.get("plotly_chart")
    assert [c.key for c in charts] == ["initiative_chart_funnel", "initiative_chart_job_rate_by_decile"]
    png_only_modebar(at)
    # The decile chart: decile 1 first, labelled most deprived, in the palette's darkest colour.
    decile = json.loads(charts[1].proto.spec)["data"][0]
    assert decile["marker"]["color"][0] == "#081d58" and "most" in decile_ticks(charts[1])[0]
    assert at.query_params["tab"] == "decile"


@pytest.mark.parametrize("tab, charts, download", [
    ("institution", [], "by_institution"),
    ("start", ["by_start_quarter"], "by_start_quarter"),
    ("time", ["events_by_quarter", "cumulative_by_quarter"], "by_quarter"),
    ("equality", [], "equality"),
])
def test_initiative_page_tabs_draw_when_opened(demo_db, tab, charts, download):
    at = run_page("initiative", network="birmingham", initiative="i-can", tab=tab, **SPAN)
    assert not at.exception and not at.error
    assert [c.key for c in at.get("plotly_chart")] == [
        "initiative_chart_funnel", "initiative_chart_job_rate_by_decile", *(f"initiative_chart_{c}" for c in charts)]
    assert downloads(at) == ["initiative_download_funnel", f"initiative_download_{download}"]
    if tab == "institution":
        selection = dict(network_id="birmingham", initiative_id="i-can", from_quarter="2025Q1", to_quarter="2026Q2")
        institutions = computed(demo_db, breakdowns.funnel, **selection)["by_institution"]
        shown = at.table[0].value
        assert list(shown.iloc[:, 0]) == [r["institution_name"] for r in institutions]


def decile_ticks(chart) -> list[str]:
    return json.loads(chart.proto.spec)["layout"]["xaxis"]["ticktext"]


def test_initiative_page_equality_tables_add_up(demo_db):
    at = run_page("initiative", network="london", initiative="health-careers", tab="equality", **SPAN)
    assert not at.exception
    report = computed(demo_db, figures.report, network_id="london", initiative_id="health-careers",
                      from_quarter="2025Q1", to_quarter="2026Q2")
    ages = next(t.value for t in at.table if list(t.value.iloc[:, 0])[-1] == "Not recorded"
                and "16-24" in list(t.value.iloc[:, 0]))
    people = sum(int(cell.split(" ")[0].replace(",", "")) for cell in ages["Participants"])
    assert people == report["participants"]


def test_spend_page_agrees_with_the_report_and_breakdowns(demo_db):
    at = run_page("spend", network="birmingham", **SPAN)
    assert not at.exception and not at.error
    selection = dict(network_id="birmingham", from_quarter="2025Q1", to_quarter="2026Q2")
    report = computed(demo_db, figures.report, **selection)
    assert metric(at, "Total spend") == formatting.money_short(report["spend_total_gbp"])
    assert metric(at, "Local share of spend") == formatting.pct(report["spend_local_pct"])
    assert metric(at, "In the 20% most deprived areas") == formatting.pct(report["spend_most_deprived_20_pct"])
    assert metric(at, "Spend with a known location") == formatting.pct(report["spend_known_location_pct"])
    assert metric(at, "Location unknown") == formatting.money_short(report["spend_unknown_location_gbp"])
    assert metric(at, "SME share") == formatting.pct(report["spend_sme_pct"])
    assert metric(at, "VCSE share") == formatting.pct(report["spend_vcse_pct"])
    # The first tab opens by default: spend by quarter.
    assert downloads(at) == ["spend_download_by_decile", "spend_download_by_quarter"]
    assert [c.key for c in at.get("plotly_chart")] == ["spend_chart_by_decile", "spend_chart_local_by_decile",
                                                        "spend_chart_by_source", "spend_chart_by_quarter"]
    png_only_modebar(at)

    at = run_page("spend", network="birmingham", tab="suppliers", **SPAN)
    suppliers = computed(demo_db, breakdowns.top_suppliers, **selection)
    top = at.table[-1].value
    assert list(top["Supplier"]) == [r["supplier_name"] for r in suppliers]
    assert list(top["Spend"]) == [formatting.money(r["spend_gbp"]) for r in suppliers]
    assert downloads(at) == ["spend_download_by_decile", "spend_download_top_suppliers"]

    at = run_page("spend", network="birmingham", tab="category", **SPAN)
    categories = computed(demo_db, breakdowns.spend_by_category, **selection)
    shown = next(t.value for t in at.table if "Category" in t.value.columns)
    assert list(shown["Category"]) == [r["category"] for r in categories]
    assert downloads(at) == ["spend_download_by_decile", "spend_download_by_category"]

    at = run_page("spend", network="birmingham", tab="institution", **SPAN)
    institutions = computed(demo_db, breakdowns.spend_by_institution, **selection)
    shown = next(t.value for t in at.table if "Institution" in t.value.columns)
    assert list(shown["Institution"]) == [r["institution_name"] for r in institutions]
    assert downloads(at) == ["spend_download_by_decile", "spend_download_by_institution"]
    assert "spend_chart_by_institution" in [c.key for c in at.get("plotly_chart")]


@pytest.mark.parametrize("page, query, says", [
    ("spend", {"network": "birmingham", "initiative": "i-can"}, "No payments in this period"),
    ("initiative", {"network": "birmingham", "initiative": "buy-local"}, "Nobody started in this period"),
])
def test_empty_selection_says_so(demo_db, page, query, says):
    at = run_page(page, **query, **SPAN)
    assert not at.exception and not at.error
    assert any(says in i.value for i in at.info)


@pytest.mark.parametrize("page", ["initiative", "spend"])
def test_network_with_no_data_shows_empty_state(demo_db, page):
    networks.load(EMPTY_NETWORK, db=demo_db)
    cache.clear()
    at = run_page(page, network="coventry-empty")
    assert not at.exception and not at.error
    assert any("No data yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_quintile_grouping_folds_the_deciles_on_both_pages(demo_db):
    for page, index in (("initiative", 1), ("spend", 0)):
        at = run_page(page, network="birmingham", group="quintile", **SPAN)
        assert not at.exception and not at.error
        ticks = decile_ticks(at.get("plotly_chart")[index])
        assert ticks[0].startswith("1 · Core20") and len([t for t in ticks if "Not" not in t]) == 5


@pytest.mark.parametrize("page", ["initiative", "spend"])
def test_a_funder_sees_the_pages_without_error(demo_db, page):
    at = run_page(page, scope=apptest.funder(("birmingham", None)), network="birmingham", **SPAN)
    assert not at.exception and not at.error
    assert at.metric or at.info

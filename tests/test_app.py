"""The Streamlit pages, driven by AppTest against a private copy of the demo database."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import figures, networks, parsing, refdata, store
from dashboard.ui import cache, formatting
from tests.apptest import signed_in

REPO_DIR = Path(__file__).resolve().parent.parent
APP = REPO_DIR / "dashboard" / "app.py"
EMPTY_NETWORK = Path(__file__).resolve().parent / "data" / "empty_network.yaml"


def run_app(**query: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60))
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert len(matches) == 1, f"no single metric labelled {label!r}: {[m.label for m in at.metric]}"
    return matches[0]


def shown_count(at: AppTest, label: str) -> int:
    return int(metric(at, label).value.replace(",", ""))


def shown_exact_gbp(at: AppTest, label: str) -> int:
    """The exact pounds a money metric states in its help text (£1,234,567)."""
    match = re.search(r"£([\d,]+)", metric(at, label).proto.help)
    assert match, metric(at, label).proto.help
    return int(match.group(1).replace(",", ""))


def expected(db: Path, **selection) -> dict:
    with store.connect(db) as con:
        return figures.report(con.cursor(), figures.Selection(**selection))


def assert_shows(at: AppTest, report: dict) -> None:
    assert shown_count(at, "Participants") == report["participants"]
    assert shown_count(at, "Jobs filled") == report["jobs_filled"]
    assert shown_count(at, "Completions") == report["completions"]
    assert metric(at, "Total spend").value == formatting.money_short(report["spend_total_gbp"])
    assert shown_exact_gbp(at, "Total spend") == round(report["spend_total_gbp"])
    assert metric(at, "Conversion rate").value == formatting.pct(report["conversion_rate_pct"])
    assert metric(at, "Local share of spend").value == formatting.pct(report["spend_local_pct"])


@pytest.mark.parametrize("network_id", ["birmingham", "london"])
def test_overview_matches_report_for_each_demo_network(demo_db, network_id):
    at = run_app(network=network_id, **{"from": "2025Q1", "to": "2026Q2"})
    assert not at.exception
    report = expected(demo_db, network_id=network_id, from_quarter="2025Q1", to_quarter="2026Q2")
    assert at.title[0].value == report["network_name"]
    assert_shows(at, report)
    assert any("Synthetic demo data" in w.value for w in at.warning)
    keys = {chart.key for chart in at.get("plotly_chart")}
    assert {"overview_chart_participants", "overview_chart_jobs_filled", "overview_chart_spend_gbp",
            "overview_chart_by_quarter", "overview_chart_cumulative"} <= keys
    assert not at.error


def chart_keys(at: AppTest) -> set[str]:
    return {chart.key for chart in at.get("plotly_chart")}


TAB_CHARTS = {
    "time": {"overview_chart_by_quarter", "overview_chart_cumulative", "overview_chart_spend_by_quarter"},
    "proportion": {"overview_chart_representation_participants", "overview_chart_representation_jobs_filled"},
    "nations": {"overview_chart_wales"},
}


@pytest.mark.parametrize("tab", ["time", "proportion", "nations", "tables"])
def test_overview_draws_only_the_open_tab_which_the_url_keeps(demo_db, tab):
    at = run_app(network="birmingham", tab=tab, **{"from": "2024Q4", "to": "2026Q3"})
    assert not at.exception and not at.error
    assert at.query_params["tab"] == tab
    keys = chart_keys(at)
    # The decile charts above the tabs always show; of the tabs' charts, only the open tab's.
    assert {"overview_chart_participants", "overview_chart_jobs_filled", "overview_chart_spend_gbp"} <= keys
    for other, charts in TAB_CHARTS.items():
        assert (charts <= keys) if other == tab else not (charts & keys), (other, keys)
    buttons = {button.key for button in at.get("download_button")}
    if tab == "tables":
        assert len(at.table) == 3
        assert buttons == {"overview_download_csv", "overview_download_pack", "overview_download_quarters",
                           "overview_download_representation"}
    else:
        assert not at.table and not buttons


def test_overview_tab_survives_a_filter_change(demo_db):
    at = run_app(network="birmingham", tab="proportion")
    at.selectbox(key="overview_initiative").set_value("i-can").run()
    assert not at.exception
    assert at.query_params["tab"] == "proportion"
    assert TAB_CHARTS["proportion"] <= chart_keys(at)
    assert not TAB_CHARTS["time"] & chart_keys(at)


def test_unknown_tab_in_the_url_opens_the_first(demo_db):
    at = run_app(network="birmingham", tab="nonsense")
    assert not at.exception
    assert at.query_params["tab"] == "time"
    assert {"overview_chart_by_quarter", "overview_chart_cumulative"} <= chart_keys(at)


def test_default_view_is_the_last_four_quarters_and_goes_in_the_url(demo_db):
    at = run_app(network="birmingham")
    assert not at.exception
    with store.connect(demo_db) as con:
        first, last = figures.data_quarters(con.cursor(), "birmingham")
    from_quarter = figures.parsing.shift_quarter(last, -3)
    assert at.select_slider(key="overview_quarters").value == (from_quarter, last)
    assert_shows(at, expected(demo_db, network_id="birmingham", from_quarter=from_quarter, to_quarter=last))
    assert at.query_params["from"] == from_quarter
    assert at.query_params["to"] == last
    assert at.query_params["network"] == "birmingham"


def test_changing_initiative_and_quarters_changes_the_figures(demo_db):
    at = run_app(network="birmingham", **{"from": "2025Q1", "to": "2026Q2"})
    everything = expected(demo_db, network_id="birmingham", from_quarter="2025Q1", to_quarter="2026Q2")

    at.selectbox(key="overview_initiative").set_value("i-can").run()
    assert not at.exception
    i_can = expected(demo_db, network_id="birmingham", from_quarter="2025Q1", to_quarter="2026Q2",
                     initiative_id="i-can")
    assert i_can["participants"] < everything["participants"]
    assert_shows(at, i_can)
    assert at.query_params["initiative"] == "i-can"

    at.select_slider(key="overview_quarters").set_value(("2025Q3", "2025Q4")).run()
    assert not at.exception
    half_year = expected(demo_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2025Q4",
                         initiative_id="i-can")
    assert half_year["participants"] != i_can["participants"]
    assert_shows(at, half_year)
    # The change is against the two quarters before.
    before = expected(demo_db, network_id="birmingham", from_quarter="2025Q1", to_quarter="2025Q2",
                      initiative_id="i-can")
    delta = metric(at, "Participants").proto.delta
    assert delta == formatting.signed_count(half_year["participants"] - before["participants"])

    at.selectbox(key="overview_release").set_value("IoD2019").run()
    assert not at.exception
    assert_shows(at, expected(demo_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2025Q4",
                              initiative_id="i-can", imd_release="IoD2019"))
    assert at.query_params["release"] == "IoD2019"


def test_switching_network_keeps_a_valid_view(demo_db):
    at = run_app(network="birmingham", initiative="hospitality-to-health")
    at.selectbox(key="overview_network").set_value("london").run()
    assert not at.exception
    # Birmingham's initiative does not exist in London: back to all initiatives.
    assert at.selectbox(key="overview_initiative").value == "all"
    first, last = at.select_slider(key="overview_quarters").value
    assert_shows(at, expected(demo_db, network_id="london", from_quarter=first, to_quarter=last))


def test_spend_only_initiative_shows_no_participant_chart_but_no_error(demo_db):
    at = run_app(network="birmingham", initiative="buy-local", **{"from": "2025Q1", "to": "2026Q2"})
    assert not at.exception
    report = expected(demo_db, network_id="birmingham", from_quarter="2025Q1", to_quarter="2026Q2",
                      initiative_id="buy-local")
    assert report["participants"] == 0 and report["spend_total_gbp"] > 0
    assert_shows(at, report)
    keys = {chart.key for chart in at.get("plotly_chart")}
    assert "overview_chart_spend_gbp" in keys
    assert not keys & {"overview_chart_participants", "overview_chart_jobs_filled", "overview_chart_by_quarter"}
    assert any("No participants recorded" in c.value for c in at.caption)


def test_invalid_query_params_fall_back_to_defaults(demo_db):
    at = run_app(network="nowhere", initiative="nothing", release="IoD1999",
                 **{"from": "2099Q9", "to": "yesterday"})
    assert not at.exception
    assert not at.error
    assert at.selectbox(key="overview_network").value in {"birmingham", "london"}
    assert at.selectbox(key="overview_initiative").value == "all"
    assert at.selectbox(key="overview_release").value == "IoD2025"


def test_backwards_quarter_range_in_url_falls_back(demo_db):
    at = run_app(network="london", **{"from": "2026Q2", "to": "2025Q1"})
    assert not at.exception
    first, last = at.select_slider(key="overview_quarters").value
    assert first <= last


def test_empty_selection_says_so(demo_db):
    # The supply chain programme starts in 2025: nothing at all in its first demo quarter.
    at = run_app(network="birmingham", initiative="buy-local", **{"from": "2024Q4", "to": "2024Q4"})
    assert not at.exception
    report = expected(demo_db, network_id="birmingham", from_quarter="2024Q4", to_quarter="2024Q4",
                      initiative_id="buy-local")
    if report["participants"] or report["spend_total_gbp"] or report["jobs_filled"] or report["completions"]:
        pytest.skip("the demo has buy-local figures in 2024Q4")
    assert any("Nothing recorded for this selection" in i.value for i in at.info)
    assert not at.metric
    assert not at.get("plotly_chart")


def test_network_with_no_data_shows_empty_state(demo_db):
    networks.load(EMPTY_NETWORK, db=demo_db)
    cache.clear()
    at = run_app(network="coventry-empty")
    assert not at.exception
    assert at.title[0].value == "Coventry Anchor Partnership"
    assert any("No data yet" in i.value for i in at.info)
    assert not any("Synthetic demo data" in w.value for w in at.warning)
    assert not at.metric
    assert not at.get("plotly_chart")


def test_missing_reference_data_shows_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ANCHOR_DB", str(tmp_path / "blank.duckdb"))
    at = run_app()
    assert not at.exception
    assert [e.value for e in at.error] == [refdata.MISSING_MESSAGE]
    assert "python -m dashboard refdata" in refdata.MISSING_MESSAGE
    assert not at.metric
    at.switch_page("views/sources.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == [refdata.MISSING_MESSAGE]


def test_busy_database_is_said_plainly(demo_db, monkeypatch):
    monkeypatch.setattr(cache, "WAIT_S", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
         "print('holding', flush=True); time.sleep(60)", str(demo_db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        at = run_app(network="birmingham")
        assert not at.exception
        assert any("database is busy" in w.value for w in at.warning)
    finally:
        holder.kill()
        holder.wait()


def test_sources_page_credits_publishers(demo_db):
    at = run_app()
    at.switch_page("views/sources.py").run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Data sources"
    text = "\n".join(m.value for m in at.markdown)
    assert "Open Government Licence v3.0" in text
    for publisher in ("Ministry of Housing, Communities", "Office for National Statistics", "Ordnance Survey",
                      "Welsh Government", "Scottish Government"):
        assert publisher in text, publisher
    releases = at.table[0].value
    assert list(releases["Index"]) == [figures.IMD_RELEASES[r]["title"] for r in ("IoD2025", "IoD2019")]


@pytest.mark.parametrize("module", ["dashboard.palette", "dashboard.ui.formatting", "dashboard.ui.charts"])
def test_palette_and_chart_modules_import_no_streamlit(module):
    # Image export reuses these outside Streamlit.
    code = f"import sys, {module}; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_DIR).returncode == 0


def test_one_decile_scale_dark_to_light_and_grey_apart():
    from dashboard import palette

    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    shades = [luminance(palette.DECILE_COLOURS[d]) for d in range(1, 11)]
    assert shades == sorted(shades), "decile 1 must be the strongest (darkest) colour"
    assert palette.NON_DECILE_COLOUR not in palette.DECILE_COLOURS.values()
    assert palette.area_label("1") == "1 · most deprived"
    assert palette.area_label(10) == "10 · least deprived"
    assert palette.area_label("unknown") == "Location unknown"
    assert palette.area_colour("Wales") == palette.NON_DECILE_COLOUR


def test_decile_chart_keeps_other_places_out_of_the_decile_scale():
    from dashboard import palette
    from dashboard.ui import charts

    rows = [{"group": str(d), "imd_decile": d, "participants": 11 - d} for d in range(1, 11)]
    rows += [{"group": "wales", "imd_decile": None, "participants": 2},
             {"group": "unknown", "imd_decile": None, "participants": 3}]
    bar = charts.decile_bars(rows, "participants").data[0]
    assert list(bar.x[:10]) == list(range(1, 11))
    assert list(bar.marker.color[:10]) == [palette.DECILE_COLOURS[d] for d in range(1, 11)]
    assert bar.x[10] > 10 and bar.y[10] == 5 and bar.marker.color[10] == palette.NON_DECILE_COLOUR
    assert len(bar.x) == 11


def test_money_and_count_formats():
    assert formatting.money(1234567.4) == "£1,234,567"
    assert formatting.money_short(1_234_567) == "£1.2m"
    assert formatting.money_short(845_000) == "£845k"
    assert formatting.money_short(9_870) == "£9,870"
    assert formatting.count(12345) == "12,345"
    assert formatting.signed_money(-45_000) == "-£45k"
    assert formatting.signed_points(-2.04) == "-2.0 pts"
    assert parsing.quarter_span("2025Q3", "2026Q2") == "Jul–Sep 2025 to Apr–Jun 2026"
    assert formatting.period_text("2025Q3", "2026Q2") == "1 July 2025 to 30 June 2026"

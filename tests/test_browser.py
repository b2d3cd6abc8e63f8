"""The running app in headless Chromium: sign-in, every page for every role, figures that agree with the report.

Screenshots land in tests/artifacts/ for a person to look at. Run alone with `pytest -m browser -s`.
"""

import json
import time
from pathlib import Path

import pytest

from dashboard import figures, store
from dashboard.ui import formatting
from tests.browser_helpers import (
    ARTIFACTS,
    CHART,
    PASSWORD,
    assert_clean,
    go,
    metric_value,
    open_page,
    sign_in,
    wait_idle,
    wait_painted,
)

pytestmark = pytest.mark.browser

VIEW = {"network": "birmingham", "from": "2025Q3", "to": "2026Q2"}
THIRD_CHART = ".js-plotly-plot >> nth=2"
RESULTS = ["Overview", "Initiative", "Local spend", "Maps", "Compare", "Present"]
ABOUT = ["Methodology", "Data sources", "Accessibility"]
# What each role's navigation offers.
PAGES = {
    "admin": RESULTS + ["Upload data", "Delete records", "Submissions", "Suppliers to classify",
                        "Network settings", "Targets", "Users", "Audit log"] + ABOUT,
    "coordinator": RESULTS + ["Upload data", "Delete records", "Submissions", "Suppliers to classify",
                              "Network settings", "Targets", "Users", "Audit log"] + ABOUT,
    "partner": RESULTS + ["Upload data", "Delete records"] + ABOUT,
    "funder": RESULTS + ABOUT,
}
CHART_PAGES = {"Overview", "Initiative", "Local spend", "Maps", "Compare"}


def _report(db: Path, **selection) -> dict:
    with store.connect(db) as con:
        return figures.report(con.cursor(), figures.Selection(**selection))


def test_sign_in_refuses_a_wrong_password_and_shows_nothing(browser, app_url):
    page, errors, _ = open_page(browser, app_url)
    page.get_by_role("textbox", name="Email").fill("coordinator@browser.example")
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_text("That email and password do not match an account.").wait_for(timeout=30_000)
    assert page.get_by_role("link", name="Overview").count() == 0
    assert page.get_by_test_id("stMetric").count() == 0
    page.close()
    assert PASSWORD  # the right one is only in the test helpers


def test_overview_in_a_real_browser(browser, app_url, browser_db):
    ARTIFACTS.mkdir(exist_ok=True)
    query = "&".join(f"{k}={v}" for k, v in VIEW.items())
    page, errors, _ = open_page(browser, app_url, height=1000)
    started = time.monotonic()
    sign_in(page, f"{app_url}/?{query}", "coordinator")
    page.locator(THIRD_CHART).wait_for(timeout=60_000)
    first_render_s = time.monotonic() - started
    page.screenshot(path=str(ARTIFACTS / "overview_projector.png"))
    page.set_viewport_size({"width": 1600, "height": 2200})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))

    # A link keeps its view through sign-in: the figures are the report's for the URL's selection.
    report = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2")
    assert metric_value(page, "Participants") == formatting.count(report["participants"])
    assert metric_value(page, "Jobs filled") == formatting.count(report["jobs_filled"])
    assert metric_value(page, "Total spend") == formatting.money_short(report["spend_total_gbp"])
    assert page.get_by_text("Synthetic demo data").count() == 1
    assert_clean(page, errors)
    page.set_viewport_size({"width": 1600, "height": 1000})

    # A filter change: pick one initiative and time the rerun until the new figure shows.
    i_can = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2",
                    initiative_id="i-can")
    timings = []
    started = time.monotonic()
    wait_idle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Initiative").click()
    page.keyboard.type("I Can")
    page.keyboard.press("Enter")
    page.wait_for_url("**initiative=i-can**", timeout=30_000)
    wait_painted(page)
    timings.append(time.monotonic() - started)
    assert metric_value(page, "Participants") == formatting.count(i_can["participants"])

    # The quarter range: one step right on the first handle starts the period a quarter later.
    later = _report(browser_db, network_id="birmingham", from_quarter="2025Q4", to_quarter="2026Q2",
                    initiative_id="i-can")
    started = time.monotonic()
    page.get_by_role("slider").first.press("ArrowRight")
    page.wait_for_url("**from=2025Q4**", timeout=30_000)
    wait_painted(page)
    timings.append(time.monotonic() - started)
    assert metric_value(page, "Participants") == formatting.count(later["participants"])

    # Quintiles: Core20 is quintile 1, in the URL.
    started = time.monotonic()
    page.get_by_text("Quintiles (Core20)").click()
    page.wait_for_url("**group=quintile**", timeout=30_000)
    wait_painted(page)
    timings.append(time.monotonic() - started)
    page.locator(THIRD_CHART).wait_for()
    page.screenshot(path=str(ARTIFACTS / "overview_quintiles.png"))
    assert_clean(page, errors)

    # The tabs below the deciles: each draws when opened, and keeps its place in the URL.
    tab_timings = {}
    for tab, name in (("proportion", "Reaching people in proportion"), ("nations", "Wales and Scotland"),
                      ("tables", "Figures as tables"), ("time", "Over time")):
        started = time.monotonic()
        page.get_by_role("tab", name=name).click()
        page.wait_for_url(f"**tab={tab}**", timeout=30_000)
        wait_painted(page)
        tab_timings[tab] = round(time.monotonic() - started, 2)
        if tab == "tables":
            page.get_by_role("button", name="Download CSV").first.wait_for(timeout=30_000)
        elif tab == "nations":  # I Can may have reached nobody in Wales or Scotland: a chart or a sentence
            page.get_by_text("Each nation ranks only its own areas").wait_for(timeout=30_000)
        else:
            page.locator('[role="tabpanel"] .js-plotly-plot >> visible=true').first.wait_for(timeout=30_000)
        page.set_viewport_size({"width": 1600, "height": 2000})
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"overview_tab_{tab}.png"), full_page=True)
        page.set_viewport_size({"width": 1600, "height": 1000})
        assert_clean(page, errors)
    page.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(
        {"first_render_after_sign_in_s": round(first_render_s, 2),
         "filter_reruns_s": [round(t, 2) for t in timings], "tab_switches_s": tab_timings}, indent=2))
    print(f"\nfirst render after sign-in {first_render_s:.2f} s, filter reruns "
          + ", ".join(f"{t:.2f} s" for t in timings) + f", tab switches {tab_timings}")


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_sees_its_pages(browser, app_url, role):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = open_page(browser, app_url, height=1400)
    sign_in(page, app_url, role)
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert [text.split("\n")[-1].strip() for text in links] == PAGES[role]
    for title in PAGES[role]:
        if title == "Present":  # full screen, without the sidebar: tests/test_browser_present.py steps through it
            continue
        go(page, title)
        if title in CHART_PAGES:
            page.locator(CHART).first.wait_for(timeout=60_000)
            page.wait_for_timeout(700)
        name = title.lower().replace(" ", "_")
        page.screenshot(path=str(ARTIFACTS / f"{role}_{name}.png"))
        assert_clean(page, errors)
    if role == "funder":
        go(page, "Overview")
        page.get_by_text("Disclosure-controlled figures.").wait_for(timeout=30_000)
        # The rule in force, as the methodology states it, and the equality tab it withholds.
        go(page, "Methodology")
        rule = page.get_by_text("Rounded so that it holds across every view.")
        rule.scroll_into_view_if_needed()
        page.get_by_text("both round to 20").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "funder_methodology_disclosure.png"))
        # How long records are kept, stated to every reader (the demo networks set no rule).
        kept = page.get_by_role("heading", name="How long participants' records are kept")
        kept.scroll_into_view_if_needed()
        page.get_by_text("This network has set no retention rule").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "funder_methodology_retention.png"))
        go(page, "Initiative")
        page.get_by_role("tab", name="Equality monitoring").click()
        page.get_by_text("Not shown under disclosure control.").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "funder_initiative_equality.png"))
        assert_clean(page, errors)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_role("link", name="Overview").count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 0
    page.close()

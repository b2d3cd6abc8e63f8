"""The running app in headless Chromium: it renders, agrees with the report, and logs no errors.

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
    assert_clean,
    metric_value,
    open_page,
    wait_idle,
)

pytestmark = pytest.mark.browser

VIEW = {"network": "birmingham", "from": "2025Q3", "to": "2026Q2"}
THIRD_CHART = ".js-plotly-plot >> nth=2"


def _report(db: Path, **selection) -> dict:
    with store.connect(db) as con:
        return figures.report(con.cursor(), figures.Selection(**selection))


def test_overview_in_a_real_browser(browser, app_url, browser_db):
    ARTIFACTS.mkdir(exist_ok=True)
    query = "&".join(f"{k}={v}" for k, v in VIEW.items())
    page, errors, first_render_s = open_page(browser, f"{app_url}/?{query}", height=1000, wait_for=THIRD_CHART)
    page.screenshot(path=str(ARTIFACTS / "overview_projector.png"))
    page.set_viewport_size({"width": 1600, "height": 1700})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))

    report = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2")
    assert metric_value(page, "Participants") == formatting.count(report["participants"])
    assert metric_value(page, "Jobs filled") == formatting.count(report["jobs_filled"])
    assert metric_value(page, "Total spend") == formatting.money_short(report["spend_total_gbp"])
    assert page.get_by_text("Synthetic demo data").count() == 1
    assert_clean(page, errors)

    # A second visit, once the server has imported everything and cached the figures.
    again, again_errors, warm_render_s = open_page(browser, f"{app_url}/?{query}", height=1000, wait_for=THIRD_CHART)
    assert_clean(again, again_errors)
    again.close()

    # A filter change: pick one initiative and time the rerun until the new figure shows.
    i_can = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2",
                    initiative_id="i-can")
    started = time.monotonic()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Initiative").click()
    page.get_by_role("option", name="I Can").click()
    page.wait_for_url("**initiative=i-can**", timeout=30_000)
    wait_idle(page)
    rerun_s = time.monotonic() - started
    assert metric_value(page, "Participants") == formatting.count(i_can["participants"])
    assert "initiative=i-can" in page.url

    # The quarter range: one step right on the first handle starts the period a quarter later.
    later = _report(browser_db, network_id="birmingham", from_quarter="2025Q4", to_quarter="2026Q2",
                    initiative_id="i-can")
    page.get_by_role("slider").first.press("ArrowRight")
    page.wait_for_url("**from=2025Q4**", timeout=30_000)
    wait_idle(page)
    assert metric_value(page, "Participants") == formatting.count(later["participants"])
    assert "to=2026Q2" in page.url
    assert_clean(page, errors)
    page.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(
        {"first_render_s": round(first_render_s, 2), "second_visit_render_s": round(warm_render_s, 2),
         "filter_rerun_s": round(rerun_s, 2)}, indent=2))
    print(f"\nfirst render {first_render_s:.2f} s, second visit {warm_render_s:.2f} s, "
          f"filter change rerun {rerun_s:.2f} s")


def test_sources_page_in_a_real_browser(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = open_page(browser, f"{app_url}/sources", height=2600)
    page.get_by_text("Sources and licences").wait_for()
    page.screenshot(path=str(ARTIFACTS / "sources.png"))
    assert page.get_by_text("Open Government Licence v3.0").count() >= 1
    assert_clean(page, errors)
    page.close()

"""The running app in headless Chromium: it renders, agrees with the report, and logs no errors.

Screenshots land in tests/artifacts/ for a person to look at. Run alone with `pytest -m browser -s`.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import figures, store
from dashboard.ui import formatting

pytestmark = pytest.mark.browser

REPO_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
VIEW = {"network": "birmingham", "from": "2025Q3", "to": "2026Q2"}
# Harmless: deep links probe /<page>/_stcore/health and get a 404.
THIRD_CHART = ".js-plotly-plot >> nth=2"
HARMLESS = ("_stcore/health", "_stcore/host-config", "favicon")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def browser_db(tmp_path_factory, demo_db_template) -> Path:
    path = tmp_path_factory.mktemp("browser") / "anchor.duckdb"
    shutil.copyfile(demo_db_template, path)
    return path


@pytest.fixture(scope="module")
def app_url(browser_db):
    port = _free_port()
    env = {**os.environ, "ANCHOR_DB": str(browser_db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=REPO_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install it with 'apt-get install -y chromium'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, url: str, height: int = 1000, wait_for: str | None = None):
    """Open url in a new page; the time returned runs until wait_for (a selector) shows, if given."""
    page = browser.new_page(viewport={"width": 1600, "height": height})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    started = time.monotonic()
    page.goto(url)
    _wait_idle(page)
    if wait_for:
        page.locator(wait_for).last.wait_for(timeout=60_000)
    return page, errors, time.monotonic() - started


def _wait_idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)


def _real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(h in e for h in HARMLESS) and "404" not in e]


def _metric_value(page, label: str) -> str:
    """The value of the one metric whose label is exactly `label`."""
    values = page.evaluate(
        """(label) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .filter(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label)
            .map(m => m.querySelector('[data-testid="stMetricValue"]').innerText.trim())""", label)
    assert len(values) == 1, f"{len(values)} metrics labelled {label!r}"
    return values[0]


def _report(db: Path, **selection) -> dict:
    with store.connect(db) as con:
        return figures.report(con.cursor(), figures.Selection(**selection))


def _assert_clean(page, errors: list[str]) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert _real_errors(errors) == []


def test_overview_in_a_real_browser(browser, app_url, browser_db):
    ARTIFACTS.mkdir(exist_ok=True)
    query = "&".join(f"{k}={v}" for k, v in VIEW.items())
    page, errors, first_render_s = _open(browser, f"{app_url}/?{query}", height=1000, wait_for=THIRD_CHART)
    page.screenshot(path=str(ARTIFACTS / "overview_projector.png"))
    page.set_viewport_size({"width": 1600, "height": 1700})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))

    report = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2")
    assert _metric_value(page, "Participants") == formatting.count(report["participants"])
    assert _metric_value(page, "Jobs filled") == formatting.count(report["jobs_filled"])
    assert _metric_value(page, "Total spend") == formatting.money_short(report["spend_total_gbp"])
    assert page.get_by_text("Synthetic demo data").count() == 1
    _assert_clean(page, errors)

    # A second visit, once the server has imported everything and cached the figures.
    again, again_errors, warm_render_s = _open(browser, f"{app_url}/?{query}", height=1000, wait_for=THIRD_CHART)
    _assert_clean(again, again_errors)
    again.close()

    # A filter change: pick one initiative and time the rerun until the new figure shows.
    i_can = _report(browser_db, network_id="birmingham", from_quarter="2025Q3", to_quarter="2026Q2",
                    initiative_id="i-can")
    started = time.monotonic()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Initiative").click()
    page.get_by_role("option", name="I Can").click()
    page.wait_for_url("**initiative=i-can**", timeout=30_000)
    _wait_idle(page)
    rerun_s = time.monotonic() - started
    assert _metric_value(page, "Participants") == formatting.count(i_can["participants"])
    assert "initiative=i-can" in page.url

    # The quarter range: one step right on the first handle starts the period a quarter later.
    later = _report(browser_db, network_id="birmingham", from_quarter="2025Q4", to_quarter="2026Q2",
                    initiative_id="i-can")
    page.get_by_role("slider").first.press("ArrowRight")
    page.wait_for_url("**from=2025Q4**", timeout=30_000)
    _wait_idle(page)
    assert _metric_value(page, "Participants") == formatting.count(later["participants"])
    assert "to=2026Q2" in page.url
    _assert_clean(page, errors)
    page.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(
        {"first_render_s": round(first_render_s, 2), "second_visit_render_s": round(warm_render_s, 2),
         "filter_rerun_s": round(rerun_s, 2)}, indent=2))
    print(f"\nfirst render {first_render_s:.2f} s, second visit {warm_render_s:.2f} s, "
          f"filter change rerun {rerun_s:.2f} s")


def test_sources_page_in_a_real_browser(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = _open(browser, f"{app_url}/sources", height=2600)
    page.get_by_text("Sources and licences").wait_for()
    page.screenshot(path=str(ARTIFACTS / "sources.png"))
    assert page.get_by_text("Open Government Licence v3.0").count() >= 1
    _assert_clean(page, errors)
    page.close()

"""The real-browser tier's shared parts: a Streamlit server on a free port, headless Chromium, waits."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
# Harmless: deep links probe /<page>/_stcore/health and get a 404.
# What axe-core checks a page against: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A page's first chart: a plotly chart, or the Maps page's map (its own component, in a frame).
CHART = '.js-plotly-plot, iframe[src*="area_map"]'
HARMLESS = ("_stcore/health", "_stcore/host-config", "favicon")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 60) -> None:
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


@contextmanager
def streamlit_server(db: Path) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port against the database db; yields its URL."""
    port = free_port()
    env = {**os.environ, "ANCHOR_DB": str(db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=REPO_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def chromium():
    """Headless Chromium from the system packages (the test is skipped where there is none)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install it with 'apt-get install -y chromium'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, height: int = 1000, wait_for: str | None = None, **context):
    """Open url in a new page; the time returned runs until wait_for (a selector) shows, if given."""
    page = browser.new_page(viewport={"width": 1600, "height": height}, **context)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    started = time.monotonic()
    page.goto(url)
    wait_idle(page)
    if wait_for:
        page.locator(wait_for).last.wait_for(timeout=60_000)
    return page, errors, time.monotonic() - started


def wait_idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)


def choose(page, scope, label: str, option: str, tries: int = 3) -> None:
    """Choose `option` in the selectbox labelled `label` within `scope` (a page or a form), as a user does: a
    list opened just as the page reran is closed by that run, so it is opened again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = scope.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(tries):
        wait_idle(page)
        box.click()
        try:
            wanted.click(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")


def wait_painted(page) -> None:
    """Wait for the app to be idle and the browser to have painted what it drew (two animation frames on)."""
    wait_idle(page)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(h in e for h in HARMLESS) and "404" not in e]


def assert_clean(page, errors: list[str]) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert real_errors(errors) == []


def wait_tables(page) -> None:
    """Wait until every visible st.dataframe has drawn its cells (they load after the script finishes)."""
    frames = page.locator('[data-testid="stDataFrame"]')
    for i in range(frames.count()):
        if not frames.nth(i).is_visible():  # in a closed expander
            continue
        frames.nth(i).locator('[data-testid="glide-cell-0-0"]').wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(300)  # the canvas paints just after its accessible table fills


def metric_value(page, label: str) -> str:
    """The value of the one metric whose label is exactly `label`."""
    values = page.evaluate(
        """(label) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .filter(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label)
            .map(m => m.querySelector('[data-testid="stMetricValue"]').innerText.trim())""", label)
    assert len(values) == 1, f"{len(values)} metrics labelled {label!r}"
    return values[0]


# Accounts the browser tests sign in with (created in each browser database by tests/conftest.py).
PASSWORD = "browser-test-password-1"
ACCOUNTS = {
    "admin": {"email": "admin@browser.example", "role": "admin"},
    "coordinator": {"email": "coordinator@browser.example", "role": "coordinator", "network_id": "birmingham"},
    "partner": {"email": "partner@browser.example", "role": "partner", "network_id": "birmingham",
                "institution_id": "uob"},
    "funder": {"email": "funder@browser.example", "role": "funder", "network_id": "birmingham"},
}


def add_accounts(db: Path) -> None:
    """Create the ACCOUNTS in the database at db."""
    from dashboard import access

    for account in ACCOUNTS.values():
        access.create_user(access.system(), account["email"], account["role"], PASSWORD,
                           network_id=account.get("network_id"), institution_id=account.get("institution_id"), db=db)


def sign_in(page, url: str, role: str, *, email: str | None = None, password: str = PASSWORD) -> None:
    """Open url (the sign-in page shows first) and sign in as the role's account (or the email given); the tab keeps
    the session."""
    page.goto(url)
    wait_idle(page)
    page.get_by_role("textbox", name="Email").fill(email or ACCOUNTS[role]["email"])
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=30_000)
    wait_idle(page)


def go(page, title: str) -> None:
    """Follow a sidebar link, as a user does (a reload keeps the session too, but starts the page afresh)."""
    link = page.get_by_role("link", name=title, exact=True)
    path = urlparse(link.get_attribute("href")).path
    link.click()
    # Until the new page's script starts, the old page still shows and the app reads as idle.
    page.wait_for_url(lambda url: urlparse(url).path == path, timeout=30_000)
    wait_idle(page)


# Editable tables (st.data_editor) draw their cells on a canvas: a cell is reached by its position.
GRID_HEADER_PX, GRID_ROW_PX = 38, 35
GRID_SETTLE_MS = 1000  # an edit reruns the page: the next one waits for that run to start and finish


def _settle(page) -> None:
    page.wait_for_timeout(GRID_SETTLE_MS)
    wait_idle(page)


def grid_add_rows(page, grid, n: int) -> None:
    """Add n empty rows with the table's own "Add row" button."""
    grid.scroll_into_view_if_needed()
    grid.hover()
    for _ in range(n):
        grid.get_by_role("button", name="Add row").click()
        _settle(page)


def grid_open(page, grid, row: int, column: int) -> None:
    """Open the editor of a cell (row and column counted from 0, the row numbers not a column)."""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + GRID_HEADER_PX + GRID_ROW_PX * row + GRID_ROW_PX // 2)
    page.wait_for_timeout(150)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")


def grid_cell_text(grid, row: int, column: int) -> str:
    """What a cell holds, read from the table's accessible copy of the canvas (a choice shows as its value)."""
    return grid.get_by_test_id(f"glide-cell-{column + 1}-{row}").inner_text().strip()


def _edit(page, grid, row: int, column: int, edit, tries: int = 3) -> None:
    """Make an edit until the cell holds something: an edit made while the page is still rerunning for the one
    before can be dropped by the table, so it is made again, as a user would."""
    for _ in range(tries):
        edit()
        _settle(page)
        if grid_cell_text(grid, row, column):
            return
    raise AssertionError(f"row {row}, column {column} stayed empty after {tries} tries")


def grid_type(page, grid, row: int, column: int, text: str) -> None:
    """Type text into a text cell, as a user does."""
    def edit() -> None:
        grid_open(page, grid, row, column)
        editor = page.locator("textarea.gdg-input")
        editor.fill("")
        editor.type(text, delay=5)
        editor.press("Enter")
        editor.wait_for(state="detached")

    _edit(page, grid, row, column, edit)


def grid_choose(page, grid, row: int, column: int, option: str) -> None:
    """Choose an option of a selectbox cell by typing its label."""
    def edit() -> None:
        grid_open(page, grid, row, column)
        page.keyboard.type(option, delay=5)
        page.keyboard.press("Enter")

    _edit(page, grid, row, column, edit)


def grid_date(page, grid, row: int, column: int, day) -> None:
    """Enter a date (a datetime.date) into a date cell."""
    def edit() -> None:
        grid_open(page, grid, row, column)
        field = page.locator("input[type=date]")
        field.fill(day.isoformat())
        field.press("Enter")
        field.wait_for(state="detached")

    _edit(page, grid, row, column, edit)

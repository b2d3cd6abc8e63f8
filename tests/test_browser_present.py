"""Present mode in headless Chromium at 1920×1080: every slide stepped with the keyboard, a reload on slide 5, Esc.

Each slide is saved as tests/artifacts/present_<role>_<n>.png to be looked at as on a projector. Run alone with
`pytest -m browser -s`.
"""

import re
import subprocess
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from pptx import Presentation

from dashboard import access, figures, reports, store
from dashboard.ui import formatting as fmt
from tests.browser_helpers import (
    ACCOUNTS,
    ARTIFACTS,
    assert_clean,
    choose,
    go,
    open_page,
    sign_in,
    wait_idle,
    wait_painted,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1920, 1080


def _slide(page) -> tuple[int, int]:
    """The slide shown and how many there are, from the page's own counter."""
    text = page.get_by_text("Slide ", exact=False).last.inner_text()
    number, total = text.removeprefix("Slide ").split(" of ")
    return int(number), int(total)


def _wait_slide(page, number: int) -> None:
    try:
        page.get_by_text(f"Slide {number} of ", exact=False).wait_for(timeout=30_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "present_stuck.png"))
        raise
    wait_painted(page)
    page.wait_for_timeout(400)  # charts animate in


OVERFLOW_JS = """() => { const main = document.querySelector('[data-testid="stMain"]');
                          return main.scrollHeight - main.clientHeight; }"""


def _fits(page) -> None:
    """The slide fits the screen: nothing to scroll to (once its charts have taken their size)."""
    try:
        page.wait_for_function(f"({OVERFLOW_JS})() <= 2", timeout=10_000)
    except Exception:
        pass
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 2, f"the slide overflows the screen by {overflow} px"


def _min_font_px(page) -> float:
    """The smallest text the slide shows outside its charts (visible text only)."""
    return page.evaluate("""() => {
        let least = 1000;
        for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
            if (!el.childNodes.length || el.closest('.js-plotly-plot') || el.closest('.st-key-present_nav')) continue;
            const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            const box = el.getBoundingClientRect();
            if (own && box.width && box.height) least = Math.min(least, parseFloat(getComputedStyle(el).fontSize));
        }
        return least; }""")


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_stepping_through_every_slide_with_the_keyboard(browser, app_url, role, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = open_page(browser, app_url, height=HEIGHT, accept_downloads=True)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, app_url, role)
    note = "First cohort of 10 started; Pioneer residents referred by the housing team."
    if role == "coordinator":  # a note on the quarter, shown on the title slide
        go(page, "Initiative")
        page.get_by_text("Write a note on a quarter").click()
        page.get_by_role("textbox", name="Note").fill(note)
        page.get_by_role("button", name="Save note").click()
        page.get_by_text(note).wait_for(timeout=30_000)
        wait_idle(page)
        # A target for I Can: 40 jobs filled from April 2026 (the deadline as the form proposes it).
        go(page, "Targets")
        form = page.get_by_test_id("stForm").first
        for label, option in (("For", "I Can"), ("Figure", "Jobs filled"), ("From the start of", "Apr–Jun 2026")):
            choose(page, form, label, option)
        form.get_by_label("Value (a count, pounds, or a percentage)").fill("40")
        form.get_by_role("button", name="Add target").click()
        page.get_by_text("Added:").wait_for(timeout=30_000)
        wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "targets_page.png"), full_page=True)
    go(page, "Present")
    _wait_slide(page, 1)
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    if role == "coordinator":
        assert page.get_by_text(note).count() == 1
    number, total = _slide(page)
    assert number == 1 and total >= 9
    seen = []
    for n in range(1, total + 1):
        if n > 1:
            page.keyboard.press("ArrowRight" if n % 2 else "PageDown")  # a clicker sends PageDown
            _wait_slide(page, n)
        assert _slide(page) == (n, total)
        assert parse_qs(urlparse(page.url).query)["slide"] == [str(n)]
        heading = page.locator("h1, h2").first.inner_text()
        seen.append(heading)
        page.screenshot(path=str(ARTIFACTS / f"present_{role}_{n:02d}.png"))
        _fits(page)
        assert _min_font_px(page) >= 20, f"slide {n} ({heading}) has text under 20 px"
    # Past the last slide nothing moves; Home goes back to the first, End to the last.
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    assert _slide(page) == (total, total)
    page.keyboard.press("Home")
    _wait_slide(page, 1)
    page.keyboard.press("End")
    _wait_slide(page, total)
    page.keyboard.press("PageUp")
    _wait_slide(page, total - 1)
    assert "Headline figures" in seen and "Method and sources" in seen
    assert any(h.startswith("Progress against targets") for h in seen)
    assert ("Who has sent what" in " ".join(seen)) == (role == "coordinator")

    # A reload on slide 5 lands on slide 5, still signed in.
    for n in range(total - 2, 4, -1):
        page.keyboard.press("ArrowLeft")
        _wait_slide(page, n)
    page.reload()
    _wait_slide(page, 5)
    assert _slide(page) == (5, total)
    # The same slides as a PowerPoint deck.
    with page.expect_download(timeout=90_000) as download_info:  # made on the click: the map is drawn then
        page.get_by_role("button", name="PowerPoint").click()
    slides = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(slides)
    # Every slide but who has sent what (a coordinator's working slide, not one to send on).
    assert slides.suffix == ".pptx" and len(Presentation(str(slides)).slides) == total - (role == "coordinator")
    with page.expect_download(timeout=90_000) as download_info:
        page.get_by_role("button", name="PDF").click()
    pdf = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(pdf)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert pdf.suffix == ".pdf" and re.search(rf"^Pages:\s+{total - (role == 'coordinator')}$", pages, re.MULTILINE)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(ARTIFACTS / f"present_{role}_pdf")], check=True)
    # Esc goes back to the dashboard.
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: urlparse(url).path in ("/", "/overview"), timeout=30_000)  # the default page
    page.get_by_role("link", name="Present these results").wait_for(timeout=30_000)
    wait_idle(page)
    # The funder pack, from the figures as tables.
    page.get_by_role("tab", name="Figures as tables").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Funder pack (.xlsx)").click()
    workbook = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(workbook)
    assert openpyxl.load_workbook(workbook).sheetnames[:2] == ["About this pack", "By decile"]
    assert page.get_by_role("button", name="Sign out").count() == 1
    assert_clean(page, errors)
    page.close()


def test_a_funders_headline_slide_is_the_funders_own_report(browser, app_url, browser_db):
    """The counts on a funder's headline slide are those of the funder's disclosure-controlled report, never the
    exact ones a coordinator sees."""
    page, errors, _ = open_page(browser, app_url, height=HEIGHT)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, app_url, "funder")
    go(page, "Present")
    _wait_slide(page, 1)
    page.keyboard.press("ArrowRight")
    _wait_slide(page, 2)
    query = parse_qs(urlparse(page.url).query)
    sel = figures.Selection("birmingham", query["from"][0], query["to"][0], imd_release=query["release"][0])
    with store.connect(browser_db) as con:
        funder = access.scope_of(access.get_user(con.cursor(), ACCOUNTS["funder"]["email"]))
        shown = reports.view(con.cursor(), funder, sel)
        exact = reports.view(con.cursor(), access.system(), sel)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert values[:3] == [fmt.count(shown[k]) for k in ("participants", "completions", "jobs_filled")]
    assert shown != exact and shown["participants"] % 5 == 0  # rounded to the network's threshold
    assert_clean(page, errors)
    page.close()

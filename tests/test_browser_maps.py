"""The Maps page in headless Chromium: maps draw with no request leaving the machine, and no console errors.

Screenshots land in tests/artifacts/ (maps_*.png) for a person to judge. Run alone with `pytest -m browser -s`.
"""

import json
import shutil
import time
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from dashboard import access, maps
from tests.browser_helpers import ARTIFACTS, WCAG_TAGS, assert_clean, wait_idle

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "maps.coordinator@birmingham.example", "maps-test-password-1"
# The Maps page's map (dashboard/map_component) says what it has drawn in window.anchorMap: drawn once the map is
# idle after a render, with the layer's name and how many areas it coloured. `renders` counts finished renders, so a
# wait can ask for the render after a click.
MAP_DRAWN = """([name, least, after]) => {
    const m = window.anchorMap;
    return !!m && m.drawn && m.renders > after && (!name || m.name === name) && m.coloured >= least;
}"""
# Seconds from clicking another layer of the England map until it has drawn, by the browser's clock: the goal is
# 1 s. The page reruns (0.1-0.2 s on the server) and the map recolours the 33,755 areas it already holds (about
# 0.2 s); handing them to the map's worker again took 2.4 to 9 s. The bound leaves room for a loaded CI machine;
# the test also checks directly that a layer change does not hand the areas over again.
ENGLAND_LAYER_SWITCH_BOUND_S = 2.0


@pytest.fixture(scope="module")
def browser_db(tmp_path_factory, demo_db_template):
    """The demo database with a coordinator account of the Birmingham network to sign in with."""
    path = tmp_path_factory.mktemp("browser_maps") / "anchor.duckdb"
    shutil.copyfile(demo_db_template, path)
    access.create_user(access.system(), EMAIL, "coordinator", PASSWORD, network_id="birmingham", db=path)
    return path


def _sign_in(page, app_url: str) -> None:
    """Sign in on the page the app opens with; the session (one browser tab) keeps it."""
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.get_by_role("link", name="Maps", exact=True).wait_for(timeout=30_000)
    wait_idle(page)


def _map_frame(page):
    """The map component's frame, once the page has made it."""
    for _ in range(300):
        for frame in page.frames:
            if "/component/" in frame.url and "area_map" in frame.url:
                return frame
        page.wait_for_timeout(100)
    raise AssertionError("the map's frame never appeared")


def _renders(page) -> int:
    return _map_frame(page).evaluate("() => (window.anchorMap || {}).renders || 0")


def _wait_map(page, name: str, least: int = 500, after: int = 0) -> None:
    wait_idle(page)
    _map_frame(page).wait_for_function(MAP_DRAWN, arg=[name, least, after], timeout=90_000)


def _choose(page, label: str, url_part: str, name: str, least: int = 500) -> tuple[float, float]:
    """Click a radio option; seconds until the script has rerun, and until the map has drawn layer `name`."""
    before = _renders(page)
    started = time.monotonic()
    page.locator('[data-testid="stRadio"] label').filter(has_text=label).first.click()
    page.wait_for_url(f"**{url_part}**", timeout=30_000)
    wait_idle(page)
    rerun_s = time.monotonic() - started
    _map_frame(page).wait_for_function(MAP_DRAWN, arg=[name, least, before], timeout=90_000, polling=50)
    drawn_s = time.monotonic() - started
    return round(rerun_s, 2), round(drawn_s, 2)


def _state(page) -> dict:
    return _map_frame(page).evaluate("() => window.anchorMap")


def _shoot(page, name: str) -> None:
    """The whole screen as a projector shows it, and the map alone as a slide would."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.locator('iframe[src*="area_map"]').screenshot(path=str(ARTIFACTS / f"{name}_map.png"))


def test_maps_page_draws_offline(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    maps.ensure_england_geometry()
    outside: list[str] = []

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: outside.append(request.url)
            if urlparse(request.url).hostname not in ("127.0.0.1", None) else None)
    _sign_in(page, app_url)
    started = time.monotonic()
    page.get_by_role("link", name="Maps", exact=True).click()
    page.wait_for_url("**/maps**", timeout=30_000)
    _wait_map(page, "IMD decile")
    first_s = time.monotonic() - started
    state = _state(page)
    assert state["name"] == "IMD decile" and 700 <= state["coloured"] <= 1500 and state["source"] is None
    # Hovering an area names it and gives its decile and figures.
    frame = _map_frame(page)
    frame.locator("#map").hover()
    frame.locator("#tip").wait_for(state="visible", timeout=10_000)
    tip = frame.locator("#tip").inner_text()
    assert "IMD decile:" in tip and "Participants:" in tip and "Spend: £" in tip, tip
    # The map's frame, with its controls, key and hover, has nothing axe-core objects to (the page's own check
    # does not look inside frames).
    found = Axe().run(frame, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found.response["violations"]] == []
    _shoot(page, "maps_network_decile")

    spend_s = _choose(page, "Spend", "layer=spend_gbp", "Spend")
    assert _state(page)["name"] == "Spend"
    _shoot(page, "maps_network_spend")

    england_s = _choose(page, "All of England", "area=england", "Spend", least=5000)
    state = _state(page)
    assert state["source"] == maps.england_url("IoD2025") and state["coloured"] == state["areas"] == 33_755
    _shoot(page, "maps_england_spend")

    # The browser's own clock from the click to the new layer drawn: Playwright's waits are not counted.
    page.evaluate("() => document.addEventListener('click', () => { window.clickedAt = Date.now(); }, true)")
    decile_s = _choose(page, "Deprivation decile", "layer=imd_decile", "IMD decile", least=5000)
    recolour_ms = [_state(page)["ms"]]
    in_browser_ms = [_state(page)["drawn_at"] - page.evaluate("() => window.clickedAt")]
    _shoot(page, "maps_england_decile")
    # Save as PNG: the map with its title and key, at the size it is drawn.
    with page.expect_download() as download:
        _map_frame(page).get_by_role("button", name="Save as PNG").click()
    saved = ARTIFACTS / "maps_england_decile_saved.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("anchor-impact_birmingham_imd_decile_england")
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and saved.stat().st_size > 50_000
    assert "area=england" in page.url and "network=birmingham" in page.url

    # Layer after layer on England, each timed from the click to the map drawn.
    switches = [decile_s]
    for label, part, name in [("Spend", "layer=spend_gbp", "Spend"), ("Participants", "layer=participants",
                              "Participants"), ("Deprivation decile", "layer=imd_decile", "IMD decile")]:
        switches.append(_choose(page, label, part, name, least=5000))
        recolour_ms.append(_state(page)["ms"])
        in_browser_ms.append(_state(page)["drawn_at"] - page.evaluate("() => window.clickedAt"))

    # England's areas were handed to the map once, when the area changed: layers only recolour them.
    assert _state(page)["area_loads"] == 2, _state(page)

    assert_clean(page, errors)
    assert outside == []
    page.close()
    # (script rerun done, map drawn) in seconds after the click.
    timings = {"network_first_render_s": round(first_s, 2), "network_to_spend_s": spend_s,
               "to_england_s": england_s, "england_layer_switches_s": switches,
               "england_click_to_drawn_ms": in_browser_ms, "england_recolour_ms": recolour_ms}
    (ARTIFACTS / "maps_timings.json").write_text(json.dumps(timings, indent=2))
    print("\n", timings)
    assert max(in_browser_ms) <= 1000 * ENGLAND_LAYER_SWITCH_BOUND_S, timings

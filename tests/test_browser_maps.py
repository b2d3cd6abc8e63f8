"""The Maps page in headless Chromium: maps draw with no request leaving the machine, and no console errors.

Screenshots land in tests/artifacts/ (maps_*.png) for a person to judge. Run alone with `pytest -m browser -s`.
"""

import json
import shutil
import time
from urllib.parse import urlparse

import pytest

from dashboard import access, maps
from tests.browser_helpers import ARTIFACTS, assert_clean, wait_idle

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "maps.coordinator@birmingham.example", "maps-test-password-1"
# The maplibre map inside the plotly chart, idle, with at least `least` areas of the layer named `name` drawn (the
# England file arrives after the map itself has loaded, so 'loaded' alone is not enough). Cheap until the map is
# loaded: counting the rendered areas on every frame would slow the very drawing it waits for.
MAP_DRAWN = """([name, least]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const subplot = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    const map = subplot && subplot.map;
    if (!map || !map.loaded() || map.isMoving()) return false;
    const shown = (gd._fullData || []).filter(t => t.type === 'choroplethmap' && t.visible === true);
    if (shown.length !== 1 || (name && shown[0].name !== name)) return false;
    const fill = 'plotly-trace-layer-' + shown[0].uid + '-fill';
    return !!map.getLayer(fill) && map.queryRenderedFeatures({layers: [fill]}).length >= least;
}"""
# Seconds from clicking another layer of the England map until it has drawn. The goal is 1 s, not met: through
# plotly, any change of layer (a rerun, or a restyle in the browser) hands all 33,755 areas to the map's worker
# again, 5 to 9 s on a busy two-core machine. The bound catches a return to sending the geometry with each rerun
# (five times slower); test_maps checks the figure's size directly.
ENGLAND_LAYER_SWITCH_BOUND_S = 20.0
# What the chart draws: its traces' names and feature counts, and the map's layer ids.
MAP_STATE = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    return {names: gd.data.map(t => t.name || ''), locations: gd.data.map(t => (t.locations || []).length),
            layers: map.getStyle().layers.length,
            url: typeof gd.data[0].geojson === 'string' ? gd.data[0].geojson : null};
}"""


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


def _wait_map(page, name: str, least: int = 500) -> None:
    wait_idle(page)
    page.wait_for_function(MAP_DRAWN, arg=[name, least], timeout=90_000)
    page.wait_for_timeout(800)  # the canvas paints on the frame after 'loaded'


def _choose(page, label: str, url_part: str, name: str, least: int = 500) -> tuple[float, float]:
    """Click a radio option; seconds until the script has rerun, and until the map has drawn layer `name`."""
    started = time.monotonic()
    page.locator('[data-testid="stRadio"] label').filter(has_text=label).first.click()
    page.wait_for_url(f"**{url_part}**", timeout=30_000)
    wait_idle(page)
    rerun_s = time.monotonic() - started
    page.wait_for_function(MAP_DRAWN, arg=[name, least], timeout=90_000)
    drawn_s = time.monotonic() - started
    page.wait_for_timeout(800)
    return round(rerun_s, 2), round(drawn_s, 2)


def _shoot(page, name: str) -> None:
    """The whole screen as a projector shows it, and the map alone as a slide would."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.locator('[data-testid="stPlotlyChart"]').screenshot(path=str(ARTIFACTS / f"{name}_map.png"))


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
    state = page.evaluate(MAP_STATE)
    assert state["names"][0] == "IMD decile" and 700 <= state["locations"][0] <= 1500
    _shoot(page, "maps_network_decile")

    spend_s = _choose(page, "Spend", "layer=spend_gbp", "Spend")
    assert page.evaluate(MAP_STATE)["names"][0] == "Spend"
    _shoot(page, "maps_network_spend")

    england_s = _choose(page, "All of England", "area=england", "Spend", least=5000)
    state = page.evaluate(MAP_STATE)
    assert state["url"] == maps.england_url("IoD2025") and state["locations"][0] == 33_755
    _shoot(page, "maps_england_spend")

    decile_s = _choose(page, "Deprivation decile", "layer=imd_decile", "IMD decile", least=5000)
    _shoot(page, "maps_england_decile")
    assert "area=england" in page.url and "network=birmingham" in page.url

    assert_clean(page, errors)
    assert outside == []
    page.close()
    # (script rerun done, map drawn) in seconds after the click.
    timings = {"network_first_render_s": round(first_s, 2), "network_to_spend_s": spend_s,
               "to_england_s": england_s, "england_layer_switch_s": decile_s}
    (ARTIFACTS / "maps_timings.json").write_text(json.dumps(timings, indent=2))
    print("\n", timings)
    assert decile_s[1] <= ENGLAND_LAYER_SWITCH_BOUND_S, timings

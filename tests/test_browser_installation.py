"""A real network set up from nothing, in headless Chromium, on an installation made without the demo.

The administrator creates the network in the app (districts chosen by name, three institutions, an initiative) and
its coordinator; the coordinator adds a partner; the partner uploads a real finance export. The network's YAML export
then loads back unchanged. Screenshots land in tests/artifacts/install_*.png. Run alone with `pytest -m browser -s`.
"""

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard import parsing
from tests.browser_helpers import (
    ARTIFACTS,
    REPO_DIR,
    assert_clean,
    choose,
    go,
    grid_add_rows,
    grid_cell_text,
    grid_choose,
    grid_date,
    grid_type,
    open_page,
    sign_in,
    streamlit_server,
    wait_idle,
    wait_tables,
)

pytestmark = pytest.mark.browser

ADMIN = ("head.of.data@lancashire-anchors.example", "first-admin-password-1")
COORDINATOR = ("coordinator@lancashire-anchors.example", "coordinator-password-1")
PARTNER = ("finance@lancsfirerescue.example", "partner-password-12")
NETWORK = "Lancashire Anchor Network"
NETWORK_ID = "lancashire-anchor-network"
DISTRICTS = {"Preston": "E07000123", "Lancaster": "E07000121", "Blackburn with Darwen": "E06000008"}
INSTITUTIONS = [("Lancashire Fire and Rescue Service", "Other"),
                ("Lancashire Teaching Hospitals NHS Foundation Trust", "NHS trust"),
                ("University of Central Lancashire", "University")]
INITIATIVE = ("Hospitality to Health", "Lancashire Teaching Hospitals NHS Foundation Trust", dt.date(2025, 4, 1))
EXPORT = "lancashire-fire-and-rescue-service"  # the partner's own spend export, Apr-Jun 2025
TALL = 2000


def _cli(*args, db: Path, **env) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=REPO_DIR, env={**os.environ, **env, "ANCHOR_DB": str(db)})
    assert done.returncode == 0, done.stderr
    return done


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params) or None).fetchall()


@pytest.fixture(scope="module")
def fresh_db(tmp_path_factory, ref_db_template) -> Path:
    """An installation set up as the README says, without the demo: reference data and the first administrator."""
    db = tmp_path_factory.mktemp("install") / "anchor.duckdb"
    shutil.copyfile(ref_db_template, db)
    _cli("setup", db=db, ANCHOR_DEMO="0", ANCHOR_ADMIN_EMAIL=ADMIN[0], ANCHOR_ADMIN_PASSWORD=ADMIN[1])
    assert _rows(db, "select count(*) from network") == [(0,)]
    return db


def _shot(page, name: str, tables: bool = True) -> None:
    try:  # read-only tables; the settings page's editable ones are drawn by the time its edits are done
        wait_tables(page) if tables else page.wait_for_timeout(500)
    except PlaywrightTimeout:  # a screenshot is for looking at: a table slow to paint under load fails nothing
        pass
    page.screenshot(path=str(ARTIFACTS / f"install_{name}.png"))


def _add_account(page, email: str, password: str, role: str, institution: str | None = None) -> None:
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Email").fill(email)
    choose(page, form, "Role", role)
    if institution:
        choose(page, form, "Institution", institution)
    form.get_by_label("First password").fill(password)
    form.get_by_role("button", name="Add account").click()
    page.get_by_text(f"Account for {email} added").wait_for(timeout=30_000)
    wait_idle(page)


def test_a_network_set_up_from_nothing_takes_a_real_upload(browser, fresh_db, spend_corpus, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    [export] = [r for r in csv.DictReader((spend_corpus / "headers.csv").open(encoding="utf-8"))
                if EXPORT in r["path"]]
    with streamlit_server(fresh_db) as url:
        # 1. The administrator, on an installation with nothing in it, is told where to start.
        admin, errors, _ = open_page(browser, url, height=TALL)
        sign_in(admin, url, "admin", email=ADMIN[0], password=ADMIN[1])
        admin.get_by_text("No networks yet").wait_for()
        admin.get_by_role("link", name="Create a network").wait_for()
        _shot(admin, "1_empty")

        # 2. The network: a name, districts chosen by name on a map, three institutions and an initiative.
        admin.get_by_role("link", name="Create a network").click()
        admin.get_by_role("button", name="Create network").wait_for()
        wait_idle(admin)
        admin.get_by_role("textbox", name="Name").fill(NETWORK)
        admin.get_by_role("textbox", name="Description").fill("Public bodies of central Lancashire buying and "
                                                              "hiring locally.")
        admin.keyboard.press("Tab")
        admin.get_by_text(f"Id: {NETWORK_ID}").wait_for()
        districts = admin.locator('[data-testid="stMultiSelect"]').filter(has_text="Local authority districts")
        for name in DISTRICTS:
            districts.locator("input").fill(name)
            admin.get_by_role("option", name=f"{name} (England)", exact=True).click()
            wait_idle(admin)
        admin.keyboard.press("Escape")
        admin.locator(".js-plotly-plot").first.wait_for()
        institutions, initiatives = (admin.get_by_test_id("stDataFrame").nth(i) for i in (0, 1))
        grid_add_rows(admin, institutions, len(INSTITUTIONS))
        for _ in range(2):  # a row dropped by the table while the page reran is typed again, as a user would
            for row, (name, kind) in enumerate(INSTITUTIONS):
                if grid_cell_text(institutions, row, 0) != name:
                    grid_type(admin, institutions, row, 0, name)
                if not grid_cell_text(institutions, row, 1):
                    grid_choose(admin, institutions, row, 1, kind)
        grid_add_rows(admin, initiatives, 1)
        name, lead, start = INITIATIVE
        grid_type(admin, initiatives, 0, 0, name)
        grid_choose(admin, initiatives, 0, 1, lead)
        grid_date(admin, initiatives, 0, 2, start)
        _shot(admin, "2_network_filled", tables=False)
        admin.get_by_role("button", name="Create network").click()
        admin.get_by_text(f"Created {NETWORK}").wait_for(timeout=30_000)
        wait_idle(admin)
        _shot(admin, "3_network_created", tables=False)
        assert _rows(fresh_db, "select network_id, name, disclosure_threshold from network") == [
            (NETWORK_ID, NETWORK, 5)]
        assert _rows(fresh_db, "select lad24_code from network_lad order by 1") == sorted(
            (c,) for c in DISTRICTS.values())
        assert _rows(fresh_db, "select name, institution_type from institution order by 1") == [
            ("Lancashire Fire and Rescue Service", "other"),
            ("Lancashire Teaching Hospitals NHS Foundation Trust", "nhs_trust"),
            ("University of Central Lancashire", "university")]
        assert _rows(fresh_db, "select name, lead_institution_id, start_date from initiative") == [
            (name, "lancashire-teaching-hospitals-nhs-foundation-trust", start)]

        # 3. Its coordinator.
        go(admin, "Users")
        _add_account(admin, *COORDINATOR, "Coordinator (runs the network)")
        _shot(admin, "4_coordinator_added")
        assert_clean(admin, errors)
        admin.close()

        # 4. The coordinator signs in and adds a partner for the fire service.
        coordinator, errors, _ = open_page(browser, url, height=TALL)
        sign_in(coordinator, url, "coordinator", email=COORDINATOR[0], password=COORDINATOR[1])
        go(coordinator, "Users")
        _add_account(coordinator, *PARTNER, "Partner (uploads for one institution)", institution=INSTITUTIONS[0][0])
        _shot(coordinator, "5_partner_added")
        assert_clean(coordinator, errors)
        coordinator.close()

        # 5. The partner uploads the fire service's own published spend for April to June 2025.
        partner, errors, _ = open_page(browser, url, height=TALL)
        sign_in(partner, url, "partner", email=PARTNER[0], password=PARTNER[1])
        go(partner, "Upload data")
        for label, option in (("Dataset", "Spend"), ("Quarter", parsing.quarter_label("2025Q2"))):
            choose(partner, partner, label, option)
            wait_idle(partner)
        partner.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(spend_corpus / export["path"]))
        commit = partner.get_by_role("button", name="Commit")
        commit.wait_for(timeout=60_000)
        wait_idle(partner)
        commit.click()
        partner.get_by_text("Committed as submission").wait_for(timeout=60_000)
        wait_idle(partner)
        _shot(partner, "6_uploaded")
        assert_clean(partner, errors)
        partner.close()

    assert _rows(fresh_db, "select s.network_id, s.institution_id, s.quarter, s.row_count, s.submitted_by, "
                           "sum(sp.amount_gbp) from submission s join spend sp using (submission_id) group by all") == [
        (NETWORK_ID, "lancashire-fire-and-rescue-service", "2025Q2", int(export["rows"]), PARTNER[0],
         Decimal(export["total_gbp"]))]
    assert {e for (e,) in _rows(fresh_db, "select email from app_user")} == {ADMIN[0], COORDINATOR[0], PARTNER[0]}

    # 6. The network as YAML: what the page made, and loading it back changes nothing.
    out = tmp_path / f"{NETWORK_ID}.yaml"
    _cli("network", "export", NETWORK_ID, "--out", out, db=fresh_db)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (doc["name"], doc["local_districts"]) == (NETWORK, sorted(DISTRICTS.values()))
    assert [(i["name"], i["type"]) for i in doc["institutions"]] == [
        (n, t) for n, t in zip([n for n, _ in INSTITUTIONS], ["other", "nhs_trust", "university"], strict=True)]
    assert [(i["name"], i["start"]) for i in doc["initiatives"]] == [(INITIATIVE[0], INITIATIVE[2])]
    def state() -> dict[str, list[tuple]]:
        columns = {"network": "* exclude (updated_at)"}  # loading stamps the time it was loaded
        return {t: _rows(fresh_db, f"select {columns.get(t, '*')} from {t} order by all")  # noqa: S608
                for t in ("network", "network_lad", "institution", "initiative", "network_access")}

    before = state()
    _cli("network", "load", out, db=fresh_db)
    assert state() == before

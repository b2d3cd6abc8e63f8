"""A network's first real spend file placed by the official registers, in headless Chromium.

A fresh installation (reference data, the Birmingham network, no demo) with the fixture registers loaded: a
partner uploads a real fire and rescue service export (names, no postcodes), the coordinator sees most of its
spend placed with the register shown as the source, confirms a proposed match and watches local spend and the
deciles move. The real Companies House register holds nearly every limited company; the fixture registers hold a
sample of the corpus's, so a third part of the release adds this file's companies (one of them under a slightly
different name, which is only ever proposed). Screenshots land in tests/artifacts/registers_*.png.
"""

import csv
import re
import shutil
import zipfile

import pandas as pd
import pytest

from dashboard import access, config, figures, matching, networks, registers, reports, store, suppliers
from tests import registers_fixture
from tests.browser_helpers import (
    ARTIFACTS,
    add_accounts,
    assert_clean,
    go,
    metric_value,
    open_page,
    sign_in,
    streamlit_server,
    wait_idle,
    wait_tables,
)
from tests.test_browser_upload import pick

pytestmark = pytest.mark.browser
TALL = 2600


EXPORT = "lancashire-fire-and-rescue-service"
COMPANY = re.compile(r"\b(ltd|limited|plc|llp)\b", re.IGNORECASE)


def _export(spend_corpus) -> dict:
    [row] = [r for r in csv.DictReader((spend_corpus / "headers.csv").open(encoding="utf-8")) if EXPORT in r["path"]]
    return row


def _third_part(fixture, spend_corpus, folder) -> tuple:
    """The export's companies not in the fixture registers yet, as a third part of the same release."""
    row = _export(spend_corpus)
    payees = pd.read_excel(spend_corpus / row["path"], dtype=str)[row["supplier_name_column"]].dropna().str.strip()
    known = set()
    offices = []
    for path in fixture.files:
        if path.name.startswith("BasicCompanyData"):
            with zipfile.ZipFile(path) as archive:
                text = archive.read(archive.namelist()[0]).decode("utf-8")
            for company in csv.DictReader(text.splitlines()[1:], fieldnames=registers_fixture.CH_COLUMNS):
                known.add(suppliers.supplier_key(company["CompanyName"]))
                if company["RegAddress.PostCode"]:
                    offices.append(company["RegAddress.PostCode"])
    rows, near = [], None
    for n, name in enumerate(sorted({p for p in payees if COMPANY.search(p)})):
        if suppliers.supplier_key(name) in known:
            continue
        registered = name.upper()[:COMPANY.search(name).start()] + "LIMITED"  # as registered: no trailing text
        if near is None and len(registered.split()) >= 3:
            words = registered.split()
            words[1] = words[1] + "S"  # registered under a slightly different name: only ever proposed
            registered, near = " ".join(words), name
        rows.append({"CompanyName": registered, "CompanyNumber": f"{15_000_000 + n:08d}",
                     "RegAddress.PostCode": offices[(n * 7919) % len(offices)],
                     "CompanyCategory": "Private Limited Company", "CompanyStatus": "Active",
                     "Accounts.AccountCategory": "SMALL"})
    lines = [registers_fixture.CH_HEADER] + [",".join(registers_fixture._quoted(r.get(c, ""))
                                                      for c in registers_fixture.CH_COLUMNS) for r in rows]
    stem = f"BasicCompanyData-{fixture.register_date}-part3_3"
    path = registers_fixture._write_zip(folder / f"{stem}.zip", f"{stem}.csv", "\r\n".join(lines) + "\r\n")
    return path, near


@pytest.fixture(scope="module")
def fresh_db(tmp_path_factory, ref_db_template, spend_corpus, reference_dir):
    folder = tmp_path_factory.mktemp("fresh")
    path = folder / "anchor.duckdb"
    shutil.copyfile(ref_db_template, path)
    networks.load(config.DATA_DIR / "networks" / "birmingham.yaml", path)
    fixture = registers_fixture.build(spend_corpus, reference_dir, folder / "registers")
    third, _ = _third_part(fixture, spend_corpus, folder)
    registers.load([*fixture.files, third], path, progress=False)
    add_accounts(path)
    return path


@pytest.fixture(scope="module")
def fresh_url(fresh_db):
    with streamlit_server(fresh_db) as url:
        yield url


def _report(db) -> dict:
    with store.connect(db) as con:
        cur = con.cursor()
        first, last = figures.data_quarters(cur, "birmingham")
        return reports.full(cur, figures.Selection("birmingham", first, last), ("spend_by_source",))


def test_a_real_export_is_placed_by_the_registers_and_a_confirmed_match_moves_the_figures(
        browser, fresh_url, fresh_db, spend_corpus):
    ARTIFACTS.mkdir(exist_ok=True)
    row = _export(spend_corpus)
    page, errors, _ = open_page(browser, fresh_url, height=TALL)
    sign_in(page, fresh_url, "partner")
    go(page, "Upload data")
    pick(page, "Institution", "University of Birmingham")
    pick(page, "Dataset", "Spend")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(spend_corpus / row["path"]))
    commit = page.get_by_role("button", name="Commit")
    commit.wait_for(timeout=60_000)
    wait_idle(page)
    commit.click()
    page.get_by_text("Committed as submission").wait_for(timeout=60_000)
    page.close()

    before = _report(fresh_db)
    sources = {r["source"]: r["spend_pct"] for r in before["spend_by_source"]}
    assert sources.get("companies_house", 0) + sources.get("charity_commission", 0) > 50, sources

    page, errors, _ = open_page(browser, fresh_url, height=TALL)
    sign_in(page, fresh_url, "coordinator")
    go(page, "Local spend")
    page.get_by_text("Where each payment's place comes from").first.wait_for(timeout=60_000)
    page.get_by_text("Companies House, register of 1 June 2025").first.wait_for()
    wait_idle(page)
    known_before = metric_value(page, "Spend with a known location")
    assert known_before == f"{before['spend_known_location_pct']:.1f}%"
    page.screenshot(path=str(ARTIFACTS / "registers_1_spend_placed.png"))

    go(page, "Suppliers to classify")
    page.get_by_text("Proposed matches from the official registers").wait_for()
    wait_idle(page)
    with store.connect(fresh_db) as con:
        proposals = matching.proposals(con.cursor(), "birmingham", scope=access.system())
    keys = list(dict.fromkeys(proposals["supplier_key"]))[:10]
    # The largest supplier whose candidate is placed somewhere in England: confirming it must move the figures.
    n, m, chosen = next((n, m, r) for n, key in enumerate(keys)
                        for m, r in enumerate(proposals[proposals["supplier_key"] == key].itertuples())
                        if r.nation == "England")
    page.screenshot(path=str(ARTIFACTS / "registers_2_proposals.png"))
    page.locator(f".st-key-suppliers_confirmed_{n}_{m}").get_by_role("button").first.click()
    page.get_by_text(f"Confirmed: '{chosen.supplier_name}' is {chosen.entity_name}").wait_for(timeout=60_000)
    wait_idle(page)

    after = _report(fresh_db)
    assert after["spend_known_location_pct"] > before["spend_known_location_pct"]
    assert after["spend_unknown_location_gbp"] == pytest.approx(before["spend_unknown_location_gbp"]
                                                                - chosen.spend_gbp, abs=0.01)
    moved = {r["group"]: r["spend_gbp"] for r in after["by_decile"]} != {r["group"]: r["spend_gbp"]
                                                                         for r in before["by_decile"]}
    assert moved
    go(page, "Local spend")
    page.get_by_text("Where each payment's place comes from").first.wait_for(timeout=60_000)
    wait_idle(page)
    wait_tables(page)
    assert metric_value(page, "Spend with a known location") == f"{after['spend_known_location_pct']:.1f}%"
    page.screenshot(path=str(ARTIFACTS / "registers_3_after_confirming.png"))
    assert_clean(page, errors)
    page.close()

"""A partner's upload in headless Chromium: template, a file with a mistake, the fix, commit, receipt.

Screenshots of each step land in tests/artifacts/upload_*.png. Run alone with `pytest -m browser -s`.
"""

import csv
import datetime as dt
import time
from pathlib import Path

import pytest

from dashboard import access, parsing, store, submissions, templates
from tests.browser_helpers import (
    ACCOUNTS,
    ARTIFACTS,
    assert_clean,
    choose,
    go,
    metric_value,
    open_page,
    sign_in,
    wait_idle,
    wait_tables,
)

pytestmark = pytest.mark.browser

QUARTER = submissions.last_complete_quarter()
FIRST_DAY = parsing.quarter_bounds(QUARTER)[0]
BAD_DATE = "31/02/2026"
TALL = 2400  # the whole page in one screenshot (Streamlit scrolls inside its own container)


def day(n: int) -> str:
    return f"{FIRST_DAY + dt.timedelta(days=n):%d/%m/%Y}"


def pick(page, label: str, option: str) -> None:
    choose(page, page, label, option)
    wait_idle(page)


def fill_template(template: Path, out: Path, start_of_second: str, late_joiner: bool = False) -> None:
    """The downloaded template with three people in it (four with the late joiner), as a partner types them."""
    with template.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    people = [
        {"participant_ref": "UOB-1", "initiative": "I Can", "home_postcode": "B10 0AB", "start_date": day(3),
         "job_start_date": day(40), "age_band": "25-34"},
        {"participant_ref": "UOB-2", "initiative": "I Can", "home_postcode": "B12 9QE",
         "start_date": start_of_second},
        {"participant_ref": "UOB-3", "initiative": "Hospitality to Health", "home_postcode": "b100ab",
         "start_date": day(20), "completion_date": day(50)},
    ] + ([{"participant_ref": "UOB-4", "initiative": "I Can", "home_postcode": "B12 9QE", "start_date": day(30)}]
         if late_joiner else [])
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(people)


def test_partner_uploads_a_quarterly_file(browser, app_url, browser_db, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = open_page(browser, app_url, height=TALL, accept_downloads=True)
    sign_in(page, app_url, "partner")
    go(page, "Upload data")
    pick(page, "Institution", "University of Birmingham")
    pick(page, "Dataset", "Participants")
    page.get_by_text(f"Participants file of University of Birmingham for {parsing.quarter_label(QUARTER)}").wait_for()
    page.get_by_text("What goes in each column").click()
    page.get_by_text("Your own reference for the person").wait_for()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_1_template.png"))

    # The template downloads, and is the contract's header row.
    with page.expect_download() as download_info:
        page.get_by_test_id("stDownloadButton").filter(has_text="Template (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "participants_template.csv"
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    assert template.read_bytes() == templates.csv_bytes("participants")

    # One mistake: a date that does not exist. The page names the row and the column.
    filled = tmp_path / "uob_participants.csv"
    fill_template(template, filled, BAD_DATE)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(filled))
    page.get_by_text("1 problem to fix").wait_for(timeout=60_000)
    wait_idle(page)
    problems = page.locator('[data-testid="stDataFrame"]').filter(has_text="Problem").first
    # The grid is drawn on a canvas; its (hidden) accessible table holds the same cells.
    first_row = problems.locator("tbody tr").first
    first_row.locator("td").first.wait_for(state="attached")
    cells = first_row.locator("td").all_text_contents()
    assert cells == ["3", "start_date", f"'{BAD_DATE}' is not a real date"]  # row 3: the header is row 1
    assert page.get_by_role("button", name="Commit").is_disabled()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_2_problem.png"))
    with store.connect(browser_db) as con:
        count = len(submissions.history(con.cursor(), "birmingham", scope=access.system()))

    # Fixed and uploaded again: no problems, then commit.
    # (Saved under the same name elsewhere: Chromium ignores setting the very same path a second time.)
    fixed = tmp_path / "fixed" / filled.name
    fixed.parent.mkdir()
    fill_template(template, fixed, day(10))
    started = time.monotonic()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(fixed))
    page.get_by_text("1 problem to fix").wait_for(state="detached", timeout=60_000)
    wait_idle(page)
    preview_s = time.monotonic() - started
    commit = page.get_by_role("button", name="Commit")
    assert commit.is_enabled()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_3_ready.png"))
    commit.click()
    page.get_by_text("Committed as submission").wait_for(timeout=60_000)
    wait_idle(page)
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_4_receipt.png"))

    with store.connect(browser_db) as con:
        history = submissions.history(con.cursor(), "birmingham", scope=access.system())
    assert len(history) == count + 1
    new = history.iloc[0]
    assert (new["institution_id"], new["kind"], new["quarter"], new["row_count"], new["submitted_by"]) == (
        "uob", "participants", QUARTER, 3, ACCOUNTS["partner"]["email"])
    assert page.get_by_text(f"Committed as submission {new['submission_id']}").count() == 1
    assert page.get_by_test_id("stCode").filter(has_text=new["sha256"]).count() == 1
    assert_clean(page, errors)

    # A revised file for the same quarter says what it would replace before anything is saved.
    revised = tmp_path / "revised" / filled.name
    revised.parent.mkdir()
    fill_template(template, revised, day(10), late_joiner=True)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(revised))
    notice = page.get_by_text("This file replaces the one already sent")
    notice.wait_for(timeout=60_000)
    wait_idle(page)
    page.set_viewport_size({"width": 1600, "height": 3000})
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_5_replaces.png"))
    compare = page.get_by_test_id("stDataFrame").filter(has_text="Already sent")
    rows = [r.locator("td").all_text_contents() for r in compare.locator("tbody tr").all()]
    assert ["File", filled.name, filled.name] in rows and ["Rows", "3", "4"] in rows
    assert ["Submission", str(new["submission_id"]), "not yet committed"] in rows
    with store.connect(browser_db) as con:
        assert len(submissions.history(con.cursor(), "birmingham", scope=access.system())) == count + 1
    assert_clean(page, errors)
    page.close()
    print(f"\npreview of the fixed file {preview_s:.2f} s")


def test_partner_uploads_a_real_finance_export_and_chooses_what_to_do_with_a_row(browser, app_url, browser_db,
                                                                                spend_corpus):
    """A real NHS trust export (Royal Free, Apr-Jun 2020) with one empty amount: asked, chosen, committed exact."""
    ARTIFACTS.mkdir(exist_ok=True)
    [row] = [r for r in csv.DictReader((spend_corpus / "headers.csv").open(encoding="utf-8"))
             if "royal-free" in r["path"]]
    page, errors, _ = open_page(browser, app_url, height=TALL)
    sign_in(page, app_url, "partner")
    go(page, "Upload data")
    pick(page, "Institution", "University of Birmingham")
    pick(page, "Dataset", "Spend")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(spend_corpus / row["path"]))
    page.get_by_text("1 row has no amount").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("button", name="Commit").is_disabled()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_real_1_asked.png"))
    rows_box = page.locator('[data-testid="stRadio"]').filter(has_text="Rows with no amount")
    rows_box.get_by_text("Leave them out").click()
    page.get_by_text("1 row(s) left out, as you chose").wait_for(timeout=60_000)
    wait_idle(page)
    assert metric_value(page, "Total spend") == f"£{float(row['total_gbp']):,.2f}"
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_real_2_chosen.png"))
    page.get_by_role("button", name="Commit").click()
    page.get_by_text("Committed as submission").wait_for(timeout=60_000)
    wait_idle(page)
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "upload_real_3_receipt.png"))
    with store.connect(browser_db) as con:
        stored = con.execute("select s.row_count, s.row_choices, sum(sp.amount_gbp) from submission s "
                             "join spend sp using (submission_id) where s.file_name = ? group by all",
                             [Path(row["path"]).name]).fetchall()
    [(count, choices, total)] = stored
    assert count == int(row["rows"]) - 1 and str(total) == row["total_gbp"]
    assert '"row": 190' in choices
    assert_clean(page, errors)
    page.close()


def test_coordinator_pages(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors, _ = open_page(browser, app_url, height=1900)
    sign_in(page, app_url, "coordinator")
    go(page, "Submissions")
    page.get_by_text("Participants files, last 8 quarters").wait_for()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "submissions.png"))
    assert_clean(page, errors)

    # Suppliers: type a postcode into the first unclassified supplier's row and save it.
    go(page, "Suppliers to classify")
    page.get_by_text("Suppliers with no known location").wait_for()
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "suppliers.png"))
    share_before = metric_value(page, "Spend with a known location")
    editor = page.locator('[data-testid="stDataFrame"]').first
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    page.mouse.click(box["x"] + 100, box["y"] + 52)
    page.wait_for_timeout(200)  # the first row's supplier name (read-only)
    for _ in range(4):  # company number, spend, payments, postcode
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    cell_editor = page.locator("textarea.gdg-input")
    cell_editor.wait_for()
    cell_editor.type("B10 0AB", delay=20)
    cell_editor.press("Enter")
    cell_editor.wait_for(state="detached")
    save = page.get_by_role("button", name="Save 1 supplier")
    save.wait_for()
    wait_idle(page)
    save.click()
    page.get_by_text("Saved 1 supplier").wait_for(timeout=60_000)
    wait_idle(page)
    wait_tables(page)
    page.screenshot(path=str(ARTIFACTS / "suppliers_saved.png"))
    share_after = metric_value(page, "Spend with a known location")
    assert float(share_after.rstrip("%")) > float(share_before.rstrip("%"))
    assert page.get_by_text(f"from {share_before} before your last save").count() == 1
    assert_clean(page, errors)
    page.close()


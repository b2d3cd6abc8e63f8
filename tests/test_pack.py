"""The funder pack: every table of a selection in one .xlsx, as the reader may see it, from the page and the CLI."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dashboard import access, figures, ingest, pack, reports, store
from tests import tiny

REPO = Path(__file__).resolve().parent.parent
SELECTION = figures.Selection("birmingham", "2025Q4", "2026Q3")
FUNDER = access.Scope("funder@birmingham.example", "funder", grants=frozenset({("birmingham", None)}))
PEOPLE = ("participants", "completions", "jobs_filled", "starters", "starters_completed", "starters_with_job")


def _sheets(data: bytes) -> dict[str, list[dict]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if sheet.title == "About this pack":
            out[sheet.title] = [{"label": r[0], "value": r[1]} for r in rows if r and r[0] is not None]
        else:
            out[sheet.title] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    return out


def _about(sheets: dict, label: str):
    """The first value labelled so on the first sheet (a headline figure comes before its definition)."""
    return next(r["value"] for r in sheets["About this pack"] if r["label"] == label)


@pytest.mark.parametrize("scope", [access.system(), FUNDER], ids=["exact", "funder"])
def test_the_pack_holds_the_readers_own_report(demo_db, scope):
    with store.connect(demo_db) as con:
        data = pack.build(con.cursor(), scope, SELECTION)
        report = reports.view(con.cursor(), scope, SELECTION)
    sheets = _sheets(data)
    assert list(sheets)[:4] == ["About this pack", "By decile", "By quintile", "By quarter"]
    for key in ("participants", "completions", "jobs_filled", "spend_total_gbp", "spend_local_pct"):
        assert _about(sheets, key) == report[key]
    assert _about(sheets, "Period") == "2025-10-01 to 2026-09-30 (Oct–Dec 2025 to Jul–Sep 2026)"
    assert sheets["By quarter"][0]["quarter_label"] == "Oct–Dec 2025"
    # The targets, each figure the reader's own (as report --json prints them).
    with store.connect(demo_db) as con:
        progress = reports.view(con.cursor(), scope, SELECTION, ("targets",))["targets"]
    assert [(r["id"], r["figure"], r["status"]) for r in sheets["Targets"]] == [
        (t["id"], t["figure"], t["status"]) for t in progress]
    assert _about(sheets, "Areas ranked by") == "English Indices of Deprivation 2025 (IoD2025), LSOA 2021"
    assert [r["participants"] for r in sheets["By decile"]] == [r["participants"] for r in report["by_decile"]]
    assert [r["spend_gbp"] for r in sheets["Top suppliers"]] == [r["spend_gbp"] for r in report["top_suppliers"]]
    assert [r["starters"] for r in sheets["Journey by institution"]] == [
        r["starters"] for r in report["funnel"]["by_institution"]]
    if scope is FUNDER:
        assert _about(sheets, "Figures").startswith("• Rounded so that it holds across every view.")
        assert "Equality monitoring" not in sheets  # withheld under disclosure control, and said so
        assert any(str(r["label"]).startswith("Not included: equality") for r in sheets["About this pack"])
        # No count of people from 1 to 4 anywhere: rounded to 5, or shown as '<5'.
        counts = [row[c] for rows in sheets.values() for row in rows for c in PEOPLE if c in row]
        assert counts and all(c == "<5" or (isinstance(c, int) and c % 5 == 0) for c in counts), counts
    else:
        assert _about(sheets, "Figures").startswith("Exact figures")
        assert "Equality monitoring" in sheets


def test_text_that_a_spreadsheet_would_run_is_shown_as_typed(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    payments = tmp_path / "spend.csv"
    payments.write_text("payment_date,amount_gbp,supplier_name,supplier_postcode\n"
                        '15/02/2025,1200.00,"=HYPERLINK(""http://x.example"",""click"")",B1 1AA\n'
                        "16/02/2025,800.00,@SUM(A1),B1 1AA\n", encoding="utf-8")
    ingest.ingest("tiny", "trust", "spend", "2025Q1", payments, db=db)
    with store.connect(db) as con:
        data = pack.build(con.cursor(), access.system(), figures.Selection("tiny", "2025Q1", "2025Q1"))
    names = {r["supplier_name"] for r in _sheets(data)["Top suppliers"]}
    assert names == {"'=HYPERLINK(\"http://x.example\",\"click\")", "'@SUM(A1)"}
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert all(cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)


def test_pack_command_writes_the_funders_pack_and_audits_it(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    out = tmp_path / "birmingham-pack.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "pack", "--network", "birmingham", "--from", "2025Q4", "--to", "2026Q3",
         "--as-role", "funder", "--out", str(out)], capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "ANCHOR_DB": str(db)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}") and "as a funder" in done.stdout
    sheets = _sheets(out.read_bytes())
    assert _about(sheets, "Made").endswith("for cli:as-funder")
    assert not out.with_name(out.name + ".partial").exists()
    with duckdb.connect(str(db), read_only=True) as con:
        [(actor, detail)] = con.execute(
            "select actor_email, detail from audit_log where action = 'export'").fetchall()
    assert actor == "cli:as-funder" and "funder pack" in detail and "2025Q4" in detail

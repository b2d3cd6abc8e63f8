"""The PowerPoint deck: native charts whose data are exactly the reader's `report --json`, notes in the speaker
notes, a funder's deck disclosure-controlled; from the command line and the Present page."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pptx import Presentation

from dashboard import access, deck, figures, notes, reports, store

REPO = Path(__file__).resolve().parent.parent
SELECTION = figures.Selection("birmingham", "2025Q4", "2026Q3")
FUNDER = access.Scope("funder@birmingham.example", "funder", grants=frozenset({("birmingham", None)}))
COORDINATOR = access.Scope("coordinator@birmingham.example", "coordinator", "birmingham")


def _charts(data: bytes) -> dict[str, dict]:
    return {f"{c['slide']}:{c['title']}": c for c in deck.chart_values(data)}


@pytest.mark.parametrize("scope", [COORDINATOR, FUNDER], ids=["coordinator", "funder"])
def test_each_charts_data_is_the_readers_report(demo_db, scope):
    notes.write(COORDINATOR, "birmingham", None, "2026Q3", "First cohort of 10 started.", db=demo_db)
    with store.connect(demo_db) as con:
        data = deck.build(con.cursor(), scope, SELECTION)
        report = reports.view(con.cursor(), scope, SELECTION)
        by_initiative = {i: reports.view(con.cursor(), scope, figures.Selection(
            "birmingham", "2025Q4", "2026Q3", initiative_id=i)) for i in ("hospitality-to-health", "i-can")}
    presentation = Presentation(io.BytesIO(data))
    assert (presentation.slide_width, presentation.slide_height) == (deck.WIDE, deck.HIGH)
    charts = _charts(data)

    def shown(values):  # a count hidden by disclosure control is no bar
        return [None if isinstance(v, str) else float(v) for v in values]

    assert charts["3:Participants by IMD decile"]["series"]["Participants"] == shown(
        r["participants"] for r in report["by_decile"])
    assert charts["3:Jobs filled by IMD decile"]["series"]["Jobs filled"] == shown(
        r["jobs_filled"] for r in report["by_decile"])
    assert charts["5:Spend by IMD decile of the supplier's area"]["series"]["Spend (£)"] == shown(
        r["spend_gbp"] for r in report["by_decile"])
    ratios = charts["4:Participants: share ÷ working-age population share"]["series"]["Participants"]
    assert ratios == pytest.approx(shown(r["participants_ratio"] for r in report["representation"]["rows"]),
                                   nan_ok=True)
    journeys = [c for c in charts.values() if c["title"] == "The journey of the people who started in the period"]
    assert [c["series"]["People"] for c in journeys[:2]] == [
        shown([v["funnel"]["total"][k] for k in ("starters", "starters_completed", "starters_with_job")])
        for v in by_initiative.values()]
    # The quarter's note is on the title slide and in its speaker notes.
    title = presentation.slides[0]
    assert "First cohort of 10 started." in title.notes_slide.notes_text_frame.text
    assert any("First cohort of 10 started." in s.text_frame.text for s in title.shapes if s.has_text_frame)
    if scope is FUNDER:
        counts = [v for c in charts.values() if "share" not in c["title"] and "Spend" not in c["title"]
                  for values in c["series"].values() for v in values if v is not None]
        assert counts and all(v % 5 == 0 for v in counts), counts  # rounded: never an exact 1 to 4
        texts = " ".join(s.text_frame.text for slide in presentation.slides for s in slide.shapes if s.has_text_frame)
        assert "Counts of people are rounded" in texts
        assert json.dumps(report["participants"]) in texts.replace(",", "")


def test_deck_command_writes_the_funders_deck_and_audits_it(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "dashboard", "deck", "--network", "birmingham", *args],
                              capture_output=True, text=True, cwd=REPO, env={**os.environ, "ANCHOR_DB": str(db)})

    out = tmp_path / "birmingham.pptx"
    done = run("--from", "2025Q4", "--to", "2026Q3", "--as-role", "funder", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}") and "as a funder" in done.stdout
    assert len(Presentation(str(out)).slides) >= 7
    refused = run("--out", str(tmp_path / "slides.pdf"))
    assert refused.returncode != 0 and "--out must name a .pptx file" in refused.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        [(actor, detail)] = con.execute("select actor_email, detail from audit_log where action = 'export'").fetchall()
    assert actor == "cli:as-funder" and "slides (pptx)" in detail

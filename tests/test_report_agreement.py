"""Every page shows the figures `python -m dashboard report --json` prints for the same selection, exact for a
coordinator and disclosure-controlled for a funder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import cache, formatting
from tests.apptest import coordinator, funder, signed_in

REPO = Path(__file__).resolve().parent.parent
VIEWS = REPO / "dashboard" / "views"
SELECTION = {"network": "birmingham", "from": "2025Q2", "to": "2025Q4"}  # all initiatives


def report_json(db: Path, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--network", "birmingham", "--from", "2025Q2", "--to", "2025Q4",
         "--json", *extra],
        cwd=REPO, env={**os.environ, "ANCHOR_DB": str(db)}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def page(name: str, scope, **query: str) -> AppTest:
    cache.clear()
    at = signed_in(AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=120), scope)
    at.query_params.update({**SELECTION, **query})
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_pages_agree_with_report_json(demo_db, role):
    scope = coordinator("birmingham") if role == "coordinator" else funder(("birmingham", None))
    as_role = ["--as-role", "funder"] if role == "funder" else []
    doc = report_json(demo_db, *as_role)
    assert ("disclosure" in doc) == (role == "funder")

    overview = page("overview", scope)
    assert metric(overview, "Participants") == formatting.count(doc["participants"])
    assert metric(overview, "Jobs filled") == formatting.count(doc["jobs_filled"])
    assert metric(overview, "Conversion rate") == formatting.pct(doc["conversion_rate_pct"])
    assert metric(overview, "Total spend") == formatting.money_short(doc["spend_total_gbp"])

    one = report_json(demo_db, "--initiative", "i-can", *as_role)
    initiative = page("initiative", scope, initiative="i-can")
    funnel = one["funnel"]["total"]
    assert metric(initiative, "Started") == formatting.count(funnel["starters"])
    assert metric(initiative, "Started a job") == formatting.count(funnel["starters_with_job"])

    spend = page("spend", scope, tab="institution")
    assert metric(spend, "Total spend") == formatting.money_short(doc["spend_total_gbp"])
    assert metric(spend, "Local share of spend") == formatting.pct(doc["spend_local_pct"])
    by_institution = doc["spend_by_institution"]
    shown = next(t.value for t in spend.table if "Institution" in t.value.columns)
    assert list(shown["Institution"]) == [r["institution_name"] for r in by_institution]
    assert list(shown["Spend"]) == [formatting.money(r["spend_gbp"]) for r in by_institution]

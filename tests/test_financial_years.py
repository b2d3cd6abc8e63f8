"""Financial years: a network whose year starts in April names its quarters '2025/26 Q1 (Apr–Jun 2025)' on every
page, in `report`, and in the messages about a submission's quarter; the figures are those of the same dates."""

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import figures, parsing, store
from dashboard.ui import formatting
from tests.apptest import partner, signed_in

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "dashboard" / "app.py"


@pytest.mark.parametrize(("calendar", "financial"), [
    ("2025Q2", "2025/26 Q1"), ("2025Q3", "2025/26 Q2"), ("2025Q4", "2025/26 Q3"), ("2026Q1", "2025/26 Q4"),
    ("2025Q1", "2024/25 Q4"), ("2000Q1", "1999/00 Q4"), ("2099Q4", "2099/00 Q3"),
])
def test_a_financial_quarter_is_the_calendar_quarter_a_quarter_on(calendar, financial):
    assert parsing.financial_quarter(calendar) == financial
    assert parsing.parse_quarter(financial) == calendar
    assert parsing.parse_quarter(financial.replace(" ", "")) == calendar
    assert parsing.quarter_name(calendar, "april") == financial.replace(" ", "")
    assert parsing.quarter_name(calendar, "calendar") == calendar


def test_every_quarter_round_trips_and_starts_in_april_for_q1():
    quarter = "1990Q1"
    for _ in range(200):
        name = parsing.financial_quarter(quarter)
        assert parsing.parse_quarter(name) == quarter
        first, _ = parsing.quarter_bounds(quarter)
        start_year = int(name[:4])
        # Q1 is April to June of the year it starts; Q4 is January to March of the next.
        assert first.month == {1: 4, 2: 7, 3: 10, 4: 1}[int(name[-1])]
        assert first.year == (start_year + 1 if name.endswith("Q4") else start_year)
        quarter = parsing.shift_quarter(quarter, 1)


@pytest.mark.parametrize("raw", ["2025/27Q1", "2025/2027 Q1", "2025/26Q5", "25/26Q1", "2025/26", "2025Q0"])
def test_a_quarter_that_is_not_one_is_refused_saying_so(raw):
    with pytest.raises(parsing.ValueProblem, match=raw.replace("/", "/")):
        parsing.parse_quarter(raw)


def test_labels_the_network_way():
    assert parsing.quarter_label("2025Q2") == "Apr–Jun 2025"
    assert parsing.quarter_label("2025Q2", "april") == "2025/26 Q1 (Apr–Jun 2025)"
    assert parsing.quarter_span("2025Q2", "2026Q1", "april") == (
        "2025/26 Q1 (Apr–Jun 2025) to 2025/26 Q4 (Jan–Mar 2026)")
    assert parsing.financial_span("2025Q2", "2026Q1") == "2025/26 Q1–Q4"
    assert parsing.financial_span("2025Q4", "2026Q3") == "2025/26 Q3 to 2026/27 Q2"
    assert formatting.period_text("2025Q2", "2026Q1", "april") == (
        "2025/26 Q1–Q4 (1 April 2025 to 31 March 2026)")
    assert formatting.period_text("2025Q2", "2026Q1") == "1 April 2025 to 31 March 2026"
    assert formatting.quarter_tick("2025Q3", "april") == "2025/26 Q2<br>Jul–Sep 2025"
    assert formatting.quarter_tick("2025Q3") == "Jul–Sep<br>2025"


def _april(db: Path, network_id: str = "birmingham") -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("update network set year_start = 'april' where network_id = ?", [network_id])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


def test_report_takes_financial_quarters_and_names_them(demo_db):
    _april(demo_db)
    done = _cli("report", "--network", "birmingham", "--from", "2025/26Q1", "--to", "2025/26Q4", "--json",
                "--sections", "by_quarter")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["from_quarter"], result["to_quarter"]) == ("2025Q2", "2026Q1")
    assert (result["date_from"], result["date_to"]) == ("2025-04-01", "2026-03-31")
    assert result["year_start"] == "april"
    assert result["period_label"] == "2025/26 Q1 (Apr–Jun 2025) to 2025/26 Q4 (Jan–Mar 2026)"
    # The same dates give the same figures, however the quarters are named.
    with store.connect(demo_db) as con:
        same = figures.report(con.cursor(), figures.Selection("birmingham", "2025Q2", "2026Q1"))
    for key in ("participants", "jobs_filled", "completions", "spend_total_gbp", "spend_local_gbp"):
        assert result[key] == same[key], key
    assert result["by_decile"] == same["by_decile"]

    text = _cli("report", "--network", "birmingham", "--from", "2025/26 Q1", "--to", "2025Q3")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Birmingham Anchor Network: 2025/26 Q1 (Apr–Jun 2025) to 2025/26 Q2 (Jul–Sep 2025)")

    refused = _cli("report", "--network", "birmingham", "--from", "2025/27Q1")
    assert refused.returncode == 2
    assert "the one starting in April 2025 is 2025/26" in refused.stderr


def test_a_calendar_network_keeps_its_quarters(demo_db):
    done = _cli("report", "--network", "birmingham", "--from", "2025Q2", "--to", "2026Q1", "--json",
                "--sections", "by_quarter")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["year_start"] == "calendar"
    assert result["period_label"] == "Apr–Jun 2025 to Jan–Mar 2026"


def test_the_pages_name_quarters_the_network_way(demo_db):
    _april(demo_db)
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60))
    for name, value in {"network": "birmingham", "from": "2025Q2", "to": "2026Q1", "tab": "tables"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception and not at.error
    slider = at.select_slider(key="overview_quarters")
    assert slider.format_func("2025Q2") == "2025/26 Q1 (Apr–Jun 2025)"
    assert "Apr–Jun is Q1" in slider.help
    assert any("2025/26 Q1–Q4 (1 April 2025 to 31 March 2026)" in m.value for m in at.markdown)
    quarters = at.table[1].value  # the figures by quarter
    assert list(quarters["Quarter"]) == [parsing.quarter_label(q, "april") for q in ("2025Q2", "2025Q3", "2025Q4",
                                                                                      "2026Q1")]
    assert any("(2025/26 Q1 (Apr–Jun 2025) to 2025/26 Q4 (Jan–Mar 2026))" in c.value for c in at.caption)


def test_a_submissions_quarter_is_named_the_network_way(demo_db):
    _april(demo_db)
    at = AppTest.from_file(str(APP), default_timeout=60)
    signed_in(at, partner("birmingham", "uob"))
    at.switch_page("views/upload.py").run()
    assert not at.exception
    quarter = at.selectbox(key="upload_quarter")
    assert all(re.match(r"20\d\d/\d\d Q[1-4] \(", label) for label in quarter.options), quarter.options

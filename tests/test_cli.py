"""The command line: the whole path from a file to figures, and plain errors."""

import json
import os
import subprocess
import sys

import pytest

from dashboard import config
from tests import tiny


def _cli(*args, db=None, **env):
    environ = {**os.environ, **env}
    if db is not None:
        environ["ANCHOR_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          cwd=config.REPO_DIR, env=environ)


@pytest.fixture
def tiny_db(tmp_path):
    return tiny.build(tmp_path / "tiny.duckdb")


def test_ingest_then_report_json(tiny_db):
    out = _cli("ingest", "--network", "tiny", "--institution", "council", "--kind", "spend", "--quarter", "2025Q1",
               "--by", "finance@council.example", tiny.TINY / "spend_council_2025Q1.csv", db=tiny_db)
    assert out.returncode == 0, out.stderr
    assert "Accepted 7 rows" in out.stdout and "£9,300.49" in out.stdout
    out = _cli("ingest", "--network", "tiny", "--institution", "trust", "--kind", "participants", "--quarter",
               "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv", db=tiny_db)
    assert out.returncode == 0, out.stderr
    out = _cli("report", "--network", "tiny", "--from", "2025Q1", "--to", "2025Q1", "--json", db=tiny_db)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    for key in ("participants", "completions", "jobs_filled", "spend_total_gbp", "spend_local_gbp",
                "spend_local_pct", "spend_unknown_location_gbp", "imd_release", "by_decile"):
        assert key in result
    assert (result["participants"], result["jobs_filled"], result["spend_total_gbp"]) == (5, 2, 4300.49)
    assert result["imd_release"] == "IoD2025"
    assert len(result["by_decile"]) == 14


def test_report_defaults_to_the_quarters_with_data(tiny_db):
    _cli("ingest", "--network", "tiny", "--institution", "trust", "--kind", "participants", "--quarter",
         "2025Q1", tiny.TINY / "participants_trust_2025Q1.csv", db=tiny_db)
    result = json.loads(_cli("report", "--network", "tiny", "--json", db=tiny_db).stdout)
    # P6 started in December 2024; P1's job starts in April 2025.
    assert (result["from_quarter"], result["to_quarter"]) == ("2024Q4", "2025Q2")
    assert result["participants"] == 7


def test_ingest_errors_are_listed_without_a_traceback(tiny_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_ref,initiative,home_postcode,start_date\nA1,h2h,B1 1AA,32/01/2025\n")
    out = _cli("ingest", "--network", "tiny", "--institution", "trust", "--kind", "participants", "--quarter",
               "2025Q1", bad, db=tiny_db)
    assert out.returncode == 2
    assert "bad.csv: 1 problem(s); nothing was saved." in out.stderr
    assert "Row 2, column start_date: '32/01/2025' is not a real date" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_network_is_named(tiny_db):
    out = _cli("report", "--network", "nowhere", "--json", db=tiny_db)
    assert out.returncode == 2 and "No network 'nowhere' (known: tiny)" in out.stderr


def test_network_file_problems_are_listed(tiny_db, tmp_path):
    bad = tmp_path / "net.yaml"
    bad.write_text("id: Bad Id\nname: x\nlocal_districts: [E99999999]\n"
                   "institutions:\n  - {id: a, name: A, type: pub}\n")
    out = _cli("network", "load", bad, db=tiny_db)
    assert out.returncode == 2
    assert "id 'Bad Id' must be lower-case" in out.stderr and "type 'pub' is not one of" in out.stderr


def test_missing_reference_data_says_what_to_run(tmp_path):
    out = _cli("network", "load", tiny.TINY / "network.yaml", db=tmp_path / "empty.duckdb")
    assert out.returncode == 2
    assert "refdata load --from DIR" in out.stderr and "Traceback" not in out.stderr


def test_submissions_lists_what_was_uploaded(tiny_db):
    _cli("ingest", "--network", "tiny", "--institution", "council", "--kind", "spend", "--quarter", "2025Q1",
         "--by", "finance@council.example", tiny.TINY / "spend_council_2025Q1.csv", db=tiny_db)
    out = _cli("submissions", "--network", "tiny", db=tiny_db)
    assert out.returncode == 0
    assert "spend_council_2025Q1.csv" in out.stdout and "finance@council.example" in out.stdout

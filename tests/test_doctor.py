"""`python -m dashboard doctor`: a healthy installation has no problem, each planted fault is found with its own
finding and what to run, a damaged database file is told in a sentence (never a traceback), and the doctor never
changes the database it checks."""

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import duckdb
import pytest

import dashboard
from dashboard import access, backup, cluster, config, demo_registers, doctor, retention

DiskUsage = namedtuple("DiskUsage", "total used free")


@pytest.fixture(autouse=True)
def no_secrets(tmp_path, monkeypatch):
    """No Streamlit secrets file unless a test writes one."""
    monkeypatch.setattr(doctor, "secrets_files", lambda: (tmp_path / "secrets.toml",))


def _checks(db: Path, **kwargs) -> dict[str, doctor.Finding]:
    findings = doctor.examine(db, **kwargs)
    by_check = {f.check: f for f in findings}
    assert len(by_check) == len(findings), [f.check for f in findings]
    return by_check


def _sql(db: Path, statement: str, *params) -> list:
    """Run one statement on db (a planted fault, or a look at what is held) with $1, $2... bound; its rows."""
    con = duckdb.connect(str(db))
    try:
        return con.execute(statement, list(params) or None).fetchall()
    finally:
        con.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "doctor"], cwd=config.REPO_DIR, text=True,
                          capture_output=True, env={**os.environ, "ANCHOR_DB": str(db)}, timeout=300)


def test_core_module_does_not_import_streamlit():
    out = subprocess.run([sys.executable, "-c", "import sys, dashboard.doctor; print('streamlit' in sys.modules)"],
                         cwd=config.REPO_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_healthy_installation_has_no_problem_and_is_not_changed(demo_db):
    before = _sha256(demo_db)
    findings = doctor.examine(demo_db)
    checks = {f.check: f for f in findings}
    assert doctor.exit_code(findings) == 0, doctor.render(findings)
    assert list(checks) == ["Database", "Schema", "Tables", "Reference data", "Registers", "Submissions", "Summaries",
                            "Backup", "Retention", "Accounts", "Single sign-on", "Disk space"]
    assert [c for c, f in checks.items() if f.status != doctor.OK] in (["Backup"], ["Registers", "Backup"])
    assert all(f.fix == "" for f in findings if f.status == doctor.OK)
    assert checks["Reference data"].found.startswith(
        "IoD releases loaded: IoD2025 (33,755 LSOAs of 2021) and IoD2019 (32,844 LSOAs of 2011); Wales's and "
        "Scotland's indices: WIMD2019, SIMD2020v2; loaded ")
    assert "Companies House of 1 November 2026" in checks["Registers"].found
    assert "synthetic demo data" in checks["Registers"].found
    assert checks["Summaries"].found.startswith("The figures' summaries of 2 networks equal")
    assert "admin@demo.example" in checks["Accounts"].found, checks["Accounts"].found
    # No backup was ever taken of it: a warning, with the command and the README section.
    assert checks["Backup"].status == doctor.WARNING and "No backup" in checks["Backup"].found
    assert "python -m dashboard backup --out" in checks["Backup"].fix and "Backups and restores" in checks["Backup"].fix
    # Read-only: not a byte changed, no log left beside it.
    assert _sha256(demo_db) == before and not demo_db.with_name(demo_db.name + ".wal").exists()


def test_command_prints_the_version_and_database_first_and_exits_0_when_healthy(demo_db):
    out = _cli(demo_db)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[:2] == [f"Anchor Impact {dashboard.__version__}", f"Database: {demo_db}"]
    assert any(line.startswith("ok      Reference data: IoD releases loaded: IoD2025") for line in lines), out.stdout
    assert any(line.startswith("warning Backup: No backup") for line in lines), out.stdout
    assert "        To fix: Run `python -m dashboard backup --out backups/anchor-YYYY-MM-DD.zip`" in out.stdout
    assert lines[-1].startswith("No problems;")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_database_file_is_a_problem_in_a_sentence_not_a_traceback(demo_db, damage):
    data = demo_db.read_bytes()
    demo_db.write_bytes(os.urandom(64 * 1024) if damage == "garbage" else data[: len(data) // 2])
    checks = _checks(demo_db)
    assert checks["Database"].status == doctor.PROBLEM
    why = "it is not a DuckDB database file" if damage == "garbage" else "it is cut short"
    assert f"The file {demo_db} does not open as a database: {why}" in checks["Database"].found
    assert f"python -m dashboard restore FILE --to {demo_db} --force" in checks["Database"].fix
    assert list(checks) == ["Database", "Disk space"]  # nothing else can be read from it
    out = _cli(demo_db)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr and out.stderr == ""
    unwrapped = out.stdout.replace("\n" + " " * 8, " ")
    assert f"PROBLEM Database: The file {demo_db} does not open as a database: {why}" in unwrapped
    assert "1 problem and 0 warnings" in out.stdout


def test_no_database_file_says_how_to_make_one(tmp_path):
    checks = _checks(tmp_path / "missing.duckdb")
    assert list(checks) == ["Database"] and checks["Database"].status == doctor.PROBLEM
    assert "There is no database at" in checks["Database"].found and "make run" in checks["Database"].fix


def test_reference_data_removed_is_a_problem_with_the_load_command(demo_db):
    _sql(demo_db, "delete from ref_imd where imd_release = 'IoD2019'")
    found = _checks(demo_db)["Reference data"]
    assert found.status == doctor.PROBLEM
    assert "IoD release not loaded: IoD2019" in found.found and "IoD2025 (" in found.found
    assert "python -m dashboard refdata load --from DIR" in found.fix and "refdata fetch" in found.fix
    _sql(demo_db, "delete from ref_imd")
    _sql(demo_db, "delete from ref_postcode")
    found = _checks(demo_db)["Reference data"]
    assert "IoD releases not loaded: IoD2025, IoD2019" in found.found
    assert "empty reference tables: ref_imd, ref_postcode" in found.found and "loaded: none" in found.found


def test_registers_old_or_absent_are_warnings(demo_db):
    released = dt.datetime.fromisoformat(demo_registers.RELEASE)
    assert _checks(demo_db, now=released + dt.timedelta(days=40))["Registers"].status == doctor.OK
    checks = _checks(demo_db, now=released + dt.timedelta(days=200))
    found = checks["Registers"]
    assert found.status == doctor.WARNING and "(200 days old" in found.found
    assert "Older than six months: Charity Commission, Companies House;" in found.found
    assert "python -m dashboard registers fetch" in found.fix
    assert doctor.exit_code(list(checks.values())) == 0  # warnings alone pass
    _sql(demo_db, "delete from register_file where register = 'charity_commission'")
    found = _checks(demo_db, now=released + dt.timedelta(days=40))["Registers"]
    assert found.status == doctor.WARNING and "Not loaded: Charity Commission." in found.found
    _sql(demo_db, "delete from register_file")
    found = _checks(demo_db)["Registers"]
    assert found.status == doctor.WARNING and found.found.startswith("No registers are loaded")


def test_backup_taken_is_ok_and_ten_days_old_is_a_warning(demo_db, tmp_path):
    backup.create(tmp_path / "anchor.zip", scope=access.system(), db=demo_db)
    found = _checks(demo_db)["Backup"]
    assert found.status == doctor.OK and "(today)" in found.found and found.fix == ""
    _sql(demo_db, "update audit_log set logged_at = logged_at - interval 10 days where action = 'backup'")
    found = _checks(demo_db)["Backup"]
    assert found.status == doctor.WARNING and "(10 days ago)" in found.found
    assert "python -m dashboard backup --out" in found.fix and "\"Backups and restores\"" in found.fix


def test_records_past_a_retention_rule_are_a_warning_until_it_is_applied(demo_db):
    found = _checks(demo_db)["Retention"]
    assert found.status == doctor.OK and found.found.startswith("No network has a retention rule")
    retention.set_rule(access.system(), "london", 1, demo_db)
    found = _checks(demo_db, now=dt.datetime(2030, 1, 1))["Retention"]
    assert found.status == doctor.WARNING and "still held in london (" in found.found
    assert "Without a rule, records are kept until deleted: birmingham." in found.found
    assert "python -m dashboard retention apply" in found.fix
    retention.apply(access.system(), "london", on_date=dt.date(2030, 1, 1), db=demo_db)
    found = _checks(demo_db, now=dt.datetime(2030, 1, 1))["Retention"]
    assert found.status == doctor.OK and found.found.startswith("1 network with a retention rule, none holding")
    assert _checks(demo_db, now=dt.datetime(2030, 1, 1))["Submissions"].status == doctor.OK


def test_a_database_from_a_newer_release_is_reported_and_left_unchanged(demo_db):
    _sql(demo_db, "insert into schema_migration values (999, '999_future.sql', current_timestamp)")
    before = _sha256(demo_db)
    findings = doctor.examine(demo_db)
    checks = {f.check: f for f in findings}
    assert checks["Schema"].status == doctor.PROBLEM and doctor.exit_code(findings) == 1
    assert "made by a newer release of Anchor Impact (schema version 999" in checks["Schema"].found
    assert "Upgrade the product" in checks["Schema"].fix
    assert list(checks) == ["Database", "Schema", "Tables", "Disk space"]
    assert _sha256(demo_db) == before


def test_a_pending_migration_is_a_warning_and_is_not_applied(demo_db):
    _sql(demo_db, "delete from schema_migration where version = 25")
    findings = doctor.examine(demo_db)
    schema = {f.check: f for f in findings}["Schema"]
    assert schema.status == doctor.WARNING and "1 migration of this release not applied yet: 025_area_month.sql" \
        in schema.found
    assert doctor.exit_code(findings) == 0
    assert _sql(demo_db, "select count(*) from schema_migration where version = 25") == [(0,)]


def test_a_changed_summary_row_is_found_and_cluster_puts_it_right(demo_db):
    _sql(demo_db, "update area_month set participants = participants + 1 where rowid = "
                  "(select min(rowid) from area_month where network_id = 'london' and participants > 0)")
    found = _checks(demo_db)["Summaries"]
    assert found.status == doctor.PROBLEM
    # One row changed: the row held and the row a recalculation gives both differ.
    assert "for 1 network: london (2 rows)" in found.found and "birmingham" not in found.found
    assert found.fix.startswith("Run `python -m dashboard cluster`")
    cluster.cluster(access.system(), demo_db)
    assert _checks(demo_db)["Summaries"].status == doctor.OK


def test_a_submission_missing_rows_is_named(demo_db):
    (spend_id, file_name, rows), = _sql(
        demo_db, "select submission_id, file_name, row_count from submission where kind = 'spend' "
                 "and status = 'active' and network_id = 'birmingham' order by submission_id limit 1")
    (people_id, people_rows), = _sql(
        demo_db, "select submission_id, row_count from submission where kind = 'participants' "
                 "and status = 'active' and network_id = 'london' order by submission_id limit 1")
    _sql(demo_db, "delete from spend where rowid in (select rowid from spend where submission_id = $1 limit 3)",
         spend_id)
    _sql(demo_db, "delete from participant where rowid in (select rowid from participant where submission_id = $1 "
                  "limit 1)", people_id)
    found = _checks(demo_db)["Submissions"]
    assert found.status == doctor.PROBLEM and found.found.startswith("2 active submissions not whole")
    assert f"submission {spend_id} of birmingham/" in found.found and f"('{file_name}')" in found.found
    assert f"{rows:,} rows accepted, holds {rows - 3:,}" in found.found
    assert f"{people_rows:,} rows accepted, holds {people_rows - 1:,}" in found.found
    assert "restore the last good backup" in found.fix


def test_monthly_sums_that_lost_payments_make_a_submission_not_whole(demo_db):
    (spend_id, rows), = _sql(demo_db, "select submission_id, row_count from submission where kind = 'spend' "
                                      "and status = 'active' order by submission_id limit 1")
    (payments,), = _sql(demo_db, "select payments from spend_month where submission_id = $1 order by rowid limit 1",
                        spend_id)
    _sql(demo_db, "delete from spend_month where rowid = (select min(rowid) from spend_month where submission_id = $1)",
         spend_id)
    found = _checks(demo_db)["Submissions"]
    assert found.status == doctor.PROBLEM and found.found.startswith("1 active submission not whole")
    assert f"holds {rows:,} (its monthly sums count {rows - payments:,})" in found.found


def test_disk_space_below_the_database_is_a_problem_and_below_twice_a_warning(demo_db, monkeypatch):
    size = demo_db.stat().st_size
    monkeypatch.setattr(shutil, "disk_usage", lambda path: DiskUsage(10 * size, 9 * size, size * 3 // 2))
    findings = doctor.examine(demo_db)
    disk = {f.check: f for f in findings}["Disk space"]
    assert disk.status == doctor.WARNING and "Less than twice the database" in disk.found
    assert doctor.exit_code(findings) == 0
    monkeypatch.setattr(shutil, "disk_usage", lambda path: DiskUsage(10 * size, 10 * size - size // 2, size // 2))
    findings = doctor.examine(demo_db)
    disk = {f.check: f for f in findings}["Disk space"]
    assert disk.status == doctor.PROBLEM and "Less than the database itself" in disk.found
    assert "ANCHOR_DB" in disk.fix and doctor.exit_code(findings) == 1


def test_no_active_administrator_is_a_problem_with_the_user_add_command(demo_db):
    _sql(demo_db, "update app_user set disabled = true where role = 'admin'")
    found = _checks(demo_db)["Accounts"]
    assert found.status == doctor.PROBLEM and found.found.startswith("No active administrator account")
    assert "`python -m dashboard user add --email EMAIL --role admin`" in found.fix
    readme = (config.REPO_DIR / "README.md").read_text(encoding="utf-8")
    assert "python -m dashboard user add --email EMAIL --role coordinator|partner|funder|admin" in readme


def test_sso_domains_without_sso_configured_are_a_warning(demo_db, tmp_path):
    _sql(demo_db, "insert into network_sso_domain values ('birmingham', 'uhb.nhs.uk', 'partner', 'uhb')")
    found = _checks(demo_db)["Single sign-on"]
    assert found.status == doctor.WARNING and "1 network admit email domains by it: birmingham (uhb.nhs.uk)" \
        in found.found
    assert "docs/access.md" in found.fix
    (tmp_path / "secrets.toml").write_text('[auth]\nredirect_uri = "https://example.org/oauth2callback"\n')
    found = _checks(demo_db)["Single sign-on"]
    assert found.status == doctor.OK and "birmingham (uhb.nhs.uk)" in found.found
    (tmp_path / "secrets.toml").write_text("[auth\n")
    assert _checks(demo_db)["Single sign-on"].status == doctor.WARNING


def test_render_lists_each_finding_and_what_to_run():
    text = doctor.render([
        doctor.Finding("Backup", doctor.WARNING, "No backup.", "Run `python -m dashboard backup --out FILE`."),
        doctor.Finding("Disk space", doctor.PROBLEM, "Full."),
        doctor.Finding("Tables", doctor.OK, "All read."),
    ])
    assert text.splitlines() == [
        "warning Backup: No backup.",
        "        To fix: Run `python -m dashboard backup --out FILE`.",
        "PROBLEM Disk space: Full.",
        "ok      Tables: All read.",
        "",
        "1 problem and 1 warning: fix the problems first.",
    ]

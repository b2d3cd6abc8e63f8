"""Upgrades: a database an earlier release made opens with this one, its data intact; a newer release's is refused.

The earlier release is this repository's own history: the commit that added migration 006 (racing uploads, before
sign-in, disclosure control, registers, targets and monthly payment sums), taken out of git read-only into a
temporary folder and run with the same interpreter. It builds the tiny network and takes partners' files through
its own command line; this release then opens the database (store.connect migrates it) and must find every row,
every submission and the same figures the earlier release reported.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import duckdb
import pytest

from dashboard import access, backup, config, figures, ingest, reports, store
from tests import tiny

EARLIER_MIGRATION = "queries/migrations/006_submission_slot.sql"
QUARTERS = ("2025Q1", "2025Q2")
HEADLINE = ("participants", "completions", "jobs_filled", "spend_total_gbp", "spend_local_gbp",
            "spend_most_deprived_20_gbp", "spend_unknown_location_gbp")
BY_GROUP = ("participants", "completions", "jobs_filled", "spend_gbp", "spend_local_gbp")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(config.REPO_DIR), *args], capture_output=True, timeout=60)


def _earlier_release(folder: Path) -> Path:
    """The source of the commit that added EARLIER_MIGRATION, written into folder (read-only use of git)."""
    if shutil.which("git") is None or _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("This copy of the product has no git history (a source archive), so there is no earlier "
                    "release to build a database with.")
    found = _git("log", "--diff-filter=A", "--format=%H", "--", EARLIER_MIGRATION)
    commit = found.stdout.decode().split()[-1:] if found.returncode == 0 else []
    if not commit:
        pytest.skip(f"This clone's history does not reach the commit that added {EARLIER_MIGRATION} (a shallow "
                    "clone?), so there is no earlier release to build a database with.")
    archive = _git("archive", "--format=tar", commit[0])
    assert archive.returncode == 0, archive.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _participants_file(path: Path, quarter: str, n: int, seed: int) -> Path:
    first, postcodes = int(quarter[-1]) * 3 - 2, tiny.PLACED_POSTCODES
    lines = ["participant_ref,initiative,home_postcode,start_date,completion_date,job_start_date"]
    for i in range(n):
        day = 1 + (i * 7 + seed) % 27
        completed = f"{day:02d}/{first + 1:02d}/2025" if (i + seed) % 3 else ""
        job = f"{day:02d}/{first + 2:02d}/2025" if completed and i % 2 else ""
        lines.append(f"P{seed}-{i:04d},{'h2h' if i % 2 else 'ican'},{postcodes[(i + seed) % len(postcodes)]},"
                     f"{day:02d}/{first:02d}/2025,{completed},{job}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _old(release: Path, db: Path, *args: str) -> str:
    """A command of the earlier release (its own package, found first in its folder) on db."""
    done = subprocess.run([sys.executable, *args], cwd=release, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ANCHOR_DB": str(db), "ANCHOR_CACHE": str(db.parent / "cache")})
    assert done.returncode == 0, f"the earlier release failed: {args}\n{done.stderr}"
    return done.stdout


def _tables(db: Path) -> dict[str, int]:
    """Every table's row count, read without migrating anything."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'")
                 .fetchall()]
        return {name: con.execute("select count(*) from query_table($t)", {"t": name}).fetchone()[0]
                for name in names}
    finally:
        con.close()


SUBMISSIONS = ("select submission_id, institution_id, kind, quarter, sha256, status, row_count from submission "
               "order by submission_id")


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A database the earlier release built and filled, its row counts, submissions and reported figures."""
    folder = tmp_path_factory.mktemp("upgrade")
    release = _earlier_release(folder / "release")
    db = folder / "anchor.duckdb"
    _old(release, db, "-c", "import sys, pathlib; from tests import tiny; tiny.build(pathlib.Path(sys.argv[1]))",
         str(db))
    files = folder / "files"
    files.mkdir()
    uploads = [("trust", "participants", "2025Q1", _participants_file(files / "p1.csv", "2025Q1", 60, 1)),
               ("council", "participants", "2025Q2", _participants_file(files / "p2.csv", "2025Q2", 45, 2)),
               ("council", "spend", "2025Q1", tiny.spend_file(files / "s1.csv", "2025Q1", 300, 3)),
               ("trust", "spend", "2025Q2", tiny.spend_file(files / "s2.csv", "2025Q2", 200, 4)),
               # a resubmission: the council's first quarter again, which supersedes the file before
               ("council", "spend", "2025Q1", tiny.spend_file(files / "s3.csv", "2025Q1", 250, 5))]
    for institution, kind, quarter, path in uploads:
        _old(release, db, "-m", "dashboard", "ingest", "--network", "tiny", "--institution", institution, "--kind",
             kind, "--quarter", quarter, str(path))
    reported = {release_name: json.loads(_old(release, db, "-m", "dashboard", "report", "--network", "tiny", "--from",
                                              QUARTERS[0], "--to", QUARTERS[-1], "--release", release_name, "--json"))
                for release_name in figures.IMD_RELEASES}
    con = duckdb.connect(str(db), read_only=True)
    try:
        submissions = con.execute(SUBMISSIONS).fetchall()
        old_version = con.execute("select max(version) from schema_migration").fetchone()[0]
    finally:
        con.close()
    return {"db": db, "rows": _tables(db), "submissions": submissions, "reported": reported, "version": old_version,
            "folder": folder}


def test_a_database_from_an_earlier_release_opens_with_its_data_intact(earlier):
    db = earlier["db"]
    assert earlier["version"] == 6 and len(earlier["submissions"]) == 5
    assert sorted(status for *_, status, _ in earlier["submissions"]) == ["active"] * 4 + ["superseded"]
    with store.connect(db) as con:  # migrates
        cur = con.cursor()
        assert cur.execute("select max(version) from schema_migration").fetchone()[0] == backup.known_schema_version()
        assert cur.execute(SUBMISSIONS).fetchall() == earlier["submissions"]
        spend = dict(cur.execute("select submission_id, count(*) from spend group by all").fetchall())
        people = dict(cur.execute("select submission_id, count(*) from participant group by all").fetchall())
        for sid, _, kind, _, _, _, row_count in earlier["submissions"]:
            assert (spend if kind == "spend" else people).get(sid) == row_count, sid
        for release_name, before in earlier["reported"].items():
            now = reports.full(cur, figures.Selection("tiny", *QUARTERS, imd_release=release_name))
            assert {k: now[k] for k in HEADLINE} == pytest.approx({k: before[k] for k in HEADLINE}), release_name
            groups = {g["group"]: {k: g[k] for k in BY_GROUP} for g in now["by_decile"]}
            for group in before["by_decile"]:
                assert groups[group["group"]] == pytest.approx({k: group[k] for k in BY_GROUP}), group["group"]
            assert now["participants"] == 105 and now["spend_total_gbp"] > 0
    # Every table the earlier release had holds the same number of rows (the migrations' own list apart).
    after, rows = _tables(db), {t: n for t, n in earlier["rows"].items() if t != "schema_migration"}
    assert {t: after[t] for t in rows} == rows and len(rows) >= 15
    # And it carries on: a new upload goes in after the earlier release's submissions.
    path = tiny.spend_file(earlier["folder"] / "files" / "s4.csv", "2025Q2", 40, 6)
    receipt = ingest.ingest("tiny", "council", "spend", "2025Q2", path, db=db)
    assert receipt.submission_id > max(s[0] for s in earlier["submissions"])


def test_a_database_from_a_newer_release_is_refused_and_left_as_it_is(tmp_path):
    db = tiny.build(tmp_path / "anchor.duckdb")
    newer = backup.known_schema_version() + 1
    with store.connect(db) as con:
        con.execute("insert into schema_migration values ($v, '999_later.sql', current_timestamp)", {"v": newer})
        store.run(con.cursor(), "checkpoint")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(store.NewerSchema) as refused:
        with store.connect(db):
            pass
    message = str(refused.value)
    assert f"newer release of Anchor Impact (schema version {newer}" in message
    assert "Upgrade the product" in message and "the database was not changed" in message
    # The command line says the same in a sentence, and the file is exactly as it was.
    done = subprocess.run([sys.executable, "-m", "dashboard", "network", "list"], cwd=config.REPO_DIR,
                          capture_output=True, text=True, env={**os.environ, "ANCHOR_DB": str(db)}, timeout=60)
    assert done.returncode == 2 and "Upgrade the product" in done.stderr and "Traceback" not in done.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not db.with_name(db.name + ".wal").exists()
    # A backup refuses it the same way, and writes no file.
    with pytest.raises(store.NewerSchema):
        backup.create(tmp_path / "b.zip", scope=access.system(), db=db)
    assert not (tmp_path / "b.zip").exists()

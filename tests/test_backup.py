"""Backups and restores: a backup taken while partners upload holds each submission whole or not at all; a damaged,
incomplete or too new backup is refused and writes nothing; a restored database gives the same figures."""

import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboard import access, audit, backup, config, figures, ingest, reports, store
from tests import tiny

# The partners' uploads, in order: (institution, quarter, rows); a slot sent twice is a resubmission.
PLAN = [("council", "2025Q1", 2000), ("trust", "2025Q1", 1500), ("council", "2025Q2", 2500), ("trust", "2025Q2", 1200),
        ("council", "2025Q1", 1800), ("trust", "2025Q3", 2200), ("council", "2025Q3", 1000), ("trust", "2025Q1", 2600),
        ("council", "2025Q4", 1400), ("trust", "2025Q4", 2100), ("council", "2025Q2", 1700), ("trust", "2025Q3", 900)]

# The child: a partner uploading the planned files one after another, saying when each is committed.
# After the first, it waits for the go-ahead file (argv[3]), so that at least one backup falls between uploads
# however busy the machine; the rest race the backups.
UPLOADER = """
import json, sys, time
from pathlib import Path
from dashboard import ingest
for i, (institution, quarter, path) in enumerate(json.loads(sys.argv[1])):
    receipt = ingest.ingest("tiny", institution, "spend", quarter, Path(path), db=Path(sys.argv[2]))
    print("committed", receipt.submission_id, flush=True)
    while i == 0 and not Path(sys.argv[3]).exists():
        time.sleep(0.05)
"""


def _summed(path: Path) -> tuple[str, int, Decimal]:
    """A spend file's sha256, rows and total, read back from the file."""
    with path.open(newline="", encoding="utf-8") as f:
        amounts = [Decimal(row["amount_gbp"]) for row in csv.DictReader(f)]
    return hashlib.sha256(path.read_bytes()).hexdigest(), len(amounts), sum(amounts)


def _cli(*args, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], cwd=config.REPO_DIR, text=True,
                          capture_output=True, env={**os.environ, "ANCHOR_DB": str(db)}, timeout=180)


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


def _restored_counts(manifest: dict) -> dict[str, int]:
    """The row counts a restore of a backup leaves: its manifest's, and the restore's own audit entry."""
    counts = manifest["row_counts"]
    return {**counts, "audit_log": counts["audit_log"] + 1}


def _restores(db: Path) -> list[tuple[str, str | None, dict]]:
    """The restore entries of a database's audit log: (actor, network, detail), read without migrating anything."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        logged = con.execute("select actor_email, network_id, detail from audit_log where action = 'restore'")
        return [(actor, network_id, json.loads(detail)) for actor, network_id, detail in logged.fetchall()]
    finally:
        con.close()


def _whole_or_absent(db: Path, files: dict[str, tuple[int, Decimal]]) -> int:
    """Check every submission holds exactly its file's rows and total, in payments and in the monthly sums the
    figures read; no payment belongs to no submission; a quarter has at most one active file. Returns how many."""
    with store.connect(db) as con:
        cur = con.cursor()
        subs = cur.execute("select submission_id, institution_id, quarter, sha256, status, row_count "
                           "from submission").fetchall()
        spend = {r[0]: r[1:] for r in cur.execute("select submission_id, count(*), sum(amount_gbp) from spend "
                                                  "group by all").fetchall()}
        monthly = dict(cur.execute("select submission_id, sum(amount_gbp) from spend_month group by all").fetchall())
        orphans = cur.execute("select count(*) from spend where submission_id not in "
                              "(select submission_id from submission)").fetchone()[0]
    assert orphans == 0
    for sid, _, _, sha256, _, row_count in subs:
        rows, total = files[sha256]
        assert spend[sid] == (rows, total) and row_count == rows and monthly[sid] == total, sid
    active = [(institution, quarter) for _, institution, quarter, _, status, _ in subs if status == "active"]
    assert len(active) == len(set(active))
    return len(subs)


def _networks(db: Path) -> set[str]:
    with store.connect(db) as con:
        return set(store.run(con.cursor(), "networks")["network_id"])


def _figures(db: Path) -> str:
    """Every network's report and sections over its whole span, under both IoD releases, as JSON text."""
    found = {}
    with store.connect(db) as con:
        cur = con.cursor()
        for network_id in sorted(store.run(cur, "networks")["network_id"]):
            span = figures.data_quarters(cur, network_id)
            for release in figures.IMD_RELEASES:
                report = reports.full(cur, figures.Selection(network_id, *span, imd_release=release))
                report.pop("generated_at")  # the moment it was asked for
                found[f"{network_id} {release}"] = report
    return json.dumps(found, sort_keys=True, default=str)


def test_a_backup_taken_while_partners_upload_holds_each_submission_whole_or_not_at_all(tmp_path):
    db = tiny.build(tmp_path / "anchor.duckdb")
    files, plan = {}, []
    for i, (institution, quarter, rows) in enumerate(PLAN):
        path = tiny.spend_file(tmp_path / f"spend_{i}.csv", quarter, rows, i + 1)
        sha256, n, total = _summed(path)
        files[sha256] = (n, total)
        plan.append((institution, quarter, str(path)))
    go = tmp_path / "go"
    uploader = subprocess.Popen([sys.executable, "-c", UPLOADER, json.dumps(plan), str(db), str(go)],
                                cwd=config.REPO_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert uploader.stdout.readline().startswith("committed"), uploader.stderr.read()
        taken = [backup.create(tmp_path / "backup_0.zip", scope=access.system(), db=db).path]
        go.touch()
        while uploader.poll() is None:
            # This process backs up while the child uploads: the database's lock is all they share.
            taken.append(backup.create(tmp_path / f"backup_{len(taken)}.zip", scope=access.system(), db=db).path)
        _, stderr = uploader.communicate(timeout=180)
    finally:
        if uploader.poll() is None:
            uploader.kill()
    assert uploader.returncode == 0, stderr  # no upload was lost to a backup holding the database
    assert _whole_or_absent(db, files) == len(PLAN)

    seen = []
    for i, path in enumerate(taken):
        restored = tmp_path / f"restored_{i}.duckdb"
        backup.restore(path, restored, scope=access.system())
        seen.append(_whole_or_absent(restored, files))
    assert any(0 < n < len(PLAN) for n in seen), f"no backup was taken while the partners uploaded: {seen}"
    assert seen == sorted(seen)

    # A backup once the uploads are over holds them all, gives the same figures and carries on taking uploads.
    final = backup.create(tmp_path / "final.zip", scope=access.system(), db=db)
    restored = tmp_path / "restored_final.duckdb"
    backup.restore(final.path, restored, scope=access.system())
    assert _whole_or_absent(restored, files) == len(PLAN)
    assert _figures(restored) == _figures(db)
    extra = tiny.spend_file(tmp_path / "extra.csv", "2026Q1", 10, 99)
    with store.connect(restored) as con:
        held = con.execute("select max(submission_id) from submission").fetchone()[0]
    receipt = ingest.ingest("tiny", "trust", "spend", "2026Q1", extra, db=restored)
    assert receipt.submission_id > held  # the restored database's numbering carries on


@pytest.fixture
def small(tmp_path):
    """A tiny database with one upload, and a good backup of it made from the command line."""
    db = tiny.build(tmp_path / "anchor.duckdb")
    tiny.spend_file(tmp_path / "spend.csv", "2025Q1", 300, 1)
    ingest.ingest("tiny", "council", "spend", "2025Q1", tmp_path / "spend.csv", db=db)
    good = tmp_path / "good.zip"
    done = _cli("backup", "--out", good, db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Backed up {db} to {good}: schema version {backup.known_schema_version()}, ")
    return db, good


def _rezip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _newer(tmp_path: Path, good: Path) -> Path:
    """A whole, self-consistent backup of a database a newer release made (one migration this one lacks)."""
    with zipfile.ZipFile(good) as zf:
        manifest, data = json.loads(zf.read(backup.MANIFEST)), zf.read(backup.SNAPSHOT)
    db = tmp_path / "newer.duckdb"
    db.write_bytes(data)
    con = duckdb.connect(str(db))
    con.execute("insert into schema_migration values ($v, '999_later.sql', current_timestamp)",
                {"v": backup.known_schema_version() + 1})
    con.execute("checkpoint")
    con.close()
    data = db.read_bytes()
    manifest.update(schema_version=backup.known_schema_version() + 1, sha256=hashlib.sha256(data).hexdigest(),
                    size_bytes=len(data), row_counts=_tables(db))
    return _rezip(tmp_path / "newer.zip", {backup.MANIFEST: json.dumps(manifest), backup.SNAPSHOT: data})


def test_restore_refuses_a_damaged_incomplete_or_newer_backup_and_writes_nothing(tmp_path, small):
    db, good = small
    data = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        manifest, snapshot = json.loads(zf.read(backup.MANIFEST)), zf.read(backup.SNAPSHOT)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF  # inside the database file's compressed bytes
    wrong_sum = {**manifest, "sha256": hashlib.sha256(b"something else").hexdigest()}
    bad = {
        "truncated": (data[: len(data) * 2 // 3], "cannot be read as a whole archive"),
        "flipped": (bytes(flipped), "damaged or incomplete"),
        "wrong checksum": (_rezip(tmp_path / "sum.zip", {backup.MANIFEST: json.dumps(wrong_sum),
                                                         backup.SNAPSHOT: snapshot}).read_bytes(),
                           "sha256 checksum is not the one its manifest records"),
        "no manifest": (_rezip(tmp_path / "bare.zip", {backup.SNAPSHOT: snapshot}).read_bytes(),
                        "has no manifest.json"),
        "newer schema": (_newer(tmp_path, good).read_bytes(),
                         f"newer release of Anchor Impact ({manifest['product_version']}, schema version "
                         f"{backup.known_schema_version() + 1}; this release knows up to "
                         f"{backup.known_schema_version()}). Upgrade the product"),
    }
    folder = tmp_path / "restore"
    folder.mkdir()
    for what, (content, message) in bad.items():
        path = tmp_path / f"{what.replace(' ', '_')}.zip"
        path.write_bytes(content)
        done = _cli("restore", path, "--to", folder / "anchor.duckdb", db=db)
        assert done.returncode == 2 and message in done.stderr, (what, done.stderr)
        assert "nothing was restored" in done.stderr and "Traceback" not in done.stderr, (what, done.stderr)
        assert list(folder.iterdir()) == [], what  # not the database, not a temporary file
    # Where the target's folder did not exist, it is not left behind either.
    with pytest.raises(backup.BackupRefused):
        backup.restore(tmp_path / "truncated.zip", tmp_path / "new" / "anchor.duckdb", scope=access.system())
    assert not (tmp_path / "new").exists()
    done = _cli("restore", tmp_path / "missing.zip", "--to", folder / "anchor.duckdb", db=db)
    assert done.returncode == 2 and "There is no backup file" in done.stderr
    # The good backup checks out and restores.
    assert backup.verify(good)["sha256"] == manifest["sha256"] == hashlib.sha256(snapshot).hexdigest()
    done = _cli("restore", good, "--to", folder / "anchor.duckdb", db=db)
    assert done.returncode == 0 and "its checksum and row counts match" in done.stdout, done.stderr
    assert _tables(folder / "anchor.duckdb") == _restored_counts(manifest)


def test_restore_replaces_an_existing_database_only_when_forced(tmp_path, small):
    db, good = small
    target = tmp_path / "other.duckdb"
    tiny.build(target)
    before = target.read_bytes()
    done = _cli("restore", good, "--to", target, db=db)
    assert done.returncode == 2 and "already exists; nothing was restored" in done.stderr and "--force" in done.stderr
    assert target.read_bytes() == before
    # Forced, a damaged backup still writes nothing: the database it would replace is kept as it was.
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[:-100])
    done = _cli("restore", cut, "--to", target, "--force", db=db)
    assert done.returncode == 2 and "damaged or incomplete" in done.stderr and target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    done = _cli("restore", good, "--to", target, "--force", db=db)
    assert done.returncode == 0, done.stderr
    manifest = backup.verify(good)
    assert _tables(target) == _restored_counts(manifest) and _restores(target)[0][2]["replaced"] is True
    assert not target.with_name(target.name + ".wal").exists()


def test_backup_and_restore_commands_give_the_same_figures_for_every_network(tmp_path, demo_db):
    with store.connect(demo_db) as con:
        assert backup.last_backup(con.cursor()) is None
    out = tmp_path / "backups" / "anchor-nightly.zip"
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    done = _cli("backup", "--out", out, db=demo_db)
    assert done.returncode == 0, done.stderr
    manifest = backup.verify(out)
    assert manifest["product_version"] and manifest["schema_version"] == backup.known_schema_version()
    assert manifest["row_counts"]["submission"] > 100 and manifest["row_counts"]["ref_postcode"] > 1_000_000
    taken_at = dt.datetime.fromisoformat(manifest["taken_at"]).replace(tzinfo=None)
    assert started <= taken_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)

    restored = tmp_path / "restore-test.duckdb"
    done = _cli("restore", out, "--to", restored, db=demo_db)
    assert done.returncode == 0, done.stderr
    assert _networks(restored) == {"birmingham", "london"}
    assert _figures(restored) == _figures(demo_db)
    live, back = _tables(demo_db), _tables(restored)
    # The backup is in the live audit log after its snapshot, the restore in the restored one's after its checks:
    # each holds one entry more than the manifest counts.
    assert live == back == _restored_counts(manifest)
    with store.connect(demo_db) as con:
        cur = con.cursor()
        last = backup.last_backup(cur)
        logged = cur.execute("select actor_email, network_id, detail from audit_log where action = 'backup'") \
            .fetchall()
    assert last is not None and abs((last - taken_at).total_seconds()) < 60
    assert len(logged) == 1 and logged[0][0].startswith("cli:") and logged[0][1] is None
    assert json.loads(logged[0][2])["sha256"] == manifest["sha256"]
    with store.connect(restored) as con:
        assert backup.last_backup(con.cursor()) is None


def test_a_restore_is_recorded_in_the_restored_databases_audit_log(tmp_path, small):
    db, good = small
    manifest = backup.verify(good)
    scope = access.system("cli:tester")
    target = tmp_path / "restored.duckdb"
    expected = {"file": str(good.resolve()), "sha256": manifest["sha256"], "taken_at": manifest["taken_at"]}
    backup.restore(good, target, scope=scope)
    assert _restores(target) == [("cli:tester", None, {**expected, "replaced": False})]
    assert _restores(db) == []  # the live database's log is not the restored one's
    # Again over it: the entry is the newly restored database's own, not added to the one it replaced.
    backup.restore(good, target, scope=scope, force=True)
    assert _restores(target) == [("cli:tester", None, {**expected, "replaced": True})]
    assert _tables(target) == _restored_counts(manifest)
    assert _figures(target) == _figures(db)


def test_a_restore_that_cannot_be_recorded_says_the_database_was_restored(tmp_path, small, monkeypatch):
    _, good = small

    def busy(*args, **kwargs):
        raise store.DatabaseBusy("The database is in use by another program.")

    monkeypatch.setattr(audit, "note", busy)
    target = tmp_path / "restored.duckdb"
    with pytest.raises(store.StoreError) as unrecorded:
        backup.restore(good, target, scope=access.system())
    assert str(unrecorded.value).startswith(f"Restored {target} from {good}, but the restore could not be recorded")
    assert _tables(target) == backup.verify(good)["row_counts"]


def test_last_backup_is_the_latest_of_several(tmp_path):
    db = tiny.build(tmp_path / "anchor.duckdb")
    scope = access.system("cli:tester")
    first = backup.create(tmp_path / "one.zip", scope=scope, db=db)
    time.sleep(1.1)
    audit.note(scope, "export", db=db)  # other entries do not count
    second = backup.create(tmp_path / "two.zip", scope=scope, db=db)
    with store.connect(db) as con:
        last = backup.last_backup(con.cursor())
    assert first.manifest["taken_at"] < second.manifest["taken_at"]
    assert last.replace(microsecond=0) >= dt.datetime.fromisoformat(second.manifest["taken_at"]).replace(tzinfo=None)
    with pytest.raises(access.Denied):
        backup.create(tmp_path / "three.zip", scope=access.Scope("someone@example.org", "coordinator", "tiny"), db=db)
    assert not (tmp_path / "three.zip").exists()


def test_backup_is_part_of_the_streamlit_free_core():
    code = "import sys, dashboard.backup; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=config.REPO_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

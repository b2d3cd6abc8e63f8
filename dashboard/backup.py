"""Backups and restores: one .zip holding a snapshot of the database file and manifest.json.

A backup holds the database's lock (store.connect) only while it writes every committed change into the database
file (a checkpoint) and copies that file: no other process can write in that moment, so the snapshot holds each
submission whole or not at all, and uploads that find the database busy wait for it (ANCHOR_DB_WAIT_S). The copy is
then counted, checksummed and zipped with its manifest (product version, schema version, row counts per table, when
it was taken, the snapshot's sha256), the zip is read back and checked in full before it takes the place of the
file asked for, and the backup is recorded in the audit log.

A restore checks the whole backup (archive, manifest, schema version, checksum, row counts) into a temporary file
beside the target before anything is replaced, so a damaged or incomplete backup writes nothing. Once the restored
database is in place the restore is recorded in its own audit log, after those checks, so it holds one audit_log row
more than its manifest counts.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import dashboard
from dashboard import access, audit, config, store

FORMAT = "anchor-impact-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SNAPSHOT = "anchor.duckdb"  # the database file's name inside the backup
MANIFEST_KEYS = ("format", "format_version", "product_version", "schema_version", "taken_at", "database_file",
                 "size_bytes", "sha256", "row_counts")
_CHUNK = 1 << 20


class BackupRefused(store.StoreError):
    """The backup is damaged, incomplete or too new: nothing was restored."""


@dataclass(frozen=True)
class Made:
    """A backup written and checked: where it is and its manifest."""

    path: Path
    manifest: dict[str, Any]


def known_schema_version() -> int:
    """The highest migration this release has (queries/migrations)."""
    return max((int(p.name[:3]) for p in (config.QUERIES_DIR / "migrations").glob("[0-9][0-9][0-9]_*.sql")),
               default=0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _row_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = store.run(cur, "backup_tables")["table_name"]
    return {t: int(store.run(cur, "backup_table_rows", table_name=t).iloc[0, 0]) for t in tables}


def _schema_version(cur: duckdb.DuckDBPyConnection) -> int:
    return int(store.run(cur, "backup_schema_version").iloc[0, 0])


def _described(path: Path) -> tuple[int, dict[str, int]]:
    """The schema version and row counts of a database file, opened read-only and never migrated."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.cursor()
        return _schema_version(cur), _row_counts(cur)
    finally:
        con.close()


def last_backup(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the last backup was taken (as the audit log recorded it, just after its snapshot), or None if never."""
    taken = store.run(con, "backup_last")["taken_at"].iloc[0]
    return None if pd.isna(taken) else pd.Timestamp(taken).to_pydatetime()


def create(out: Path, *, scope: access.Scope, db: Path | None = None) -> Made:
    """Write a backup of the database to out (a .zip), check it back in full, and record it in the audit log.

    Run it in a process of its own (the command line): its connection's lock is what keeps writers out.
    """
    access.require_admin(scope)
    out = Path(out)
    db = Path(db or config.db_path())
    if not db.is_file():
        raise store.StoreError(f"There is no database at {db} to back up.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as work:
            manifest = _write(db, Path(work), out)
    except OSError as exc:
        raise store.StoreError(f"Could not write the backup {out}: {exc.strerror or exc}. No backup was written; "
                               "free some space or choose another place with --out.") from exc
    audit.note(scope, "backup", detail={"file": str(out.resolve()), "sha256": manifest["sha256"],
                                        "schema_version": manifest["schema_version"],
                                        "size_bytes": out.stat().st_size, "taken_at": manifest["taken_at"]}, db=db)
    return Made(out, manifest)


def _write(db: Path, work: Path, out: Path) -> dict[str, Any]:
    """Snapshot db into work, zip it with its manifest, check the zip and move it to out; return the manifest."""
    snapshot = work / SNAPSHOT
    with store.connect(db) as con:
        cur = con.cursor()
        # Every committed change into the file; while this connection is open no other process can write.
        store.run(cur, "checkpoint")
        schema_version, row_counts = _schema_version(cur), _row_counts(cur)
        shutil.copyfile(db, snapshot)
        taken_at = dt.datetime.now(dt.UTC)
        cur.close()
    if _described(snapshot) != (schema_version, row_counts):  # never: nothing could write while it was copied
        raise store.StoreError(f"The copy of {db} does not match the database; no backup was written. Try again.")
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "product_version": dashboard.__version__,
        "schema_version": schema_version, "taken_at": taken_at.isoformat(timespec="seconds"),
        "database_file": SNAPSHOT, "size_bytes": snapshot.stat().st_size, "sha256": _sha256(snapshot),
        "row_counts": row_counts, "duckdb_version": duckdb.__version__,
    }
    partial = work / "backup.zip"
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
        zf.write(snapshot, SNAPSHOT)
    snapshot.unlink()
    try:
        with _checked(partial, work):  # read back in full before it replaces an earlier backup of that name
            pass
    except BackupRefused as exc:
        raise store.StoreError(f"The backup written for {out} did not check out, so it was not kept: {exc}") from exc
    os.replace(partial, out)
    return manifest


def _damaged(path: Path, why: str) -> BackupRefused:
    return BackupRefused(f"The backup {path} is damaged or incomplete ({why}); nothing was restored. Use another "
                         "backup, or make a new one with 'python -m dashboard backup'.")


def manifest_of(path: Path) -> dict[str, Any]:
    """The manifest of a backup file, refused with a plain message when it is missing, unreadable or too new."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(f"There is no backup file {path}.")
    try:
        with zipfile.ZipFile(path) as zf:
            if MANIFEST not in zf.namelist():
                raise BackupRefused(f"The backup {path} has no {MANIFEST}: it was not made by 'python -m dashboard "
                                    "backup', or it is incomplete; nothing was restored.")
            manifest = json.loads(zf.read(MANIFEST))
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise _damaged(path, "it cannot be read as a whole archive: it may have been cut short or changed") from exc
    missing = [key for key in MANIFEST_KEYS if key not in manifest] if isinstance(manifest, dict) else MANIFEST_KEYS
    if missing or manifest["format"] != FORMAT:
        raise _damaged(path, f"its {MANIFEST} is not a backup manifest"
                       + (f": it lacks {', '.join(missing)}" if missing else ""))
    if not all(isinstance(manifest[key], int) for key in ("format_version", "schema_version", "size_bytes")) \
            or not isinstance(manifest["row_counts"], dict) or not isinstance(manifest["sha256"], str):
        raise _damaged(path, f"its {MANIFEST} holds values of the wrong kind")
    if manifest["format_version"] > FORMAT_VERSION or manifest["schema_version"] > known_schema_version():
        raise BackupRefused(
            f"The backup {path} was made by a newer release of Anchor Impact ({manifest['product_version']}, schema "
            f"version {manifest['schema_version']}; this release knows up to {known_schema_version()}). Upgrade "
            "the product to that release or later, then restore it; nothing was restored.")
    return manifest


@contextmanager
def _checked(path: Path, work: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The backup's database extracted into work and checked against its manifest: (file, manifest)."""
    manifest = manifest_of(path)
    extracted = work / f".{SNAPSHOT}.restoring"
    try:
        try:
            with zipfile.ZipFile(path) as zf, zf.open(manifest["database_file"]) as src, extracted.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        except KeyError as exc:
            raise _damaged(path, f"it holds no database file {manifest['database_file']}") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _damaged(path, "its database file cannot be read whole: it may have been cut short or changed") \
                from exc
        if extracted.stat().st_size != manifest["size_bytes"] or _sha256(extracted) != manifest["sha256"]:
            raise _damaged(path, "its database file's sha256 checksum is not the one its manifest records")
        try:
            schema_version, row_counts = _described(extracted)
        except (duckdb.Error, store.QueryError) as exc:
            raise _damaged(path, f"its database file does not open as this product's database: {exc}") from exc
        if schema_version != manifest["schema_version"] or row_counts != manifest["row_counts"]:
            raise _damaged(path, "its database's schema version or row counts are not the ones its manifest records")
        yield extracted, manifest
    finally:
        extracted.unlink(missing_ok=True)


def verify(path: Path) -> dict[str, Any]:
    """Check a backup in full (archive, manifest, schema version, checksum, row counts); return its manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=".backup-check-") as work, _checked(path, Path(work)) as (_, manifest):
        return manifest


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _holding(target: Path) -> duckdb.DuckDBPyConnection | None:
    """A connection that keeps other processes off target while it is replaced (None if it does not open)."""
    deadline = time.monotonic() + config.lock_wait_s()
    while True:
        try:
            con = duckdb.connect(str(target))
            break
        except duckdb.Error as exc:
            if not any(words in str(exc) for words in ("Could not set lock", "Conflicting lock")):
                return None  # a database that does not open (the reason to restore) is simply replaced
            if time.monotonic() >= deadline:
                raise store.DatabaseBusy(
                    f"The database {target} is in use by another program (usually the running dashboard). Stop it, "
                    "then restore again; nothing was changed.") from exc
            time.sleep(0.2)
    with suppress(duckdb.Error):
        con.execute("checkpoint")  # its log folded in, so closing it later writes nothing
    return con


def restore(path: Path, target: Path, *, scope: access.Scope, force: bool = False) -> dict[str, Any]:
    """Put the database of a checked backup at target and record that in its audit log; refuses to replace an
    existing database unless force."""
    access.require_admin(scope)
    path, target = Path(path), Path(target)
    if (target.exists() or _wal(target).exists()) and not force:
        raise store.StoreError(f"The database {target} already exists; nothing was restored. Restore to another file "
                               "with --to, or give --force to replace it (stop the dashboard first).")
    made_parent = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=target.parent) as work, \
                _checked(path, Path(work)) as (extracted, manifest):
            replaced = target.exists()
            holder = _holding(target) if replaced else None
            try:
                os.replace(extracted, target)
                # A log left beside the old database would be replayed onto the restored one.
                _wal(target).unlink(missing_ok=True)
            finally:
                if holder is not None:
                    holder.close()
    except BaseException as exc:
        if made_parent:
            with suppress(OSError):
                target.parent.rmdir()
        if isinstance(exc, OSError):
            raise store.StoreError(f"Could not restore to {target}: {exc.strerror or exc}. Nothing was restored; free "
                                   "some space or restore to another place with --to.") from exc
        raise
    detail = {"file": str(path.resolve()), "sha256": manifest["sha256"], "taken_at": manifest["taken_at"],
              "replaced": replaced}
    try:
        audit.note(scope, "restore", detail=detail, db=target)
    except (store.StoreError, duckdb.Error) as exc:
        raise store.StoreError(f"Restored {target} from {path}, but the restore could not be recorded in its audit "
                               f"log: {exc}") from exc
    return manifest

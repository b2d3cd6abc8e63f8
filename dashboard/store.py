"""The DuckDB store: connections, migrations and the one query runner."""

import errno
import functools
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from dashboard import config

T = TypeVar("T")


class StoreError(Exception):
    """A store problem with a message written for the person at the keyboard."""


class DatabaseBusy(StoreError):
    """Another process holds the database file."""


class DiskFull(StoreError):
    """The disk holding the database is full, or the database's files may not grow: the change was not saved."""


class NewerSchema(StoreError):
    """The database was written by a newer release: it is left as it is."""


class QueryError(StoreError):
    """A query failed; the message names the query file."""


class WriteConflict(QueryError):
    """A key another transaction inserted at the same moment: store.write retries the whole transaction."""


@functools.cache
def _sql(query: str) -> str:
    path = config.QUERIES_DIR / f"{query}.sql"
    if not path.is_file():
        raise QueryError(f"No query file queries/{query}.sql")
    return path.read_text(encoding="utf-8")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


# The operating system's own words for a write that found no room, as DuckDB quotes them in its errors.
_NO_ROOM = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT))


def _is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error | QueryError) and any(words in str(exc) for words in _NO_ROOM)


def _disk_full_message(path: Path) -> str:
    return (
        f"The disk is full (or the database file may not grow): nothing was saved. Free some space on the disk "
        f"that holds {path}, then try again."
    )


def _busy_message(path: Path) -> str:
    return (
        f"The database {path} is in use by another program (usually the running dashboard "
        "or another command). Wait for it to finish and try again; if the dashboard is "
        "running, stop it (Ctrl+C in its terminal) before long commands such as 'refdata load'."
    )


def _limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Hold DuckDB to config.db_memory_limit() in this process (a setting of the open database, shared by its
    connections); larger work spills to disk rather than growing the process."""
    limit = config.db_memory_limit()
    try:
        con.execute(f"set memory_limit = '{limit}'")
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"ANCHOR_DB_MEMORY is '{limit}': give an amount such as 1GB or 512MB ({exc})") from exc


@contextmanager
def connect(path: Path | None = None, *, wait_s: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database (migrating it), waiting up to wait_s for another process's lock."""
    path = Path(path or config.db_path())
    wait_s = config.lock_wait_s() if wait_s is None else wait_s
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"Cannot open the database {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusy(_busy_message(path)) from exc
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
    try:
        _limit_memory(con)
        migrate(con)
        yield con
    finally:
        con.close()


def run(con: duckdb.DuckDBPyConnection, query: str, /, **params: Any) -> pd.DataFrame:
    """Run queries/<query>.sql with $params bound on con (a cursor); return a DataFrame."""
    result = _execute(con, query, params)
    return result.df() if result.description else pd.DataFrame()


def rows(con: duckdb.DuckDBPyConnection, query: str, /, **params: Any) -> list[dict[str, Any]]:
    """run(), the rows as plain dicts: for the few small results read on every page, where making a DataFrame
    costs more than the query."""
    result = _execute(con, query, params)
    names = [column[0] for column in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _execute(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(_sql(query), params or None)
    except duckdb.TransactionException:
        raise  # a write conflict: write() retries the whole transaction
    except duckdb.ConstraintException as exc:
        # Two transactions inserting the same key at once (an upsert does not see the other's uncommitted row)
        # is a write conflict too: write() retries it; anywhere else it is the query's failure.
        raise WriteConflict(f"Query {query}.sql failed: {exc}") from exc
    except duckdb.Error as exc:
        raise QueryError(f"Query {query}.sql failed: {exc}") from exc


def relation(con: duckdb.DuckDBPyConnection, query: str, /, **params: Any) -> duckdb.DuckDBPyRelation:
    """queries/<query>.sql with $params bound, as a relation to stream from (write_csv) rather than a DataFrame."""
    try:
        return con.sql(_sql(query), params=params or None)
    except duckdb.Error as exc:
        raise QueryError(f"Query {query}.sql failed: {exc}") from exc


def read(query: str, /, **params: Any) -> pd.DataFrame:
    """Open the database, run one query and close it again, so other processes can write."""
    with connect() as con:
        return run(con.cursor(), query, **params)


def write(fn: Callable[[duckdb.DuckDBPyConnection], T], path: Path | None = None, *, attempts: int = 6) -> T:
    """Run fn(cursor) in one transaction, retrying the whole of it on a write conflict."""
    with connect(path) as con:
        for attempt in range(attempts):
            cur = con.cursor()
            try:
                cur.execute("begin transaction")
                value = fn(cur)
                cur.execute("commit")
                return value
            except BaseException as exc:
                _rollback(cur)
                # A commit the disk had no room for also fails as a transaction error: trying again cannot help.
                if _is_disk_full(exc):
                    raise DiskFull(_disk_full_message(Path(path or config.db_path()))) from exc
                if not (isinstance(exc, duckdb.TransactionException | WriteConflict) or _lost_frame(exc)) \
                        or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * 2**attempt * (1 + random.random()))
            finally:
                cur.close()
    raise AssertionError("unreachable")


def _lost_frame(exc: BaseException) -> bool:
    """A frame registered on a cursor (cur.register) that DuckDB could not find while another thread of this process
    committed at the same moment: seen rarely under load with uploads racing. Nothing was written; the whole
    transaction is tried again like a write conflict."""
    return isinstance(exc, duckdb.CatalogException) and "pandas_scan" in str(exc)


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    # A failed commit has already ended the transaction; there is nothing left to roll back.
    try:
        cur.execute("rollback")
    except duckdb.TransactionException:
        pass


def _fill_summaries(cur: duckdb.DuckDBPyConnection) -> None:
    from dashboard import summaries  # summaries runs its queries through this module

    summaries.rebuild(cur)


# A migration whose new table is written from the rows already held, in the migration's own transaction. The
# summaries (025's area_month, 029's place_month, from which area_month is now written) are written by the later.
_FILL: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {29: _fill_summaries}


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply numbered migrations from queries/migrations that the database has not seen."""
    con.execute(
        "create table if not exists schema_migration "
        "(version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migration").fetchall()}
    paths = sorted((config.QUERIES_DIR / "migrations").glob("[0-9][0-9][0-9]_*.sql"))
    known = {int(path.name[:3]) for path in paths}
    unknown = done - known
    if unknown:
        # A newer release wrote this database: running older code on it could damage it, so nothing is changed.
        raise NewerSchema(
            f"This database was made by a newer release of Anchor Impact (schema version {max(unknown)}; this "
            f"release knows up to {max(known, default=0)}). Upgrade the product to that release or later "
            "before opening it; the database was not changed."
        )
    for path in paths:
        version = int(path.name[:3])
        if version in done:
            continue
        cur = con.cursor()
        try:
            cur.execute("begin transaction")
            cur.execute(path.read_text(encoding="utf-8"))
            if version in _FILL:
                _FILL[version](cur)
            cur.execute(
                "insert into schema_migration values ($v, $n, current_timestamp)",
                {"v": version, "n": path.name},
            )
            cur.execute("commit")
        except duckdb.TransactionException:
            # Another process migrated at the same moment; its result stands.
            cur.execute("rollback")
        except BaseException:
            cur.execute("rollback")
            raise
        finally:
            cur.close()

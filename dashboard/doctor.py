"""An installation's check-up (`python -m dashboard doctor`): what is wrong, in plain words, and what to run.

It opens the database read-only and never migrates or changes it: a database waiting for this release's migrations
is reported as such, and one made by a newer release is reported, not refused with an error.
"""

import datetime as dt
import re
import shutil
import textwrap
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

import dashboard
from dashboard import backup, config, figures, refdata, registers, retention, store, summaries

OK, WARNING, PROBLEM = "ok", "warning", "problem"
REGISTERS_STALE_DAYS = 183  # about six months: the registers are published monthly
BACKUP_STALE_DAYS = 2
EXPECTED_REGISTERS = ("companies_house", "charity_commission")
LISTED = 5  # rows named in a finding before "and N more"

REFDATA_FIX = ("Run `python -m dashboard refdata load --from DIR` with the official files in DIR, or "
               "`python -m dashboard refdata fetch` to download them and load them.")
RESTORE_FIX = ("Stop the dashboard and restore the last good backup: `python -m dashboard restore FILE --to {db} "
               "--force` (README, \"Backups and restores\").")
BACKUP_FIX = ("Run `python -m dashboard backup --out backups/anchor-YYYY-MM-DD.zip`, and nightly from cron "
              "(README, \"Backups and restores\").")
SSO_FIX = ("Add the [auth] section to .streamlit/secrets.toml as docs/access.md shows (\"Single sign-on with "
           "Microsoft Entra ID\"), or take the sso_domains out of the network's YAML file and load it again.")


@dataclass(frozen=True)
class Finding:
    """One check's result: its name, ok / warning / problem, what was found, and what to run (none when ok)."""

    check: str
    status: str
    found: str
    fix: str = ""


def secrets_files() -> tuple[Path, ...]:
    """Where Streamlit reads its secrets: the user's own, then the project's (the app runs from the repository)."""
    return (Path.home() / ".streamlit" / "secrets.toml", config.REPO_DIR / ".streamlit" / "secrets.toml")


def examine(db: Path | None = None, *, now: dt.datetime | None = None) -> list[Finding]:
    """Every check of the installation whose database is db (config.db_path() by default), read-only."""
    db = Path(db or config.db_path())
    now = now or dt.datetime.now()
    if not db.is_file():
        return [Finding("Database", PROBLEM, f"There is no database at {db}.",
                        "Run `make run` (with the demo), or `python -m dashboard setup --no-demo` for a real "
                        "installation; or set ANCHOR_DB to the database file in use.")]
    con, opened = _open(db)
    findings = [opened]
    if con is not None:
        try:
            findings += _database(con.cursor(), db, now)
        finally:
            con.close()
    findings.append(_disk(db))
    return findings


def exit_code(findings: list[Finding]) -> int:
    """1 when any finding is a problem, else 0 (warnings alone pass)."""
    return 1 if any(f.status == PROBLEM for f in findings) else 0


def heading(db: Path | None = None) -> str:
    """The product's version and the database in use, printed before the findings."""
    return f"Anchor Impact {dashboard.__version__}\nDatabase: {Path(db or config.db_path())}"


def render(findings: list[Finding], width: int = 100) -> str:
    """The findings as a short list to read: status, check, what was found, and on the next line what to run."""
    label = {OK: "ok", WARNING: "warning", PROBLEM: "PROBLEM"}
    lines = []
    for f in findings:
        lines.append(_wrap(f"{label[f.status]:<8}{f.check}: {f.found}", width, "", " " * 8))
        if f.fix:
            lines.append(_wrap(f"To fix: {f.fix}", width, " " * 8, " " * 16))
    problems = sum(f.status == PROBLEM for f in findings)
    warnings = sum(f.status == WARNING for f in findings)
    if problems:
        lines.append(f"\n{_count(problems, 'problem')} and {_count(warnings, 'warning')}: fix the problems first.")
    else:
        lines.append(f"\nNo problems; {_count(warnings, 'warning')}.")
    return "\n".join(lines)


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    """text wrapped to width, never inside a `command`, so each command can be copied from one line."""
    protected = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    wrapped = textwrap.fill(protected, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False,
                            break_long_words=False)
    return wrapped.replace("\0", " ")


# --- opening the database, read-only --------------------------------------------------------------------------------

def _open(db: Path) -> tuple[duckdb.DuckDBPyConnection | None, Finding]:
    """A read-only connection (waiting for another process's lock as store.connect does) and the finding."""
    deadline = time.monotonic() + config.lock_wait_s()
    while True:
        try:
            con = duckdb.connect(str(db), read_only=True)
            return con, Finding("Database", OK, f"{db.name} opens ({_size(_bytes(db))}); checked read-only.")
        except duckdb.Error as exc:
            if store._is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            if store._is_lock_error(exc):
                return None, Finding("Database", PROBLEM, "It could not be checked. " + store._busy_message(db),
                                     "Run `python -m dashboard doctor` again when the other program has finished.")
            return None, Finding("Database", PROBLEM, f"The file {db} does not open as a database: {_why(exc, db)}. "
                                 "The dashboard and every command will fail on it.", RESTORE_FIX.format(db=db))


def _why(exc: Exception, db: Path) -> str:
    text = str(exc)
    if "not a valid DuckDB database" in text:
        return "it is not a DuckDB database file, or its first bytes are damaged"
    if "Could not read enough bytes" in text:
        return "it is cut short (the file ends before the database does)"
    return "it is damaged (" + text.replace(str(db), db.name).splitlines()[0] + ")"


def _database(cur: duckdb.DuckDBPyConnection, db: Path, now: dt.datetime) -> list[Finding]:
    def schema() -> tuple[list[Finding], bool]:
        finding, current = _schema(cur)
        return [finding], current

    findings, current = _guarded("Schema", db, schema)
    findings += _guarded("Tables", db, lambda: ([_tables(cur, db)], True))[0]
    if not current:
        return findings  # the other checks' queries are this release's: they need its schema
    checks: dict[str, Callable[[], list[Finding]]] = {
        "Reference data": lambda: [_reference_data(cur, now)],
        "Registers": lambda: [_registers(cur, now)],
        "Submissions": lambda: [_submissions(cur)],
        "Summaries": lambda: [_summaries(cur)],
        "Backup": lambda: [_backup(cur, now)],
        "Retention": lambda: [_retention(cur, now)],
        "Accounts": lambda: _sign_in(cur),
    }
    for name, check in checks.items():
        findings += _guarded(name, db, lambda check=check: (check(), True))[0]
    return findings


def _guarded(name: str, db: Path, check: Callable[[], tuple[list[Finding], bool]]) -> tuple[list[Finding], bool]:
    """check(): (findings, whether to go on); a problem finding instead when the database does not answer it."""
    try:
        return check()
    except (store.StoreError, duckdb.Error) as exc:
        reason = str(exc).replace(str(db), db.name).splitlines()[0]
        return [Finding(name, PROBLEM, f"It could not be checked: the database did not answer ({reason}).",
                        RESTORE_FIX.format(db=db))], False


# --- the checks -------------------------------------------------------------------------------------------------------

def _schema(cur: duckdb.DuckDBPyConnection) -> tuple[Finding, bool]:
    """The migrations applied against this release's: (finding, whether the schema is this release's)."""
    tables = set(store.run(cur, "backup_tables")["table_name"])
    if "schema_migration" not in tables:
        if not tables:
            return Finding("Schema", PROBLEM, "The database holds no tables: it was never set up.",
                           "Run `make run`, or `python -m dashboard setup --no-demo` for a real installation."), False
        return Finding("Schema", PROBLEM, "The database has no record of its migrations (no schema_migration "
                       "table): it was not made by Anchor Impact.",
                       "Set ANCHOR_DB to the product's database file, or restore one from a backup (README, "
                       "\"Backups and restores\")."), False
    applied = set(store.run(cur, "doctor_schema_versions")["version"].astype(int))
    known = {int(path.name[:3]): path.name
             for path in sorted((config.QUERIES_DIR / "migrations").glob("[0-9][0-9][0-9]_*.sql"))}
    newer = applied - known.keys()
    if newer:
        return Finding("Schema", PROBLEM, f"The database was made by a newer release of Anchor Impact (schema version "
                       f"{max(newer)}; this release, {dashboard.__version__}, knows up to {max(known)}). This release "
                       "refuses to open it and leaves it unchanged; the other checks were not run.",
                       "Upgrade the product to the release that made the database, or a later one."), False
    pending = [known[v] for v in sorted(known.keys() - applied)]
    if pending:
        return Finding("Schema", WARNING, f"{_count(len(pending), 'migration')} of this release not applied yet: "
                       f"{', '.join(pending)}. The dashboard or the next command applies them as it opens the "
                       "database, each whole or not at all; the other checks need them and were not run.",
                       "Stop the dashboard and copy the database file somewhere safe, then run `python -m dashboard "
                       "refdata status` (it applies them) and `python -m dashboard doctor` again."), False
    return Finding("Schema", OK, f"Version {max(applied)}: every migration of this release is applied."), True


def _tables(cur: duckdb.DuckDBPyConnection, db: Path) -> Finding:
    unreadable, rows = [], 0
    names = store.run(cur, "backup_tables")["table_name"].tolist()
    for name in names:
        try:
            rows += int(store.run(cur, "backup_table_rows", table_name=name).iloc[0, 0])
        except store.QueryError as exc:
            unreadable.append(f"{name} ({str(exc).replace(str(db), db.name).splitlines()[0]})")
    if unreadable:
        return Finding("Tables", PROBLEM, f"{_count(len(unreadable), 'table')} could not be read: "
                       f"{_listed(unreadable)}.", RESTORE_FIX.format(db=db))
    return Finding("Tables", OK, f"All {len(names)} tables read: {rows:,} rows.")


def _reference_data(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> Finding:
    status = refdata.status(cur)
    releases = {r["imd_release"]: r for r in status["releases"]}
    loaded = [f"{name} ({int(r['lsoa_count']):,} LSOAs of {r['lsoa_vintage']})" for name, r in releases.items()
              if name in figures.IMD_RELEASES]
    missing = [name for name in figures.IMD_RELEASES if name not in releases]
    empty = [table for table, count in status["row_counts"].items() if count == 0]
    nations = [r["index_name"] for r in status["nation_indices"]]
    when = ""
    if status["loaded_at"]:
        loaded_at = pd.Timestamp(status["loaded_at"]).to_pydatetime()
        when = (f"; loaded {loaded_at:%-d %B %Y} ({_ago((now - loaded_at).days)}) from "
                f"{_count(len(status['sources']), 'source dataset')}")
    found = ("IoD releases loaded: " + (" and ".join(loaded) or "none")
             + (f"; Wales's and Scotland's indices: {', '.join(nations)}" if nations else "") + when + ".")
    if missing or empty:
        gaps = ([f"IoD release{'s' if len(missing) > 1 else ''} not loaded: {', '.join(missing)}"] if missing else []) \
            + ([f"empty reference table{'s' if len(empty) > 1 else ''}: {', '.join(empty)}"] if empty else [])
        return Finding("Reference data", PROBLEM, f"Reference data is missing ({'; '.join(gaps)}): the figures cannot "
                       f"be grouped by deprivation, and uploads cannot be placed. {found}", REFDATA_FIX)
    return Finding("Reference data", OK, found)


def _registers(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> Finding:
    loaded = registers.status(cur)
    if not loaded:
        return Finding("Registers", WARNING, "No registers are loaded (Companies House, the charity registers): "
                       "spend that names its supplier but gives no postcode stays of unknown location unless the "
                       "network's supplier list places it.",
                       "Run `python -m dashboard registers fetch` to download and load them, or `python -m dashboard "
                       "registers load FILE [FILE ...]` with the files as published.")
    parts, stale = [], []
    for r in loaded:
        released = dt.date.fromisoformat(r["release_date"])
        days = (now.date() - released).days
        if days > REGISTERS_STALE_DAYS:
            stale.append(r["title"])
        parts.append(f"{r['title']} of {released:%-d %B %Y} ({days} days old, {r['entries']:,} organisations"
                     + (", synthetic demo data" if r["synthetic"] else "") + ")")
    held = {r["register"] for r in loaded}
    absent = [registers.TITLES[key] for key in EXPECTED_REGISTERS if key not in held]
    found = "; ".join(parts) + "."
    if not absent and not stale:
        return Finding("Registers", OK, found)
    notes = ([f"Not loaded: {', '.join(absent)}."] if absent else []) \
        + ([f"Older than six months: {', '.join(stale)}; suppliers that moved or started since are placed by the "
            "old register or not at all."] if stale else [])
    return Finding("Registers", WARNING, f"{found} {' '.join(notes)}",
                   "Run `python -m dashboard registers fetch` for this month's files, or `python -m dashboard "
                   "registers load FILE [FILE ...]` with the files as published.")


def _submissions(cur: duckdb.DuckDBPyConnection) -> Finding:
    short_df = store.run(cur, "doctor_submissions_not_whole")
    if short_df.empty:
        return Finding("Submissions", OK, "Every active submission holds the rows it recorded when it was accepted.")
    named = []
    for r in short_df.itertuples():
        held = f"holds {int(r.rows_held):,}"
        if not pd.isna(r.rows_summed) and int(r.rows_summed) != int(r.row_count):
            held += f" (its monthly sums count {int(r.rows_summed):,})"
        named.append(f"submission {r.submission_id} of {r.network_id}/{r.institution_id}, {r.kind} {r.quarter} "
                     f"('{r.file_name}'): {int(r.row_count):,} rows accepted, {held}")
    return Finding("Submissions", PROBLEM, f"{_count(len(short_df), 'active submission')} not whole: "
                   f"{_listed(named)}. Their figures are wrong.",
                   "Stop the dashboard and restore the last good backup (README, \"Backups and restores\"), then "
                   "have the files uploaded since the backup sent again.")


def _summaries(cur: duckdb.DuckDBPyConnection) -> Finding:
    network_ids = store.run(cur, "networks")["network_id"].tolist()
    differing = {n: len(summaries.check(cur, n)) for n in network_ids}
    wrong = [f"{n} ({_count(count, 'row')})" for n, count in differing.items() if count]
    if wrong:
        return Finding("Summaries", PROBLEM, f"The figures' summaries differ from a recalculation from the rows for "
                       f"{_count(len(wrong), 'network')}: {_listed(wrong)}. The pages show wrong figures for them.",
                       "Run `python -m dashboard cluster`: it writes every network's summaries again from its rows "
                       "(uploads carry on meanwhile).")
    return Finding("Summaries", OK, f"The figures' summaries of {_count(len(network_ids), 'network')} equal a "
                   "recalculation from their rows.")


def _backup(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> Finding:
    taken = backup.last_backup(cur)
    if taken is None:
        return Finding("Backup", WARNING, "No backup of this database has been taken (none in its audit log).",
                       BACKUP_FIX)
    days = (now - taken) / dt.timedelta(days=1)
    found = f"The last backup was taken {taken:%-d %B %Y at %H:%M} ({_ago(int(days))})."
    if days > BACKUP_STALE_DAYS:
        return Finding("Backup", WARNING, f"{found} Backups are due every night.", BACKUP_FIX)
    return Finding("Backup", OK, found)


def _retention(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> Finding:
    rules = retention.rules(cur, on_date=now.date())
    overdue = [f"{r['network_id']} ({_count(r['records_due'], 'record')})" for r in rules if r["records_due"]]
    without = [r["network_id"] for r in rules if r["keep_years"] is None]
    kept = f" Without a rule, records are kept until deleted: {_listed(without)}." if without else ""
    if overdue:
        return Finding("Retention", WARNING, f"Participants' records past the network's retention rule are still held "
                       f"in {_listed(overdue)}.{kept}",
                       "Run `python -m dashboard retention apply`, and nightly from cron (README, \"Retention\"): "
                       "every figure is kept.")
    if len(without) == len(rules):
        return Finding("Retention", OK, "No network has a retention rule: participants' records are kept until "
                       "deleted (README, \"Retention\").")
    return Finding("Retention", OK, f"{_count(len(rules) - len(without), 'network')} with a retention rule, none "
                   f"holding records past it.{kept}")


def _sign_in(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    admins = store.run(cur, "app_admins")["email"].tolist()
    users_df = store.run(cur, "app_users", network_id=None)
    active = int((~users_df["disabled"].astype(bool)).sum())
    if admins:
        accounts = Finding("Accounts", OK, f"{_count(active, 'active account')}, of which "
                           f"{_count(len(admins), 'administrator')}: {_listed(admins)}.")
    else:
        accounts = Finding("Accounts", PROBLEM, f"No active administrator account ({_count(active, 'active account')} "
                           "in all): nobody can create networks or manage the accounts of every network.",
                           "Run `python -m dashboard user add --email EMAIL --role admin` (it asks for the password).")
    configured, where, unreadable = _sso_configured()
    networks_df = store.run(cur, "networks")
    domains = {n: store.run(cur, "network_sso_domains", network_id=n)["domain"].tolist()
               for n in networks_df["network_id"]}
    claimed = [f"{n} ({', '.join(d)})" for n, d in domains.items() if d]
    if configured:
        sso = Finding("Single sign-on", OK, f"Configured ([auth] in {where})"
                      + (f"; networks admitting email domains: {_listed(claimed)}." if claimed else "."))
    elif unreadable:
        sso = Finding("Single sign-on", WARNING, f"{where} cannot be read ({unreadable}): single sign-on does not "
                      "work until it can.", SSO_FIX)
    elif claimed:
        sso = Finding("Single sign-on", WARNING, f"Not configured (no [auth] section in .streamlit/secrets.toml), "
                      f"yet {_count(len(claimed), 'network')} admit email domains by it: {_listed(claimed)}. People "
                      "of those domains cannot sign in.", SSO_FIX)
    else:
        sso = Finding("Single sign-on", OK, "Not configured, and no network admits an email domain by it: accounts "
                      "sign in with their passwords.")
    return [accounts, sso]


def _sso_configured() -> tuple[bool, str, str]:
    """(whether a secrets file has an [auth] section, which file, why a file could not be read)."""
    for path in secrets_files():
        if not path.is_file():
            continue
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            return False, str(path), str(exc).splitlines()[0]
        if "auth" in secrets:
            return True, str(path), ""
    return False, "", ""


def _disk(db: Path) -> Finding:
    size = _bytes(db)
    free = shutil.disk_usage(db.parent).free
    found = f"{_size(free)} free on the disk holding the database, which takes {_size(size)}."
    fix = ("Free some space on that disk, or move the database to a larger one (stop the dashboard, move the file "
           "and set ANCHOR_DB to its new place).")
    if free < size:
        return Finding("Disk space", PROBLEM, f"{found} Less than the database itself: a reference-data load, "
                       "`cluster` or a backup beside it may fail for want of room.", fix)
    if free < 2 * size:
        return Finding("Disk space", WARNING, f"{found} Less than twice the database: a reference-data load or "
                       "`cluster` may run out of room.", fix)
    return Finding("Disk space", OK, found)


# --- words and numbers -----------------------------------------------------------------------------------------------

def _bytes(db: Path) -> int:
    """The database's size on disk: its file and its write-ahead log, if any."""
    wal = db.with_name(db.name + ".wal")
    return db.stat().st_size + (wal.stat().st_size if wal.is_file() else 0)


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _ago(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")

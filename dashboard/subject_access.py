"""Data-subject requests: the right of access. Every record held about one participant, by reference, as CSV.

The erasure beside it is dashboard/erasure.py. Both are asked by the reference the institution uploaded; the audit
log records that an export happened, for which institution and how many records, never the reference.
"""

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard import access, audit, problems, store

# The columns about the submission each record came from; every column of the participant table follows them.
SUBMISSION_COLUMNS = ("submission_id", "file_name", "quarter", "committed_at", "submission_status")


def export(scope: access.Scope, network_id: str, institution_id: str, participant_ref: str,
           db: Path | None = None) -> pd.DataFrame:
    """Every row held about a participant in one institution's submissions, active and superseded, in one read.

    One row per record: the submission it came from (SUBMISSION_COLUMNS), then every column of the participant
    table as stored. Empty when the reference matches nothing. Refused (access.Denied) outside the scope's
    row-level reach: a partner for their own institution, a coordinator in their network, an administrator.
    The audit log records the export, the institution and the count, in the same transaction as the read.
    """
    access.require_rows(scope, network_id, institution_id)
    ref = str(participant_ref or "").strip()
    if not ref:
        raise store.StoreError("Give the participant's reference, as in the institution's uploads.")

    def read(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        if store.run(cur, "institution_lookup", network_id=network_id, institution_id=institution_id).empty:
            raise store.StoreError(f"'{institution_id}' is not an institution of network '{network_id}'")
        rows = store.run(cur, "participant_export", network_id=network_id, institution_id=institution_id,
                         participant_ref=ref)
        audit.record(cur, scope, "participant.export", network_id, institution_id,
                     {"rows": len(rows), "submissions": sorted({int(s) for s in rows["submission_id"]})})
        return rows

    return store.write(read, db)


def nothing_found(network_id: str, institution_id: str) -> str:
    """What to say when a reference matches no record."""
    return (f"No records with that reference in institution '{institution_id}' of network '{network_id}'; nothing "
            "was exported. References are matched exactly as the institution uploaded them (letters, digits, "
            "upper and lower case); the records may also have been deleted. The request is in the audit log.")


def _cell(value: Any, date_only: bool = False) -> object:
    """One value as the CSV shows it: dates ISO, flags Yes/No, nothing for null, text safe for a spreadsheet."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if date_only else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return problems.safe_for_spreadsheet(value)


def to_csv(rows: pd.DataFrame) -> bytes:
    """The export as CSV for Excel (UTF-8 with a byte-order mark, so any accent shows), one line per record."""
    date_only = [c != "committed_at" for c in rows.columns]  # the participant's dates are days
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows.columns)
    for record in rows.itertuples(index=False):
        writer.writerow([_cell(v, d) for v, d in zip(record, date_only, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def save(rows: pd.DataFrame, out: Path) -> Path:
    """Write the export's CSV to out whole (never half a file); return the path written."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(to_csv(rows))
    partial.replace(out)
    return out

"""Who has sent what: each institution's submissions by dataset and quarter, and what is still missing."""

import datetime as dt

import duckdb
import pandas as pd

from dashboard import access, contract, parsing, store

RECENT_QUARTERS = 8
MISSING = "Missing"
NEVER_SENT = "none sent yet"  # the institution may run no scheme of that kind: not flagged as missing
KIND_LABELS = {"participants": "Participants", "spend": "Spend"}


def last_complete_quarter(today: dt.date | None = None) -> str:
    """The latest calendar quarter that has ended by today: on 24 November 2026, 2026Q3."""
    return parsing.shift_quarter(parsing.quarter_of(today or dt.date.today()), -1)


def recent_quarters(last: str, n: int = RECENT_QUARTERS) -> list[str]:
    """The n quarters ending with last, oldest first."""
    return [parsing.shift_quarter(last, i - n + 1) for i in range(n)]


def board(con: duckdb.DuckDBPyConnection, network_id: str, quarters: list[str], *,
          scope: access.Scope) -> pd.DataFrame:
    """One row per institution, dataset kind and quarter, with the active submission or nulls if missing."""
    access.require_manage(scope, network_id)
    return store.run(con, "submission_board", network_id=network_id, kinds=list(contract.KINDS),
                     quarters=[parsing.parse_quarter(q) for q in quarters])


def history(con: duckdb.DuckDBPyConnection, network_id: str, institution_id: str | None = None, *,
            scope: access.Scope) -> pd.DataFrame:
    """Every submission of the network (or one institution), newest first, active and superseded."""
    access.require_rows(scope, network_id, institution_id)
    return store.run(con, "submission_history", network_id=network_id, institution_id=institution_id)


def _sent(row: pd.Series) -> str:
    if pd.isna(row["submission_id"]):
        return MISSING
    rows = int(row["row_count"])
    return f"{rows:,} row{'' if rows == 1 else 's'} · {pd.Timestamp(row['submitted_at']):%-d %b}"


def grid(board_df: pd.DataFrame, kind: str, year_start: str = "calendar") -> pd.DataFrame:
    """One dataset's board: an Institution column, then one column per quarter ('Jul–Sep 2026').

    A cell says how many rows the file now counted holds and the day it was sent ('68 rows · 3 Oct'),
    'Missing', or NEVER_SENT where the institution has never sent this dataset.
    """
    part = board_df[board_df["kind"] == kind]
    quarters = sorted(part["quarter"].unique())
    cells = part.assign(cell=part.apply(_sent, axis=1) if not part.empty else pd.Series(dtype=str))
    sent = cells["submission_id"].notna() | cells["last_quarter_sent"].notna()
    ever = sent.groupby(cells["institution_name"]).transform("any")
    cells.loc[~ever.astype(bool), "cell"] = NEVER_SENT
    wide = cells.pivot(index="institution_name", columns="quarter", values="cell")
    wide = wide.reindex(columns=quarters).rename(columns=lambda q: parsing.quarter_label(q, year_start))
    wide.columns.name = None
    return wide.rename_axis("Institution").reset_index()


def missing(board_df: pd.DataFrame, quarter: str, year_start: str = "calendar") -> pd.DataFrame:
    """Files missing for one quarter: institution, dataset, the last quarter sent ('Never'), and whether ever sent.

    An institution that never sent a dataset may run no scheme of that kind: those come last.
    """
    gaps = board_df[(board_df["quarter"] == quarter) & board_df["submission_id"].isna()]
    sent_before = gaps["last_quarter_sent"].notna().tolist()
    return pd.DataFrame({
        "Institution": gaps["institution_name"].tolist(),
        "Dataset": [KIND_LABELS[k] for k in gaps["kind"]],
        "Last sent": [parsing.quarter_label(q, year_start) if isinstance(q, str) else "Never"
                      for q in gaps["last_quarter_sent"]],
        "sent_before": sent_before,
    }).sort_values("sent_before", ascending=False, kind="stable").reset_index(drop=True)


def history_table(history_df: pd.DataFrame, year_start: str = "calendar") -> pd.DataFrame:
    """The submission history for display: plain column names, datasets and quarters in words."""
    return pd.DataFrame({
        "Submission": history_df["submission_id"].astype(int),
        "Institution": history_df["institution_name"],
        "Dataset": history_df["kind"].map(KIND_LABELS),
        "Quarter": history_df["quarter"].map(lambda q: parsing.quarter_label(q, year_start)),
        "File": history_df["file_name"],
        "Sent": pd.to_datetime(history_df["submitted_at"]),
        "Sent by": history_df["submitted_by"],
        "Rows": history_df["row_count"].astype(int),
        "Total £": history_df["total_gbp"].astype(float),
        "Status": history_df["status"].str.capitalize(),
        "Replaced by": history_df["superseded_by"].astype("Int64"),
        "SHA-256": history_df["sha256"],
    })

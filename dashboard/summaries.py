"""The figures' summaries (table area_month): each submission's people and payments summed per month and area group.

The headline figures and deciles read these rows, not the people and payments. They are written in the
transaction of every change they depend on, through the functions here: a submission's rows when it is committed,
a network's when its people are erased, its supplier register or register matches change, or its districts
change, and every network's when the reference data or the national registers are loaded. check() recalculates
them from the rows and lists any difference.
"""

from collections.abc import Iterable

import duckdb
import pandas as pd

from dashboard import figures, store


def _releases() -> list[str]:
    return list(figures.IMD_RELEASES)


def add_submission(cur: duckdb.DuckDBPyConnection, network_id: str, submission_id: int) -> None:
    """Write one newly committed submission's summary rows, in the caller's transaction."""
    store.run(cur, "area_month_claim", network_id=network_id)
    store.run(cur, "area_month_delete", network_id=network_id, submission_id=submission_id)
    store.run(cur, "area_month_insert", network_id=network_id, submission_id=submission_id, releases=_releases())


def rebuild(cur: duckdb.DuckDBPyConnection, network_ids: Iterable[str] | None = None) -> None:
    """Rewrite the summaries of the networks given (every network by default), in the caller's transaction."""
    if network_ids is None:
        network_ids = store.run(cur, "area_month_networks")["network_id"].tolist()
    for network_id in dict.fromkeys(network_ids):
        store.run(cur, "area_month_claim", network_id=network_id)
        store.run(cur, "area_month_delete", network_id=network_id, submission_id=None)
        store.run(cur, "area_month_insert", network_id=network_id, submission_id=None, releases=_releases())


def check(con: duckdb.DuckDBPyConnection, network_id: str) -> pd.DataFrame:
    """The network's summary rows that differ from a recalculation from its people and payments (none if right)."""
    return store.run(con, "area_month_check", network_id=network_id, releases=_releases())

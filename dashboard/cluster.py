"""Each network's rows kept together, so its figures read its own blocks of rows and skip everyone else's.

Uploads append rows in the order they arrive: quarter by quarter, partner by partner, network after network. At
national scale every block of rows (DuckDB keeps a minimum and maximum of each column per block of about 120,000
rows) then holds many networks, and a small network's figures scan the whole table. Rewriting each network's
people and monthly payment sums together, in date order, and then its summaries (dashboard/summaries.py), lets
every read of one network and one period skip the blocks that cannot hold it (every figure's query names the
network on the rows themselves).

`python -m dashboard cluster`, nightly (README: Running it for real): one transaction per network and table, so
uploads carry on meanwhile, a crash leaves every row where it was or where it is going, never both or neither,
and the figures never change (tests/test_cluster.py).
"""

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import access, audit, store, summaries

# The tables every figure reads, and the queries that hold one network's rows in date order, delete them and
# write them back.
TABLES = {
    "participant": ("cluster_participant_hold", "cluster_participant_delete", "cluster_participant_write"),
    "spend_month": ("cluster_spend_month_hold", "cluster_spend_month_delete", "cluster_spend_month_write"),
}


@dataclass(frozen=True)
class Clustered:
    networks: int
    rows: int
    seconds: float


def _rewrite(cur: duckdb.DuckDBPyConnection, table: str, network_id: str) -> int:
    hold, delete, write = TABLES[table]
    store.run(cur, hold, network_id=network_id)
    deleted = store.run(cur, delete, network_id=network_id)
    written = store.run(cur, write)
    held = int(deleted.iloc[0, 0])
    if int(written.iloc[0, 0]) != held:  # never: the same rows in the same transaction
        raise store.StoreError(f"cluster: {held} {table} rows of {network_id} taken out but not all written back")
    store.run(cur, "cluster_rows_drop")
    return held


def cluster(scope: access.Scope, db: Path | None = None) -> Clustered:
    """Rewrite each network's rows of TABLES together, in date order; audited. Returns what was rewritten."""
    access.require_admin(scope)
    started = time.perf_counter()
    with store.connect(db) as con:
        counts = store.run(con.cursor(), "cluster_row_counts")
    rows = 0
    for row in counts.itertuples():
        for table in TABLES:
            if getattr(row, "participants" if table == "participant" else "spend_months"):
                rows += store.write(lambda cur, t=table, n=row.network_id: _rewrite(cur, t, n), db)
        # Its summaries written again, together (uploads append them where they arrive).
        store.write(lambda cur, n=row.network_id: summaries.rebuild(cur, [n]), db)

    audit.note(scope, "cluster", detail={"networks": len(counts), "rows": rows}, db=db)
    with store.connect(db) as con:
        store.run(con.cursor(), "checkpoint")  # blocks left empty by the rewrite are freed
    return Clustered(len(counts), rows, time.perf_counter() - started)

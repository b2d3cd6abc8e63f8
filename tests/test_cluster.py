"""`python -m dashboard cluster` puts each network's rows together and changes no figure, however it is stopped."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from dashboard import access, cluster, config, figures, reports, store

SELECTIONS = [figures.Selection("birmingham", "2024Q4", "2026Q3"),
              figures.Selection("birmingham", "2025Q3", "2025Q3", imd_release="IoD2019"),
              figures.Selection("london", "2025Q1", "2026Q2")]


def _everything(db: Path) -> dict:
    """Every section of every selection, the rows of each table, as JSON text (generated_at left out)."""
    out = {}
    with store.connect(db) as con:
        cur = con.cursor()
        for sel in SELECTIONS:
            doc = reports.full(cur, sel)
            doc.pop("generated_at")
            out[repr(sel)] = json.loads(json.dumps(doc, default=str))
        for table in cluster.TABLES:
            out[table] = cur.execute(f"select count(*), sum(hash(columns(*))) from {table}").fetchall()  # noqa: S608
    return out


def _runs(db: Path, table: str) -> int:
    """How many runs of one network the table's rows make in their stored order (1 per network when together)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"""
            select count(*) from (
                select network_id, lag(network_id) over (order by rowid) as before from {table}
            ) where before is distinct from network_id""").fetchone()[0]  # noqa: S608


def _interleave(db: Path) -> None:
    """Put the rows in the order uploads leave them at scale: networks interleaved."""
    with duckdb.connect(str(db)) as con:
        for table in cluster.TABLES:
            con.execute(f"create temp table t as select * from {table} order by hash(submission_id, rowid)")  # noqa: S608
            con.execute(f"delete from {table}")  # noqa: S608
            con.execute(f"insert into {table} select * from t")  # noqa: S608
            con.execute("drop table t")


def test_each_networks_rows_are_put_together_and_no_figure_changes(demo_db):
    _interleave(demo_db)
    before = _everything(demo_db)
    networks = len(store.run(duckdb.connect(str(demo_db), read_only=True).cursor(), "networks"))
    assert all(_runs(demo_db, table) > 10 * networks for table in cluster.TABLES)

    done = cluster.cluster(access.system(), demo_db)

    assert done.networks == networks and done.rows > 0
    assert all(_runs(demo_db, table) == networks for table in cluster.TABLES)
    after = _everything(demo_db)
    assert after == before, list(_diff(before, after))[:10]
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("select count(*) from audit_log where action = 'cluster'").fetchone()[0] == 1


def test_cluster_may_only_be_run_by_an_administrator(demo_db):
    coordinator = access.Scope("coordinator@example.org", "coordinator", network_id="birmingham")
    try:
        cluster.cluster(coordinator, demo_db)
    except access.Denied:
        pass
    else:
        raise AssertionError("a coordinator ran cluster")


def test_killed_at_any_moment_no_row_is_lost_or_doubled(demo_db):
    # SIGKILL the command at random moments: every figure and every row is still exactly what it was, and a
    # run to the end still puts the rows together.
    _interleave(demo_db)
    before = _everything(demo_db)
    rng = random.Random(1206)
    env = {**os.environ, "ANCHOR_DB": str(demo_db), "PYTHONPATH": str(config.REPO_DIR)}
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "cluster"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 4.0))  # past start-up, into the rewriting
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _everything(demo_db) == before
    done = subprocess.run([sys.executable, "-m", "dashboard", "cluster"], env=env, capture_output=True, text=True,
                          check=True)
    assert "every figure is unchanged" in done.stdout
    assert _everything(demo_db) == before


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            yield from _diff(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {a!r} != {b!r}"

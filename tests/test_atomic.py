"""A submission lands whole or not at all, even when the ingest process is killed mid-way."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from dashboard import config, store
from tests import tiny

ROWS = 20_000


@pytest.fixture
def big_spend_file(tmp_path):
    path = tmp_path / "spend_big.csv"
    lines = ["supplier_name,supplier_postcode,amount_gbp,payment_date"]
    for i in range(ROWS):
        lines.append(f"Supplier {i % 500},{'B1 1AA' if i % 2 else ''},{(i % 997) + 0.25:.2f},{1 + i % 28:02d}/02/2025")
    path.write_text("\n".join(lines) + "\n")
    return path


def _state(db):
    with store.connect(db) as con:
        subs = store.run(con.cursor(), "submissions_of_network", network_id="tiny")
        rows = con.cursor().execute(
            "select submission_id, count(*) as spend_rows from spend group by submission_id").df()
    return subs, dict(zip(rows["submission_id"], rows["spend_rows"], strict=True))


@pytest.mark.slow
def test_killing_ingest_at_random_moments_never_leaves_half_a_submission(tmp_path, big_spend_file):
    db = tiny.build(tmp_path / "tiny.duckdb")
    rng = random.Random(7)
    landed = 0
    for attempt in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "ingest", "--network", "tiny", "--institution", "council",
             "--kind", "spend", "--quarter", f"2025Q{1 + attempt % 4}", str(big_spend_file)],
            cwd=config.REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        subs, rows = _state(db)
        # Every recorded submission holds all of its rows; none holds part of them.
        for sub in subs.itertuples():
            assert rows.get(sub.submission_id, 0) == sub.row_count == ROWS
        assert set(rows) <= set(subs["submission_id"])
        landed = len(subs)
    assert landed <= 6


def test_duckdb_is_held_to_the_memory_limit_and_a_wrong_one_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("ANCHOR_DB_MEMORY", raising=False)
    db = tmp_path / "limited.duckdb"
    with store.connect(db) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"  # 1GB
    monkeypatch.setenv("ANCHOR_DB_MEMORY", "512MB")
    with store.connect(db) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "488.2 MiB"
    monkeypatch.setenv("ANCHOR_DB_MEMORY", "plenty")
    with pytest.raises(store.StoreError, match="ANCHOR_DB_MEMORY is 'plenty': give an amount such as 1GB"):
        with store.connect(db):
            pass

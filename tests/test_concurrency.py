"""Several partners uploading at once: every submission lands whole, none is lost or half applied."""

import os
import subprocess
import sys
import threading

from dashboard import config, ingest, store
from tests import tiny

HEADER = "supplier_name,supplier_postcode,amount_gbp,payment_date\n"


def _spend_file(path, n, amount):
    path.write_text(HEADER + "".join(f"Supplier {i},B1 1AA,{amount:.2f},{1 + i % 28:02d}/02/2025\n" for i in range(n)))
    return path


def _counts(db):
    with store.connect(db) as con:
        cur = con.cursor()
        subs = store.run(cur, "submissions_of_network", network_id="tiny")
        rows = cur.execute("select submission_id, count(*) as n, sum(amount_gbp) as total "
                           "from spend group by submission_id").df()
    return subs, {r.submission_id: (r.n, r.total) for r in rows.itertuples()}


def test_concurrent_processes_all_land(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    jobs = []
    for i, (institution, quarter) in enumerate([("council", "2025Q1"), ("trust", "2025Q1"),
                                                ("council", "2025Q2"), ("trust", "2025Q2")]):
        path = _spend_file(tmp_path / f"spend_{i}.csv", 3000, 10 + i)
        jobs.append(subprocess.Popen(
            [sys.executable, "-m", "dashboard", "ingest", "--network", "tiny", "--institution", institution,
             "--kind", "spend", "--quarter", quarter, str(path)],
            cwd=config.REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    results = [job.communicate(timeout=120) + (job.returncode,) for job in jobs]
    assert all(code == 0 for _, _, code in results), results
    subs, rows = _counts(db)
    assert len(subs) == 4 and set(subs["status"]) == {"active"}
    assert sorted(n for n, _ in rows.values()) == [3000] * 4
    assert sorted(float(total) for _, total in rows.values()) == [30000.0, 33000.0, 36000.0, 39000.0]


def test_concurrent_threads_with_a_race_to_supersede(tmp_path):
    db = tiny.build(tmp_path / "tiny.duckdb")
    # Three threads send the same institution's 2025Q1 spend (a race to supersede) and two send others.
    plan = [("council", "2025Q1", 11), ("council", "2025Q1", 12), ("council", "2025Q1", 13),
            ("trust", "2025Q1", 14), ("trust", "2025Q3", 15)]
    errors, receipts = [], []
    start = threading.Barrier(len(plan))

    def send(institution, quarter, amount):
        path = _spend_file(tmp_path / f"spend_{amount}.csv", 2000, amount)
        start.wait()
        try:
            receipts.append(ingest.ingest("tiny", institution, "spend", quarter, path, db=db))
        except Exception as exc:  # any failure is a lost upload
            errors.append(exc)

    threads = [threading.Thread(target=send, args=args) for args in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    subs, rows = _counts(db)
    assert len(subs) == 5  # every upload recorded
    active = subs[subs["status"] == "active"]
    # Exactly one active submission per institution and quarter; the two losers are superseded.
    assert sorted(zip(active["institution_id"], active["quarter"], strict=True)) == [
        ("council", "2025Q1"), ("trust", "2025Q1"), ("trust", "2025Q3")]
    assert (subs["status"] == "superseded").sum() == 2
    # Every submission holds all of its rows, superseded ones included.
    assert all(rows[s] == (2000, rows[s][1]) for s in subs["submission_id"])

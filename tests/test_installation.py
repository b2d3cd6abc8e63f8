"""A real installation: set-up without the demo, `demo remove` on one that had it, networks exported as YAML."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from dashboard import access, config, ingest, networks, store
from tests import tiny

REPO = Path(__file__).resolve().parent.parent


def _run(*args, db: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=REPO, env={**os.environ, **env, "ANCHOR_DB": str(db)})


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_setup_without_the_demo_makes_the_first_administrator(tmp_path, ref_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(ref_db_template, db)
    password = "a-long-first-admin-password"
    # Without the administrator's email and password, and no terminal to ask at, it says what to set.
    refused = _run("setup", "--no-demo", db=db)
    assert refused.returncode != 0 and "ANCHOR_ADMIN_EMAIL and ANCHOR_ADMIN_PASSWORD" in refused.stderr
    done = _run("setup", db=db, ANCHOR_DEMO="0", ANCHOR_ADMIN_EMAIL="Head.Of.Data@Trust.nhs.uk",
                ANCHOR_ADMIN_PASSWORD=password)
    assert done.returncode == 0, done.stderr
    assert "Created the first administrator, head.of.data@trust.nhs.uk" in done.stderr
    assert password not in done.stdout + done.stderr
    assert _rows(db, "select email, role from app_user") == [("head.of.data@trust.nhs.uk", "admin")]
    assert _rows(db, "select count(*) from network") == [(0,)]
    access.authenticate("head.of.data@trust.nhs.uk", password, db)
    # Run again: nothing more is made, and still no demo.
    again = _run("setup", db=db, ANCHOR_DEMO="0")
    assert again.returncode == 0, again.stderr
    assert _rows(db, "select count(*) from app_user") == [(1,)] and _rows(db, "select count(*) from network") == [(0,)]


def test_demo_remove_leaves_a_real_network_untouched(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    # A real network beside the demo (its districts are real ones), with an upload and a coordinator of its own.
    networks.load(tiny.TINY / "network.yaml", db)
    ingest.ingest("tiny", "trust", "spend", "2025Q1", REPO / "tests" / "data" / "suppliers" / "spend_trust_2025Q1.csv",
                  db=db)
    access.create_user(access.system(), "coordinator@tiny.example", "coordinator", "tiny-coordinator-pw-1",
                       network_id="tiny", db=db)
    tiny_before = _rows(db, "select count(*), sum(amount_gbp) from spend where network_id = 'tiny'")
    out = _run("demo", "remove", db=db)
    assert out.returncode == 0, out.stderr
    assert "Removed the demo networks birmingham, london" in out.stdout
    assert _rows(db, "select network_id from network") == [("tiny",)]
    assert _rows(db, "select email from app_user") == [("coordinator@tiny.example",)]
    for table in ("submission", "participant", "spend", "institution", "initiative", "network_lad", "user_grant",
                  "supplier_register", "register_match"):
        assert _rows(db, f"select count(*) from {table} where network_id <> 'tiny'") == [(0,)], table  # noqa: S608
    assert _rows(db, "select count(*) from register_file where synthetic") == [(0,)]
    assert _rows(db, "select count(*), sum(amount_gbp) from spend where network_id = 'tiny'") == tiny_before
    [(detail,)] = _rows(db, "select detail from audit_log where action = 'demo.remove'")
    assert "birmingham" in detail and "admin@demo.example" in detail
    # Set-up (what `make run` does) does not build the demo again here.
    again = _run("setup", db=db, ANCHOR_ADMIN_EMAIL="admin@tiny.example", ANCHOR_ADMIN_PASSWORD="tiny-admin-pw-12")
    assert again.returncode == 0, again.stderr
    assert _rows(db, "select network_id from network") == [("tiny",)]
    assert ("admin@tiny.example", "admin") in _rows(db, "select email, role from app_user")
    # Nothing left to remove the second time.
    assert "nothing was removed" in _run("demo", "remove", db=db).stdout


def test_network_export_loads_back_unchanged(tmp_path, demo_db_template):
    db = tmp_path / "anchor.duckdb"
    shutil.copyfile(demo_db_template, db)
    tables = ("network", "network_lad", "institution", "initiative", "network_access", "network_sso_domain")

    def state() -> dict[str, list[tuple]]:
        columns = {"network": "* exclude (updated_at)"}  # loading stamps the time it was loaded
        return {t: _rows(db, f"select {columns.get(t, '*')} from {t} order by all") for t in tables}  # noqa: S608

    for network_id in ("birmingham", "london"):
        out = tmp_path / f"{network_id}.yaml"
        done = _run("network", "export", network_id, "--out", out, db=db)
        assert done.returncode == 0, done.stderr
        before = state()
        networks.load(out, db)
        assert state() == before
        with store.connect(db) as con:
            assert networks.export(con.cursor(), network_id) == out.read_text(encoding="utf-8")
        original = yaml.safe_load((config.DATA_DIR / "networks" / f"{network_id}.yaml").read_text(encoding="utf-8"))
        exported = yaml.safe_load(out.read_text(encoding="utf-8"))
        assert exported["local_districts"] == sorted(original["local_districts"])
        assert {i["id"] for i in exported["institutions"]} == {i["id"] for i in original["institutions"]}
    printed = _run("network", "export", "birmingham", db=db)
    assert printed.stdout.startswith("# Network 'birmingham'") and "id: birmingham" in printed.stdout
    assert "No network 'nowhere'" in _run("network", "export", "nowhere", db=db).stderr

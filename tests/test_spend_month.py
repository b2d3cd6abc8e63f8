"""The figures read spend_month, the payments summed per submission and month: written in the commit's own
transaction, equal to a sum of the payments again at any time, and giving every figure exactly as the payments
one by one do, on random files (resubmissions, payees without a place, the supplier register changing)."""

import random
from pathlib import Path

import duckdb
import pytest

from dashboard import figures, ingest, reports, store, summaries
from tests import tiny

SUMMED_AGAIN = """
    select submission_id, network_id, institution_id, initiative_id, date_trunc('month', payment_date) as month,
        category, supplier_name, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse,
        sum(amount_gbp) as amount_gbp, count(*) as payments
    from spend group by all"""
COLUMNS = ("submission_id, network_id, institution_id, initiative_id, month, category, supplier_name, supplier_id, "
           "supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, amount_gbp, payments")
SELECTIONS = [figures.Selection("tiny", "2025Q1", "2025Q4"), figures.Selection("tiny", "2025Q2", "2025Q2"),
              figures.Selection("tiny", "2025Q1", "2025Q3", institution_id="council"),
              figures.Selection("tiny", "2025Q1", "2025Q4", initiative_id="h2h", imd_release="IoD2019")]


def _same_as_the_payments(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute(f"select {COLUMNS} from spend_month except all select {COLUMNS} from ({SUMMED_AGAIN})")  # noqa: S608
        again = con.execute(f"select {COLUMNS} from ({SUMMED_AGAIN}) except all select {COLUMNS} from spend_month")  # noqa: S608
        assert kept.fetchall() == [] and again.fetchall() == []


def test_the_demos_monthly_sums_are_its_payments_summed_again(demo_db):
    _same_as_the_payments(demo_db)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        payments, rows = con.execute("select sum(payments), count(*) from spend_month").fetchone()
        assert payments == con.execute("select count(*) from spend").fetchone()[0] and rows < payments


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_from_the_monthly_sums_is_the_figure_from_each_payment(tmp_path, reference_dir, seed):
    rng = random.Random(seed)
    db = tiny.build(tmp_path / "tiny.duckdb")
    for n in range(6):  # some quarters sent twice: the second file replaces the first
        quarter = rng.choice(["2025Q1", "2025Q2", "2025Q3", "2025Q4"])
        institution = rng.choice(["trust", "council"])
        path = tmp_path / f"spend-{n}.csv"
        tiny.random_spend_file(rng, quarter, path)
        ingest.ingest("tiny", institution, "spend", quarter, path, db=db)
    _same_as_the_payments(db)
    with store.connect(db) as con:  # the register places a payee that has no place of its own
        con.execute("insert into supplier_register (network_id, supplier_key, supplier_name, supplier_postcode, "
                    "lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, updated_at, updated_by) select 'tiny', "
                    "supplier_key('Supplier 3'), 'Supplier 3', 'B2 2BB', 'E01000002', 'E01000002', 'England', true, "
                    "false, now(), 'test'")
        summaries.rebuild(con.cursor(), ["tiny"])  # as suppliers.load does in its transaction

    def every_figure() -> list[dict]:
        with store.connect(db) as con:
            return [reports.full(con.cursor(), sel) for sel in SELECTIONS]

    summed = every_figure()
    # The same figures from one row per payment: spend_month made of the payments unsummed.
    with duckdb.connect(str(db)) as con:
        con.execute("delete from spend_month")
        con.execute("""insert into spend_month by name select submission_id, network_id, institution_id,
            initiative_id, date_trunc('month', payment_date) as month, category, supplier_name, supplier_id,
            supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, amount_gbp, 1 as payments
            from spend""")
        summaries.rebuild(con.cursor(), ["tiny"])
    one_by_one = every_figure()
    for a, b in zip(summed, one_by_one, strict=True):
        a.pop("generated_at"), b.pop("generated_at")
        assert a == b
    assert any(doc["spend_total_gbp"] for doc in summed)

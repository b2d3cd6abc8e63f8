"""The demo, recalculated independently from its generated partner files and the official IMD file."""

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from dashboard import config, postcodes, store, suppliers


@pytest.fixture(scope="module")
def imd2025(reference_dir):
    df = pd.read_excel(reference_dir / "imd2025" / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
                       sheet_name="IMD25", dtype=str)
    return dict(zip(df.iloc[:, 0], zip(df.iloc[:, 5].astype(int), df.iloc[:, 2], strict=True), strict=True))


@pytest.fixture(scope="module")
def postcode_lsoa(demo_db_template):
    with store.connect(demo_db_template) as con:
        df = con.cursor().execute("select postcode, lsoa21_code, nation from ref_postcode").df()
    return {r.postcode: (r.lsoa21_code, r.nation) for r in df.itertuples()}


def _uploads(demo_db_template, network, kind):
    folder = demo_db_template.parent / "uploads" / network
    return pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob(f"*_{kind}_*.csv"))])


def _register_postcodes(demo_db_template, network) -> dict[str, str]:
    """supplier key -> the postcode of the register entry it was matched to, read from the demo's register files."""
    folder = demo_db_template.parent / "uploads" / "registers"
    entry_postcode = {}
    for path in folder.glob("*.zip"):
        with zipfile.ZipFile(path) as archive:
            text = archive.read(archive.namelist()[0]).decode("utf-8")
        tabbed = path.name.startswith("publicextract")
        rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")
        header = [h.strip() for h in next(rows)]
        for row in rows:
            r = dict(zip(header, row, strict=True))
            if tabbed:
                entry_postcode[f"charity_commission:{r['registered_charity_number']}"] = r["charity_contact_postcode"]
            else:
                entry_postcode[f"companies_house:{r['CompanyNumber']}"] = r["RegAddress.PostCode"]
    with duckdb.connect(str(demo_db_template), read_only=True) as con:
        used = con.execute("select supplier_key, register || ':' || entity_id from register_match "
                           "where network_id = ? and status in ('automatic', 'confirmed')", [network]).fetchall()
    return {key: entry_postcode[entry] for key, entry in used}


def _report(db, *args):
    out = subprocess.run([sys.executable, "-m", "dashboard", "report", *args, "--json"], capture_output=True,
                         text=True, cwd=config.REPO_DIR, env={**os.environ, "ANCHOR_DB": str(db)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _group(postcode, postcode_lsoa, imd2025):
    lsoa, nation = postcode_lsoa[postcodes.normalise(postcode)]
    return str(imd2025[lsoa][0]) if nation == "England" else nation.lower().replace(" ", "_")


@pytest.mark.parametrize("network, initiative, first, last", [
    ("birmingham", None, "2024-10-01", "2026-09-30"),
    ("birmingham", "i-can", "2025-04-01", "2025-12-31"),
    ("london", None, "2025-01-01", "2025-03-31"),
])
def test_report_equals_an_independent_recalculation(demo_db, demo_db_template, postcode_lsoa, imd2025,
                                                    network, initiative, first, last):
    quarters = {"2024-10-01": "2024Q4", "2025-01-01": "2025Q1", "2025-04-01": "2025Q2",
                "2025-03-31": "2025Q1", "2025-12-31": "2025Q4", "2026-09-30": "2026Q3"}
    args = ["--network", network, "--from", quarters[first], "--to", quarters[last]]
    if initiative:
        args += ["--initiative", initiative]
    result = _report(demo_db, *args)

    people = _uploads(demo_db_template, network, "participants")
    if initiative:
        people = people[people["initiative"] == initiative]

    def in_range(column):
        dates = pd.to_datetime(people[column], format="%d/%m/%Y", errors="coerce")
        return (dates >= first) & (dates <= last)

    starters = people[in_range("start_date")]
    jobs = people[in_range("job_start_date")]
    assert result["participants"] == len(starters)
    assert result["jobs_filled"] == len(jobs)
    assert result["completions"] == int(in_range("completion_date").sum())
    expected = starters["home_postcode"].map(lambda p: _group(p, postcode_lsoa, imd2025)).value_counts().to_dict()
    got = {row["group"]: row["participants"] for row in result["by_decile"] if row["participants"]}
    assert got == expected
    expected_jobs = jobs["home_postcode"].map(lambda p: _group(p, postcode_lsoa, imd2025)).value_counts().to_dict()
    assert {r["group"]: r["jobs_filled"] for r in result["by_decile"] if r["jobs_filled"]} == expected_jobs

    spend = _uploads(demo_db_template, network, "spend")
    if initiative:
        spend = spend[spend["initiative"] == initiative]
    paid = pd.to_datetime(spend["payment_date"], format="%d/%m/%Y")
    spend = spend[(paid >= first) & (paid <= last)]
    amounts = spend["amount_gbp"].map(Decimal)
    assert Decimal(str(result["spend_total_gbp"])) == sum(amounts, Decimal(0))
    local_lads = {"birmingham": {"E08000025", "E08000029"},
                  "london": {"E09000002", "E09000012", "E09000025", "E09000026", "E09000030", "E09000031"}}[network]

    def is_local(postcode):
        if not postcode:
            return False
        lsoa, nation = postcode_lsoa[postcodes.normalise(postcode)]
        return nation == "England" and imd2025[lsoa][1] in local_lads

    # A payment without a postcode is placed by the register entry its supplier was matched to.
    matched = _register_postcodes(demo_db_template, network)
    placed = [p or matched.get(suppliers.supplier_key(name), "")
              for p, name in zip(spend["supplier_postcode"], spend["supplier_name"], strict=True)]
    if initiative is None:  # most of the demo's payments name a supplier the registers place
        assert sum(1 for p in spend["supplier_postcode"] if not p) > 2 * sum(1 for p in placed if not p)
    local = sum((a for a, p in zip(amounts, placed, strict=True) if is_local(p)), Decimal(0))
    unknown = sum((a for a, p in zip(amounts, placed, strict=True) if not p), Decimal(0))
    assert Decimal(str(result["spend_local_gbp"])) == local
    assert Decimal(str(result["spend_unknown_location_gbp"])) == unknown


def test_demo_is_rebuilt_identically_and_labelled_synthetic(demo_db, tmp_path):
    from dashboard import demo

    summary = demo.build(progress=False, db=demo_db, out_dir=tmp_path / "again")
    assert summary["committed"] == 0 and summary["unchanged"] == summary["files"]
    with store.connect(demo_db) as con:
        nets = store.run(con.cursor(), "networks")
    assert set(nets["network_id"]) == {"birmingham", "london"} and nets["is_demo"].all()


def test_demo_participants_lean_towards_deprived_areas(demo_db):
    result = _report(demo_db, "--network", "birmingham", "--initiative", "i-can")
    by = {r["group"]: r["participants"] for r in result["by_decile"]}
    assert by["1"] > by["5"] > by["10"] >= 0

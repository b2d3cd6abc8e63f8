"""The figures' summaries (place_month, and area_month from it) stay equal to a recalculation from the rows
through every kind of change, and the figures read from them equal figures worked out again from the raw rows, on
random data.

Random uploads of people and payments (quarters sent again replace the earlier file), a supplier list placing
payees that have no postcode, the network's districts changing and a participant erased: after each change the
summaries equal a recalculation (summaries.check), and at the end every selection's headline figures and deciles,
and each English LSOA's figures on the map, equal a recalculation with pandas from the participant and payment
rows, the supplier list and the reference tables, written here without the product's SQL.
"""

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import access, erasure, figures, ingest, maps, networks, parsing, reports, store, summaries, suppliers
from tests import tiny

QUARTERS = ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
INSTITUTIONS = ["trust", "council"]
INITIATIVES = ["h2h", "ican"]
LISTED = {"Supplier 1": "B1 1AA", "Supplier 4": "B66 4DD", "Supplier 7": "CF10 1AA", "Supplier 9": "B91 3DE"}


def _participants_file(rng: random.Random, quarter: str, path: Path, refs: list[str]) -> None:
    first, last = parsing.quarter_bounds(quarter)
    lines = ["participant_ref,initiative,home_postcode,start_date,completion_date,job_start_date"]
    for ref in refs:
        start = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        later = [start + dt.timedelta(days=rng.randint(0, 150)) if rng.random() < p else None for p in (0.6, 0.4)]
        postcode = rng.choice([pc for pc in tiny.POSTCODES if pc])
        lines.append(",".join([ref, rng.choice(INITIATIVES), postcode, start.strftime("%d/%m/%Y"),
                               *(d.strftime("%d/%m/%Y") if d else "" for d in later)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _unchanged_from_a_recalculation(db: Path) -> None:
    with store.connect(db) as con:
        differing = summaries.check(con.cursor(), "tiny")
    assert differing.empty, differing.to_string()


def _recalculated(con: duckdb.DuckDBPyConnection, sel: figures.Selection) -> dict[str, dict[str, Decimal | int]]:
    """Each area group's counts and spend, from the rows alone: pandas, not the product's queries; and under
    ('lsoa', code), each English LSOA's (of the release's own vintage), as the map shows them."""
    first, _ = parsing.quarter_bounds(sel.from_quarter)
    _, last = parsing.quarter_bounds(sel.to_quarter)
    vintage = figures.IMD_RELEASES[sel.imd_release]["lsoa_vintage"]
    key = "lsoa21_code" if vintage == 2021 else "lsoa11_code"
    imd = con.execute("select lsoa_code, imd_decile from ref_imd where imd_release = ?", [sel.imd_release]).df()
    deciles = dict(zip(imd["lsoa_code"], imd["imd_decile"], strict=True))
    postcodes = con.execute("select postcode, lsoa21_code, lsoa11_code, nation from ref_postcode").df()
    places = {r.postcode: r for r in postcodes.itertuples()}
    lads = dict(con.execute("select lsoa21_code, lad24_code from ref_lsoa21").fetchall())
    local = {r[0] for r in con.execute("select lad24_code from network_lad where network_id = 'tiny'").fetchall()}
    active = {r[0] for r in con.execute("select submission_id from submission where status = 'active'").fetchall()}
    listed = dict(con.execute("select supplier_name, supplier_postcode from supplier_register").fetchall())

    def group(nation, code) -> str:
        if nation == "England":
            return str(int(deciles[code])) if isinstance(code, str) and code in deciles else "unknown"
        return nation if isinstance(nation, str) else "unknown"

    def chosen(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame["submission_id"].isin(active)]
        if sel.initiative_id is not None:
            frame = frame[frame["initiative_id"] == sel.initiative_id]
        if sel.institution_id is not None:
            frame = frame[frame["institution_id"] == sel.institution_id]
        return frame

    out: dict[str, dict[str, Decimal | int]] = {}

    def add(area: str, field: str, value, nation=None, code=None) -> None:
        for key in (area, ("lsoa", code) if nation == "England" and code in deciles else None):
            if key is not None:
                row = out.setdefault(key, {"participants": 0, "completions": 0, "jobs_filled": 0,
                                           "spend_gbp": Decimal(0), "spend_local_gbp": Decimal(0)})
                row[field] += value

    people = chosen(con.execute("select * from participant").df())
    for p in people.itertuples():
        area = group(p.nation, getattr(p, key))
        for field, day in (("participants", p.start_date), ("completions", p.completion_date),
                           ("jobs_filled", p.job_start_date)):
            if not pd.isna(day) and first <= pd.Timestamp(day).date() <= last:
                add(area, field, 1, p.nation, getattr(p, key))
    payments = chosen(con.execute("select * from spend").df())
    for s in payments.itertuples():
        if not first <= pd.Timestamp(s.payment_date).date() <= last:
            continue
        if isinstance(s.nation, str):
            lsoa21, code, nation = s.lsoa21_code, getattr(s, key), s.nation
        elif s.supplier_name in listed:
            place = places[listed[s.supplier_name]]
            lsoa21, code, nation = place.lsoa21_code, getattr(place, key), place.nation
        else:
            lsoa21 = code = nation = None
        amount = Decimal(str(s.amount_gbp))
        area = group(nation, code)
        add(area, "spend_gbp", amount, nation, code)
        if isinstance(lsoa21, str) and lads.get(lsoa21) in local:
            add(area, "spend_local_gbp", amount)
    return out


@pytest.mark.parametrize("seed", [11, 12])
def test_summaries_stay_right_through_every_change_and_give_the_rows_figures(tmp_path, reference_dir, seed):
    rng = random.Random(seed)
    db = tiny.build(tmp_path / "tiny.duckdb")
    operator = access.system()
    refs = [f"R{n}" for n in range(40)]
    for n in range(10):  # some quarters sent twice: the later file replaces the earlier one
        quarter, institution = rng.choice(QUARTERS), rng.choice(INSTITUTIONS)
        path = tmp_path / f"upload-{n}.csv"
        if rng.random() < 0.5:
            tiny.random_spend_file(rng, quarter, path)
            ingest.ingest("tiny", institution, "spend", quarter, path, db=db)
        else:
            _participants_file(rng, quarter, path, rng.sample(refs, rng.randint(3, 12)))
            ingest.ingest("tiny", institution, "participants", quarter, path, db=db)
        _unchanged_from_a_recalculation(db)
        if n == 4:  # the coordinator's supplier list places payees that have no postcode of their own
            listing = "supplier_name,supplier_postcode\n" + "".join(f"{k},{v}\n" for k, v in LISTED.items())
            suppliers.load_file("tiny", listing.encode(), "suppliers.csv", "coordinator", db, scope=operator)
            _unchanged_from_a_recalculation(db)
        if n == 6:  # a district more: payments there become local
            definition = networks.read_definition(tiny.TINY / "network.yaml")
            networks.apply({**definition, "local_districts": [*definition["local_districts"], "E08000028"]}, db,
                           scope=operator, source=tiny.TINY / "network.yaml")
            _unchanged_from_a_recalculation(db)
        if n == 8:  # a participant erased
            with store.connect(db) as con:
                held = con.execute("select institution_id, participant_ref from participant limit 1").fetchall()
            if held:
                erasure.delete_participant(operator, "tiny", held[0][0], held[0][1], db=db)
                _unchanged_from_a_recalculation(db)

    with store.connect(db) as con:
        cur = con.cursor()
        checked = mapped_areas = 0
        for _ in range(12):
            start = rng.randrange(len(QUARTERS))
            sel = figures.Selection("tiny", QUARTERS[start], QUARTERS[rng.randrange(start, len(QUARTERS))],
                                    initiative_id=rng.choice([None, *INITIATIVES]),
                                    institution_id=rng.choice([None, None, *INSTITUTIONS]),
                                    imd_release=rng.choice(list(figures.IMD_RELEASES)))
            report = figures.report(cur, sel)
            expected = _recalculated(cur, sel)
            for row in report["by_decile"]:
                area = str(row["imd_decile"]) if row["imd_decile"] is not None else {
                    "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland",
                    "unknown": "unknown"}[row["group"]]
                want = expected.get(area, {})
                for field in ("participants", "completions", "jobs_filled"):
                    assert row[field] == want.get(field, 0), (sel, area, field)
                for field in ("spend_gbp", "spend_local_gbp"):
                    assert Decimal(str(row[field])) == want.get(field, Decimal(0)), (sel, area, field)
            mapped = maps.lsoa_figures(cur, sel, scope=operator)
            mapped = mapped[(mapped[["participants", "completions", "jobs_filled"]].sum(axis=1) > 0)
                            | (mapped["spend_gbp"] != 0)]
            want = {k[1]: v for k, v in expected.items() if isinstance(k, tuple)}
            want = {code: v for code, v in want.items()
                    if v["participants"] or v["completions"] or v["jobs_filled"] or v["spend_gbp"]}
            assert set(mapped["lsoa_code"]) == set(want), sel
            for row in mapped.itertuples():
                for field in ("participants", "completions", "jobs_filled"):
                    assert getattr(row, field) == want[row.lsoa_code][field], (sel, row.lsoa_code, field)
                assert Decimal(str(row.spend_gbp)) == want[row.lsoa_code]["spend_gbp"], (sel, row.lsoa_code)
            checked += bool(report["participants"] or report["spend_total_gbp"])
            mapped_areas += len(mapped)
        assert checked and mapped_areas  # some selections had figures to compare


def test_a_funders_cells_are_read_once_and_again_after_every_change(tmp_path, reference_dir):
    """The disclosure cells are kept between pages, and a change to the network's figures is seen at once."""
    rng = random.Random(5)
    db = tiny.build(tmp_path / "tiny.duckdb")
    funder = access.Scope("funder@example.org", "funder", grants=frozenset({("tiny", None)}))
    sel = figures.Selection("tiny", "2024Q3", "2025Q2")

    def shown(fresh: bool = False) -> dict:
        if fresh:
            summaries._KEPT.clear()
        with store.connect(db) as con:
            doc = reports.view(con.cursor(), funder, sel, ("by_quarter",))
        doc.pop("generated_at")
        return doc

    before = []
    for n, quarter in enumerate(QUARTERS):
        path = tmp_path / f"people-{n}.csv"
        _participants_file(rng, quarter, path, [f"Q{n}-{i}" for i in range(rng.randint(8, 20))])
        ingest.ingest("tiny", rng.choice(INSTITUTIONS), "participants", quarter, path, db=db)
        kept = shown()
        assert kept == shown(fresh=True)  # the same as from cells read afresh
        before.append(kept["participants"])
    assert len(set(before)) > 1  # the uploads changed what the funder sees, and it was seen
    with store.connect(db) as con:
        held = con.execute("select institution_id, participant_ref from participant limit 1").fetchone()
    erasure.delete_participant(access.system(), "tiny", held[0], held[1], db=db)
    assert shown() == shown(fresh=True)

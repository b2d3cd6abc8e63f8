"""A tiny reference world and network, built from the CSV files in tests/data/tiny."""

import random
from pathlib import Path

import pandas as pd

from dashboard import networks, parsing, store

TINY = Path(__file__).resolve().parent / "data" / "tiny"
TABLES = ["ref_imd", "ref_lsoa21", "ref_lsoa11_lsoa21", "ref_population", "ref_lad", "ref_postcode",
          "ref_nation_imd"]
POSTCODES = ["B1 1AA", "B2 2BB", "B91 3DE", "B66 4DD", "CF10 1AA", "EH1 1AA", ""]  # "": no place of its own
PLACED_POSTCODES = [postcode for postcode in POSTCODES if postcode]


def build(path: Path) -> Path:
    """Create a database at path holding the tiny reference tables and the tiny network."""
    with store.connect(path) as con:
        cur = con.cursor()
        for table in TABLES:
            cur.register(f"{table}_rows", pd.read_csv(TINY / f"{table}.csv", dtype=str, keep_default_na=False)
                         .replace("", None))
        cur.execute((TINY / "load.sql").read_text())
        store.run(cur, "ref_population21_refresh")  # as a reference load does
    networks.load(TINY / "network.yaml", path)
    return path


def random_spend_file(rng: random.Random, quarter: str, path: Path) -> None:
    """A spend file of random payments in the quarter: payees with and without a postcode or a number."""
    first, last = parsing.quarter_bounds(quarter)
    payees = [(f"Supplier {i}", rng.choice(POSTCODES), rng.choice(["", f"0{i:07d}"])) for i in range(12)]
    lines = ["payment_date,amount_gbp,supplier_name,supplier_id,supplier_postcode,category,initiative_id"]
    for _ in range(rng.randint(20, 80)):
        name, postcode, number = rng.choice(payees)
        day = first.toordinal() + rng.randint(0, last.toordinal() - first.toordinal())
        lines.append(",".join([
            f"{day - first.toordinal() + 1:02d}/{first.month:02d}/{first.year}"
            if day - first.toordinal() < 28 else f"{last.day:02d}/{last.month:02d}/{last.year}",
            f"{rng.choice([-1, 1, 1, 1]) * rng.randint(1, 5_000_000) / 100:.2f}", name, number, postcode,
            rng.choice(["Agency staff", "Catering", ""]), rng.choice(["h2h", "ican", ""])]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def spend_file(path: Path, quarter: str, rows: int, seed: int) -> Path:
    """Write a spend file of rows payments in the quarter, every one placed; the same file for the same seed."""
    first, _ = parsing.quarter_bounds(quarter)
    lines = ["supplier_name,supplier_postcode,amount_gbp,payment_date"]
    for i in range(rows):
        lines.append(f"Supplier {(i + seed) % 17},{PLACED_POSTCODES[(i * 5 + seed) % len(PLACED_POSTCODES)]},"
                     f"{(i * 37 + seed) % 5000 + 0.25:.2f},{1 + i % 28:02d}/{first.month + i % 3:02d}/{first.year}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

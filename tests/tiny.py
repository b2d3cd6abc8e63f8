"""A tiny reference world and network, built from the CSV files in tests/data/tiny."""

from pathlib import Path

import pandas as pd

from dashboard import networks, store

TINY = Path(__file__).resolve().parent / "data" / "tiny"
TABLES = ["ref_imd", "ref_lsoa21", "ref_lsoa11_lsoa21", "ref_population", "ref_lad", "ref_postcode",
          "ref_nation_imd"]


def build(path: Path) -> Path:
    """Create a database at path holding the tiny reference tables and the tiny network."""
    with store.connect(path) as con:
        cur = con.cursor()
        for table in TABLES:
            cur.register(f"{table}_rows", pd.read_csv(TINY / f"{table}.csv", dtype=str, keep_default_na=False)
                         .replace("", None))
        cur.execute((TINY / "load.sql").read_text())
    networks.load(TINY / "network.yaml", path)
    return path

"""`make bench-registers`: loading a full-size Companies House file and matching suppliers against it.

Writes a file of the published layout and real size (5.5 million companies by default, zipped as published) from
the reference postcodes, loads it into a copy of the working database in a child process (timed, with its peak
memory), then matches 20,000 distinct supplier names against it: half registered names as finance systems write
them, half names near a registered one. Prints a table; rerun to compare.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from dashboard import config, demo_registers, matching, store

RELEASE = "2026-11-01"


def write_companies(db: Path, folder: Path, rows: int) -> Path:
    """A BasicCompanyDataAsOneFile zip of `rows` made-up companies in the published layout."""
    csv_path = folder / f"BasicCompanyDataAsOneFile-{RELEASE}.csv"
    with store.connect(db) as con:
        relation = store.relation(con.cursor(), "bench_companies_generate", rows=rows)
        relation.to_csv(str(folder / "values.csv"), header=False, quoting="ALL")
    with open(csv_path, "wb") as out, open(folder / "values.csv", "rb") as values:
        out.write((demo_registers.COMPANIES_HOUSE_HEADER + "\n").encode())  # the same line ends as the values
        shutil.copyfileobj(values, out, 1 << 20)
    (folder / "values.csv").unlink()
    zipped = csv_path.with_suffix(".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(csv_path, csv_path.name)
    csv_path.unlink()
    return zipped


def supplier_names(db: Path, count: int) -> list[str]:
    """count distinct payee names: half registered names as a finance system writes them, half near ones."""
    with store.connect(db) as con:
        names = store.run(con.cursor(), "bench_register_names", names=count)["name"].tolist()
    half = len(names) // 2
    written = [n.title().replace(" Limited", " Ltd") for n in names[:half]]
    near = [n.title().replace(" Limited", "").rsplit(" ", 1)[0] + " Svcs Ltd" for n in names[half:]]
    return list(dict.fromkeys(written + near))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench_registers")
    parser.add_argument("--rows", type=int, default=5_500_000, help="companies in the generated file")
    parser.add_argument("--names", type=int, default=20_000, help="distinct supplier names to match")
    parser.add_argument("--network", default="birmingham")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.duckdb"
        shutil.copyfile(config.db_path(), db)
        start = time.perf_counter()
        zipped = write_companies(db, folder, args.rows)
        print(f"Generated {args.rows:,} companies in the published layout in {time.perf_counter() - start:.0f} s: "
              f"{zipped.stat().st_size / 1e6:,.0f} MB zipped", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dashboard", "registers", "load", "--quiet", str(zipped)],
                       check=True, env={**os.environ, "ANCHOR_DB": str(db)})
        load_s = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        names = supplier_names(db, args.names)
        spend = pd.DataFrame({"supplier_name": names, "supplier_id": None, "amount_gbp": 100.0})

        with store.connect(db) as con:
            cur = con.cursor()
            cur.register("bench_names", spend)
            store.run(cur, "bench_spend_names", network_id=args.network)
            start = time.perf_counter()
            found = matching.refresh(cur, args.network, everything=True)
            match_s = time.perf_counter() - start
    print(f"{'measure':<64}{'value':>14}")
    print(f"{'load the register (zip as published), then re-match every network':<64}{load_s:>12.1f} s")
    print(f"{'peak memory of the load (child process, max RSS)':<64}{peak_mb:>11,.0f} MB")
    print(f"{f'match {found.suppliers:,} distinct supplier names':<64}{match_s:>12.1f} s")
    print(f"{'  matched automatically / with proposals':<64}{found.automatic:>7,} / {found.proposed:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

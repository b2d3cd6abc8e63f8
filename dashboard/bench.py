"""`make bench`: how long the figures take at national scale (millions of spend rows).

Copies the working database, adds synthetic spend rows spread over every English and Welsh
postcode, and times the report for a network, cold and warm. Prints a table; rerun to compare.
"""

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import config, figures, store


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench")
    parser.add_argument("--rows", type=int, default=10_000_000, help="synthetic spend rows to add")
    parser.add_argument("--network", default="birmingham")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        shutil.copyfile(config.db_path(), db)
        start = time.perf_counter()
        with store.connect(db) as con:
            store.run(con.cursor(), "bench_spend_generate", network_id=args.network, rows=args.rows)
        generate_s = time.perf_counter() - start
        selection = figures.Selection(args.network, "2024Q4", "2026Q3")
        results = []
        with store.connect(db) as con:
            cur = con.cursor()
            for label, sel in (("report, 8 quarters, all initiatives", selection),
                               ("report, 1 quarter, IoD2019", figures.Selection(args.network, "2025Q3", "2025Q3",
                                                                                imd_release="IoD2019"))):
                times = _time(lambda s=sel: figures.report(cur, s), args.repeat)
                results.append((label, times))

        def open_and_close() -> None:
            with store.connect(db):
                pass

        open_times = _time(open_and_close, args.repeat)
    print(f"Synthetic spend rows added: {args.rows:,} (generated in {generate_s:.1f} s)")
    print(f"{'measure':<40}{'first (s)':>12}{'median (s)':>12}")
    for label, times in results:
        print(f"{label:<40}{times[0]:>12.3f}{statistics.median(times):>12.3f}")
    print(f"{'open the database (connect + migrate)':<40}{open_times[0]:>12.3f}{statistics.median(open_times):>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

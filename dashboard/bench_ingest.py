"""`python -m dashboard.bench_ingest`: how fast a large spend file goes in, as CSV and as XLSX.

Writes a council 'spend over £500' export of the usual layout (title rows, then Body Name, Service Area,
Expenditure Category, Date Paid, Transaction Number, Net Amount, Supplier Name, Supplier Postcode): as CSV
with UK dates and amounts like '£1,234.56', and as XLSX with date cells and numeric cells. Times reading the
file alone, the whole check (ingest.prepare, nothing written) and a full ingest committed into a fresh copy
of the tiny test network's database. Prints rows per second, the median of the repeats; with --profile N,
also the N functions each stage spends longest in (cProfile, cumulative), to see where the time goes.
"""

import argparse
import cProfile
import csv
import datetime as dt
import io
import pstats
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dashboard import access, ingest, readers, recognise

HEADER = ["Body Name", "Service Area", "Expenditure Category", "Date Paid", "Transaction Number", "Net Amount",
          "Supplier Name", "Supplier Postcode"]
TITLE = [["Test City Council: payments to suppliers over £500"], ["January to March 2025"], []]
QUARTER = "2025Q1"
TODAY = dt.date(2025, 6, 30)
# Postcodes the tiny network's reference data knows, and blanks (many suppliers give none).
POSTCODES = ["B1 1AA", "B2 2BB", "B91 3DE", "B66 4DD", "", ""]
SERVICES = ["Adult Social Care", "Children's Services", "Highways", "Housing", "Waste Management", "Libraries",
            "Finance & Corporate", "Leisure"]
CATEGORIES = ["Supplies & Services", "Premises", "Transport", "Third Party Payments", "Capital Works",
              "Agency Staff", "IT Software & Licences"]


def payments(rows: int, seed: int = 2025) -> list[tuple]:
    """rows made-up payments: (service, category, date, transaction number, amount in pence, supplier, postcode)."""
    rand = random.Random(seed)
    suppliers = [f"{rand.choice(['Acme', 'Brum', 'Coventry', 'Digbeth', 'Ely', 'Fenland'])} "
                 f"{rand.choice(['Catering', 'Cleaning', 'Care', 'Print', 'Builders', 'Taxis'])} {i} Ltd"
                 for i in range(3000)]
    start = dt.date(2025, 1, 1)
    out = []
    for i in range(rows):
        pence = rand.randint(50_000, 25_000_000) * (-1 if rand.random() < 0.01 else 1)
        out.append((rand.choice(SERVICES), rand.choice(CATEGORIES), start + dt.timedelta(days=rand.randrange(90)),
                    f"{i:08d}", pence, rand.choice(suppliers), rand.choice(POSTCODES)))
    return out


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def spend_csv(rows: list[tuple]) -> bytes:
    """The payments as a finance system exports CSV: UK dates, amounts with '£' and thousands separators."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(TITLE)
    writer.writerow(HEADER)
    writer.writerows(("Test City Council", service, category, day.strftime("%d/%m/%Y"), number, _pounds(pence),
                      supplier, postcode) for service, category, day, number, pence, supplier, postcode in rows)
    return out.getvalue().encode("cp1252")


def spend_xlsx(rows: list[tuple]) -> bytes:
    """The payments as an Excel export: date cells, numeric amounts, transaction numbers as text."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("Spend")
    day_format, money = book.add_format({"num_format": "dd/mm/yyyy"}), book.add_format({"num_format": "#,##0.00"})
    for r, title in enumerate(TITLE):
        sheet.write_row(r, 0, title)
    sheet.write_row(len(TITLE), 0, HEADER)
    for r, (service, category, day, number, pence, supplier, postcode) in enumerate(rows, start=len(TITLE) + 1):
        sheet.write_string(r, 0, "Test City Council")
        sheet.write_string(r, 1, service)
        sheet.write_string(r, 2, category)
        sheet.write_datetime(r, 3, dt.datetime.combine(day, dt.time()), day_format)
        sheet.write_string(r, 4, number)
        sheet.write_number(r, 5, pence / 100, money)
        sheet.write_string(r, 6, supplier)
        if postcode:
            sheet.write_string(r, 7, postcode)
    book.close()
    return out.getvalue()


def tiny_database(folder: Path) -> Path:
    """The tiny test network's database (network 'tiny', institution 'council'), built once."""
    from tests import tiny  # the test fixture's network: the bench runs from a checkout

    return tiny.build(folder / "tiny.duckdb")


def _median_s(fn: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _profile(fn: Callable[[], object], top: int, before: Callable[[], object]) -> None:
    """One more run of fn under cProfile; prints the top functions by cumulative time."""
    before()
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    """Write the files, time each stage for each, and print rows per second."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench_ingest")
    parser.add_argument("--rows", type=int, default=200_000, help="payments in each file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx", help="which files to time, comma separated")
    parser.add_argument("--stages", default="read,check,ingest", help="which stages to time, comma separated")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after timing a stage, run it once more under cProfile and print its top N functions")
    args = parser.parse_args(argv)
    rows = payments(args.rows)
    expected_pence = sum(r[4] for r in rows)
    scope = access.system()

    def score(cells) -> int:
        return recognise.header_score("spend", cells)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        template = tiny_database(Path(tmp))
        db = Path(tmp) / "bench.duckdb"

        def fresh_copy() -> None:
            shutil.copyfile(template, db)

        for fmt in args.formats.split(","):
            start = time.perf_counter()
            data, name = (spend_csv(rows), "spend.csv") if fmt == "csv" else (spend_xlsx(rows), "spend.xlsx")
            written_s = time.perf_counter() - start
            print(f"{name}: {len(data) / 2**20:.1f} MB, {args.rows:,} rows, written in {written_s:.1f} s", flush=True)
            stages = {
                "read": lambda d=data, n=name: readers.read(d, n, score),
                "check": lambda d=data, n=name: _checked(ingest.prepare(
                    "tiny", "council", "spend", QUARTER, d, n, db=template, today=TODAY, scope=scope),
                    args.rows, expected_pence),
                "ingest": lambda d=data, n=name: _committed(ingest.ingest(
                    "tiny", "council", "spend", QUARTER, data=d, file_name=n, db=db, today=TODAY, scope=scope),
                    args.rows, expected_pence),
            }
            for stage in args.stages.split(","):
                seconds = _median_s(stages[stage], args.repeat, fresh_copy if stage == "ingest" else lambda: None)
                results.append((fmt, stage, seconds))
                print(f"  {stage:<8}{seconds:>8.2f} s{args.rows / seconds:>12,.0f} rows/s", flush=True)
                if args.profile:
                    _profile(stages[stage], args.profile, fresh_copy if stage == "ingest" else lambda: None)
    print(f"\n{'file':<6}{'stage':<10}{'median (s)':>12}{'rows/s':>12}")
    for fmt, stage, seconds in results:
        print(f"{fmt:<6}{stage:<10}{seconds:>12.2f}{args.rows / seconds:>12,.0f}")
    return 0


def _checked(preview: ingest.Preview, rows: int, pence: int) -> None:
    """A bench that times a refusal times nothing: the file must go in whole, to the penny."""
    if not preview.ok or preview.row_count != rows or preview.total_gbp * 100 != pence:
        raise SystemExit(f"the generated file did not check clean: {[str(p) for p in preview.problems[:5]]}")


def _committed(receipt: ingest.Receipt, rows: int, pence: int) -> None:
    if receipt.rows != rows or receipt.total_gbp * 100 != pence:
        raise SystemExit(f"the generated file went in as {receipt.rows} rows, £{receipt.total_gbp}")


if __name__ == "__main__":
    raise SystemExit(main())

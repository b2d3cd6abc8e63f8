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

from dashboard import access, config, figures, maps, reports, store


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def overview_charts(doc: dict) -> list:
    """The figures the overview draws on a filter change: three decile charts and its first tab's three."""
    from dashboard.ui import charts  # plotly only: no Streamlit

    figs = [charts.decile_bars(doc["by_decile"], measure) for measure in ("participants", "jobs_filled", "spend_gbp")]
    figs += [charts.events_by_quarter(doc["by_quarter"]), charts.events_by_quarter(doc["by_quarter"], cumulative=True),
             charts.spend_where_by_quarter(doc["by_quarter"])]
    return [fig.to_dict() for fig in figs]


def map_payloads(cur, selection: figures.Selection) -> list[tuple[str, float, float, int]]:
    """For the Maps page's network and England views: (view, query s, figure build s, figure JSON bytes)."""
    from dashboard.ui import maps as map_figures  # plotly only: no Streamlit

    start = time.perf_counter()
    lsoa_df = maps.lsoa_figures(cur, selection, scope=access.system())
    query_s = time.perf_counter() - start
    districts = store.run(cur, "network_districts", network_id=selection.network_id)["lad24_code"].tolist()
    rows = []
    for layer in ("imd_decile", "spend_gbp"):
        start = time.perf_counter()
        area_df = lsoa_df[lsoa_df["in_network_area"]]
        geojson = maps.area_geojson(area_df, selection.imd_release)
        fig = map_figures.lsoa_map(area_df, layer, geojson, bounds=maps.bounds(geojson),
                                   districts=maps.lad_outlines(districts))
        size = map_figures.payload_bytes(fig)
        rows.append((f"network area ({len(area_df):,} LSOAs), {layer}", query_s, time.perf_counter() - start, size))
        start = time.perf_counter()
        fig = map_figures.lsoa_map(lsoa_df, layer, maps.england_url(selection.imd_release),
                                   districts=maps.ENGLAND_DISTRICTS_URL)
        size = map_figures.payload_bytes(fig)
        rows.append((f"England ({len(lsoa_df):,} LSOAs), {layer}", query_s, time.perf_counter() - start, size))
    return rows


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
            # Summed per month as an upload's commit sums its payments.
            submission_id = int(store.run(con.cursor(), "bench_spend_submission", network_id=args.network)
                                ["submission_id"].iloc[0])
            store.run(con.cursor(), "bench_spend_month_clear", submission_id=submission_id)
            store.run(con.cursor(), "spend_month_insert", submission_id=submission_id)
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
            # What each page reads on a filter change (cache cold), 4 quarters, with its first tab open.
            year = figures.Selection(args.network, "2025Q4", "2026Q3")
            funder = access.Scope("bench:funder", "funder", grants=frozenset({(args.network, None)}))
            pages = (
                ("overview page (report, period before, by quarter)", access.system(), ((), ("by_quarter",))),
                ("overview page as a funder (protected documents)", funder, ((), ())),
                ("initiative page (funnel)", access.system(), (("funnel",),)),
                ("local spend page (by institution, by quarter)", access.system(),
                 (("spend_by_institution", "by_quarter"),)),
                ("local spend page, top suppliers tab", access.system(), (("top_suppliers",),)))
            for label, scope, reads in pages:
                def read_page(sc=scope, rs=reads) -> None:
                    # The first read is this period's, any second the period before's (the overview's changes).
                    for sel, sections in zip((year, year.previous()), rs, strict=False):
                        reports.view(cur, sc, sel, sections)
                results.append((label, _time(read_page, args.repeat)))
            overview = reports.full(cur, year, ("by_quarter",))
            results.append(("overview page's six charts built", _time(lambda: overview_charts(overview), args.repeat)))

            map_rows = map_payloads(cur, selection)

        def open_and_close() -> None:
            with store.connect(db):
                pass

        open_times = _time(open_and_close, args.repeat)
    print(f"Synthetic spend rows added: {args.rows:,} (generated in {generate_s:.1f} s)")
    print(f"{'measure':<50}{'first (s)':>12}{'median (s)':>12}")
    for label, times in results:
        print(f"{label:<50}{times[0]:>12.3f}{statistics.median(times):>12.3f}")
    print(f"{'open the database (connect + migrate)':<50}{open_times[0]:>12.3f}{statistics.median(open_times):>12.3f}")
    england = maps.ensure_england_geometry()
    print(f"\n{'map view':<44}{'query (s)':>10}{'build (s)':>10}{'figure JSON':>14}")
    for label, query_s, build_s, size in map_rows:
        print(f"{label:<44}{query_s:>10.3f}{build_s:>10.3f}{size / 1e6:>11.2f} MB")
    for name, info in england.items():
        print(f"static file {name}: {info['features']:,} features, {info['bytes'] / 1e6:.1f} MB (fetched once)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

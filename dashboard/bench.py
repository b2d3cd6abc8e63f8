"""`make bench`: how fast every page's figures are at national scale, beside a pandas-built peer.

Copies the working database and adds, seeded and reproducible (queries/bench_national_*.sql), 48 synthetic
networks beside the demo's two: 480 institutions, 20 quarters, a million participants and ten million payments,
a few large networks and many small ones. Then, for each page, times what it reads on a filter change (cache
cold) over random selections and prints p50 and p95; times a pandas peer (the rows held in memory; filter,
merge, group by) on the same selections, checks it gets the same figures and prints the ratio; and prints the
database's size and opening time and each phase's peak memory. Each phase runs in a process of its own, so
its peak memory is its own.
"""

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard import access, cluster, config, figures, maps, parsing, reports, store, summaries

FIRST_DAY, QUARTERS = "2021-10-01", 20
FIRST_QUARTER = "2021Q4"
LAST_QUARTER = parsing.shift_quarter(FIRST_QUARTER, QUARTERS - 1)
FIRST_ID = 1_000_000  # submission ids of the bench networks, clear of any real upload's
INITIATIVES = ("initiative_0", "initiative_1", "initiative_2")


@dataclass(frozen=True)
class Scale:
    networks: int = 48
    institutions: int = 10
    participants: int = 1_000_000
    payments: int = 10_000_000


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Generation


def generate(db: Path, scale: Scale, clustered: bool = True) -> dict[str, Any]:
    """Add the bench networks to the database at db (a copy), then (unless not clustered) run the nightly
    `cluster` on it; returns the seconds each step took."""
    common = {"first_id": FIRST_ID, "first_day": FIRST_DAY, "quarters": QUARTERS}
    steps = (
        ("bench_national_networks", {"networks": scale.networks}),
        ("bench_national_lads", {}),
        ("bench_national_institutions", {"institutions": scale.institutions}),
        ("bench_national_initiatives", {}),
        ("bench_national_submissions", common),
        ("bench_national_participants", {**common, "participants": scale.participants, "networks": scale.networks,
                                         "institutions": scale.institutions}),
        ("bench_national_spend", {**common, "payments": scale.payments, "networks": scale.networks,
                                  "institutions": scale.institutions}),
        # Summed per month as each upload's commit sums its payments.
        ("bench_national_spend_month", {}),
    )
    seconds = {}
    with store.connect(db) as con:
        for query, params in steps:
            start = time.perf_counter()
            store.run(con.cursor(), query, **params)
            seconds[query] = time.perf_counter() - start
        # The figures' summaries, as each upload's commit writes them.
        start = time.perf_counter()
        store.write(summaries.rebuild, db)
        seconds["summaries"] = time.perf_counter() - start
        store.run(con.cursor(), "checkpoint")
    cluster_s = cluster.cluster(access.system(), db).seconds if clustered else None
    return {"seconds": seconds, "cluster_s": cluster_s, "peak_mb": peak_mb()}


# Selections


def selections(db: Path, count: int, seed: int, networks: list[str] | None = None) -> list[dict[str, Any]]:
    """count random selections: a network (of those given, else any), 1 to 8 quarters of the bench's 20, all
    initiatives or one, mostly IoD 2025."""
    rand = random.Random(seed)
    if networks is None:
        with store.connect(db) as con:
            networks = store.run(con.cursor(), "networks")["network_id"].tolist()
    out = []
    for _ in range(count):
        length = rand.choice((1, 2, 4, 4, 8))
        start = rand.randrange(QUARTERS - length + 1)
        network = rand.choice(networks)
        initiative = rand.choice(INITIATIVES) if network.startswith("bench_") and rand.random() < 0.3 else None
        first, last = (parsing.shift_quarter(FIRST_QUARTER, q) for q in (start, start + length - 1))
        release = "IoD2019" if rand.random() < 0.2 else "IoD2025"
        out.append(figures.selection_dict(figures.Selection(network, first, last, initiative_id=initiative,
                                                            imd_release=release)))
    return out


# What each page reads on a filter change, as its page module asks the cache for it.
def _overview(cur, scope, sel):
    reports.view(cur, scope, sel, ())
    reports.view(cur, scope, sel.previous(), ())
    reports.section(cur, scope, sel, "by_quarter")


def _initiative(cur, scope, sel):
    reports.view(cur, scope, sel, ())
    reports.section(cur, scope, sel, "funnel")


def _local_spend(cur, scope, sel):
    reports.view(cur, scope, sel, ())
    reports.section(cur, scope, sel, "spend_by_institution")
    reports.section(cur, scope, sel, "by_quarter")


def _top_suppliers(cur, scope, sel):
    reports.section(cur, scope, sel, "top_suppliers")


def _deprivation(cur, scope, sel):
    reports.view(cur, scope, sel, ())
    reports.section(cur, scope, sel, "representation")
    reports.section(cur, scope, sel, "nation_deciles")


def _maps(cur, scope, sel):
    maps.lsoa_figures(cur, sel, scope=scope)


PAGES: dict[str, Callable] = {
    "Overview": _overview,
    "Initiative": _initiative,
    "Local spend": _local_spend,
    "Local spend, top suppliers tab": _top_suppliers,
    "Deprivation": _deprivation,
    "Maps (figures by LSOA)": _maps,
}


def _funder(network_id: str) -> access.Scope:
    return access.Scope("bench:funder", "funder", grants=frozenset({(network_id, None)}))


def serve(db: Path, chosen: list[dict[str, Any]]) -> dict[str, Any]:
    """Time each page's reads over the selections, a coordinator's and a funder's first view of the Overview,
    and opening the database; one connection, as a server process holds."""
    start = time.perf_counter()
    with store.connect(db):
        pass
    opened_s = time.perf_counter() - start
    times: dict[str, list[float]] = {}
    reports_s = []
    with store.connect(db) as con:
        cur = con.cursor()
        for raw in chosen:
            sel = figures.Selection(**raw)
            for page, read in PAGES.items():
                scope = access.system()
                if page == "Initiative" and sel.initiative_id is None:
                    continue
                begin = time.perf_counter()
                read(cur, scope, sel)
                times.setdefault(page, []).append(time.perf_counter() - begin)
            begin = time.perf_counter()
            _overview(cur, _funder(sel.network_id), sel)
            times.setdefault("Overview, a funder's first view", []).append(time.perf_counter() - begin)
            begin = time.perf_counter()
            figures.report(cur, sel)
            reports_s.append(time.perf_counter() - begin)
    return {"pages": times, "report_s": reports_s, "open_s": opened_s, "peak_mb": peak_mb()}


# The pandas peer: the rows in memory, each selection's headline figures and deciles by filter, merge, group by.


def _frame(cur, table: str, columns: str):
    """The table's columns as a DataFrame, strings as categoricals. Read one column at a time (scans keep the
    table's order), so the peer never holds more than one column twice over while converting."""
    import pandas as pd
    import pyarrow as pa

    out = {}
    for column in (c.strip() for c in columns.split(",")):
        arrow = cur.sql(f"select {column} from {table}").to_arrow_table().column(0)  # noqa: S608 (the peer's own fixed columns)
        if pa.types.is_string(arrow.type):
            arrow = arrow.dictionary_encode()
        name = column.split(" as ")[-1]
        out[name] = arrow.to_pandas(date_as_object=False)
        del arrow
    return pd.DataFrame(out, copy=False)


def peer(db: Path, chosen: list[dict[str, Any]]) -> dict[str, Any]:
    """A peer built the usual way with pandas: rows cached in memory once, then per selection filter, merge with
    the deciles and the network's districts, group by. Checks its figures equal figures.report's."""
    import pandas as pd

    start = time.perf_counter()
    with store.connect(db) as con:
        cur = con.cursor()
        people = _frame(cur, "participant", "submission_id, network_id, lsoa21_code, lsoa11_code, initiative_id, "
                                            "start_date, completion_date, job_start_date")
        spend = _frame(cur, "spend", "submission_id, network_id, lsoa21_code, lsoa11_code, initiative_id, nation, "
                                     "cast(amount_gbp * 100 as bigint) as pence, payment_date")
        submissions = _frame(cur, "submission where status = 'active'", "submission_id")
        imd = _frame(cur, "ref_imd", "imd_release, lsoa_vintage, lsoa_code, imd_decile")
        lads = _frame(cur, "network_lad as l inner join ref_lsoa21 as r using (lad24_code)",
                      "l.network_id as network_id, r.lsoa21_code as lsoa21_code")
        exact = {}
        for raw in chosen:
            exact[json.dumps(raw, sort_keys=True)] = figures.report(cur, figures.Selection(**raw))
    load_s = time.perf_counter() - start
    active = set(submissions["submission_id"])
    times, checked = [], 0
    for raw in chosen:
        sel = figures.Selection(**raw)
        begin = time.perf_counter()
        first, _ = parsing.quarter_bounds(sel.from_quarter)
        _, last = parsing.quarter_bounds(sel.to_quarter)
        first, last = pd.Timestamp(first), pd.Timestamp(last)
        deciles = imd[imd["imd_release"] == sel.imd_release]
        key = "lsoa21_code" if int(deciles["lsoa_vintage"].iloc[0]) == 2021 else "lsoa11_code"
        deciles = deciles[["lsoa_code", "imd_decile"]].rename(columns={"lsoa_code": key})
        who = people[(people["network_id"] == sel.network_id) & people["submission_id"].isin(active)]
        paid = spend[(spend["network_id"] == sel.network_id) & spend["submission_id"].isin(active)
                     & spend["payment_date"].between(first, last)]
        if sel.initiative_id is not None:
            who = who[who["initiative_id"] == sel.initiative_id]
            paid = paid[paid["initiative_id"] == sel.initiative_id]
        who = who.merge(deciles, on=key, how="left")
        counts = {name: who[who[column].between(first, last)].groupby("imd_decile").size()
                  for name, column in (("participants", "start_date"), ("completions", "completion_date"),
                                       ("jobs_filled", "job_start_date"))}
        local = set(lads[lads["network_id"] == sel.network_id]["lsoa21_code"])
        paid = paid.merge(deciles, on=key, how="left")
        by_decile = paid.groupby("imd_decile")["pence"].sum()
        local_pence = int(paid[paid["lsoa21_code"].isin(local)]["pence"].sum())
        total_pence = int(paid["pence"].sum())
        times.append(time.perf_counter() - begin)
        report = exact[json.dumps(raw, sort_keys=True)]
        if sel.network_id.startswith("bench_"):  # no supplier register: the peer need not place payments by it
            checked += 1
            _same(report, counts, by_decile, local_pence, total_pence, raw)
    return {"times": times, "load_s": load_s, "checked": checked, "peak_mb": peak_mb()}


def _same(report: dict[str, Any], counts: dict, by_decile, local_pence: int, total_pence: int, raw: dict) -> None:
    """The peer's figures must be the product's, or the comparison means nothing."""
    problems = []
    for name, series in counts.items():
        if int(series.sum()) != sum(row[name] for row in report["by_decile"] if row["imd_decile"] is not None):
            problems.append(name)
    if round(total_pence) != round(report["spend_total_gbp"] * 100):
        problems.append("spend")
    if round(local_pence) != round(report["spend_local_gbp"] * 100):
        problems.append("local spend")
    for row in report["by_decile"]:
        if row["imd_decile"] is not None and round(row["spend_gbp"] * 100) != int(by_decile.get(row["imd_decile"], 0)):
            problems.append(f"spend in decile {row['imd_decile']}")
    if problems:
        raise AssertionError(f"the peer and the product differ on {', '.join(problems)} for {raw}")


# Running it


def _phase(name: str, *args: str) -> dict[str, Any]:
    """Run one phase in a process of its own (so its peak memory is its own) and return what it printed."""
    done = subprocess.run([sys.executable, "-m", "dashboard.bench", "--phase", name, *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(config.REPO_DIR)})
    if done.returncode != 0:
        raise SystemExit(f"The benchmark's {name} phase failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    """Generate, serve, compare with the peer and print the table."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench")
    parser.add_argument("--participants", type=int, default=Scale.participants)
    parser.add_argument("--payments", type=int, default=Scale.payments)
    parser.add_argument("--networks", type=int, default=Scale.networks, help="bench networks beside the demo's")
    parser.add_argument("--selections", type=int, default=50, help="random selections per page")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", type=Path, help="keep the generated database here (reused if it exists)")
    parser.add_argument("--no-cluster", action="store_true",
                        help="leave the rows in upload order (without the nightly 'cluster'), to compare")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return _run_phase(args.phase, args.args)
    scale = Scale(args.networks, Scale.institutions, args.participants, args.payments)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "bench.duckdb"
        generated = None
        if not db.exists():
            shutil.copyfile(config.db_path(), db)
            generated = _phase("generate", str(db), json.dumps(scale.__dict__), json.dumps(not args.no_cluster))
        size_mb = db.stat().st_size / 2**20
        chosen = selections(db, args.selections, args.seed)
        largest = selections(db, max(10, args.selections // 5), args.seed + 1, ["bench_01"])
        served = _phase("serve", str(db), json.dumps(chosen))
        served_largest = _phase("serve", str(db), json.dumps(largest))
        peered = _phase("peer", str(db), json.dumps(chosen))
        maps_rows = _phase("maps", str(db))
    _print(scale, generated, size_mb, served, served_largest, peered, maps_rows, args.selections)
    return 0


def _run_phase(name: str, rest: list[str]) -> int:
    db = Path(rest[0])
    if name == "generate":
        out = generate(db, Scale(**json.loads(rest[1])), json.loads(rest[2]))
    elif name == "serve":
        out = serve(db, json.loads(rest[1]))
    elif name == "peer":
        out = peer(db, json.loads(rest[1]))
    elif name == "maps":
        out = {"rows": map_payloads(db), "peak_mb": peak_mb()}
    else:
        raise SystemExit(f"unknown phase {name}")
    print(json.dumps(out))
    return 0


def map_payloads(db: Path) -> list[tuple[str, float, float, int]]:
    """For the Maps page's network and England views of the largest network: (view, query s, map build s,
    bytes the map is sent on each rerun)."""
    from dashboard.ui import maps as map_figures  # no Streamlit

    selection = figures.Selection("bench_01", parsing.shift_quarter(LAST_QUARTER, -3), LAST_QUARTER)
    rows = []
    with store.connect(db) as con:
        cur = con.cursor()
        start = time.perf_counter()
        lsoa_df = maps.lsoa_figures(cur, selection, scope=access.system())
        query_s = time.perf_counter() - start
        districts = store.run(cur, "network_districts", network_id=selection.network_id)["lad24_code"].tolist()
    for layer in ("imd_decile", "spend_gbp"):
        start = time.perf_counter()
        area_df = lsoa_df[lsoa_df["in_network_area"]]
        geojson = maps.area_geojson(area_df, selection.imd_release)
        spec = map_figures.map_args(area_df, layer, geojson, bounds=maps.bounds(geojson),
                                    districts=map_figures.outline_geojson(maps.lad_outlines(districts)),
                                    title=layer, view_key="network", filename=layer)
        rows.append((f"network area ({len(area_df):,} LSOAs), {layer}", query_s, time.perf_counter() - start,
                     len(json.dumps(spec))))
        start = time.perf_counter()
        spec = map_figures.map_args(lsoa_df, layer, maps.england_url(selection.imd_release),
                                    districts=maps.ENGLAND_DISTRICTS_URL, title=layer, view_key="england",
                                    filename=layer)
        rows.append((f"England ({len(lsoa_df):,} LSOAs), {layer}", query_s, time.perf_counter() - start,
                     len(json.dumps(spec))))
    return rows


def _print(scale: Scale, generated: dict | None, size_mb: float, served: dict, largest: dict, peered: dict,
           maps_rows: list, count: int) -> None:
    print(f"Scale: {scale.networks} bench networks beside the demo's, {scale.networks * scale.institutions} "
          f"institutions, {QUARTERS} quarters ({FIRST_QUARTER} to {LAST_QUARTER}), {scale.participants:,} "
          f"participants, {scale.payments:,} payments")
    if generated:
        print(f"Generated in {sum(generated['seconds'].values()):.1f} s (peak memory {generated['peak_mb']:,.0f} MB)"
              + ("; rows left in upload order" if generated["cluster_s"] is None else
                 f"; each network's rows put together by 'cluster' in {generated['cluster_s']:.1f} s"))
    print(f"Database: {size_mb:,.0f} MB; opened (connect and migrate) in {served['open_s'] * 1000:.0f} ms")
    print(f"\nEach page's reads on a filter change, cache cold, over {count} random selections (any network) and "
          f"{len(largest['report_s'])} of the largest network (bench_01):")
    print(f"{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'largest p50':>13}{'largest p95':>13}")
    for page, times in served["pages"].items():
        big = largest["pages"].get(page, [0.0])
        print(f"{page:<36}{_pct(times, .5) * 1000:>9.0f}{_pct(times, .95) * 1000:>9.0f}"
              f"{_pct(big, .5) * 1000:>13.0f}{_pct(big, .95) * 1000:>13.0f}")
    product, theirs = served["report_s"], peered["times"]
    ratios = [p / max(o, 1e-9) for o, p in zip(product, theirs, strict=True)]
    print(f"\nHeadline figures and deciles (figures.report) against the pandas peer, the same {len(theirs)} selections "
          f"({peered['checked']} checked equal):")
    print(f"{'':<36}{'p50 ms':>9}{'p95 ms':>9}")
    print(f"{'product (DuckDB)':<36}{_pct(product, .5) * 1000:>9.0f}{_pct(product, .95) * 1000:>9.0f}")
    print(f"{'pandas peer (rows in memory)':<36}{_pct(theirs, .5) * 1000:>9.0f}{_pct(theirs, .95) * 1000:>9.0f}")
    print(f"peer / product: median {statistics.median(ratios):.1f}x, lowest {min(ratios):.1f}x; the peer took "
          f"{peered['load_s']:.1f} s to load its rows")
    print(f"\nPeak memory: serving {served['peak_mb']:,.0f} MB, serving the largest network {largest['peak_mb']:,.0f} "
          f"MB, the peer {peered['peak_mb']:,.0f} MB, maps {maps_rows['peak_mb']:,.0f} MB")
    print(f"\n{'map view (largest network, 4 quarters)':<44}{'query (s)':>10}{'build (s)':>10}{'map JSON':>14}")
    for label, query_s, build_s, size in maps_rows["rows"]:
        print(f"{label:<44}{query_s:>10.3f}{build_s:>10.3f}{size / 1e6:>11.2f} MB")


if __name__ == "__main__":
    raise SystemExit(main())

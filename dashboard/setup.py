"""First-run set-up: reference data, then the demo networks; each step only once."""

import sys

from dashboard import config, demo, maps, refdata, refdata_fetch, store


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_ready(*, progress: bool = True) -> None:
    """Load reference data (from ANCHOR_REFDATA, else the publishers) and build the demo if missing."""
    with store.connect() as con:
        loaded = refdata.is_loaded(con.cursor())
    if not loaded:
        source = config.refdata_dir()
        if source is not None and source.is_dir():
            _say(f"Loading official reference data from {source} (first run only; about a minute)...")
        else:
            source = config.cache_dir() / "reference"
            _say(f"ANCHOR_REFDATA is not set: downloading the official files from the publishers to {source}...")
            refdata_fetch.fetch(source, progress=progress)
        refdata.load(source, progress=progress)
    with store.connect() as con:
        has_demo = demo.exists(con.cursor())
    if not has_demo:
        _say("Creating the synthetic demo networks through the normal ingest (first run only)...")
        summary = demo.build(progress=progress)
        _say(f"Demo ready: {summary['files']} partner files, {summary['rows']} rows, {summary['quarters']}.")
    maps.ensure_england_geometry()  # the England map's static files, written once per reference data
    _say(f"Database ready: {config.db_path()}")

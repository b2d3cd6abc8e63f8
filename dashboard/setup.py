"""First-run set-up: reference data, then the demo networks (or, for a real installation, the first
administrator); each step only once."""

import getpass
import os
import sys

from dashboard import access, config, demo, maps, refdata, refdata_fetch, store


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_ready(*, progress: bool = True, with_demo: bool | None = None) -> None:
    """Load reference data (from ANCHOR_REFDATA, else the publishers), then build the demo if missing (unless
    with_demo is False, ANCHOR_DEMO=0, or the demo was removed here), else make sure there is an administrator."""
    with_demo = config.demo_wanted() if with_demo is None else with_demo
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
        removed = demo.was_removed(con.cursor())
    if with_demo and not has_demo and not removed:
        _say("Creating the synthetic demo networks through the normal ingest (first run only)...")
        summary = demo.build(progress=progress)
        _say(f"Demo ready: {summary['files']} partner files, {summary['rows']} rows, {summary['quarters']}.")
    elif not has_demo:
        ensure_administrator()
    maps.ensure_england_geometry()  # the England map's static files, written once per reference data
    _say(f"Database ready: {config.db_path()}")


def ensure_administrator() -> None:
    """A real installation's first administrator, from ANCHOR_ADMIN_EMAIL and ANCHOR_ADMIN_PASSWORD or asked for
    at the keyboard; nothing happens when an administrator exists. The password is never printed."""
    with store.connect() as con:
        admins = store.run(con.cursor(), "app_admins")
    if not admins.empty:
        return
    email = os.environ.get("ANCHOR_ADMIN_EMAIL")
    password = os.environ.get("ANCHOR_ADMIN_PASSWORD")
    if not email or not password:
        if not sys.stdin.isatty():
            raise store.StoreError(
                "No administrator account exists yet. Set ANCHOR_ADMIN_EMAIL and ANCHOR_ADMIN_PASSWORD for the first "
                "administrator and run set-up again (the password is never printed), or run it at a terminal to be "
                "asked for them.")
        email = email or input("First administrator's email: ").strip()
        password = getpass.getpass("Their password (at least 12 characters): ")
        if getpass.getpass("The password again: ") != password:
            raise store.StoreError("The two passwords differ: nothing was created. Run set-up again.")
    access.create_user(access.system("setup"), email, "admin", password)
    _say(f"Created the first administrator, {access.normalise_email(email)}. Sign in with the password you chose.")

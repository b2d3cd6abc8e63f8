"""Cached reads of the core for the pages: the only module that uses st.cache_data.

Each read opens a short-lived connection and closes it, so command-line tools can write between
reruns. Every function takes the database path, so two databases never share cached results, and
the session's scope, which the core checks: a page cannot ask for more than its reader may see.
"""

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import (
    access,
    audit,
    config,
    exports,
    figures,
    ingest,
    networks,
    notes,
    parsing,
    retention,
    store,
    submissions,
    suppliers,
)
from dashboard import reports as documents
from dashboard.ui import session

# Partners may upload through the command line, which cannot clear this cache: keep entries short.
TTL_S = 60
# A page should not hang for the CLI's 20 seconds; after this the page says the database is busy.
WAIT_S = 5.0


_local = threading.local()


@contextmanager
def page_run() -> Iterator[None]:
    """Let the reads of one page run share one connection, opened at the first read the cache cannot answer
    and closed when the run ends, so the command line can still write between runs."""
    _local.run = runs = ExitStack()
    _local.con = None
    try:
        yield
    finally:
        _local.run = _local.con = None
        runs.close()


@contextmanager
def _connect(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The page run's shared connection to db, else a connection of its own."""
    runs = getattr(_local, "run", None)
    if runs is None:
        with store.connect(db, wait_s=WAIT_S) as con:
            yield con
        return
    if _local.con is None or _local.con[0] != db:
        _local.con = (db, runs.enter_context(store.connect(db, wait_s=WAIT_S)))
    yield _local.con[1]


def _db() -> str:
    return str(config.db_path())


def _scope() -> access.Scope:
    return session.scope()


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _reference_status(db: str) -> dict[str, Any]:
    from dashboard import refdata

    with _connect(db) as con:
        cur = con.cursor()
        loaded = bool(refdata.is_loaded(cur))
        return {"loaded": loaded, "status": refdata.status(cur) if loaded else None}


def reference_status() -> dict[str, Any]:
    """{'loaded': bool, 'status': refdata.status(...) or None}."""
    return _reference_status(_db())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_list(db: str, scope: access.Scope) -> pd.DataFrame:
    with _connect(db) as con:
        return access.visible_networks(scope, con.cursor())


def network_list() -> pd.DataFrame:
    """The networks (network_id, name, description, is_demo) the reader may see anything of, by name."""
    return _network_list(_db(), _scope())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_members(db: str, scope: access.Scope, network_id: str) -> dict[str, Any]:
    with _connect(db) as con:
        members = networks.members(con.cursor(), network_id)
    readable = access.readable_initiatives(scope, network_id)
    initiatives = members["initiatives"]
    if readable is not None:
        initiatives = initiatives[initiatives["initiative_id"].isin(readable)]
    ids = [None, *initiatives["initiative_id"]]
    institutions = members["institutions"]
    institutions = institutions[[any(access.can_read(scope, network_id, i, ini) for ini in ids)
                                 for i in institutions["institution_id"]]]
    return {**members, "initiatives": initiatives.reset_index(drop=True),
            "institutions": institutions.reset_index(drop=True),
            "whole_network": access.can_read(scope, network_id)}


def network_members(network_id: str) -> dict[str, Any]:
    """A network's districts, and the institutions and initiatives the reader may see; 'whole_network' says
    whether they may see the network's totals across all initiatives."""
    return _network_members(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_settings(db: str, scope: access.Scope, network_id: str | None) -> dict[str, Any]:
    return networks.settings(network_id, Path(db), scope=scope)


def network_settings(network_id: str | None) -> dict[str, Any]:
    """What the Network settings page edits (networks.settings), read once a minute or after a save."""
    return _network_settings(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _notes(db: str, scope: access.Scope, network_id: str, initiative_id: str | None, from_quarter: str,
           to_quarter: str) -> pd.DataFrame:
    with _connect(db) as con:
        return notes.current(con.cursor(), scope, network_id, initiative_id, from_quarter, to_quarter)


def quarter_notes(network_id: str, initiative_id: str | None, from_quarter: str, to_quarter: str) -> pd.DataFrame:
    """notes.current: the network's and the initiative's notes on the quarters, newest version of each."""
    return _notes(_db(), _scope(), network_id, initiative_id, from_quarter, to_quarter)


def can_write_note(network_id: str, initiative_id: str | None) -> bool:
    with _connect(_db()) as con:
        return notes.can_write(con.cursor(), _scope(), network_id, initiative_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_quarters(db: str, network_id: str) -> list[str]:
    with _connect(db) as con:
        span = figures.data_quarters(con.cursor(), network_id)
    if span is None:
        return []
    first, last = span
    return [parsing.shift_quarter(first, i) for i in range(parsing.quarters_between(first, last))]


def network_quarters(network_id: str) -> list[str]:
    """Every calendar quarter from the network's first to its last recorded event ([] if no data)."""
    scope = _scope()
    if network_id not in set(network_list()["network_id"]):
        raise access.Denied(f"Your account ({scope.actor}) may not see network '{network_id}'.")
    return _network_quarters(_db(), network_id)


# Figures: every one through reports.view, which checks the scope and applies disclosure control.


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _view(db: str, scope: access.Scope, selection: dict[str, Any], sections: tuple[str, ...]) -> dict[str, Any]:
    with _connect(db) as con:
        return documents.view(con.cursor(), scope, figures.Selection(**selection), sections)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _section(db: str, scope: access.Scope, selection: dict[str, Any], name: str) -> Any:
    with _connect(db) as con:
        return documents.section(con.cursor(), scope, figures.Selection(**selection), name)


def view(selection: figures.Selection, sections: tuple[str, ...] = ()) -> dict[str, Any]:
    """reports.view: the selection's report with the named sections, as this reader may see it."""
    scope, key = _scope(), figures.selection_dict(selection)
    # Cached part by part, so a tab or a toggle reads only the part it adds; a disclosure-controlled reader's
    # parts are the same as in their whole protected document.
    return {**_view(_db(), scope, key, ()), **{name: _section(_db(), scope, key, name) for name in sections}}


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _targets(db: str, scope: access.Scope, selection: dict[str, Any]) -> list[dict[str, Any]]:
    with _connect(db) as con:
        return documents.target_progress(con.cursor(), scope, figures.Selection(**selection))


def targets(selection: figures.Selection) -> list[dict[str, Any]]:
    """reports.target_progress: the selection's targets and how far each has come, as this reader may see it."""
    return _targets(_db(), _scope(), figures.selection_dict(selection))


def exact(selection: figures.Selection) -> bool:
    """Whether this reader sees exact figures for the selection (else disclosure-controlled ones)."""
    return documents.is_exact(_scope(), selection)


def report(selection: figures.Selection) -> dict[str, Any]:
    """The selection's headline report (figures.report), as this reader may see it."""
    return view(selection)


def _build_export(db: str, scope: access.Scope, selection: dict[str, Any], kind: str) -> bytes:
    with _connect(db) as con:
        return exports.EXPORTS[kind].build(con.cursor(), scope, figures.Selection(**selection))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _export_file(db: str, scope: access.Scope, selection: dict[str, Any], kind: str) -> bytes:
    return _build_export(db, scope, selection, kind)


def export_file(kind: str, selection: figures.Selection) -> bytes:
    """One of exports.EXPORTS ('pack', 'deck', 'pdf') of the selection, as this reader may see it."""
    return _export_file(_db(), _scope(), figures.selection_dict(selection), kind)


def export_on_click(kind: str, selection: figures.Selection) -> Callable[[], bytes]:
    """One of exports.EXPORTS of the selection as this reader may see it, made only when the button is clicked
    (a deck draws its map in a browser: seconds the page should not wait for). The reader is fixed now, since the
    file is made outside the page's run."""
    return functools.partial(_build_export, _db(), _scope(), figures.selection_dict(selection), kind)


# Row-level data: the core refuses anyone without rights to the rows.


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _submission_board(db: str, scope: access.Scope, network_id: str, quarters: tuple[str, ...]) -> pd.DataFrame:
    with _connect(db) as con:
        return submissions.board(con.cursor(), network_id, list(quarters), scope=scope)


def submission_board(network_id: str, quarters: list[str]) -> pd.DataFrame:
    """submissions.board: each institution, dataset and quarter with its active submission or nulls."""
    return _submission_board(_db(), _scope(), network_id, tuple(quarters))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _submission_history(db: str, scope: access.Scope, network_id: str, institution_id: str | None) -> pd.DataFrame:
    with _connect(db) as con:
        return submissions.history(con.cursor(), network_id, institution_id, scope=scope)


def submission_history(network_id: str, institution_id: str | None = None) -> pd.DataFrame:
    """Every submission of the network (or one institution), newest first."""
    return _submission_history(_db(), _scope(), network_id, institution_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _unclassified_suppliers(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    with _connect(db) as con:
        return suppliers.unclassified(con.cursor(), network_id, scope=scope)


def unclassified_suppliers(network_id: str) -> pd.DataFrame:
    """Suppliers whose spend has no known location, largest spend first (all quarters)."""
    return _unclassified_suppliers(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _supplier_register(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    with _connect(db) as con:
        return suppliers.register(con.cursor(), network_id, scope=scope)


def supplier_register(network_id: str) -> pd.DataFrame:
    """The network's supplier register."""
    return _supplier_register(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _register_proposals(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    from dashboard import matching

    with _connect(db) as con:
        return matching.proposals(con.cursor(), network_id, scope=scope)


def register_proposals(network_id: str) -> pd.DataFrame:
    """Proposed register matches of suppliers with unplaced spend, largest spend first."""
    return _register_proposals(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _register_matches_used(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    from dashboard import matching

    with _connect(db) as con:
        return matching.used(con.cursor(), network_id, scope=scope)


def register_matches_used(network_id: str) -> pd.DataFrame:
    """The register matches that place the network's suppliers, with how each was made."""
    return _register_matches_used(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _registers_loaded(db: str) -> list[dict[str, Any]]:
    from dashboard import registers

    with _connect(db) as con:
        return registers.status(con.cursor())


def registers_loaded() -> list[dict[str, Any]]:
    """The official registers loaded, with their dates (registers.status)."""
    return _registers_loaded(_db())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _spend_coverage(db: str, scope: access.Scope, network_id: str) -> dict[str, Any] | None:
    with _connect(db) as con:
        cur = con.cursor()
        span = figures.data_quarters(cur, network_id)
        if span is None:
            return None
        return suppliers.coverage(cur, figures.Selection(network_id=network_id, from_quarter=span[0],
                                                         to_quarter=span[1]), scope=scope)


def spend_coverage(network_id: str) -> dict[str, Any] | None:
    """suppliers.coverage over every quarter of the network's data; None when it has no data."""
    return _spend_coverage(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _saved_mapping(db: str, scope: access.Scope, network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    from dashboard import recognise

    access.require_upload(scope, network_id, institution_id)
    with _connect(db) as con:
        return recognise.saved_mapping(con.cursor(), network_id, institution_id, kind)


def saved_mapping(network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    """The column mapping (file header -> field) saved with the institution's last file of this kind."""
    return _saved_mapping(_db(), _scope(), network_id, institution_id, kind)


# A preview holds every typed row of the file: keep only the last few.
@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=4)
def _preview(db: str, scope: access.Scope, network_id: str, institution_id: str, kind: str, quarter: str,
             data: bytes, file_name: str, mapping: tuple[tuple[str, str], ...] | None,
             leave_out: tuple[str, ...], date_to_quarter: bool) -> ingest.Preview:
    return ingest.prepare(network_id, institution_id, kind, quarter, data, file_name,
                          mapping=dict(mapping) if mapping is not None else None, db=Path(db), scope=scope,
                          choices=ingest.RowChoices(frozenset(leave_out), date_to_quarter))


def preview(network_id: str, institution_id: str, kind: str, quarter: str, data: bytes, file_name: str,
            mapping: dict[str, str] | None = None,
            choices: ingest.RowChoices | None = None) -> ingest.Preview:
    """ingest.prepare: the checked file, nothing written (mapping None: the institution's saved one)."""
    return _preview(_db(), _scope(), network_id, institution_id, kind, quarter, data, file_name,
                    tuple(sorted(mapping.items())) if mapping is not None else None,
                    tuple(sorted(choices.leave_out)) if choices else (), bool(choices and choices.date_to_quarter))


@st.cache_data(show_spinner=False)
def attributions() -> list[dict[str, Any]]:
    """Publisher and Open Government Licence attribution for each reference dataset."""
    from dashboard import refdata_fetch

    return refdata_fetch.attributions()


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _demo_accounts_left(db: str) -> list[str]:
    from dashboard import demo

    with _connect(db) as con:
        return demo.accounts_beside_real_networks(con.cursor())


def demo_accounts_left() -> list[str]:
    """The demo's accounts that can still sign in on an installation that also holds a real network."""
    return _demo_accounts_left(_db())


def clear() -> None:
    """Forget every cached read (call after an upload so the pages show it at once)."""
    st.cache_data.clear()


# Maps


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _lsoa_figures(db: str, scope: access.Scope, selection: dict[str, Any]) -> pd.DataFrame:
    from dashboard import maps

    with _connect(db) as con:
        return maps.lsoa_figures(con.cursor(), figures.Selection(**selection), scope=scope)


def lsoa_figures(selection: figures.Selection) -> pd.DataFrame:
    """maps.lsoa_figures: every English LSOA of the release with its decile and the selection's figures
    (counts of people empty for disclosure-controlled readers)."""
    return _lsoa_figures(_db(), _scope(), figures.selection_dict(selection))


# A network's boundaries change only with the reference data: keep a few networks' worth.
@st.cache_data(show_spinner=False, max_entries=8)
def area_geojson(lsoa_df: pd.DataFrame, imd_release: str) -> dict[str, Any]:
    """maps.area_geojson: the given LSOAs' boundaries with name, district and decile for the hover."""
    from dashboard import maps

    return maps.area_geojson(lsoa_df, imd_release)


@st.cache_resource(show_spinner="Preparing the England map (once)...")
def _england_geometry(db: str) -> dict[str, Any]:
    from dashboard import maps

    return maps.ensure_england_geometry(Path(db))


def england_geometry() -> dict[str, Any]:
    """maps.ensure_england_geometry, at most once per server: the static England files exist after this."""
    return _england_geometry(_db())


# Methodology and management


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _methodology_facts(db: str) -> dict[str, Any]:
    from dashboard import deprivation

    with _connect(db) as con:
        return deprivation.methodology_facts(con.cursor())


def methodology_facts() -> dict[str, Any]:
    """deprivation.methodology_facts: Welsh and Scottish indices, quintiles, representation denominators."""
    return _methodology_facts(_db())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _disclosure_text(db: str, network_id: str) -> str:
    with _connect(db) as con:
        return networks.disclosure_rule(con.cursor(), network_id).text()


def disclosure_text(network_id: str) -> str:
    """The network's disclosure rule for funders and the public, as one sentence."""
    return _disclosure_text(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _retention_text(db: str, network_id: str) -> str:
    with _connect(db) as con:
        return retention.text(con.cursor(), network_id)


def retention_text(network_id: str) -> str:
    """How long the network keeps participants' records, and what happens to them after, as markdown."""
    return _retention_text(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _users(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    with _connect(db) as con:
        return access.list_users(scope, con.cursor(), network_id)


def users(network_id: str) -> pd.DataFrame:
    """The network's accounts (no password hashes), for those who manage it."""
    return _users(_db(), _scope(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _audit_log(db: str, scope: access.Scope, network_id: str) -> pd.DataFrame:
    with _connect(db) as con:
        return audit.log(con.cursor(), network_id, scope=scope)


def audit_log(network_id: str) -> pd.DataFrame:
    """The network's audit log, newest first, for those who manage it."""
    return _audit_log(_db(), _scope(), network_id)


def record_export(network_id: str, what: str, institution_id: str | None = None) -> None:
    """Write an export (a download) to the audit log."""
    audit.note(_scope(), "export", network_id, institution_id, {"what": what}, db=config.db_path())


def can_read(network_id: str, institution_id: str | None = None, initiative_id: str | None = None) -> bool:
    """Whether this reader may see figures of the network (narrowed to an institution and/or initiative)."""
    return access.can_read(_scope(), network_id, institution_id, initiative_id)


def can_manage(network_id: str) -> bool:
    """Whether this reader manages the network (its submissions board, register, users and log)."""
    return access.can_manage(_scope(), network_id)

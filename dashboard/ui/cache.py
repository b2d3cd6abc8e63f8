"""Cached reads of the core for the pages: the only module that uses st.cache_data.

Each read opens a short-lived connection and closes it, so command-line tools can write between
reruns. Every function takes the database path, so two databases never share cached results.
"""

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import config, figures, ingest, networks, parsing, store, submissions, suppliers

# Partners may upload through the command line, which cannot clear this cache: keep entries short.
TTL_S = 60
# A page should not hang for the CLI's 20 seconds; after this the page says the database is busy.
WAIT_S = 5.0


def _db() -> str:
    return str(config.db_path())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _reference_status(db: str) -> dict[str, Any]:
    from dashboard import refdata

    with store.connect(db, wait_s=WAIT_S) as con:
        cur = con.cursor()
        loaded = bool(refdata.is_loaded(cur))
        return {"loaded": loaded, "status": refdata.status(cur) if loaded else None}


def reference_status() -> dict[str, Any]:
    """{'loaded': bool, 'status': refdata.status(...) or None}."""
    return _reference_status(_db())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_list(db: str) -> pd.DataFrame:
    with store.connect(db, wait_s=WAIT_S) as con:
        return networks.list_networks(con.cursor())


def network_list() -> pd.DataFrame:
    """All networks (network_id, name, description, is_demo), by name."""
    return _network_list(_db())


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_members(db: str, network_id: str) -> dict[str, pd.DataFrame]:
    with store.connect(db, wait_s=WAIT_S) as con:
        return networks.members(con.cursor(), network_id)


def network_members(network_id: str) -> dict[str, pd.DataFrame]:
    """A network's districts, institutions and initiatives."""
    return _network_members(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _network_quarters(db: str, network_id: str) -> list[str]:
    with store.connect(db, wait_s=WAIT_S) as con:
        span = figures.data_quarters(con.cursor(), network_id)
    if span is None:
        return []
    first, last = span
    return [parsing.shift_quarter(first, i) for i in range(parsing.quarters_between(first, last))]


def network_quarters(network_id: str) -> list[str]:
    """Every calendar quarter from the network's first to its last recorded event ([] if no data)."""
    return _network_quarters(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _reports(db: str, selection: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    current = figures.Selection(**selection)
    with store.connect(db, wait_s=WAIT_S) as con:
        cur = con.cursor()
        return figures.report(cur, current), figures.report(cur, current.previous())


def reports(selection: figures.Selection) -> tuple[dict[str, Any], dict[str, Any]]:
    """figures.report for the selection and for the previous period of equal length."""
    return _reports(_db(), figures.selection_dict(selection))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _submission_board(db: str, network_id: str, quarters: tuple[str, ...]) -> pd.DataFrame:
    with store.connect(db, wait_s=WAIT_S) as con:
        return submissions.board(con.cursor(), network_id, list(quarters))


def submission_board(network_id: str, quarters: list[str]) -> pd.DataFrame:
    """submissions.board: each institution, dataset and quarter with its active submission or nulls."""
    return _submission_board(_db(), network_id, tuple(quarters))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _submission_history(db: str, network_id: str, institution_id: str | None) -> pd.DataFrame:
    with store.connect(db, wait_s=WAIT_S) as con:
        return submissions.history(con.cursor(), network_id, institution_id)


def submission_history(network_id: str, institution_id: str | None = None) -> pd.DataFrame:
    """Every submission of the network (or one institution), newest first."""
    return _submission_history(_db(), network_id, institution_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _unclassified_suppliers(db: str, network_id: str) -> pd.DataFrame:
    with store.connect(db, wait_s=WAIT_S) as con:
        return suppliers.unclassified(con.cursor(), network_id)


def unclassified_suppliers(network_id: str) -> pd.DataFrame:
    """Suppliers whose spend has no known location, largest spend first (all quarters)."""
    return _unclassified_suppliers(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _supplier_register(db: str, network_id: str) -> pd.DataFrame:
    with store.connect(db, wait_s=WAIT_S) as con:
        return suppliers.register(con.cursor(), network_id)


def supplier_register(network_id: str) -> pd.DataFrame:
    """The network's supplier register."""
    return _supplier_register(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _spend_coverage(db: str, network_id: str) -> dict[str, Any] | None:
    with store.connect(db, wait_s=WAIT_S) as con:
        cur = con.cursor()
        span = figures.data_quarters(cur, network_id)
        if span is None:
            return None
        return suppliers.coverage(cur, figures.Selection(network_id=network_id, from_quarter=span[0],
                                                         to_quarter=span[1]))


def spend_coverage(network_id: str) -> dict[str, Any] | None:
    """suppliers.coverage over every quarter of the network's data; None when it has no data."""
    return _spend_coverage(_db(), network_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _saved_mapping(db: str, network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    from dashboard import mapping

    with store.connect(db, wait_s=WAIT_S) as con:
        return mapping.saved_mapping(con.cursor(), network_id, institution_id, kind)


def saved_mapping(network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    """The column mapping (file header -> field) saved with the institution's last file of this kind."""
    return _saved_mapping(_db(), network_id, institution_id, kind)


# A preview holds every typed row of the file: keep only the last few.
@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=4)
def _preview(db: str, network_id: str, institution_id: str, kind: str, quarter: str, data: bytes, file_name: str,
             mapping: tuple[tuple[str, str], ...] | None) -> ingest.Preview:
    return ingest.prepare(network_id, institution_id, kind, quarter, data, file_name,
                          mapping=dict(mapping) if mapping is not None else None, db=Path(db))


def preview(network_id: str, institution_id: str, kind: str, quarter: str, data: bytes, file_name: str,
            mapping: dict[str, str] | None = None) -> ingest.Preview:
    """ingest.prepare: the checked file, nothing written (mapping None: the institution's saved one)."""
    return _preview(_db(), network_id, institution_id, kind, quarter, data, file_name,
                    tuple(sorted(mapping.items())) if mapping is not None else None)


@st.cache_data(show_spinner=False)
def attributions() -> list[dict[str, Any]]:
    """Publisher and Open Government Licence attribution for each reference dataset."""
    from dashboard import refdata_fetch

    return refdata_fetch.attributions()


def clear() -> None:
    """Forget every cached read (call after an upload so the pages show it at once)."""
    st.cache_data.clear()

"""Cached reads of the core for the pages: the only module that uses st.cache_data.

Each read opens a short-lived connection and closes it, so command-line tools can write between
reruns. Every function takes the database path, so two databases never share cached results.
"""

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import config, figures, networks, parsing, store

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


@st.cache_data(show_spinner=False)
def attributions() -> list[dict[str, Any]]:
    """Publisher and Open Government Licence attribution for each reference dataset."""
    from dashboard import refdata_fetch

    return refdata_fetch.attributions()


def clear() -> None:
    """Forget every cached read (call after an upload so the pages show it at once)."""
    st.cache_data.clear()

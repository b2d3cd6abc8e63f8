"""The figures' summaries: each active submission's people and payments summed per month and place (table
place_month), and from those per month and area group (table area_month).

The figures read these rows, not the people and payments: the headline figures and deciles area_month; the maps,
the Welsh and Scottish deciles, representation and spend by source place_month. They are written in the
transaction of every change they depend on, through the functions here: a submission's rows when it is committed,
a network's when its people are erased, its supplier register or register matches change, or its districts
change, and every network's when the reference data or the national registers are loaded. check() recalculates
them from the rows and lists any difference.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import duckdb
import pandas as pd

from dashboard import figures, store

T = TypeVar("T")
# Values worked out from a network's rows, kept until its figures change (see kept()).
_KEPT: OrderedDict[tuple, object] = OrderedDict()
_KEPT_MAX = 64
_kept_lock = threading.Lock()


def _releases() -> list[str]:
    return list(figures.IMD_RELEASES)


def add_submission(cur: duckdb.DuckDBPyConnection, network_id: str, submission_id: int) -> None:
    """Write one newly committed submission's summary rows and remove those of the submission it replaced, in the
    caller's transaction."""
    store.run(cur, "area_month_claim", network_id=network_id)
    store.run(cur, "place_month_prune", network_id=network_id)
    store.run(cur, "area_month_prune", network_id=network_id)
    _write(cur, network_id, submission_id)


def rebuild(cur: duckdb.DuckDBPyConnection, network_ids: Iterable[str] | None = None) -> None:
    """Rewrite the summaries of the networks given (every network by default), in the caller's transaction."""
    if network_ids is None:
        network_ids = store.run(cur, "area_month_networks")["network_id"].tolist()
    for network_id in dict.fromkeys(network_ids):
        store.run(cur, "area_month_claim", network_id=network_id)
        _write(cur, network_id, None)


def _write(cur: duckdb.DuckDBPyConnection, network_id: str, submission_id: int | None) -> None:
    """Write the summary rows of a network's submissions (or of one) again: by place first, then by area group
    from those."""
    store.run(cur, "place_month_delete", network_id=network_id, submission_id=submission_id)
    store.run(cur, "place_month_insert", network_id=network_id, submission_id=submission_id)
    store.run(cur, "area_month_delete", network_id=network_id, submission_id=submission_id)
    store.run(cur, "area_month_insert", network_id=network_id, submission_id=submission_id, releases=_releases())


def check(con: duckdb.DuckDBPyConnection, network_id: str) -> pd.DataFrame:
    """The network's summary rows that differ from a recalculation from its people and payments (none if right), each
    named by its table: by place from the rows, and by area group from those by place."""
    by_place = store.run(con, "place_month_check", network_id=network_id)
    by_area = store.run(con, "area_month_check", network_id=network_id, releases=_releases())
    frames = [frame.assign(summary=table) for table, frame in (("place_month", by_place), ("area_month", by_area))
              if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else by_area


def kept(con: duckdb.DuckDBPyConnection, network_id: str | None, key: Hashable, make: Callable[[], T]) -> T:
    """make()'s value, worked out once and kept: for a network, until the network's figures change (its people,
    payments, register placements, districts, disclosure rule or the reference data: each such change rewrites
    its summaries, which moves their version on); for None, until the reference data is loaded again. key names
    what is kept; the database file is part of it too."""
    if network_id is None:
        version = store.rows(con, "reference_version")[0]
        full_key = (version["db_file"], None, str(version["loaded_at"]), version["imd_rows"], key)
    else:
        version = store.rows(con, "area_month_version", network_id=network_id)[0]
        full_key = (version["db_file"], network_id, int(version["version"]), str(version["changed_at"]), key)
    return _kept(full_key, make)


def _kept(full_key: tuple, make: Callable[[], T]) -> T:
    with _kept_lock:
        if full_key in _KEPT:
            _KEPT.move_to_end(full_key)
            return _KEPT[full_key]  # type: ignore[return-value]
    value = make()
    with _kept_lock:
        _KEPT[full_key] = value
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.popitem(last=False)
    return value

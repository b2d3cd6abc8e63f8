"""The audit log: who did what, when. Recorded in the same transaction as the action it describes."""

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from dashboard import store

if TYPE_CHECKING:
    from dashboard.access import Scope

# Never recorded, whatever a caller puts in detail: secrets, and the reference of an erased participant.
FORBIDDEN_KEYS = frozenset({"password", "password_hash", "participant_ref", "secret", "token"})


def record(cur: duckdb.DuckDBPyConnection, actor: "Scope", action: str, network_id: str | None = None,
           institution_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Add one entry to the audit log, inside the caller's transaction (cur)."""
    detail = dict(detail or {})
    refused = FORBIDDEN_KEYS & set(detail)
    if refused:
        raise ValueError(f"the audit log never records {', '.join(sorted(refused))}")
    store.run(cur, "audit_insert", actor_email=actor.actor, role=actor.role, action=action, network_id=network_id,
              institution_id=institution_id, detail=json.dumps(detail, default=str) if detail else None)


def note(actor: "Scope", action: str, network_id: str | None = None, institution_id: str | None = None,
         detail: dict[str, Any] | None = None, db: Path | None = None) -> None:
    """Add one entry in a transaction of its own, for actions that write nothing else (an export, a sign-out)."""
    store.write(lambda cur: record(cur, actor, action, network_id, institution_id, detail), db)


def log(con: duckdb.DuckDBPyConnection, network_id: str, *, scope: "Scope", since: dt.datetime | None = None,
        limit: int = 1000) -> pd.DataFrame:
    """A network's audit log, newest first, for those who manage the network."""
    from dashboard import access

    access.require_manage(scope, network_id)
    return store.run(con, "audit_log_of_network", network_id=network_id, since=since, limit=limit)

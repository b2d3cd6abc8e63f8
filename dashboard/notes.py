"""Notes on a quarter: what happened, in the coordinator's words, kept beside the figures.

A note is short plain text, one per network and one per initiative per quarter. It is never rendered as HTML or
Markdown. Every version is kept with who wrote it and when, and each change is audited.
"""

from pathlib import Path

import duckdb
import pandas as pd

from dashboard import access, audit, parsing, store

MAX_CHARS = 600  # a few sentences: what a slide can hold


def can_write(cur: duckdb.DuckDBPyConnection, scope: access.Scope, network_id: str, initiative_id: str | None) -> bool:
    """The network's coordinator (or an administrator) writes any note; an initiative's lead partner its own."""
    if access.can_manage(scope, network_id):
        return True
    if initiative_id is None or scope.role != "partner" or scope.network_id != network_id:
        return False
    lead = store.run(cur, "initiative_lead", network_id=network_id, initiative_id=initiative_id)
    return not lead.empty and lead["lead_institution_id"].iloc[0] == scope.institution_id


def write(scope: access.Scope, network_id: str, initiative_id: str | None, quarter: str, text: str,
          db: Path | None = None) -> None:
    """Save the note of a quarter (empty text clears it); StoreError with a plain message when it cannot be."""
    quarter = parsing.parse_quarter(quarter)
    text = " ".join(str(text or "").split())  # one paragraph of plain text
    if len(text) > MAX_CHARS:
        raise store.StoreError(f"A note holds at most {MAX_CHARS} characters; this one has {len(text)}.")

    def save(cur: duckdb.DuckDBPyConnection) -> None:
        if initiative_id is not None and store.run(cur, "initiative_lead", network_id=network_id,
                                                   initiative_id=initiative_id).empty:
            raise store.StoreError(f"'{initiative_id}' is not an initiative of network '{network_id}'.")
        if not can_write(cur, scope, network_id, initiative_id):
            raise access.Denied(f"Your account ({scope.actor}) may not write notes for "
                                + (f"initiative '{initiative_id}'." if initiative_id else f"network '{network_id}'."))
        store.run(cur, "note_insert", network_id=network_id, initiative_id=initiative_id or "", quarter=quarter,
                  text=text, written_by=scope.actor)
        audit.record(cur, scope, "note.clear" if not text else "note.write", network_id, None,
                     {"initiative": initiative_id, "quarter": quarter, "characters": len(text)})

    store.write(save, db)


def current(con: duckdb.DuckDBPyConnection, scope: access.Scope, network_id: str, initiative_id: str | None,
            from_quarter: str, to_quarter: str) -> pd.DataFrame:
    """The notes of the quarters from_quarter to to_quarter: the network's (initiative_id '') and, when given, the
    initiative's; anyone who may read the network's figures reads them."""
    access.require_read(scope, network_id, initiative_id=initiative_id)
    found = store.run(con, "notes_current", network_id=network_id, initiative_id=initiative_id,
                      from_quarter=from_quarter, to_quarter=to_quarter)
    if not access.can_read(scope, network_id):  # a funder of one initiative: the network's notes may name others
        found = found[found["initiative_id"] != ""].reset_index(drop=True)
    return found

"""Data-subject requests: delete every record of one participant, keeping no trace of who they were."""

from pathlib import Path

import duckdb

from dashboard import access, audit, store, summaries


def delete_participant(scope: access.Scope, network_id: str, institution_id: str, participant_ref: str,
                       db: Path | None = None) -> int:
    """Delete every row of a participant in one institution's submissions, in one transaction; return the count.

    The audit log records how many rows went and from which submissions, never the reference.
    """
    access.require_upload(scope, network_id, institution_id)
    ref = str(participant_ref or "").strip()
    if not ref:
        raise store.StoreError("Give the participant's reference, as in the institution's uploads.")

    def write(cur: duckdb.DuckDBPyConnection) -> int:
        if store.run(cur, "institution_lookup", network_id=network_id, institution_id=institution_id).empty:
            raise store.StoreError(f"'{institution_id}' is not an institution of network '{network_id}'")
        deleted = store.run(cur, "participant_erase", network_id=network_id, institution_id=institution_id,
                            participant_ref=ref)
        if not deleted.empty:
            store.run(cur, "submission_row_count_refresh", network_id=network_id, institution_id=institution_id)
            summaries.rebuild(cur, [network_id])
        audit.record(cur, scope, "participant.delete", network_id, institution_id,
                     {"rows": len(deleted), "submissions": sorted({int(s) for s in deleted["submission_id"]})
                      if not deleted.empty else []})
        return len(deleted)

    return store.write(write, db)

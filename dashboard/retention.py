"""Storage limitation: how long each network keeps participants' row-level records, and what happens after.

A network's rule keeps a record N years after its initiative ends (an initiative with no end date: N years after
the record's last date, its start, completion or job start). A retention run replaces the records past the rule
with counts that name no one, in one transaction with deleting them:

- participant_tally: each event (a start, a completion, a job start, and a starter's outcomes) per submission,
  initiative, small area and month;
- participant_trait_tally: each answer to one equality question per submission, initiative and month, never
  crossed with the area or another answer.

Every figure reads people through the macros of migration 027, which add these counts to the records still held,
and selections are whole quarters, so every report of every past period is what it was before the run: the
headline, deciles, quarters, cohorts, equality, maps, the funder's disclosure control. What goes is what only a
record holds: the reference (so a later erasure or access request finds nothing), exact dates, the postcode
district, the employer, and the link between one person's answers. The run is audited with its counts.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dashboard import access, audit, store, summaries

MAX_YEARS = 100


@dataclass(frozen=True)
class Applied:
    """One network's retention run: its rule and the records it removed."""

    network_id: str
    keep_years: int
    records_removed: int
    submissions: tuple[int, ...]


def set_rule(scope: access.Scope, network_id: str, keep_years: int | None, db: Path | None = None) -> None:
    """Keep the network's participants' records keep_years after their initiative ends; None removes the rule."""
    access.require_manage(scope, network_id)
    if keep_years is not None and not 1 <= keep_years <= MAX_YEARS:
        raise store.StoreError(f"Keep records between 1 and {MAX_YEARS} years after an initiative ends "
                               f"(not {keep_years}).")

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        if not store.rows(cur, "retention_rule", network_id=network_id):
            raise store.StoreError(f"There is no network '{network_id}'.")
        if keep_years is None:
            store.run(cur, "retention_rule_clear", network_id=network_id)
        else:
            store.run(cur, "retention_rule_set", network_id=network_id, keep_years=keep_years,
                      set_by=scope.actor, set_at=dt.datetime.now())
        audit.record(cur, scope, "retention.rule", network_id, None, {"keep_years": keep_years})

    store.write(write, db)


def rules(con: duckdb.DuckDBPyConnection, network_id: str | None = None,
          on_date: dt.date | None = None) -> list[dict[str, Any]]:
    """Each network's rule (keep_years None without one), with its records held and due on on_date (today)."""
    return store.rows(con, "retention_rules", network_id=network_id, on_date=on_date or dt.date.today())


def text(con: duckdb.DuckDBPyConnection, network_id: str) -> str:
    """The network's retention rule and what it means for the figures, for the methodology page (markdown)."""
    rule = store.rows(con, "retention_rule", network_id=network_id)
    years = rule[0]["keep_years"] if rule else None
    if years is None:
        return ("This network has set no retention rule: participants' records are kept until a partner or the "
                "coordinator deletes them.")
    return (f"Participants' records are kept **{years} year{'s' if years != 1 else ''} after their initiative "
            "ends** (for an initiative with no end date, after the record's last date: its start, completion or job "
            "start). Records past that are replaced by counts that name no one: each start, completion and job "
            "start per small area and month, and each equality answer on its own. Every figure adds those counts "
            "to the records still held, so past reports add up exactly as before; what goes is the reference, "
            "exact dates, the postcode district and the employer. Each removal is in the audit log.")


def apply(scope: access.Scope, network_id: str | None = None, on_date: dt.date | None = None,
          db: Path | None = None) -> list[Applied]:
    """Replace the records past each rule (every network with one, or only network_id) with counts, one network
    per transaction, each audited; what was removed per network. A network with nothing due is left untouched."""
    on_date = on_date or dt.date.today()
    with store.connect(db) as con:
        chosen = [r for r in rules(con.cursor(), network_id, on_date) if r["keep_years"] is not None]
    if network_id is not None:
        access.require_manage(scope, network_id)
        if not chosen:
            raise store.StoreError(f"Network '{network_id}' has no retention rule: set one with "
                                   f"python -m dashboard retention set --network {network_id} --years N")
    else:
        access.require_admin(scope)
    return [_apply_one(scope, r["network_id"], on_date, db) for r in chosen]


def _apply_one(scope: access.Scope, network_id: str, on_date: dt.date, db: Path | None) -> Applied:
    def write(cur: duckdb.DuckDBPyConnection) -> Applied:
        rule = rules(cur, network_id, on_date)[0]
        store.run(cur, "retention_hold", network_id=network_id, on_date=on_date)
        store.run(cur, "retention_tally_insert")
        store.run(cur, "retention_trait_insert")
        removed = store.run(cur, "retention_delete")
        store.run(cur, "retention_release")
        submissions = tuple(sorted({int(s) for s in removed["submission_id"]})) if not removed.empty else ()
        if submissions:
            summaries.rebuild(cur, [network_id])
        audit.record(cur, scope, "retention.apply", network_id, None,
                     {"keep_years": rule["keep_years"], "on": on_date.isoformat(), "records": len(removed),
                      "submissions": list(submissions)})
        return Applied(network_id, int(rule["keep_years"]), len(removed), submissions)

    return store.write(write, db)

"""Suppliers matched against the official registers, with care: no wrong match used silently.

For each supplier of a network (by its normalised name, dashboard.suppliers.supplier_key):
1. By number: an identifier given with it that is a register entry's number (a Companies House number however
   padded, a charity number), used when the entry's names agree with the supplier's name; a number whose
   entry has another name (an internal supplier number that happens to be a company's) is only proposed.
2. By name: exactly the same normalised name, current first, then previous or other names, active entries
   preferred over dissolved or removed ones. Used when one entry is left; several are all proposed.
3. Near names (token similarity, rapidfuzz) are proposed, with their score, never used until a coordinator
   confirms one.
Redacted payees are never matched. What a coordinator confirms or rejects is kept through every re-match.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from rapidfuzz import fuzz

from dashboard import access, audit, store, summaries

# The is_redacted macro in queries/migrations/014_registers.sql is the same rule.
_REDACTED = re.compile(r"(^|[^a-z])(redacted|withheld|private individual|personal (data|information|details|expenses?)"
                       r"|data protection)([^a-z]|$)")
BLANKS = " \t\n\v\f\r"  # what counts as blank around a name, here and in the is_redacted SQL macro
_ID = re.compile(r"[^A-Za-z0-9]+")
NUMBER_AGREES = 60        # a number's entry is used when one of its names scores at least this against the supplier
NEAR_MIN_SCORE = 80       # proposals below this score are not shown
NEAR_PROPOSALS = 3        # at most this many proposals a supplier
NEAR_MAX_BLOCK = 20_000   # a first word starting more register names than this is too common to search by
NEAR_MIN_SIMILARITY = 0.8  # Jaro-Winkler prefilter in DuckDB before the token score
USED = ("automatic", "confirmed")


class MatchError(store.StoreError):
    """A decision about a match that cannot be taken; the message says why."""


@dataclass(frozen=True)
class Refreshed:
    """What one round of matching found for a network."""

    suppliers: int
    automatic: int
    proposed: int


def is_redacted(name: Any, supplier_id: Any = None) -> bool:
    """A payee the file does not name; the same rule as the is_redacted SQL macro."""
    text = "" if name is None or (not isinstance(name, str) and pd.isna(name)) else str(name)
    given_id = "" if supplier_id is None or (not isinstance(supplier_id, str) and pd.isna(supplier_id)) \
        else _ID.sub("", str(supplier_id))
    return (not text.strip(BLANKS) and not given_id) or bool(_REDACTED.search(text.lower()))


def score(supplier_key: str, name_key: str) -> float:
    """How alike two normalised names are, 0 to 100: word order and a missing word cost less than a wrong one."""
    return round((fuzz.token_sort_ratio(supplier_key, name_key) + fuzz.token_set_ratio(supplier_key, name_key)) / 2, 1)


def refresh(cur: duckdb.DuckDBPyConnection, network_id: str, *, everything: bool = False,
            submission_id: int | None = None) -> Refreshed:
    """Match the network's suppliers not matched yet (of one submission, or all), inside the caller's transaction.

    everything: forget the automatic matches and proposals first and match every supplier again (after the
    registers change). A coordinator's confirmations and rejections are kept either way.
    """
    if everything:
        store.run(cur, "register_match_reset", network_id=network_id)
    if int(store.run(cur, "register_entity_total")["entries"].iloc[0]) == 0:
        return Refreshed(0, 0, 0)
    todo = store.run(cur, "match_suppliers", network_id=network_id, submission_id=submission_id)
    if todo.empty:
        return Refreshed(0, 0, 0)
    rejected = set(store.run(cur, "register_match_rejected", network_id=network_id).itertuples(index=False, name=None))
    rows: list[dict[str, Any]] = []
    decided: set[str] = set()

    def add(key: str, register: str, entity_id: str, method: str, value: float, status: str) -> None:
        if (key, register, entity_id) not in rejected:
            rows.append({"supplier_key": key, "register": register, "entity_id": entity_id, "method": method,
                         "score": float(value), "status": status})

    # 1. By number.
    ids = todo[["supplier_key", "supplier_ids"]].explode("supplier_ids").dropna()
    if not ids.empty:
        cur.register("match_ids", ids.rename(columns={"supplier_ids": "supplier_id"}).astype(str))
        by_number = store.run(cur, "match_by_number")
        cur.unregister("match_ids")
        best: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
        for t in by_number.itertuples(index=False):
            if (t.supplier_key, t.register, t.entity_id) not in rejected:
                entries = best[t.supplier_key]
                entries[(t.register, t.entity_id)] = max(entries.get((t.register, t.entity_id), 0.0),
                                                         score(t.supplier_key, t.name_key))
        for key, entries in best.items():
            agreeing = [entry for entry, value in entries.items() if value >= NUMBER_AGREES]
            if len(agreeing) == 1:
                add(key, *agreeing[0], "number", entries[agreeing[0]], "automatic")
                decided.add(key)
            else:
                for (register, entity_id), value in entries.items():
                    add(key, register, entity_id, "number", value, "proposed")

    # 2. By the same normalised name.
    keys = todo.loc[~todo["supplier_key"].isin(decided), ["supplier_key"]]
    cur.register("match_keys", keys)
    found_by_key: dict[str, list[Any]] = defaultdict(list)
    for t in store.run(cur, "match_by_name").itertuples(index=False):
        if (t.supplier_key, t.register, t.entity_id) not in rejected:
            found_by_key[t.supplier_key].append(t)
    exact_keys = set(found_by_key)
    for key, found in found_by_key.items():
        # A charitable company is one organisation in two registers: its company stands for it.
        companies = {t.entity_id for t in found if t.register == "companies_house"}
        entries: dict[tuple[str, str], Any] = {}
        for t in sorted(found, key=lambda t: t.kind != "current"):  # an entry's current name before its others
            if not (t.register == "charity_commission" and t.company_number in companies):
                entries.setdefault((t.register, t.entity_id), t)
        chosen = _unique_choice(list(entries.values()))
        if chosen is not None:
            add(key, chosen.register, chosen.entity_id, _name_method(chosen.kind), 100.0, "automatic")
            decided.add(key)
        else:
            for t in entries.values():
                add(key, t.register, t.entity_id, _name_method(t.kind), 100.0, "proposed")

    # 3. Near names, proposed only.
    near_keys = keys[~keys["supplier_key"].isin(decided | exact_keys)]
    if not near_keys.empty:
        cur.register("match_keys", near_keys)
        near = store.run(cur, "match_near", max_block=NEAR_MAX_BLOCK, min_similarity=NEAR_MIN_SIMILARITY)
        if not near.empty:
            near["score"] = [score(k, n) for k, n in zip(near["supplier_key"], near["name_key"], strict=True)]
            near = near[near["score"] >= NEAR_MIN_SCORE]
            near = near[_kept(near, rejected)]
            near = (near.sort_values(["supplier_key", "score", "active"], ascending=[True, False, False])
                    .drop_duplicates(["supplier_key", "register", "entity_id"])
                    .groupby("supplier_key").head(NEAR_PROPOSALS))
            for hit in near.itertuples(index=False):
                add(hit.supplier_key, hit.register, hit.entity_id, "similar name", hit.score, "proposed")
    cur.unregister("match_keys")

    proposed_keys = {r["supplier_key"] for r in rows if r["status"] == "proposed"}
    for key in todo["supplier_key"]:
        if key not in decided and key not in proposed_keys:
            rows.append({"supplier_key": key, "register": "", "entity_id": "", "method": "none", "score": 0.0,
                         "status": "none"})
    frame = pd.DataFrame(rows, columns=["supplier_key", "register", "entity_id", "method", "score", "status"])
    frame = frame.drop_duplicates(["supplier_key", "register", "entity_id"])
    cur.register("match_rows", frame)
    store.run(cur, "register_match_insert", network_id=network_id)
    cur.unregister("match_rows")
    return Refreshed(len(todo), int((frame["status"] == "automatic").sum()),
                     int(frame.loc[frame["status"] == "proposed", "supplier_key"].nunique()))


def _kept(frame: pd.DataFrame, rejected: set[tuple[str, str, str]]) -> pd.Series:
    """Which candidates (supplier_key, register, entity_id) a coordinator has not rejected."""
    return pd.Series([row not in rejected for row in frame[["supplier_key", "register", "entity_id"]].itertuples(
        index=False, name=None)], index=frame.index, dtype=bool)


def _name_method(kind: str) -> str:
    return "name" if kind == "current" else "previous name"


def _unique_choice(entries: list[Any]) -> Any | None:
    """The one entry a name points to: one active by current name, else one active by another name,
    else the only entry at all; None when several remain (a proposal, never a guess)."""
    active = [t for t in entries if t.active]
    for candidates in ([t for t in active if t.kind == "current"], active):
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            return None
    return entries[0] if len(entries) == 1 else None


def proposals(con: duckdb.DuckDBPyConnection, network_id: str, *, scope: access.Scope) -> pd.DataFrame:
    """Proposed matches of suppliers with spend and no place yet, largest spend first, best candidate first."""
    access.require_manage(scope, network_id)
    return store.run(con, "register_proposals", network_id=network_id)


def used(con: duckdb.DuckDBPyConnection, network_id: str, *, scope: access.Scope) -> pd.DataFrame:
    """The matches that place spend (automatic and confirmed), with the register entry's details."""
    access.require_manage(scope, network_id)
    return store.run(con, "register_matches_used", network_id=network_id)


def decide(network_id: str, supplier_key: str, register: str, entity_id: str, decision: str,
           db: Path | None = None, *, scope: access.Scope) -> None:
    """Confirm or reject one candidate entry for a supplier, audited; confirming rejects its other candidates."""
    access.require_manage(scope, network_id)
    if decision not in ("confirmed", "rejected"):
        raise ValueError(decision)

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        found = store.run(cur, "register_match_one", network_id=network_id, supplier_key=supplier_key,
                          register=register, entity_id=entity_id)
        if found.empty:
            raise MatchError(f"'{supplier_key}' has no candidate {register} {entity_id} in network '{network_id}'. "
                             "List them with: python -m dashboard suppliers matches --network " + network_id)
        store.run(cur, "register_match_decide", network_id=network_id, supplier_key=supplier_key, register=register,
                  entity_id=entity_id, status=decision, decided_by=scope.actor)
        action = {"confirmed": "suppliers.match_confirm", "rejected": "suppliers.match_reject"}[decision]
        audit.record(cur, scope, action, network_id, detail={
            "supplier_key": supplier_key, "register": register, "entity_id": entity_id,
            "was": str(found["status"].iloc[0])})
        summaries.rebuild(cur, [network_id])

    store.write(write, db)

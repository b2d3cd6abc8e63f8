"""Networks, their districts, institutions and initiatives: defined in YAML files or on the Network settings page."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from dashboard import access, audit, contract, disclosure, parsing, store, summaries, targets

ID_LENGTH = 63
_SLUG = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{ID_LENGTH - 1}}}$")
# The source of a definition saved on the Network settings page (else it is the YAML file's path).
PAGE = "page"
PAGE_WHERE = "Network settings"


class NetworkError(store.StoreError):
    """A network definition that cannot be used; the message says where and why, problems lists each."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = list(problems) or [message]


def slug(name: str, taken: Iterable[str]) -> str:
    """An id made from a name: lower-case letters, digits and dashes, at most 63 characters, none of taken."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.replace("&", " and ")).strip("-")[:ID_LENGTH].strip("-") or "id"
    taken = set(taken)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[:ID_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate



def year_start(con: duckdb.DuckDBPyConnection, network_id: str) -> str:
    """When the network's year starts, for naming its quarters: 'calendar' or 'april'."""
    return str(store.run(con, "network_year_start", network_id=network_id)["year_start"].iloc[0])

def check(doc: Any, where: str) -> dict[str, Any]:
    """Check a network definition (as its YAML reads); return it, or raise NetworkError naming each bad field."""
    if not isinstance(doc, dict):
        raise NetworkError(f"{where}: expected a mapping with id, name, local_districts, ...")
    problems: list[str] = []

    def need(mapping: dict, key: str, where: str) -> Any:
        if mapping.get(key) in (None, ""):
            problems.append(f"{where}: '{key}' is missing")
        return mapping.get(key)

    def member_id(mapping: dict, where: str) -> str:
        value = str(need(mapping, "id", where))
        if not _SLUG.match(value):
            problems.append(f"{where}: id '{value}' must be lower-case letters, digits and dashes")
        need(mapping, "name", where)
        return value

    def date_or_none(mapping: dict, key: str, where: str, example: str) -> None:
        value = mapping.get(key)
        if value is not None and not isinstance(value, dt.date):
            problems.append(f"{where}: '{key}' must be a date like {example}")

    member_id(doc, "network")
    districts = doc.get("local_districts") or []
    if not districts:
        problems.append("network: 'local_districts' needs at least one LAD code")
    if doc.get("year_start", parsing.YEAR_STARTS[0]) not in parsing.YEAR_STARTS:
        problems.append(f"network: year_start '{doc.get('year_start')}' must be one of "
                        f"{', '.join(parsing.YEAR_STARTS)}")
    institutions = doc.get("institutions") or []
    institution_ids = set()
    for i, inst in enumerate(institutions, 1):
        where_inst = f"institutions[{i}]"
        if not isinstance(inst, dict):
            problems.append(f"{where_inst}: expected a mapping with id, name and type")
            continue
        inst_id = member_id(inst, where_inst)
        if need(inst, "type", where_inst) is not None and inst.get("type") not in contract.INSTITUTION_TYPES:
            problems.append(
                f"{where_inst}: type '{inst.get('type')}' is not one of {', '.join(contract.INSTITUTION_TYPES)}"
            )
        if inst_id in institution_ids:
            problems.append(f"{where_inst}: id '{inst_id}' appears twice")
        institution_ids.add(inst_id)
        date_or_none(inst, "left", where_inst, "2025-03-31")
    initiatives = doc.get("initiatives") or []
    initiative_ids = set()
    for i, ini in enumerate(initiatives, 1):
        where_ini = f"initiatives[{i}]"
        if not isinstance(ini, dict):
            problems.append(f"{where_ini}: expected a mapping with id, name, lead and start")
            continue
        ini_id = member_id(ini, where_ini)
        if ini_id in initiative_ids:
            problems.append(f"{where_ini}: id '{ini_id}' appears twice")
        initiative_ids.add(ini_id)
        if need(ini, "lead", where_ini) is not None and ini.get("lead") not in institution_ids:
            problems.append(f"{where_ini}: lead '{ini.get('lead')}' is not one of the network's institutions")
        for key in ("start", "end"):
            date_or_none(ini, key, where_ini, "2024-10-01")
        if ini.get("start") is None:
            problems.append(f"{where_ini}: 'start' is missing")
        start, end = ini.get("start"), ini.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            problems.append(f"{where_ini}: 'end' {end} is before 'start' {start}")
    problems += targets.problems(doc.get("targets"), initiative_ids)
    try:
        disclosure_rule_of(doc)
    except (TypeError, disclosure.DisclosureError) as exc:
        problems.append(f"disclosure: expected a mapping like {{threshold: 5}} ({exc})")
    if problems:
        raise NetworkError(f"{where}:\n  " + "\n  ".join(problems), problems)
    return doc


def read_definition(path: Path) -> dict[str, Any]:
    """Read and check a network YAML file; return the definition with dates parsed."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NetworkError(f"{path}: cannot read the network file: {exc}") from exc
    return check(doc, str(path))


def apply(doc: dict[str, Any], db: Path | None = None, *, scope: access.Scope, source: str | Path) -> str:
    """Check a network definition and create or update the network from it in one audited transaction; its id.

    source is the YAML file the definition came from, or PAGE for the Network settings page. Nothing is written
    unless every check passes; a NetworkError lists every problem found, the database's own (unknown districts,
    institutions with submissions removed) included.
    """
    from_page = source == PAGE
    where = PAGE_WHERE if from_page else str(source)
    try:
        check(doc, where)
    except NetworkError as exc:
        if not isinstance(doc, dict):
            raise
        problems = list(exc.problems)  # reported with those only the database can find, all at once
    else:
        problems = []
    settings = None if problems else access.read_network_access(doc, where)
    institutions = doc.get("institutions") or []

    def write(cur: duckdb.DuckDBPyConnection) -> str:
        known = set(store.run(cur, "lad_codes")["lad24_code"])
        if not known:
            raise NetworkError(
                "Reference data is not loaded yet: run 'python -m dashboard refdata load --from DIR' first."
            )
        network_id = doc.get("id")
        # A new network is an administrator's to create; its coordinator may update it. Asked before anything else,
        # so a person who may not save it learns nothing about it.
        created = network_id not in set(store.run(cur, "networks")["network_id"])
        if created:
            access.require_admin(scope)
        else:
            access.require_manage(scope, network_id)
        found = list(problems)
        unknown = [str(code) for code in doc.get("local_districts") or [] if code not in known]
        if unknown:
            found.append(f"local_districts has unknown LAD 2024 codes: {', '.join(unknown)}")
        used = store.run(cur, "institutions_with_submissions", network_id=network_id)["institution_id"]
        dropped = set(used) - {inst.get("id") for inst in institutions if isinstance(inst, dict)}
        if dropped:
            problem = f"institutions {', '.join(sorted(dropped))} have submissions and cannot be removed"
            found.append(problem + (": give them the date they left instead" if from_page else ""))
        if found:
            one_line = len(found) == 1 and not problems
            raise NetworkError(f"{where}: {found[0]}" if one_line else f"{where}:\n  " + "\n  ".join(found), found)
        for query in ("network_lad_delete", "institution_delete", "initiative_delete", "target_delete"):
            store.run(cur, query, network_id=network_id)
        store.run(cur, "network_upsert", network_id=network_id, name=doc["name"],
                  description=doc.get("description"), is_demo=bool(doc.get("demo", False)))
        store.run(cur, "network_year_start_set", network_id=network_id,
                  year_start=doc.get("year_start") or parsing.YEAR_STARTS[0])
        cur.register("network_lad_rows", pd.DataFrame(
            {"network_id": network_id, "lad24_code": list(dict.fromkeys(doc["local_districts"]))}))
        cur.register("institution_rows", pd.DataFrame(
            [{"network_id": network_id, "institution_id": i["id"], "name": i["name"],
              "institution_type": i["type"], "left_on": i.get("left")} for i in institutions],
            columns=["network_id", "institution_id", "name", "institution_type", "left_on"]))
        cur.register("initiative_rows", pd.DataFrame(
            [{"network_id": network_id, "initiative_id": i["id"], "name": i["name"],
              "lead_institution_id": i["lead"], "start_date": i["start"], "end_date": i.get("end"),
              "description": i.get("description")} for i in doc.get("initiatives") or []],
            columns=["network_id", "initiative_id", "name", "lead_institution_id", "start_date",
                     "end_date", "description"]))
        cur.register("target_rows", pd.DataFrame(
            [{"network_id": network_id, "target_id": t.target_id, "initiative_id": t.initiative_id or "",
              "measure": t.measure, "target_value": t.value, "direction": t.direction,
              "from_quarter": t.from_quarter, "deadline": t.deadline}
             for t in targets.from_definition(doc.get("targets"))],
            columns=["network_id", "target_id", "initiative_id", "measure", "target_value", "direction",
                     "from_quarter", "deadline"]))
        for query in ("network_lad_insert", "institution_insert", "initiative_insert", "target_insert"):
            store.run(cur, query)
        store.run(cur, "network_disclosure_set", network_id=network_id,
                  disclosure_threshold=disclosure_rule_of(doc).threshold)
        access.save_network_access(cur, network_id, settings)
        summaries.rebuild(cur, [network_id])  # its districts decide which payments are local
        counts = {"institutions": len(institutions), "initiatives": len(doc.get("initiatives") or []),
                  "targets": len(doc.get("targets") or []),
                  "public_view": settings["public_view"]}
        if from_page:
            audit.record(cur, scope, "network.save", network_id, detail={"created": created, **counts})
        else:
            audit.record(cur, scope, "network.load", network_id, detail={"file": Path(source).name, **counts})
        return network_id

    return store.write(write, db)


def load(path: Path, db: Path | None = None, *, scope: access.Scope | None = None) -> str:
    """Create or update a network from its YAML file; return its id. scope None is the operator's."""
    doc = read_definition(path)
    return apply(doc, db, scope=scope or access.system(), source=path)


def disclosure_rule_of(doc: dict[str, Any]) -> disclosure.Rule:
    """The disclosure rule a network definition asks for (UK official-statistics default: threshold 5)."""
    rule = doc.get("disclosure") or {}
    if not isinstance(rule, dict):
        raise disclosure.DisclosureError(f"not {rule!r}")
    return disclosure.Rule(**rule)


def disclosure_rule(con: duckdb.DuckDBPyConnection, network_id: str) -> disclosure.Rule:
    """The disclosure rule in force for a network's funder and public figures."""
    found = store.run(con, "network_disclosure", network_id=network_id)
    if found.empty or pd.isna(found["disclosure_threshold"].iloc[0]):
        return disclosure.DEFAULT_RULE
    return disclosure.Rule(int(found["disclosure_threshold"].iloc[0]))


def list_networks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All networks, by name."""
    return store.run(con, "networks")


def members(con: duckdb.DuckDBPyConnection, network_id: str) -> dict[str, pd.DataFrame]:
    """A network's districts, institutions and initiatives."""
    return {
        "districts": store.run(con, "network_districts", network_id=network_id),
        "institutions": store.run(con, "network_institutions", network_id=network_id),
        "initiatives": store.run(con, "network_initiatives", network_id=network_id),
    }


def definition(con: duckdb.DuckDBPyConnection, network_id: str) -> dict[str, Any]:
    """A network as the YAML definition `load` takes: loading it back changes nothing."""
    found = store.run(con, "network_definition", network_id=network_id)
    if found.empty:
        known = ", ".join(store.run(con, "networks")["network_id"]) or "none loaded"
        raise NetworkError(f"No network '{network_id}' (known: {known})")
    net = found.iloc[0]
    doc: dict[str, Any] = {"id": network_id, "name": net["name"]}
    if isinstance(net["description"], str) and net["description"]:
        doc["description"] = net["description"]
    if bool(net["is_demo"]):
        doc["demo"] = True
    doc["local_districts"] = sorted(store.run(con, "network_districts", network_id=network_id)["lad24_code"])
    doc["institutions"] = []
    for r in store.run(con, "network_institution_definitions", network_id=network_id).itertuples():
        institution: dict[str, Any] = {"id": r.institution_id, "name": r.name, "type": r.institution_type}
        if not pd.isna(r.left_on):
            institution["left"] = pd.Timestamp(r.left_on).date()
        doc["institutions"].append(institution)
    doc["initiatives"] = []
    initiatives = store.run(con, "network_initiatives", network_id=network_id).sort_values("initiative_id")
    for r in initiatives.itertuples():
        initiative: dict[str, Any] = {"id": r.initiative_id, "name": r.name, "lead": r.lead_institution_id,
                                      "start": pd.Timestamp(r.start_date).date()}
        if not pd.isna(r.end_date):
            initiative["end"] = pd.Timestamp(r.end_date).date()
        if isinstance(r.description, str) and r.description:
            initiative["description"] = r.description
        doc["initiatives"].append(initiative)
    doc["year_start"] = net["year_start"]
    found_targets = network_targets(con, network_id)
    if found_targets:
        doc["targets"] = [targets.to_definition(t, net["year_start"]) for t in found_targets]
    threshold = net["disclosure_threshold"]
    doc["disclosure"] = {"threshold": int(threshold) if not pd.isna(threshold) else disclosure.DEFAULT_RULE.threshold}
    rules = store.run(con, "network_sso_domains", network_id=network_id)
    doc["access"] = {"public_view": bool(net["public_view"]), "sso_domains": [
        {"domain": r.domain, "role": r.role, **({"institution": r.institution_id} if r.role == "partner" else {})}
        for r in rules.itertuples()]}
    return doc


def network_targets(con: duckdb.DuckDBPyConnection, network_id: str) -> list[targets.Target]:
    """The network's targets, its own first, then each initiative's, by deadline."""
    return [targets.Target(target_id=r.target_id, measure=r.measure, value=float(r.target_value),
                           deadline=pd.Timestamp(r.deadline).date(), from_quarter=r.from_quarter,
                           direction=r.direction, initiative_id=None if pd.isna(r.initiative_id) else r.initiative_id)
            for r in store.run(con, "network_targets", network_id=network_id).itertuples()]


def district_choices(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every local authority district (May 2024) of the reference data by name, labelled 'Birmingham (England)'."""
    df = store.run(con, "lad_codes").sort_values(["lad24_name", "nation"], ignore_index=True)
    df["label"] = df["lad24_name"] + " (" + df["nation"] + ")"
    return df


def settings(network_id: str | None, db: Path | None = None, *, scope: access.Scope) -> dict[str, Any]:
    """What the Network settings page edits: the districts to choose from and, for a network, its definition, its YAML
    and the institutions that have submissions; for a new one (None, administrators only) the network ids in use."""
    if network_id is None:
        access.require_admin(scope)
    else:
        access.require_manage(scope, network_id)
    with store.connect(db) as con:
        cur = con.cursor()
        found: dict[str, Any] = {"districts": district_choices(cur), "definition": None, "yaml": None,
                                 "with_submissions": set(), "network_ids": set()}
        if network_id is None:
            found["network_ids"] = set(list_networks(cur)["network_id"])
        else:
            found["definition"] = definition(cur, network_id)
            found["yaml"] = _yaml_text(found["definition"])
            found["with_submissions"] = set(
                store.run(cur, "institutions_with_submissions", network_id=network_id)["institution_id"])
        return found


def export(con: duckdb.DuckDBPyConnection, network_id: str) -> str:
    """The network's definition as YAML text, with a header saying what it is."""
    return _yaml_text(definition(con, network_id))


def _yaml_text(doc: dict[str, Any]) -> str:
    return (f"# Network '{doc['id']}' as the dashboard holds it. Load it with: python -m dashboard network load FILE\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110))

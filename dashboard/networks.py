"""Networks, their districts, institutions and initiatives, defined in YAML files."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from dashboard import access, audit, contract, disclosure, store

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class NetworkError(store.StoreError):
    """A network definition that cannot be used; the message says where and why."""


def read_definition(path: Path) -> dict[str, Any]:
    """Read and check a network YAML file; return the definition with dates parsed."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NetworkError(f"{path}: cannot read the network file: {exc}") from exc
    if not isinstance(doc, dict):
        raise NetworkError(f"{path}: expected a mapping with id, name, local_districts, ...")
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

    member_id(doc, "network")
    districts = doc.get("local_districts") or []
    if not districts:
        problems.append("network: 'local_districts' needs at least one LAD code")
    institutions = doc.get("institutions") or []
    institution_ids = set()
    for i, inst in enumerate(institutions, 1):
        where = f"institutions[{i}]"
        inst_id = member_id(inst, where)
        if inst.get("type") not in contract.INSTITUTION_TYPES:
            problems.append(
                f"{where}: type '{inst.get('type')}' is not one of {', '.join(contract.INSTITUTION_TYPES)}"
            )
        if inst_id in institution_ids:
            problems.append(f"{where}: id '{inst_id}' appears twice")
        institution_ids.add(inst_id)
    initiatives = doc.get("initiatives") or []
    for i, ini in enumerate(initiatives, 1):
        where = f"initiatives[{i}]"
        member_id(ini, where)
        if ini.get("lead") not in institution_ids:
            problems.append(f"{where}: lead '{ini.get('lead')}' is not one of the network's institutions")
        for key in ("start", "end"):
            value = ini.get(key)
            if value is not None and not isinstance(value, dt.date):
                problems.append(f"{where}: '{key}' must be a date like 2024-10-01")
        if ini.get("start") is None:
            problems.append(f"{where}: 'start' is missing")
    try:
        disclosure_rule_of(doc)
    except (TypeError, disclosure.DisclosureError) as exc:
        problems.append(f"disclosure: expected a mapping like {{threshold: 5}} ({exc})")
    if problems:
        raise NetworkError(f"{path}:\n  " + "\n  ".join(problems))
    return doc


def load(path: Path, db: Path | None = None, *, scope: access.Scope | None = None) -> str:
    """Create or update a network from its YAML file; return its id. scope None is the operator's."""
    scope = scope or access.system()
    doc = read_definition(path)
    settings = access.read_network_access(doc, str(path))

    def apply(cur: duckdb.DuckDBPyConnection) -> str:
        known = set(store.run(cur, "lad_codes")["lad24_code"])
        if not known:
            raise NetworkError(
                "Reference data is not loaded yet: run 'python -m dashboard refdata load --from DIR' first."
            )
        unknown = [code for code in doc["local_districts"] if code not in known]
        if unknown:
            raise NetworkError(f"{path}: local_districts has unknown LAD 2024 codes: {', '.join(unknown)}")
        network_id = doc["id"]
        # A new network is an administrator's to create; its coordinator may update it.
        if network_id in set(store.run(cur, "networks")["network_id"]):
            access.require_manage(scope, network_id)
        else:
            access.require_admin(scope)
        used = store.run(cur, "institutions_with_submissions", network_id=network_id)["institution_id"]
        dropped = set(used) - {inst["id"] for inst in doc["institutions"]}
        if dropped:
            raise NetworkError(
                f"{path}: institutions {', '.join(sorted(dropped))} have submissions and cannot be removed"
            )
        for query in ("network_lad_delete", "institution_delete", "initiative_delete"):
            store.run(cur, query, network_id=network_id)
        store.run(cur, "network_upsert", network_id=network_id, name=doc["name"],
                  description=doc.get("description"), is_demo=bool(doc.get("demo", False)))
        cur.register("network_lad_rows", pd.DataFrame(
            {"network_id": network_id, "lad24_code": list(dict.fromkeys(doc["local_districts"]))}))
        cur.register("institution_rows", pd.DataFrame(
            [{"network_id": network_id, "institution_id": i["id"], "name": i["name"],
              "institution_type": i["type"]} for i in doc["institutions"]],
            columns=["network_id", "institution_id", "name", "institution_type"]))
        cur.register("initiative_rows", pd.DataFrame(
            [{"network_id": network_id, "initiative_id": i["id"], "name": i["name"],
              "lead_institution_id": i["lead"], "start_date": i["start"], "end_date": i.get("end"),
              "description": i.get("description")} for i in doc.get("initiatives") or []],
            columns=["network_id", "initiative_id", "name", "lead_institution_id", "start_date",
                     "end_date", "description"]))
        for query in ("network_lad_insert", "institution_insert", "initiative_insert"):
            store.run(cur, query)
        store.run(cur, "network_disclosure_set", network_id=network_id,
                  disclosure_threshold=disclosure_rule_of(doc).threshold)
        access.save_network_access(cur, network_id, settings)
        audit.record(cur, scope, "network.load", network_id, detail={
            "file": Path(path).name, "institutions": len(doc["institutions"]),
            "initiatives": len(doc.get("initiatives") or []), "public_view": settings["public_view"]})
        return network_id

    return store.write(apply, db)


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

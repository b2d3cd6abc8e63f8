"""The supplier register: where a network's suppliers are, so spend without postcodes can be placed."""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard import access, audit, checks, contract, figures, ingest, parsing, postcodes, store, summaries
from dashboard.ingest import IngestError, Problem

# Kept character for character equal to the supplier_key macro in queries/migrations/014_registers.sql.
_ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
_PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy"
_FOLD = str.maketrans(_ACCENTED, _PLAIN, "'’‘`.")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_LEADING_THE = re.compile(r"^(the )+")
_SPACE = r"[ \t\n\f\r]"
_TRADING_AS = re.compile(rf"(?s){_SPACE}+([Tt]{_SPACE}*/{_SPACE}*[Aa]|[Tt]\\[Aa]"
                         rf"|[Tt][Rr][Aa][Dd][Ii][Nn][Gg]{_SPACE}+[Aa][Ss])({_SPACE}.*)?$")
_UK = re.compile(rf"\({_SPACE}*[Uu]\.?{_SPACE}*[Kk]\.?{_SPACE}*\)")
LEGAL_FORMS = ("ltd", "limited", "plc", "llp", "cic", "cio", "public limited company", "community interest company",
               "limited liability partnership")
_LEGAL_FORM = re.compile(r"( (" + "|".join(LEGAL_FORMS) + "))+$")
# Companies House numbers are 8 characters (01234567, SC123456); charity numbers 6-8 (1234567, SC012345).
_ID = re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,10}$")
_LSOA = re.compile(r"^[EW]01[0-9]{6}$")

COLUMNS = (
    contract.Column("supplier_name", "text", True,
                    "Supplier's name. Any spelling of it in a spend file matches (case, punctuation, "
                    "Ltd/Limited, &/and, a leading The).", "Balsall Heath Catering CIC"),
    contract.Column("supplier_id", "text", False,
                    "Companies House or charity number. Spend rows carrying it match before the name does.",
                    "09876543"),
    contract.Column("supplier_postcode", "postcode", False,
                    "Supplier's business postcode. Give this or supplier_lsoa_code.", "B12 9QE"),
    contract.Column("supplier_lsoa_code", "lsoa", False, "LSOA 2021 code of the supplier, instead of the postcode.",
                    ""),
    contract.Column("is_sme", "flag", False, "Small or medium-sized enterprise: Yes or No.", "Yes", contract.YES_NO),
    contract.Column("is_vcse", "flag", False, "Voluntary, community or social enterprise: Yes or No.", "No",
                    contract.YES_NO),
)


@dataclass(frozen=True)
class RegisterSummary:
    """What one upsert wrote to the register."""

    rows: int
    added: int
    updated: int


def supplier_key(name: str) -> str:
    """The normalised key of a supplier name; the same as the supplier_key SQL macro."""
    text = _UK.sub(" ", _TRADING_AS.sub("", str(name)))
    text = _SEPARATORS.sub(" ", text.translate(_FOLD).replace("&", " and ")).lower().strip()
    return _LEGAL_FORM.sub("", _LEADING_THE.sub("", text))


def supplier_id_key(raw_id: str | None) -> str | None:
    """A Companies House or charity number as letters and digits, upper case; None when empty."""
    text = _SEPARATORS.sub("", str(raw_id or "")).upper()
    return text or None


def _require_network(con: duckdb.DuckDBPyConnection, network_id: str) -> None:
    known = store.run(con, "networks")["network_id"].tolist()
    if network_id not in known:
        raise store.StoreError(f"No network '{network_id}' (known: {', '.join(known) or 'none loaded'})")


def register(con: duckdb.DuckDBPyConnection, network_id: str, *, scope: access.Scope) -> pd.DataFrame:
    """The network's register, one row per supplier key, by key."""
    access.require_manage(scope, network_id)
    _require_network(con, network_id)
    return store.run(con, "supplier_register", network_id=network_id)


def unclassified(con: duckdb.DuckDBPyConnection, network_id: str, date_from: dt.date | None = None,
                 date_to: dt.date | None = None, *, scope: access.Scope) -> pd.DataFrame:
    """Suppliers (by key) whose spend in the dates has no location after matching, largest spend first."""
    access.require_manage(scope, network_id)
    _require_network(con, network_id)
    return store.run(con, "suppliers_unclassified", network_id=network_id, date_from=date_from, date_to=date_to)


def coverage(con: duckdb.DuckDBPyConnection, selection: figures.Selection, *, scope: access.Scope) -> dict[str, Any]:
    """Spend with and without a known location after matching, for a selection."""
    access.require_read(scope, selection.network_id, selection.institution_id, selection.initiative_id)
    summary = figures.summarise(figures.by_area(con, selection))
    return {key: summary[key] for key in ("spend_total_gbp", "spend_unknown_location_gbp",
                                          "spend_known_location_pct")}


def _text(value: Any) -> str:
    """A cell as stripped text: None and NaN are empty, a tick box is Yes or No."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _check(rows: pd.DataFrame, row_numbers: list[int]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check every cell; return the typed rows and every problem, naming rows by row_numbers."""
    if "supplier_name" not in rows.columns:
        return [], [Problem(None, "supplier_name", "this required column is missing")]
    if rows.empty:
        return [], [Problem(None, None, "there are no supplier rows")]
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    by_key: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for row, raw in zip(row_numbers, rows.to_dict("records"), strict=True):
        cells = {col.name: _text(raw.get(col.name)) for col in COLUMNS}
        name, key, supplier_id = cells["supplier_name"], supplier_key(cells["supplier_name"]), None
        if not name:
            problems.append(Problem(row, "supplier_name", "is empty but required"))
        elif len(name) > checks.MAX_TEXT:
            problems.append(Problem(row, "supplier_name", f"is longer than {checks.MAX_TEXT} characters"))
        elif not key:
            problems.append(Problem(row, "supplier_name", f"'{name}' has no letters or digits"))
        elif key in by_key:
            problems.append(Problem(row, "supplier_name",
                                    f"'{name}' is the same supplier as row {by_key[key]}; give each supplier once"))
        else:
            by_key[key] = row
        if cells["supplier_id"]:
            supplier_id = supplier_id_key(cells["supplier_id"]) or ""
            if not _ID.match(supplier_id):
                problems.append(Problem(row, "supplier_id", f"'{cells['supplier_id']}' is not a Companies House or "
                                        "charity number (5 to 10 letters and digits, e.g. 01234567)"))
            elif supplier_id in by_id:
                problems.append(Problem(row, "supplier_id", f"{supplier_id} is also given in row {by_id[supplier_id]}"))
            else:
                by_id[supplier_id] = row
        record: dict[str, Any] = {"_row": row, "supplier_name": name, "supplier_id": supplier_id or None,
                                  "supplier_postcode": None, "supplier_lsoa_code": None}
        if cells["supplier_postcode"]:
            try:
                record["supplier_postcode"] = postcodes.normalise(cells["supplier_postcode"])
            except postcodes.PostcodeError as exc:
                problems.append(Problem(row, "supplier_postcode", str(exc)))
        elif cells["supplier_lsoa_code"]:
            code = cells["supplier_lsoa_code"].upper()
            if _LSOA.match(code):
                record["supplier_lsoa_code"] = code
            else:
                problems.append(Problem(row, "supplier_lsoa_code",
                                        f"'{cells['supplier_lsoa_code']}' is not an LSOA code like E01033620"))
        else:
            problems.append(Problem(row, "supplier_postcode", "give a supplier_postcode or a supplier_lsoa_code"))
        for flag in ("is_sme", "is_vcse"):
            record[flag] = None
            if cells[flag]:
                try:
                    record[flag] = parsing.parse_flag(cells[flag])
                except parsing.ValueProblem as exc:
                    problems.append(Problem(row, flag, str(exc)))
        records.append(record)
    return records, problems


def _locate(cur: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> list[Problem]:
    """Add lsoa21_code, lsoa11_code and nation to each record from the reference tables, as ingest does."""
    postcode_list = sorted({r["supplier_postcode"] for r in records if r["supplier_postcode"]})
    cur.register("postcode_input", pd.DataFrame({"postcode": postcode_list}, dtype=str))
    by_postcode = store.run(cur, "postcode_lookup").set_index("postcode").to_dict("index")
    lsoa_list = sorted({r["supplier_lsoa_code"] for r in records if r["supplier_lsoa_code"]})
    cur.register("lsoa_input", pd.DataFrame({"lsoa21_code": lsoa_list}, dtype=str))
    by_lsoa = store.run(cur, "lsoa21_lookup").set_index("lsoa21_code").to_dict("index")
    problems = []
    for r in records:
        r.update(lsoa21_code=None, lsoa11_code=None, nation=None)
        postcode, lsoa = r["supplier_postcode"], r["supplier_lsoa_code"]
        if postcode is not None:
            if postcodes.area(postcode) == "BT":
                r["nation"] = "Northern Ireland"
            elif postcode in by_postcode:
                hit = by_postcode[postcode]
                r.update(lsoa21_code=hit["lsoa21_code"], lsoa11_code=hit["lsoa11_code"], nation=hit["nation"])
            else:
                problems.append(Problem(r["_row"], "supplier_postcode",
                                        f"{postcode} is not a current postcode in OS Code-Point Open"))
        elif lsoa is not None:
            if lsoa in by_lsoa:
                hit = by_lsoa[lsoa]
                r.update(lsoa21_code=lsoa, lsoa11_code=hit["lsoa11_code"], nation=hit["nation"])
            else:
                problems.append(Problem(r["_row"], "supplier_lsoa_code", f"{lsoa} is not an LSOA 2021 code"))
    return problems


def upsert(network_id: str, rows: pd.DataFrame, updated_by: str, db: Path | None = None, *, scope: access.Scope,
           source: str = "supplier list", first_row: int = 2) -> RegisterSummary:
    """Check every row and add or replace those suppliers in the register, all or nothing.

    rows holds the COLUMNS as text (flags may be booleans); a problem's row counts from first_row
    (2 = as in a file under its header row). A row replaces the whole entry with its supplier key.
    """
    return _upsert(network_id, rows, list(range(first_row, first_row + len(rows))), updated_by, db, source, scope)


def _upsert(network_id: str, rows: pd.DataFrame, row_numbers: list[int], updated_by: str, db: Path | None,
            source: str, scope: access.Scope) -> RegisterSummary:
    access.require_manage(scope, network_id)
    if scope.role != access.SYSTEM:
        updated_by = scope.actor
    records, problems = _check(rows, row_numbers)
    if not records:
        raise IngestError(source, problems)

    def commit(cur: duckdb.DuckDBPyConnection) -> RegisterSummary:
        _require_network(cur, network_id)
        found = problems + _locate(cur, records)
        existing = store.run(cur, "supplier_register", network_id=network_id)
        incoming = {supplier_key(r["supplier_name"]) for r in records}
        # An identifier may belong to one entry only, or a payment could match two.
        owner = {i: name for i, name, key in existing[["supplier_id", "supplier_name", "supplier_key"]].itertuples(
            index=False) if isinstance(i, str) and key not in incoming}
        for r in records:
            if r["supplier_id"] in owner:
                found.append(Problem(r["_row"], "supplier_id", f"{r['supplier_id']} is already the identifier of "
                                     f"'{owner[r['supplier_id']]}' in the register; change that entry first"))
        if found:
            raise IngestError(source, sorted(found, key=lambda p: (p.row or 0, p.column or "")))
        frame = pd.DataFrame.from_records(records).drop(columns=["_row", "supplier_lsoa_code"])
        cur.register("incoming_suppliers", frame.astype(object).where(frame.notna(), None))
        store.run(cur, "supplier_register_upsert", network_id=network_id, updated_by=updated_by)
        summaries.rebuild(cur, [network_id])
        added = len(incoming - set(existing["supplier_key"]))
        audit.record(cur, scope, "suppliers.upsert", network_id, detail={
            "source": source, "rows": len(records), "added": added, "updated": len(records) - added})
        return RegisterSummary(rows=len(records), added=added, updated=len(records) - added)

    return store.write(commit, db)


def load_file(network_id: str, data: bytes, file_name: str, updated_by: str,
              db: Path | None = None, *, scope: access.Scope) -> RegisterSummary:
    """Read an uploaded supplier list (CSV or XLSX with the COLUMNS) and upsert it, all or nothing."""
    access.require_manage(scope, network_id)
    table = ingest.read_table(data, file_name)
    # read_table's index is the file's own row numbers, so problems point at the right spreadsheet row.
    return _upsert(network_id, table, [int(i) for i in table.index], updated_by, db, file_name, scope)

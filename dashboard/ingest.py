"""Ingest a partner's file: read it, check every cell against the contract, commit all or nothing."""

import datetime as dt
import getpass
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import contract, parsing, postcodes, store

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT = 200
EARLIEST_DATE = dt.date(2000, 1, 1)
_LSOA = re.compile(r"^[EW]01[0-9]{6}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload: where (file row, column) and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where).capitalize()}: {self.message}" if where else self.message


class IngestError(store.StoreError):
    """An upload that was refused; nothing was written. Holds every problem found."""

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name = file_name
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{file_name}: {len(problems)} problem(s); nothing was saved.\n  {shown}{more}"
        )


@dataclass
class Receipt:
    """What a committed submission holds."""

    submission_id: int
    file_name: str
    sha256: str
    kind: str
    quarter: str
    rows: int
    total_gbp: Decimal | None = None
    superseded: list[int] = field(default_factory=list)
    unchanged: bool = False  # the same file was already the active submission


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """Every cell of the first sheet (or the CSV) as text, header normalised to snake_case."""
    if not data.strip():
        raise IngestError(file_name, [Problem(None, None, "the file is empty")])
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(file_name, [Problem(None, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")])
    try:
        if data[:4] == b"PK\x03\x04":
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", keep_default_na=False)
        elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="xlrd", keep_default_na=False)
        else:
            frame = pd.read_csv(io.StringIO(_decode(data, file_name)), dtype=str, keep_default_na=False,
                                skip_blank_lines=True)
    except IngestError:
        raise
    except Exception as exc:  # the parsers raise many types; all mean the same to the user
        raise IngestError(file_name, [Problem(None, None, f"cannot be read as CSV or Excel ({exc})")]) from exc
    frame.columns = [_header(c) for c in frame.columns]
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    return frame[(frame != "").any(axis=1)]


def _decode(data: bytes, file_name: str) -> str:
    if b"\x00" in data[:4096]:
        raise IngestError(file_name, [Problem(None, None, "this is not a text CSV file (it holds binary data)")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1252 is what UK finance systems export when not UTF-8; it has the £ sign.
        return data.decode("cp1252", errors="replace")


def _header(raw: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(raw).strip().lower().lstrip("\ufeff")).strip("_")


def check(kind: str, table: pd.DataFrame, *, today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check the table against the contract; return the typed rows and every problem found."""
    today = today or dt.date.today()
    columns = contract.COLUMNS[kind]
    problems: list[Problem] = []
    for name in table.columns:
        if name in contract.FORBIDDEN_COLUMNS:
            problems.append(Problem(None, name, f"this column holds {contract.FORBIDDEN_COLUMNS[name]}; "
                                    "personal identifiers must not be uploaded. Remove the column."))
    for col in columns:
        if col.required and col.name not in table.columns:
            problems.append(Problem(None, col.name, "this required column is missing"))
    if problems:
        return pd.DataFrame(), problems
    if table.empty:
        return pd.DataFrame(), [Problem(None, None, "the file has a header but no data rows")]
    records = []
    for index, row in enumerate(table.to_dict("records")):
        file_row = index + 2
        record = {}
        for col in columns:
            raw = row.get(col.name, "")
            if raw == "":
                if col.required:
                    problems.append(Problem(file_row, col.name, "is empty but required"))
                record[col.name] = None
                continue
            try:
                record[col.name] = _cell(col, raw, today)
            except parsing.ValueProblem as exc:
                problems.append(Problem(file_row, col.name, str(exc)))
                record[col.name] = None
        record["_row"] = file_row
        records.append(record)
    typed = _as_objects(pd.DataFrame.from_records(records))
    problems += _row_rules(kind, typed)
    return typed, problems


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Python values with None for missing (pandas would otherwise infer NaN-holding dtypes)."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def _cell(col: contract.Column, raw: str, today: dt.date) -> object:
    if col.kind == "date":
        value = parsing.parse_date(raw)
        if value > today:
            raise parsing.ValueProblem(f"{value:%d/%m/%Y} is in the future")
        if value < EARLIEST_DATE:
            raise parsing.ValueProblem(f"{value:%d/%m/%Y} is before {EARLIEST_DATE:%Y}")
        return value
    if col.kind == "amount":
        return parsing.parse_amount(raw)
    if col.kind == "flag":
        return parsing.parse_flag(raw)
    if col.kind == "postcode":
        try:
            return postcodes.normalise(raw)
        except postcodes.PostcodeError as exc:
            raise parsing.ValueProblem(str(exc)) from exc
    if col.kind == "lsoa":
        code = raw.strip().upper()
        if not _LSOA.match(code):
            raise parsing.ValueProblem(f"'{raw}' is not an LSOA code like E01033620")
        return code
    if col.kind == "choice":
        for allowed in col.allowed:
            if raw.lower() == allowed.lower():
                return allowed
        raise parsing.ValueProblem(f"'{raw}' is not one of: {'; '.join(col.allowed)}")
    if len(raw) > MAX_TEXT:
        raise parsing.ValueProblem(f"is longer than {MAX_TEXT} characters")
    return raw


def _row_rules(kind: str, typed: pd.DataFrame) -> list[Problem]:
    problems = []
    if kind == "participants":
        seen = set()
        for r in typed.to_dict("records"):
            if r["start_date"] is not None:
                for name in ("completion_date", "job_start_date"):
                    if r[name] is not None and r[name] < r["start_date"]:
                        problems.append(Problem(r["_row"], name, "is before the start date"))
            key = (r["participant_ref"], r["initiative"])
            if r["participant_ref"] is not None and key in seen:
                problems.append(Problem(r["_row"], "participant_ref",
                                        f"'{r['participant_ref']}' appears more than once for this initiative"))
            seen.add(key)
    return problems


def _locate(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame, postcode_col: str, lsoa_col: str,
            required: bool) -> tuple[pd.DataFrame, list[Problem]]:
    """Add lsoa21_code, lsoa11_code, nation and postcode_district from the reference tables."""
    problems: list[Problem] = []
    cur.register("postcode_input", pd.DataFrame({"postcode": typed[postcode_col].dropna().unique()}, dtype=str))
    by_postcode = store.run(cur, "postcode_lookup").set_index("postcode").to_dict("index")
    cur.register("lsoa_input", pd.DataFrame({"lsoa21_code": typed[lsoa_col].dropna().unique()}, dtype=str))
    by_lsoa = store.run(cur, "lsoa21_lookup").set_index("lsoa21_code").to_dict("index")
    located = []
    for r in typed.to_dict("records"):
        place = {"lsoa21_code": None, "lsoa11_code": None, "nation": None, "postcode_district": None}
        postcode, lsoa = r[postcode_col], r[lsoa_col]
        if postcode is not None:
            place["postcode_district"] = postcodes.district(postcode)
            if postcodes.area(postcode) == "BT":
                place["nation"] = "Northern Ireland"
            elif postcode in by_postcode:
                hit = by_postcode[postcode]
                place.update(lsoa21_code=hit["lsoa21_code"], lsoa11_code=hit["lsoa11_code"], nation=hit["nation"])
            else:
                problems.append(Problem(r["_row"], postcode_col,
                                        f"{postcode} is not a current postcode in OS Code-Point Open"))
        elif lsoa is not None:
            if lsoa in by_lsoa:
                hit = by_lsoa[lsoa]
                place.update(lsoa21_code=lsoa, lsoa11_code=hit["lsoa11_code"], nation=hit["nation"])
            else:
                problems.append(Problem(r["_row"], lsoa_col, f"{lsoa} is not an LSOA 2021 code"))
        elif required:
            problems.append(Problem(r["_row"], postcode_col, f"give a postcode or an {lsoa_col}"))
        located.append(place)
    return _as_objects(pd.concat([typed.reset_index(drop=True), pd.DataFrame(located)], axis=1)), problems


def _resolve_initiatives(cur: duckdb.DuckDBPyConnection, network_id: str, typed: pd.DataFrame,
                         required: bool) -> list[Problem]:
    initiatives = store.run(cur, "network_initiatives", network_id=network_id)
    lookup = {}
    for _, i in initiatives.iterrows():
        lookup[i["initiative_id"].lower()] = i["initiative_id"]
        lookup[i["name"].lower()] = i["initiative_id"]
    problems = []
    ids = []
    for r in typed[["initiative", "_row"]].to_dict("records"):
        raw = r["initiative"]
        if raw is None:
            ids.append(None)
            continue
        found = lookup.get(str(raw).lower())
        if found is None:
            names = ", ".join(f"'{n}'" for n in initiatives["name"]) or "none defined"
            problems.append(Problem(r["_row"], "initiative", f"'{raw}' is not an initiative of this network ({names})"))
        ids.append(found)
    typed["initiative_id"] = ids
    return problems


def ingest(network_id: str, institution_id: str, kind: str, quarter: str, file: Path | None = None, *,
           data: bytes | None = None, file_name: str | None = None, submitted_by: str | None = None,
           db: Path | None = None, today: dt.date | None = None) -> Receipt:
    """Check a participants or spend file and commit it as one submission, all or nothing."""
    if data is None:
        data = Path(file).read_bytes()
    file_name = file_name or Path(file).name
    if kind not in contract.KINDS:
        raise IngestError(file_name, [Problem(None, None, f"kind must be one of {', '.join(contract.KINDS)}")])
    try:
        quarter = parsing.parse_quarter(quarter)
    except parsing.ValueProblem as exc:
        raise IngestError(file_name, [Problem(None, None, str(exc))]) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    typed, problems = check(kind, read_table(data, file_name), today=today)
    if problems:
        raise IngestError(file_name, problems)

    def commit(cur: duckdb.DuckDBPyConnection) -> Receipt:
        if store.run(cur, "institution_lookup", network_id=network_id, institution_id=institution_id).empty:
            raise IngestError(file_name, [Problem(None, None,
                              f"'{institution_id}' is not an institution of network '{network_id}'")])
        rows = typed.copy()
        problems = _resolve_initiatives(cur, network_id, rows, required=(kind == "participants"))
        if kind == "participants":
            rows, located = _locate(cur, rows, "home_postcode", "lsoa_code", required=True)
        else:
            rows, located = _locate(cur, rows, "supplier_postcode", "supplier_lsoa_code", required=False)
        problems += located
        if problems:
            raise IngestError(file_name, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
        current = store.run(cur, "submission_active", network_id=network_id, institution_id=institution_id,
                            kind=kind, quarter=quarter)
        total = Decimal(sum(rows["amount_gbp"], Decimal(0))) if kind == "spend" else None
        if not current.empty and current["sha256"].iloc[0] == sha256:
            return Receipt(int(current["submission_id"].iloc[0]), file_name, sha256, kind, quarter, len(rows),
                           total, unchanged=True)
        submission_id = int(store.run(
            cur, "submission_insert", network_id=network_id, institution_id=institution_id, kind=kind,
            quarter=quarter, file_name=file_name, sha256=sha256,
            submitted_by=submitted_by or getpass.getuser(), row_count=len(rows),
        )["submission_id"].iloc[0])
        store.run(cur, "submission_supersede", network_id=network_id, institution_id=institution_id,
                  kind=kind, quarter=quarter, submission_id=submission_id)
        if kind == "spend":
            rows["amount_gbp"] = rows["amount_gbp"].map(str)  # exact to the penny through the cast
        rows["submission_id"] = submission_id
        rows["network_id"] = network_id
        rows["institution_id"] = institution_id
        cur.register("incoming_rows", rows.drop(columns=["_row"]))
        store.run(cur, "participant_insert" if kind == "participants" else "spend_insert")
        return Receipt(submission_id, file_name, sha256, kind, quarter, len(rows), total,
                       superseded=[int(x) for x in current["submission_id"]])

    return store.write(commit, db)

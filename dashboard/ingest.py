"""Ingest a partner's file: read it, map its columns, check every cell, then commit all or nothing.

prepare() reads and checks (against the contract and the database) and writes nothing: its
Preview holds the typed rows, every problem, the notes, the column mapping and what the upload
would replace. commit() writes a clean Preview in one transaction. ingest() does both, for the
command line and the demo. Cell checks run a column at a time, so a million rows take seconds.
"""

import datetime as dt
import getpass
import hashlib
import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import access, audit, contract, parsing, postcodes, readers, store
from dashboard import mapping as colmap
from dashboard.problems import Problem, problems_csv, safe_for_spreadsheet

__all__ = ["IngestError", "Preview", "Problem", "Receipt", "check", "commit", "ingest", "prepare", "problems_csv",
           "read_table", "safe_for_spreadsheet"]

MAX_FILE_BYTES = readers.MAX_FILE_BYTES
MAX_DATA_ROWS = readers.MAX_DATA_ROWS
MAX_TEXT = 200
EARLIEST_DATE = dt.date(2000, 1, 1)
PROBLEMS_PER_COLUMN = 1000  # listed per column; the rest are counted
_LSOA = r"[EW]01[0-9]{6}"
_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}"  # as postcodes.normalise, without the space
_POUNDS_TEXT = {"", "GBP", "£", "GBP £", "£ GBP", "STERLING", "POUNDS", "POUND STERLING", "GB POUNDS", "UKP"}
# What a total line says, as a header key (see mapping.header_key). A supplier called
# 'Total Produce Ltd' does not match.
_TOTAL_LABEL = re.compile(r"(grand_|sub_|overall_)?(sub)?totals?(_(spend|amount|payments|expenditure|value|gbp)"
                          r"|_for_.*)?")


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


@dataclass(frozen=True)
class ActiveSubmission:
    """The submission an upload would replace: what it held, so the person can compare."""

    submission_id: int
    file_name: str
    submitted_by: str
    submitted_at: dt.datetime
    row_count: int
    total_gbp: Decimal | None


@dataclass
class Preview:
    """A checked upload, not yet saved: commit() saves it if it has no problems."""

    network_id: str
    institution_id: str
    kind: str
    quarter: str
    file_name: str
    sha256: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # typed rows; index = the file's row numbers
    problems: list[Problem] = field(default_factory=list)      # errors: any one stops the upload
    notes: list[Problem] = field(default_factory=list)         # worth knowing; nothing stops
    mapping: colmap.Mapping | None = None
    format: str | None = None                                   # how the file was read
    sheet_name: str | None = None
    header_row: int | None = None
    total_gbp: Decimal | None = None
    duplicate_rows: int = 0                                     # rows identical to an earlier row
    supersedes: ActiveSubmission | None = None
    same_file: list[dict] = field(default_factory=list)         # earlier submissions of this very file
    unchanged: bool = False                                     # the file already is the active submission

    @property
    def ok(self) -> bool:
        """Whether commit() would save it."""
        return not self.problems

    @property
    def row_count(self) -> int:
        """Rows that would be saved."""
        return len(self.rows)


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
    notes: list[Problem] = field(default_factory=list)
    duplicate_rows: int = 0
    mapping: dict[str, str] = field(default_factory=dict)  # field -> the file's column
    mapping_saved: bool = False
    format: str | None = None                              # how the file was read


def _any_kind_score(cells) -> int:
    return max(colmap.header_score(kind, cells) for kind in contract.KINDS)


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """Every cell of the file's table as text, column names as snake_case; index = the file's row numbers."""
    try:
        sheet = readers.read(data, file_name, _any_kind_score)
    except readers.Refused as exc:
        raise IngestError(file_name, exc.problems) from exc
    frame = sheet.cells.copy()
    frame.columns = [colmap.template_key(h) for h in sheet.headers]
    return frame


# Checking cells, a column at a time


def _listed(rows: pd.Index, column: str, message) -> list[Problem]:
    """A problem for each row (at most PROBLEMS_PER_COLUMN, then a count); message(row) words it."""
    out = [Problem(int(r), column, message(r)) for r in rows[:PROBLEMS_PER_COLUMN]]
    if len(rows) > PROBLEMS_PER_COLUMN:
        out.append(Problem(None, column, f"{len(rows):,} cells in this column have problems; the first "
                           f"{PROBLEMS_PER_COLUMN:,} are listed. Fix those and upload again to see the rest."))
    return out


def normalise_postcodes(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Postcodes in canonical form ('B1 1AA') and a mask of cells that are not UK postcodes."""
    text = cells.astype("str").fillna("").str.upper()
    for space in (" ", "\u00a0", "\t"):
        text = text.str.replace(space, "", regex=False)
    good = text.str.fullmatch(_POSTCODE)
    return (text.str.slice(0, -3) + " " + text.str.slice(-3)).where(good), ~good.astype(bool)


def _pounds(pence: pd.Series) -> pd.Series:
    """Integer pence as exact decimal pounds (decimal128(18, 2)), kept exact into DuckDB."""
    magnitude = pence.abs()
    text = (np.where(pence < 0, "-", "") + (magnitude // 100).astype(str) + "."
            + (magnitude % 100).astype(str).str.zfill(2))
    values = pa.array(pd.Series(text, index=pence.index).astype(object), type=pa.string())
    return pd.Series(values.cast(pa.decimal128(18, 2)), index=pence.index, dtype=pd.ArrowDtype(pa.decimal128(18, 2)))


def check(kind: str, table: pd.DataFrame, *, today: dt.date | None = None,
          columns: MappingType[str, str] | None = None,
          uncached: set[tuple[int, str]] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a table of contract fields (index = file row numbers) cell by cell; return typed rows and problems.

    columns names each field's column as the file calls it, for messages; uncached lists
    (row, field) cells holding a formula saved without its value.
    """
    today = today or dt.date.today()
    columns = dict(columns or {})
    problems: list[Problem] = []
    if table.empty:
        return pd.DataFrame(), [Problem(None, None, "the file has a header but no data rows")]
    typed = pd.DataFrame(index=table.index)
    stale = {}
    for row, name in uncached or ():
        stale.setdefault(name, set()).add(row)
    for col in contract.COLUMNS[kind]:
        where = columns.get(col.name, col.name)
        if col.name not in table.columns:
            typed[col.name] = pd.Series(None, index=table.index, dtype=_DTYPES[col.kind])
            if col.kind == "amount":
                typed["amount_pence"] = 0
            continue
        cells = table[col.name].astype("str").fillna("").str.strip()
        formula = cells.index.isin(list(stale.get(col.name, ())))
        problems += _listed(cells.index[formula], where, lambda r: (
            "holds a formula whose result was not saved with the file, so it reads as empty: open the file in "
            "Excel, let it calculate, save it and upload it again"))
        shows_error = parsing.is_excel_error(cells).to_numpy()
        problems += _listed(cells.index[shows_error], where, lambda r, c=cells: (
            f"shows the spreadsheet error {c[r]} instead of a value: fix the formula in the file"))
        empty = (cells == "").to_numpy() & ~formula
        if col.required:
            problems += _listed(cells.index[empty], where, lambda r: "is empty but required")
        todo = ~empty & ~formula & ~shows_error
        values, bad, reason = _parse(col, cells, today)
        bad = bad & todo
        problems += _listed(cells.index[bad], where, lambda r, c=cells, why=reason: why(c[r]))
        if col.kind == "amount":
            typed["amount_pence"] = np.where(todo & ~bad, values, 0)
            values = _pounds(typed["amount_pence"])
        typed[col.name] = values.where(todo & ~bad)
    if kind == "participants":
        for name in ("completion_date", "job_start_date"):
            early = typed[name].notna() & typed["start_date"].notna() & (typed[name] < typed["start_date"])
            problems += _listed(typed.index[early.to_numpy(dtype=bool)], columns.get(name, name),
                                lambda r: "is before the start date")
        # Being in post six months on means nothing without a job start to count from.
        orphan = typed["in_post_6_months"].notna() & ~_given(table, "job_start_date")
        problems += _listed(typed.index[orphan.to_numpy(dtype=bool)],
                            columns.get("in_post_6_months", "in_post_6_months"),
                            lambda r: "is given but there is no job start date: leave it blank, or give the date")
    return typed, problems


_DTYPES = {"text": "str", "date": "datetime64[us]", "amount": pd.ArrowDtype(pa.decimal128(18, 2)), "flag": "boolean",
           "postcode": "str", "lsoa": "str", "choice": "str"}


def _parse(col: contract.Column, cells: pd.Series, today: dt.date):
    """Values, a mask of bad cells, and a function that says why a cell is bad."""
    if col.kind == "date":
        values, bad = parsing.dates(cells)
        future = (values > pd.Timestamp(today)).to_numpy(dtype=bool)
        early = (values < pd.Timestamp(EARLIEST_DATE)).to_numpy(dtype=bool)

        def why(raw: str) -> str:
            try:
                value = parsing.parse_date(raw)
            except parsing.ValueProblem as exc:
                return str(exc)
            if value > today:
                return f"{value:%d/%m/%Y} is in the future"
            return f"{value:%d/%m/%Y} is before {EARLIEST_DATE:%Y}"

        return values, bad.to_numpy(dtype=bool) | future | early, why
    if col.kind == "amount":
        pence, bad = parsing.amounts(cells)
        return pence, bad.to_numpy(dtype=bool), parsing.amount_reason
    if col.kind == "flag":
        lower = cells.str.lower()
        yes, no = lower.isin(["y", "yes", "true", "1"]), lower.isin(["n", "no", "false", "0"])
        values = pd.Series(pd.NA, index=cells.index, dtype="boolean").mask(yes, True).mask(no, False)
        return values, ~(yes | no).to_numpy(dtype=bool), lambda raw: f"'{raw}' is not Yes or No"
    if col.kind == "postcode":
        values, bad = normalise_postcodes(cells)

        def why(raw: str) -> str:
            try:
                postcodes.normalise(raw)
            except postcodes.PostcodeError as exc:
                return str(exc)
            return f"'{raw}' is not a valid UK postcode"  # pragma: no cover - the two rules agree

        return values, bad.to_numpy(dtype=bool), why
    if col.kind == "lsoa":
        values = cells.str.upper()
        return values, ~values.str.fullmatch(_LSOA).to_numpy(dtype=bool), (
            lambda raw: f"'{raw}' is not an LSOA code like E01033620")
    if col.kind == "choice":
        lookup = {a.lower(): a for a in col.allowed}
        values = cells.str.lower().map(lookup).astype("str")
        return values, values.isna().to_numpy(dtype=bool), (
            lambda raw: f"'{raw}' is not one of: {'; '.join(col.allowed)}")
    return cells, (cells.str.len() > MAX_TEXT).to_numpy(dtype=bool), (
        lambda raw: f"is longer than {MAX_TEXT} characters")


def _currency(table: pd.DataFrame, columns: MappingType[str, str]) -> list[Problem]:
    """Any amount not in pounds is an error naming its currency: it is never added in."""
    if colmap.CURRENCY not in table.columns:
        return []
    code = table[colmap.CURRENCY].astype("str").fillna("").str.strip()
    foreign = ~code.str.upper().isin(list(_POUNDS_TEXT))
    amount = columns.get("amount_gbp", "amount_gbp")
    return _listed(table.index[foreign.to_numpy(dtype=bool)], columns[colmap.CURRENCY], lambda r: (
        f"says the amount in '{amount}' is in {code[r]}, not pounds, so it cannot be added to the total: give it in "
        "pounds (or, if the file has a column in pounds, choose that one)"))


def _trailing_totals(cells: pd.DataFrame, fields: MappingType[str, str]) -> tuple[list[int], list[Problem],
                                                                                   list[Problem]]:
    """Rows at the end that are a total line: which to drop, notes saying so, and problems when unsure."""
    amount, date = fields.get("amount_gbp"), fields.get("payment_date")
    if amount is None or len(cells) < 2:
        return [], [], []
    tail = cells.iloc[-3:]
    pence, bad = parsing.amounts(tail[amount])
    candidates = []
    for row in reversed(tail.index):
        if bad[row] or tail.at[row, amount] == "":
            break
        labels = [v for h, v in tail.loc[row].items() if v and h not in (amount, date)
                  and parsing.amounts(pd.Series([v], dtype="str"))[1].iloc[0]]
        if labels and not all(_TOTAL_LABEL.fullmatch(colmap.header_key(v)) for v in labels):
            break
        candidates.append((row, labels))
    if not candidates:
        return [], [], []
    above_pence, above_bad = parsing.amounts(cells[amount].iloc[:len(cells) - len(candidates)])
    above = int(above_pence[~above_bad].sum())
    drop, notes, problems = [], [], []
    for row, labels in reversed(candidates):
        value, said = int(pence[row]), f"'{labels[0]}', " if labels else ""
        dated = date is not None and tail.at[row, date] != ""
        if value == above:
            drop.append(int(row))
            notes.append(Problem(int(row), None, f"is a total line ({said}{_money(value)}: the sum of the rows "
                                 "above); it was not counted as a payment"))
        elif not dated:
            drop.append(int(row))
            notes.append(Problem(int(row), None, f"looks like a total line ({said}{_money(value)}, no date); it was "
                                 f"not counted as a payment. It is not the sum of the rows above ({_money(above)}): "
                                 "check that no rows are missing"))
        elif labels:
            problems.append(Problem(int(row), None, (
                f"says '{labels[0]}' like a total line, but its amount {_money(value)} is not the sum of the rows "
                f"above ({_money(above)}) and it has a date. If it is a total, delete the row; if it is a "
                "payment, give the supplier's name")))
    return drop, notes, problems


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


# Checks against the database


def _resolve_initiatives(cur: duckdb.DuckDBPyConnection, network_id: str, typed: pd.DataFrame,
                         where: str) -> list[Problem]:
    initiatives = store.run(cur, "network_initiatives", network_id=network_id)
    lookup = {**{n.lower(): i for n, i in zip(initiatives["name"], initiatives["initiative_id"], strict=True)},
              **{i.lower(): i for i in initiatives["initiative_id"]}}
    raw = typed["initiative"]
    typed["initiative_id"] = raw.str.lower().map(lookup).astype("str")
    unknown = (raw.notna() & typed["initiative_id"].isna()).to_numpy(dtype=bool)
    names = ", ".join(f"'{n}'" for n in initiatives["name"]) or "none defined"
    return _listed(typed.index[unknown], where, lambda r: (
        f"'{raw[r]}' is not an initiative of this network ({names})"))


def _given(table: pd.DataFrame, *names: str) -> pd.Series:
    """Rows where the file gives any of these fields (even if not valid)."""
    given = pd.Series(False, index=table.index)
    for name in names:
        if name in table.columns:
            given |= table[name].astype("str").fillna("").str.strip().ne("")
    return given


def _locate(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame, postcode_col: str, lsoa_col: str,
            required: pd.Series | None, columns: MappingType[str, str]) -> list[Problem]:
    """Add lsoa21_code, lsoa11_code, nation and postcode_district from the reference tables.

    required, when given, marks the rows that gave a location at all; the others are a problem.
    """
    postcode, lsoa = typed[postcode_col], typed[lsoa_col]
    cur.register("postcode_input", pd.DataFrame({"postcode": postcode.dropna().unique()}, dtype=str))
    by_postcode = store.run(cur, "postcode_lookup").set_index("postcode")
    cur.register("lsoa_input", pd.DataFrame({"lsoa21_code": lsoa.dropna().unique()}, dtype=str))
    by_lsoa = store.run(cur, "lsoa21_lookup").set_index("lsoa21_code")
    # Positions in the lookups (-1: not found), found once and used for every column taken from them.
    at_postcode = by_postcode.index.get_indexer(postcode)
    at_lsoa = by_lsoa.index.get_indexer(lsoa)
    has_postcode = postcode.notna().to_numpy()
    known = at_postcode >= 0
    by_code = ~has_postcode & lsoa.notna().to_numpy()
    ireland = has_postcode & postcode.str.startswith("BT").fillna(False).to_numpy(dtype=bool) & ~known

    def pick(table: pd.DataFrame, column: str, at: np.ndarray) -> np.ndarray:
        # A trailing None makes position -1 (not found) pick nothing.
        return np.append(table[column].to_numpy(dtype=object), None)[at]

    def take(column: str, from_lsoa: np.ndarray) -> pd.Series:
        values = np.where(by_code, from_lsoa, pick(by_postcode, column, at_postcode))
        return pd.Series(values, index=typed.index, dtype="str")

    typed["postcode_district"] = postcode.str.replace(r" .*", "", regex=True)
    typed["lsoa21_code"] = take("lsoa21_code", lsoa.to_numpy(dtype=object))
    typed["lsoa11_code"] = take("lsoa11_code", pick(by_lsoa, "lsoa11_code", at_lsoa))
    nation = take("nation", pick(by_lsoa, "nation", at_lsoa))
    typed["nation"] = nation.mask(ireland, "Northern Ireland")
    where_postcode = columns.get(postcode_col, postcode_col)
    problems = _listed(typed.index[has_postcode & ~known & ~ireland], where_postcode,
                       lambda r: f"{postcode[r]} is not a current postcode in OS Code-Point Open")
    problems += _listed(typed.index[by_code & (at_lsoa < 0)],
                        columns.get(lsoa_col, lsoa_col), lambda r: f"{lsoa[r]} is not an LSOA 2021 code")
    if required is not None:
        problems += _listed(typed.index[(~required).to_numpy(dtype=bool)], where_postcode,
                            lambda r: f"give a postcode or an {lsoa_col}")
    return problems


def _active(cur: duckdb.DuckDBPyConnection, network_id: str, institution_id: str, kind: str,
            quarter: str) -> tuple[ActiveSubmission | None, str | None]:
    current = store.run(cur, "submission_active", network_id=network_id, institution_id=institution_id, kind=kind,
                        quarter=quarter)
    if current.empty:
        return None, None
    r = current.iloc[0]
    total = None if pd.isna(r["total_gbp"]) else Decimal(str(r["total_gbp"])).quantize(Decimal("0.01"))
    return ActiveSubmission(int(r["submission_id"]), r["file_name"], r["submitted_by"],
                            r["submitted_at"].to_pydatetime(), int(r["row_count"]), total), r["sha256"]


# The two steps


def prepare(network_id: str, institution_id: str, kind: str, quarter: str, data: bytes, file_name: str,
            mapping: MappingType[str, str] | None = None, db: Path | None = None,
            today: dt.date | None = None, *, scope: access.Scope) -> Preview:
    """Read, map and check a file against the contract and the database; write nothing."""
    access.require_upload(scope, network_id, institution_id)
    preview = Preview(network_id, institution_id, kind, quarter, file_name, hashlib.sha256(data).hexdigest())
    if kind not in contract.KINDS:
        preview.problems = [Problem(None, None, f"kind must be one of {', '.join(contract.KINDS)}")]
        return preview
    try:
        preview.quarter = parsing.parse_quarter(quarter)
    except parsing.ValueProblem as exc:
        preview.problems = [Problem(None, None, str(exc))]
        return preview
    with store.connect(db) as con:
        cur = con.cursor()
        if store.run(cur, "institution_lookup", network_id=network_id, institution_id=institution_id).empty:
            preview.problems = [Problem(None, None, f"'{institution_id}' is not an institution of network "
                                        f"'{network_id}'")]
            return preview
        saved = colmap.saved_mapping(cur, network_id, institution_id, kind) if mapping is None else None
    try:
        sheet = readers.read(data, file_name, lambda cells: colmap.header_score(kind, cells))
    except readers.Refused as exc:
        preview.problems = exc.problems
        return preview
    preview.format, preview.sheet_name, preview.header_row = sheet.format, sheet.sheet_name, sheet.header_row
    preview.notes = list(sheet.notes)
    found = colmap.propose(kind, sheet.headers, user=mapping, saved=saved)
    preview.mapping = found
    problems = [Problem(None, h, f"this column holds {contract.FORBIDDEN_COLUMNS[colmap.template_key(h)]}; "
                        "personal identifiers must not be uploaded. Remove the column.")
                for h in sheet.headers if colmap.template_key(h) in contract.FORBIDDEN_COLUMNS]
    problems += found.problems(sheet.headers) + sheet.problems
    if not sheet.header_recognised:
        needed = ", ".join(c.name for c in contract.COLUMNS[kind] if c.required)
        problems.insert(0, Problem(None, None, f"no row among the first {readers.HEADER_SEARCH_ROWS} looks like the "
                                   f"column names of a {kind} file (it needs at least: {needed}); row "
                                   f"{sheet.header_row} was taken as the column names"))
    if problems:
        preview.problems = problems
        return preview
    if found.unmapped:
        preview.notes.append(Problem(None, None, "columns not used: " + ", ".join(f"'{h}'" for h in found.unmapped)))
    cells = sheet.cells
    if kind == "spend":
        drop, notes, unsure = _trailing_totals(cells, found.fields)
        cells = cells.drop(index=drop)
        preview.notes += notes
        problems += unsure
    table = colmap.apply(cells, found)
    columns = found.fields
    by_field = {v: k for k, v in columns.items()}
    typed, cell_problems = check(kind, table, today=today, columns=columns,
                                 uncached={(r, by_field[h]) for r, h in sheet.uncached if h in by_field})
    problems += cell_problems + _currency(table, columns)
    if typed.empty:
        preview.problems = problems
        return preview
    with store.connect(db) as con:
        cur = con.cursor()
        problems += _resolve_initiatives(cur, network_id, typed, columns.get("initiative", "initiative"))
        if kind == "participants":
            problems += _locate(cur, typed, "home_postcode", "lsoa_code", _given(table, "home_postcode", "lsoa_code"),
                                columns)
            initiative = typed["initiative_id"].fillna(typed["initiative"].str.lower())
            repeated = typed["participant_ref"].notna() & pd.DataFrame(
                {"ref": typed["participant_ref"], "initiative": initiative}).duplicated()
            where = columns.get("participant_ref", "participant_ref")
            problems += _listed(typed.index[repeated.to_numpy(dtype=bool)], where, lambda r: (
                f"'{typed.at[r, 'participant_ref']}' appears more than once for this initiative"))
        else:
            problems += _locate(cur, typed, "supplier_postcode", "supplier_lsoa_code", None, columns)
        preview.supersedes, active_sha = _active(cur, network_id, institution_id, kind, preview.quarter)
        same = store.run(cur, "submission_same_file", network_id=network_id, sha256=preview.sha256)
    preview.unchanged = active_sha == preview.sha256
    preview.same_file = same.to_dict("records")
    problems += _same_file(preview, same)
    preview.problems = sorted(problems, key=_order(sheet.headers))
    preview.rows = typed
    preview.notes += _notes(kind, typed, columns, preview.quarter)
    if kind == "spend":
        preview.total_gbp = Decimal(int(typed["amount_pence"].sum())).scaleb(-2)
        preview.duplicate_rows, duplicates = _duplicates(typed)
        preview.notes += duplicates
    return preview


def _order(headers: list[str]):
    position = {h: i for i, h in enumerate(headers)}
    return lambda p: (p.row or 0, position.get(p.column, -1) if p.column else -1)


def _same_file(preview: Preview, same: pd.DataFrame) -> list[Problem]:
    """The same file already counted elsewhere in the network would count every row twice."""
    problems = []
    for r in same.itertuples():
        here = (r.institution_id, r.kind, r.quarter) == (preview.institution_id, preview.kind, preview.quarter)
        what = (f"submission {r.submission_id} ({r.institution_id}, {r.kind}, {r.quarter}, '{r.file_name}', "
                f"uploaded {r.submitted_at:%d/%m/%Y} by {r.submitted_by})")
        if r.status == "active" and here:
            preview.notes.append(Problem(None, None, f"this file is identical to the active {what}; saving it "
                                         "again changes nothing"))
        elif r.status == "active":
            problems.append(Problem(None, None, f"this exact file is already counted as {what}; uploading it "
                                    "again would count every row twice. Check the quarter and institution."))
        else:
            preview.notes.append(Problem(None, None, f"this exact file was uploaded before as {what}, since "
                                         "replaced"))
    return problems


def _notes(kind: str, typed: pd.DataFrame, columns: MappingType[str, str], quarter: str) -> list[Problem]:
    """What the person should know about rows that are accepted."""
    notes = []
    for nation in ("Wales", "Scotland", "Northern Ireland"):
        count = int((typed["nation"] == nation).sum())
        if count:
            notes.append(Problem(None, None, f"{count:,} row(s) are located in {nation}: counted and labelled "
                                 f"{nation}, with no English deprivation decile"))
    if kind == "spend":
        unknown = typed["nation"].isna()
        if unknown.any():
            notes.append(Problem(None, None, f"{int(unknown.sum()):,} payment(s) totalling "
                                 f"{_money(int(typed.loc[unknown, 'amount_pence'].sum()))} have no supplier "
                                 "postcode or LSOA: counted as 'location unknown'"))
        first, last = parsing.quarter_bounds(quarter)
        dates = typed["payment_date"]
        outside = (dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last))
        if outside.any():
            notes.append(Problem(None, columns.get("payment_date"), f"{int(outside.sum()):,} payment(s) are dated "
                                 f"outside {quarter}; each counts in the period of its own date"))
    return notes


def _duplicates(typed: pd.DataFrame) -> tuple[int, list[Problem]]:
    """Rows equal in every field: kept (two identical payments can be real) but pointed out."""
    fields = [c.name for c in contract.SPEND_COLUMNS if c.kind != "amount"] + ["amount_pence"]
    same = typed.duplicated(fields, keep=False)
    if not same.any():
        return 0, []
    repeats = int(typed.duplicated(fields, keep="first").sum())
    groups = (typed[same].reset_index(names="_file_row").groupby(fields, dropna=False, sort=False)["_file_row"]
              .agg(list).tolist())
    groups.sort(key=lambda rows: rows[0])
    notes = [Problem(None, None, f"{repeats:,} row(s) repeat an earlier row exactly; all were kept, as two "
                     "identical payments can be real, but check none is the same payment twice")]
    for rows in groups[:50]:
        listed = ", ".join(str(r) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
        notes.append(Problem(rows[0], None, f"rows {listed} are identical"))
    if len(groups) > 50:
        notes.append(Problem(None, None, f"... and {len(groups) - 50:,} more groups of identical rows"))
    return repeats, notes


def commit(preview: Preview, submitted_by: str | None = None, db: Path | None = None, *,
           scope: access.Scope) -> Receipt:
    """Save a checked upload as one submission, all or nothing, superseding whatever is active by then."""
    access.require_upload(scope, preview.network_id, preview.institution_id)
    # A signed-in person uploads as themselves; only the operator may name someone else.
    if scope.role != access.SYSTEM:
        submitted_by = scope.actor
    if preview.problems:
        raise IngestError(preview.file_name, preview.problems)
    p = preview
    mapping = dict(p.mapping.fields) if p.mapping else {}

    def write(cur: duckdb.DuckDBPyConnection) -> Receipt:
        if store.run(cur, "institution_lookup", network_id=p.network_id, institution_id=p.institution_id).empty:
            raise IngestError(p.file_name, [Problem(None, None, f"'{p.institution_id}' is not an institution of "
                                                    f"network '{p.network_id}'")])
        store.run(cur, "submission_slot_claim", network_id=p.network_id, institution_id=p.institution_id,
                  kind=p.kind, quarter=p.quarter)
        current, sha256 = _active(cur, p.network_id, p.institution_id, p.kind, p.quarter)
        notes = list(p.notes)
        if current is not None and sha256 == p.sha256:
            return Receipt(current.submission_id, p.file_name, p.sha256, p.kind, p.quarter, p.row_count,
                           p.total_gbp, unchanged=True, notes=notes, duplicate_rows=p.duplicate_rows,
                           mapping=mapping, format=p.format)
        shown = p.supersedes.submission_id if p.supersedes else None
        if current is not None and current.submission_id != shown:
            notes.append(Problem(None, None, (
                f"submission {current.submission_id} ('{current.file_name}' by {current.submitted_by}) arrived after "
                "this upload was checked; it was replaced by this one, as the latest upload for the quarter")))
        elif current is None and shown is not None:
            notes.append(Problem(None, None, f"submission {shown}, shown when this upload was checked, had already "
                                 "been replaced; nothing else was replaced"))
        submission_id = int(store.run(
            cur, "submission_insert", network_id=p.network_id, institution_id=p.institution_id, kind=p.kind,
            quarter=p.quarter, file_name=p.file_name, sha256=p.sha256,
            submitted_by=submitted_by or getpass.getuser(), row_count=p.row_count,
        )["submission_id"].iloc[0])
        store.run(cur, "submission_supersede", network_id=p.network_id, institution_id=p.institution_id,
                  kind=p.kind, quarter=p.quarter, submission_id=submission_id)
        cur.register("incoming_rows", p.rows.assign(submission_id=submission_id, network_id=p.network_id,
                                                    institution_id=p.institution_id))
        store.run(cur, "participant_insert" if p.kind == "participants" else "spend_insert")
        saved = bool(p.mapping and p.mapping.user)
        if saved:
            colmap.save_mapping(cur, submission_id, p.network_id, p.institution_id, p.kind, p.mapping)
        audit.record(cur, scope, "upload", p.network_id, p.institution_id, {
            "submission_id": submission_id, "kind": p.kind, "quarter": p.quarter, "file_name": p.file_name,
            "rows": p.row_count, "sha256": p.sha256})
        if current is not None:
            audit.record(cur, scope, "supersede", p.network_id, p.institution_id, {
                "submission_id": current.submission_id, "superseded_by": submission_id})
        return Receipt(submission_id, p.file_name, p.sha256, p.kind, p.quarter, p.row_count, p.total_gbp,
                       superseded=[current.submission_id] if current else [], notes=notes,
                       duplicate_rows=p.duplicate_rows, mapping=mapping, mapping_saved=saved, format=p.format)

    return store.write(write, db)


def ingest(network_id: str, institution_id: str, kind: str, quarter: str, file: Path | None = None, *,
           data: bytes | None = None, file_name: str | None = None, submitted_by: str | None = None,
           db: Path | None = None, today: dt.date | None = None,
           mapping: MappingType[str, str] | None = None, scope: access.Scope | None = None) -> Receipt:
    """Check a participants or spend file and commit it as one submission, all or nothing.

    For the command line, the demo and tests: scope None is the operator's (access.system()).
    """
    scope = scope or access.system()
    if data is None:
        data = Path(file).read_bytes()
    file_name = file_name or Path(file).name
    preview = prepare(network_id, institution_id, kind, quarter, data, file_name, mapping=mapping, db=db, today=today,
                      scope=scope)
    return commit(preview, submitted_by=submitted_by, db=db, scope=scope)

"""Ingest a partner's file, one stage after another: read, recognise, parse and check, place, commit.

Each stage has its module: readers (the file's cells, whatever the format), recognise (which column
holds which field), checks (every cell against the contract, totals lines, currencies, the rows the
person chose to leave out), place (initiatives and locations from the database). prepare() runs the
first four and writes nothing: its Preview holds the typed rows, every problem, the notes, the
column mapping and what the upload would replace. commit() writes a clean Preview in one
transaction. ingest() does both, for the command line and the demo; the upload page calls the same.
"""

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import (
    access,
    audit,
    checks,
    contract,
    matching,
    networks,
    parsing,
    place,
    readers,
    recognise,
    store,
    summaries,
)
from dashboard.checks import RowChoices
from dashboard.problems import Problem, problems_csv, safe_for_spreadsheet

__all__ = ["IngestError", "Preview", "Problem", "Receipt", "RowChoices", "commit", "ingest", "prepare",
           "problems_csv", "read_table", "safe_for_spreadsheet"]

MAX_FILE_BYTES = readers.MAX_FILE_BYTES
MAX_DATA_ROWS = readers.MAX_DATA_ROWS


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
    mapping: recognise.Mapping | None = None
    format: str | None = None                                   # how the file was read
    sheet_name: str | None = None
    header_row: int | None = None
    total_gbp: Decimal | None = None
    duplicate_rows: int = 0                                     # rows identical to an earlier row
    supersedes: ActiveSubmission | None = None
    same_file: list[dict] = field(default_factory=list)         # earlier submissions of this very file
    unchanged: bool = False                                     # the file already is the active submission
    choices: RowChoices = field(default_factory=RowChoices)     # what the person chose for rows set aside
    left_out: list[dict] = field(default_factory=list)          # the rows left out as chosen: row, reason, amount
    dated_to_quarter: int = 0                                   # rows with no date, dated to the quarter
    row_questions: list[str] = field(default_factory=list)      # row choices (checks.LEAVE_OUT) to offer

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
    left_out: list[dict] = field(default_factory=list)     # rows left out as the person chose
    dated_to_quarter: int = 0


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """Every cell of the file's table as text, column names as snake_case; index = the file's row numbers."""
    def any_kind(cells) -> int:
        return max(recognise.header_score(kind, cells) for kind in contract.KINDS)

    try:
        sheet = readers.read(data, file_name, any_kind)
    except readers.Refused as exc:
        raise IngestError(file_name, exc.problems) from exc
    frame = sheet.cells.copy()
    frame.columns = [recognise.template_key(h) for h in sheet.headers]
    return frame


def _active(cur: duckdb.DuckDBPyConnection, network_id: str, institution_id: str, kind: str,
            quarter: str) -> tuple[ActiveSubmission | None, tuple[str, str | None] | None]:
    """The active submission of the slot, and what it was read from: (sha256 of the file, how it was read)."""
    current = store.run(cur, "submission_active", network_id=network_id, institution_id=institution_id, kind=kind,
                        quarter=quarter)
    if current.empty:
        return None, None
    r = current.iloc[0]
    total = None if pd.isna(r["total_gbp"]) else Decimal(str(r["total_gbp"])).quantize(Decimal("0.01"))
    read_as = None if pd.isna(r["read_as"]) else r["read_as"]
    return ActiveSubmission(int(r["submission_id"]), r["file_name"], r["submitted_by"],
                            r["submitted_at"].to_pydatetime(), int(r["row_count"]), total), (r["sha256"], read_as)


def _membership_problem(cur: duckdb.DuckDBPyConnection, network_id: str, institution_id: str,
                        quarter: str) -> Problem | None:
    """Why the institution cannot send a file for the quarter: not a member, or it had left before the quarter
    began (a quarter it was a member for, even in part, can still be sent or corrected)."""
    found = store.run(cur, "institution_lookup", network_id=network_id, institution_id=institution_id)
    if found.empty:
        return Problem(None, None, f"'{institution_id}' is not an institution of network '{network_id}'")
    left_on = found["left_on"].iloc[0]
    if not pd.isna(left_on) and pd.Timestamp(left_on).date() < parsing.quarter_bounds(quarter)[0]:
        return Problem(None, None, f"{found['name'].iloc[0]} left the network on {pd.Timestamp(left_on):%-d %B %Y}, "
                                   f"before {parsing.quarter_label(quarter, networks.year_start(cur, network_id))}: "
                                   "it sends no files for later quarters. "
                                   "Files for the quarters it was a member can still be sent or corrected.")
    return None


def _read_as(p: Preview) -> str:
    """How a file was read, as stored with its submission: the columns taken as fields and the row choices."""
    return json.dumps({"columns": dict(p.mapping.fields) if p.mapping else {},
                       "leave_out": sorted(p.choices.leave_out), "date_to_quarter": p.choices.date_to_quarter},
                      sort_keys=True)


def _same_reading(p: Preview, active: tuple[str, str | None] | None) -> bool:
    """Whether the active submission is this very file read this very way (read_as unknown: the file decides)."""
    return active is not None and active[0] == p.sha256 and active[1] in (None, _read_as(p))


# The two steps


def prepare(network_id: str, institution_id: str, kind: str, quarter: str, data: bytes, file_name: str,
            mapping: MappingType[str, str] | None = None, db: Path | None = None,
            today: dt.date | None = None, *, scope: access.Scope, choices: RowChoices = checks.NO_CHOICES) -> Preview:
    """Read, recognise, check and place a file against the contract and the database; write nothing.

    mapping holds the person's column choices (file header -> field); choices what they chose to do
    with rows that cannot be counted as they are (leave them out, date them to the quarter).
    """
    access.require_upload(scope, network_id, institution_id)
    preview = Preview(network_id, institution_id, kind, quarter, file_name, hashlib.sha256(data).hexdigest(),
                      choices=choices)
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
        member = _membership_problem(cur, network_id, institution_id, preview.quarter)
        if member is not None:
            preview.problems = [member]
            return preview
        saved = recognise.saved_mapping(cur, network_id, institution_id, kind) if mapping is None else None
        year_start = networks.year_start(cur, network_id)
    # 1. Read
    try:
        sheet = readers.read(data, file_name, lambda cells: recognise.header_score(kind, cells))
    except readers.Refused as exc:
        preview.problems = exc.problems
        return preview
    preview.format, preview.sheet_name, preview.header_row = sheet.format, sheet.sheet_name, sheet.header_row
    preview.notes = list(sheet.notes)
    # 2. Recognise
    found = recognise.recognise(kind, sheet.headers, sheet.cells, user=mapping, saved=saved)
    preview.mapping = found
    forbidden = contract.FORBIDDEN_COLUMNS if kind == "participants" else {}
    problems = [Problem(None, h, f"this column holds {forbidden[recognise.template_key(h)]}; "
                        "personal identifiers must not be uploaded. Remove the column.")
                for h in sheet.headers if recognise.template_key(h) in forbidden]
    problems += found.problems(sheet.headers, date_to_quarter=choices.date_to_quarter) + sheet.problems
    if not sheet.header_recognised:
        needed = ", ".join(c.name for c in contract.COLUMNS[kind] if c.required)
        problems.insert(0, Problem(None, None, f"no row among the first {readers.HEADER_SEARCH_ROWS} looks like the "
                                   f"column names of a {kind} file (it needs at least: {needed}); row "
                                   f"{sheet.header_row} was taken as the column names"))
    if found.times_only.get("payment_date") or choices.date_to_quarter:
        preview.row_questions.append(checks.NO_DATE)
    if problems:
        preview.problems = _placed(sheet, problems)
        return preview
    preview.notes += found.notes
    if found.unmapped:
        preview.notes.append(Problem(None, None, "columns not used: " + ", ".join(f"'{h}'" for h in found.unmapped)))
    # 3. Parse and check
    checked = checks.check_file(kind, sheet.cells, found, preview.quarter, year_start=year_start, today=today,
                                choices=choices,
                                uncached=sheet.uncached, parts=readers.sheet_parts(sheet),
                                label=lambda r: readers.row_label(sheet, r), origins=sheet.origins)
    problems = checked.problems
    preview.notes += checked.notes
    preview.left_out, preview.dated_to_quarter = checked.left_out, checked.dated_to_quarter
    preview.row_questions = list(dict.fromkeys(preview.row_questions + checked.asked
                                               + sorted(choices.leave_out)))
    if checked.rows.empty:
        preview.problems = _placed(sheet, problems)
        return preview
    # 4. Place
    columns = found.fields
    with store.connect(db) as con:
        cur = con.cursor()
        placed, notes = place.place(cur, network_id, kind, checked, columns)
        problems += placed
        preview.supersedes, read_from = _active(cur, network_id, institution_id, kind, preview.quarter)
        same = store.run(cur, "submission_same_file", network_id=network_id, sha256=preview.sha256)
    preview.notes += notes
    preview.unchanged = _same_reading(preview, read_from)
    preview.same_file = same.to_dict("records")
    problems += _same_file(preview, same)
    preview.problems = _placed(sheet, sorted(problems, key=_order(sheet.headers)))
    preview.rows = checked.rows
    preview.notes = _placed(sheet, preview.notes)
    if kind == "spend":
        preview.total_gbp = Decimal(int(preview.rows["amount_pence"].sum())).scaleb(-2)
        preview.duplicate_rows, duplicates = checks.duplicates(
            preview.rows, sheet.cells.loc[preview.rows.index, found.unmapped], lambda r: readers.row_label(sheet, r))
        preview.notes += _placed(sheet, duplicates)
    return preview


def _placed(sheet: readers.Sheet, problems: list[Problem]) -> list[Problem]:
    """Problems as the person finds them: on a workbook of several sheets, the sheet and its own row."""
    return [readers.locate(sheet, p) for p in problems]


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
        if r.status == "active" and here and preview.unchanged:
            preview.notes.append(Problem(None, None, f"this file is identical to the active {what}; saving it "
                                         "again changes nothing"))
        elif r.status == "active" and here:
            preview.notes.append(Problem(None, None, f"this file is the active {what}, read another way then "
                                         "(other columns or row choices); committing replaces it with this reading"))
        elif r.status == "active":
            problems.append(Problem(None, None, f"this exact file is already counted as {what}; uploading it "
                                    "again would count every row twice. Check the quarter and institution."))
        else:
            preview.notes.append(Problem(None, None, f"this exact file was uploaded before as {what}, since "
                                         "replaced"))
    return problems


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
    row_choices = _row_choices(p)

    def write(cur: duckdb.DuckDBPyConnection) -> Receipt:
        member = _membership_problem(cur, p.network_id, p.institution_id, p.quarter)
        if member is not None:
            raise IngestError(p.file_name, [member])
        store.run(cur, "submission_slot_claim", network_id=p.network_id, institution_id=p.institution_id,
                  kind=p.kind, quarter=p.quarter)
        current, read_from = _active(cur, p.network_id, p.institution_id, p.kind, p.quarter)
        notes = list(p.notes)
        if current is not None and _same_reading(p, read_from):
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
            submitted_by=submitted_by or getpass.getuser(), row_count=p.row_count, row_choices=row_choices,
            read_as=_read_as(p),
        )["submission_id"].iloc[0])
        store.run(cur, "submission_supersede", network_id=p.network_id, institution_id=p.institution_id,
                  kind=p.kind, quarter=p.quarter, submission_id=submission_id)
        cur.register("incoming_rows", p.rows.assign(submission_id=submission_id, network_id=p.network_id,
                                                    institution_id=p.institution_id))
        store.run(cur, "participant_insert" if p.kind == "participants" else "spend_insert")
        matched = 0
        if p.kind == "spend":
            store.run(cur, "spend_month_insert", submission_id=submission_id)  # the figures' monthly sums
            # its new suppliers, in the registers
            matched = matching.refresh(cur, p.network_id, submission_id=submission_id).automatic
        if matched:  # a supplier newly placed by the registers places its earlier payments too
            summaries.rebuild(cur, [p.network_id])
        else:
            summaries.add_submission(cur, p.network_id, submission_id)
        saved = bool(p.mapping and p.mapping.user)
        if saved:
            recognise.save_mapping(cur, submission_id, p.network_id, p.institution_id, p.kind, p.mapping)
        audit.record(cur, scope, "upload", p.network_id, p.institution_id, {
            "submission_id": submission_id, "kind": p.kind, "quarter": p.quarter, "file_name": p.file_name,
            "rows": p.row_count, "sha256": p.sha256, **(json.loads(row_choices) if row_choices else {})})
        if current is not None:
            audit.record(cur, scope, "supersede", p.network_id, p.institution_id, {
                "submission_id": current.submission_id, "superseded_by": submission_id})
        return Receipt(submission_id, p.file_name, p.sha256, p.kind, p.quarter, p.row_count, p.total_gbp,
                       superseded=[current.submission_id] if current else [], notes=notes,
                       duplicate_rows=p.duplicate_rows, mapping=mapping, mapping_saved=saved, format=p.format,
                       left_out=p.left_out, dated_to_quarter=p.dated_to_quarter)

    return store.write(write, db)


def _row_choices(p: Preview) -> str | None:
    """What the person chose for rows set aside, as stored with the submission (JSON), or None."""
    if not p.left_out and not p.dated_to_quarter:
        return None
    total = sum(Decimal(x["amount_gbp"]) for x in p.left_out if x["amount_gbp"])
    return json.dumps({"left_out": p.left_out, "left_out_total_gbp": f"{total:.2f}",
                       "dated_to_quarter": p.dated_to_quarter})


def ingest(network_id: str, institution_id: str, kind: str, quarter: str, file: Path | None = None, *,
           data: bytes | None = None, file_name: str | None = None, submitted_by: str | None = None,
           db: Path | None = None, today: dt.date | None = None,
           mapping: MappingType[str, str] | None = None, scope: access.Scope | None = None,
           choices: RowChoices = checks.NO_CHOICES) -> Receipt:
    """Check a participants or spend file and commit it as one submission, all or nothing.

    For the command line, the demo and tests: scope None is the operator's (access.system()).
    """
    scope = scope or access.system()
    if data is None:
        data = Path(file).read_bytes()
    file_name = file_name or Path(file).name
    preview = prepare(network_id, institution_id, kind, quarter, data, file_name, mapping=mapping, db=db, today=today,
                      scope=scope, choices=choices)
    return commit(preview, submitted_by=submitted_by, db=db, scope=scope)

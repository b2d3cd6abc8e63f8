"""Parse and check a recognised file: every cell against the contract, totals lines, currencies, row choices.

Nothing here touches the database: the rows come out typed, with every problem (which row, which
column, why) and every note. Cell checks run a column at a time, so a million rows take seconds.
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import contract, parsing, postcodes, recognise
from dashboard.problems import Problem

MAX_TEXT = 200
EARLIEST_DATE = dt.date(2000, 1, 1)
PROBLEMS_PER_COLUMN = 1000  # listed per column; the rest are counted
_LSOA = r"[EW]01[0-9]{6}"
_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}"  # as postcodes.normalise, without the space
# What a total line says, as a header key (see recognise.header_key). A supplier called
# 'Total Produce Ltd' or 'TotalEnergies' does not match.
_TOTAL_LABEL = re.compile(r"(grand_|sub_|overall_)?(sub)?totals?(_(spend|amount|payments|expenditure|value|gbp)"
                          r"|_for_.*)?")

# Rows a partner may choose to leave out of a spend file, and how each choice is asked for.
NO_AMOUNT, NO_DATE = "no-amount", "no-date"
LEAVE_OUT = {NO_AMOUNT: "no amount", NO_DATE: "no payment date"}  # choice -> the reason recorded
PRECISION = ("day", "month", "quarter")  # how exactly a stored payment date is known


@dataclass(frozen=True)
class RowChoices:
    """What the person chose to do with rows that cannot be counted as they are."""

    leave_out: frozenset[str] = frozenset()  # of LEAVE_OUT
    date_to_quarter: bool = False            # rows with no date are dated to the submission's quarter

    def __post_init__(self):
        unknown = set(self.leave_out) - set(LEAVE_OUT)
        if unknown:
            raise ValueError(f"cannot leave out {', '.join(sorted(unknown))}: choose from {', '.join(LEAVE_OUT)}")


NO_CHOICES = RowChoices()


@dataclass
class Checked:
    """A file's rows after the checks: typed, with problems, notes, and the rows the person chose to set aside."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    left_out: list[dict] = field(default_factory=list)   # {row, reason, amount_gbp} per row left out
    dated_to_quarter: int = 0                            # rows given the quarter as their date
    gave_location: pd.Series | None = None               # participants: rows giving a postcode or LSOA at all
    asked: list[str] = field(default_factory=list)       # row choices (of LEAVE_OUT) the person could make


def listed(rows: pd.Index, column: str | None, message) -> list[Problem]:
    """A problem for each row (at most PROBLEMS_PER_COLUMN, then a count); message(row) words it."""
    out = [Problem(int(r), column, message(r)) for r in rows[:PROBLEMS_PER_COLUMN]]
    if len(rows) > PROBLEMS_PER_COLUMN:
        out.append(Problem(None, column, f"{len(rows):,} cells in this column have problems; the first "
                           f"{PROBLEMS_PER_COLUMN:,} are listed. Fix those and upload again to see the rest."))
    return out


def money(pence: int) -> str:
    """Pence as '£1,234.56' (or '-£1,234.56')."""
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def normalise_postcodes(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Postcodes in canonical form ('B1 1AA') and a mask of cells that are not UK postcodes."""
    return parsing.per_distinct(cells, _postcodes_each)


def _postcodes_each(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = cells.astype("str").fillna("").str.upper()
    for space in (" ", "\u00a0", "\t"):
        text = text.str.replace(space, "", regex=False)
    good = text.str.fullmatch(_POSTCODE)
    return (text.str.slice(0, -3) + " " + text.str.slice(-3)).where(good), ~good.astype(bool)


def _pounds(pence: pd.Series) -> pd.Series:
    """Integer pence as exact decimal pounds (decimal128(18, 2)), kept exact into DuckDB."""
    # A decimal is its unscaled integer: pence as decimal128(19, 0) are the same bits as pounds to two places.
    values = pa.array(pence.to_numpy(dtype="int64")).cast(pa.decimal128(19, 0)).view(pa.decimal128(18, 2))
    return pd.Series(values, index=pence.index, dtype=pd.ArrowDtype(pa.decimal128(18, 2)))


def check(kind: str, table: pd.DataFrame, *, today: dt.date | None = None,
          columns: MappingType[str, str] | None = None,
          uncached: set[tuple[int, str]] | None = None,
          blank_allowed: frozenset[str] = frozenset()) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a table of contract fields (index = file row numbers) cell by cell; return typed rows and problems.

    columns names each field's column as the file calls it, for messages; uncached lists
    (row, field) cells holding a formula saved without its value; blank_allowed names required
    fields whose empty cells were dealt with before (row choices) or are allowed (a redacted supplier).
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
        formula = cells.index.isin(list(stale[col.name])) if col.name in stale else np.zeros(len(cells), bool)
        problems += listed(cells.index[formula], where, lambda r: (
            "holds a formula whose result was not saved with the file, so it reads as empty: open the file in "
            "Excel, let it calculate, save it and upload it again"))
        shows_error = parsing.is_excel_error(cells).to_numpy()
        problems += listed(cells.index[shows_error], where, lambda r, c=cells: (
            f"shows the spreadsheet error {c[r]} instead of a value: fix the formula in the file"))
        empty = (cells == "").to_numpy() & ~formula
        if col.required and col.name not in blank_allowed:
            problems += listed(cells.index[empty], where, lambda r: "is empty but required")
        todo = ~empty & ~formula & ~shows_error
        values, bad, reason = _parse(col, cells, today)
        bad = bad & todo
        problems += listed(cells.index[bad], where, lambda r, c=cells, why=reason: why(c[r]))
        keep = todo & ~bad
        if col.kind == "amount":
            typed["amount_pence"] = np.where(keep, values, 0)
            values = _pounds(typed["amount_pence"])
        # Cells read as nothing (a blank postcode) are empty already: only the others need emptying.
        typed[col.name] = values if (keep | values.isna().to_numpy(dtype=bool)).all() else values.where(keep)
    if kind == "participants":
        for name in ("completion_date", "job_start_date"):
            early = typed[name].notna() & typed["start_date"].notna() & (typed[name] < typed["start_date"])
            problems += listed(typed.index[early.to_numpy(dtype=bool)], columns.get(name, name),
                               lambda r: "is before the start date")
        # Being in post six months on means nothing without a job start to count from.
        orphan = typed["in_post_6_months"].notna() & ~given(table, "job_start_date")
        problems += listed(typed.index[orphan.to_numpy(dtype=bool)],
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


def given(table: pd.DataFrame, *names: str) -> pd.Series:
    """Rows where the file gives any of these fields (even if not valid)."""
    present = pd.Series(False, index=table.index)
    for name in names:
        if name in table.columns:
            present |= table[name].astype("str").fillna("").str.strip().ne("")
    return present


def currency(table: pd.DataFrame, found: recognise.Mapping) -> list[Problem]:
    """Amounts whose own currency column says anything but pounds: each row an error; never added in."""
    if recognise.CURRENCY not in table.columns:
        return []
    code = table[recognise.CURRENCY].astype("str").fillna("").str.strip()
    foreign = recognise.foreign_codes(code)
    if not foreign.any():
        return []
    amount = found.fields.get("amount_gbp", "amount_gbp")
    alternatives = [a for a, c in found.currency_of.items() if a != amount and a not in found.foreign]
    instead = (f" '{alternatives[0]}' is in pounds on every row (its currency column "
               f"'{found.currency_of[alternatives[0]]}' says GBP): choose that column as the amount"
               if alternatives else " Give the amounts in pounds")
    rows = table.index[foreign.to_numpy(dtype=bool)]
    codes = code[foreign].str.upper()
    counts = codes.value_counts()
    summary = Problem(None, found.fields[recognise.CURRENCY], (
        f"says the amount in '{amount}' is not in pounds on {len(rows):,} row(s) ("
        + ", ".join(f"{c} {n:,}" for c, n in counts.items()) + "): amounts in other currencies are never added "
        "to the total." + instead))
    return [summary] + listed(rows, found.fields[recognise.CURRENCY], lambda r: (
        f"{code[r]}: the amount in '{amount}' is not in pounds"))


def trailing_totals(cells: pd.DataFrame, fields: MappingType[str, str]) -> tuple[list[int], list[Problem],
                                                                                 list[Problem]]:
    """Rows at the end that are a total line: which to drop, notes saying so, and problems when unsure."""
    amount, date = fields.get("amount_gbp"), fields.get("payment_date")
    if amount is None or len(cells) < 2:
        return [], [], []
    # Rows at the very end with no letter or digit anywhere (lines of dashes or stray symbols) are no data.
    junk: list[int] = []
    for row in reversed(cells.index[-20:]):
        if cells.loc[row].str.contains(r"[A-Za-z0-9]", regex=True).any():
            break
        junk.append(int(row))
    junk_notes = [Problem(r, None, "holds no letters or digits; skipped (not data)") for r in sorted(junk)]
    if junk:
        cells = cells.drop(index=junk)
    drop, notes, problems = _total_lines(cells, amount, date)
    return junk + drop, junk_notes + notes, problems


def _total_lines(cells: pd.DataFrame, amount: str, date: str | None) -> tuple[list[int], list[Problem],
                                                                               list[Problem]]:
    if len(cells) < 2:
        return [], [], []
    tail = cells.iloc[-3:]
    pence, bad = parsing.amounts(tail[amount])
    candidates = []
    for row in reversed(tail.index):
        if bad[row] or tail.at[row, amount] == "":
            break
        words = [v for h, v in tail.loc[row].items() if re.search(r"[A-Za-z0-9]", v) and h not in (amount, date)]
        labels = [v for v, no in zip(words, parsing.amounts(pd.Series(words, dtype="str"))[1], strict=True) if no]
        if labels and not all(_TOTAL_LABEL.fullmatch(recognise.header_key(v)) for v in labels):
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
            notes.append(Problem(int(row), None, f"is a total line ({said}{money(value)}: the sum of the rows "
                                 "above); it was not counted as a payment"))
        elif not dated:
            drop.append(int(row))
            notes.append(Problem(int(row), None, f"looks like a total line ({said}{money(value)}, no date); it was "
                                 f"not counted as a payment. It is not the sum of the rows above ({money(above)}): "
                                 "check that no rows are missing"))
        elif labels:
            problems.append(Problem(int(row), None, (
                f"says '{labels[0]}' like a total line, but its amount {money(value)} is not the sum of the rows "
                f"above ({money(above)}) and it has a date. If it is a total, delete the row; if it is a "
                "payment, give the supplier's name")))
    return drop, notes, problems


def _describe(table: pd.DataFrame, row: int) -> str:
    """A row in a few words for a list: the supplier and whatever amount or date it has."""
    parts = [str(table.at[row, f]) for f in ("supplier_name", "payment_date", "amount_gbp")
             if f in table.columns and str(table.at[row, f]).strip()]
    return ", ".join(parts) or "no values"


def row_choices(table: pd.DataFrame, found: recognise.Mapping, choices: RowChoices,
                label: Callable[[int], str] = str, origins: MappingType[int, tuple[str, int]] | None = None,
                stale: set[tuple[int, str]] = frozenset()) -> Checked:
    """Set aside spend rows with no amount or no date, as the person chose; otherwise say what they can choose.

    Returns the rows that go on to the cell checks (in Checked.rows, still as text) and, for rows set
    aside, what they were and why.
    """
    out = Checked(table)
    cols = found.fields
    # A formula saved without its value reads as empty but is not: the cell checks report it.
    formula = {name: table.index.isin([r for r, f in stale if f == name]) if stale else np.zeros(len(table), bool)
               for name in ("amount_gbp", "payment_date")}
    amount_text = table["amount_gbp"].astype("str").str.strip() if "amount_gbp" in table else None
    no_amount = (amount_text.eq("") & ~formula["amount_gbp"] if amount_text is not None
                 else pd.Series(False, index=table.index))
    if "payment_date" in table:
        date_text = table["payment_date"].astype("str").str.strip()
        no_date = date_text.eq("") & ~no_amount & ~formula["payment_date"]
    else:
        no_date = pd.Series(choices.date_to_quarter, index=table.index) & ~no_amount
    # The amounts matter only for rows with no date (what they are worth): most files have none.
    pence = (parsing.amounts(amount_text.where(~no_amount, "0"))[0]
             if amount_text is not None and no_date.any() else None)
    for code, mask, column in ((NO_AMOUNT, no_amount, cols.get("amount_gbp")),
                               (NO_DATE, no_date, cols.get("payment_date"))):
        rows = table.index[mask.to_numpy(dtype=bool)]
        if rows.empty:
            continue
        if code == NO_DATE and choices.date_to_quarter:
            out.dated_to_quarter = len(rows)
            continue
        if code in choices.leave_out:
            for r in rows:
                amount = int(pence[r]) if pence is not None and code == NO_DATE else None
                # The file's row and what it held, so the choice can be checked against the file later.
                sheet, own = (origins or {}).get(int(r), (None, int(r)))
                out.left_out.append({"row": own, **({"sheet": sheet} if sheet else {}), "reason": LEAVE_OUT[code],
                                     "amount_gbp": None if amount is None else f"{amount / 100:.2f}"})
            continue
        out.asked.append(code)
        total = int(pence[rows].sum()) if pence is not None and code == NO_DATE else None
        worth = f", {money(total)} in all" if total is not None else ""
        shown = ", ".join(f"row {label(r)} ({_describe(table, r)})" for r in rows[:5]) + (
            f" and {len(rows) - 5:,} more" if len(rows) > 5 else "")
        ways = (f"leave them out with --leave-out {code}" + (
            ", or date them to the submission's quarter with --date-to-quarter" if code == NO_DATE else ""))
        out.problems.append(Problem(None, column, (
            f"{len(rows):,} {'row has' if len(rows) == 1 else 'rows have'} {LEAVE_OUT[code]}{worth}: {shown}. "
            f"Give the missing values in the file, or {ways} (on the upload page, choose it under 'Rows'). "
            "Whatever you choose is recorded with the submission.")))
        out.problems += listed(rows, column, lambda r, c=code: (
            "is empty: this row has no amount" if c == NO_AMOUNT else "is empty: this row has no payment date"))
    set_aside = no_amount | (no_date & ~pd.Series(choices.date_to_quarter, index=table.index))
    if out.left_out:
        total = sum(int(round(float(x["amount_gbp"]) * 100)) for x in out.left_out if x["amount_gbp"])
        counts = {reason: sum(x["reason"] == reason for x in out.left_out) for reason in LEAVE_OUT.values()}
        out.notes.append(Problem(None, None, (
            f"{len(out.left_out):,} row(s) left out, as you chose: "
            + "; ".join(f"{n:,} with {reason}" for reason, n in counts.items() if n)
            + (f" ({money(total)} in all)" if total else "") + "; recorded with the submission")))
    kept = ~set_aside.to_numpy(dtype=bool)
    out.rows = table if kept.all() else table[kept]
    return out


def dates_to_quarter(typed: pd.DataFrame, quarter: str, dated: pd.Index) -> None:
    """Give rows with no date the first day of the submission's quarter, marked as known to the quarter."""
    first, _ = parsing.quarter_bounds(quarter)
    typed.loc[dated, "payment_date"] = pd.Timestamp(first)
    typed.loc[dated, "payment_date_precision"] = "quarter"


def spend_notes(typed: pd.DataFrame, columns: MappingType[str, str], quarter: str,
                year_start: str = "calendar") -> list[Problem]:
    """What the person should know about spend rows that are accepted (besides their places); the quarter named
    the network's way."""
    notes = []
    label = parsing.quarter_label(quarter, year_start)
    first, last = parsing.quarter_bounds(quarter)
    dates = typed["payment_date"]
    month = typed["payment_date_precision"].eq("month")
    if month.any():
        notes.append(Problem(None, columns.get("payment_date"), (
            f"{int(month.sum()):,} payment(s) are dated by month only (such as "
            f"'{dates[month].iloc[0]:%b %Y}'): each counts in its month, and is stored as known to the month")))
    by_quarter = typed["payment_date_precision"].eq("quarter")
    if by_quarter.any():
        notes.append(Problem(None, columns.get("payment_date"), (
            f"{int(by_quarter.sum()):,} payment(s) have no date and are dated to {label} "
            "as you chose: they count "
            "in that quarter, recorded with the submission")))
    outside = (dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last))
    if outside.any():
        notes.append(Problem(None, columns.get("payment_date"), f"{int(outside.sum()):,} payment(s) are dated "
                             f"outside {label}; each counts in the period of its own date"))
    unnamed = typed["supplier_name"].isna()
    if unnamed.any():
        notes.append(Problem(None, columns.get("supplier_name"), (
            f"{int(unnamed.sum()):,} payment(s) totalling {money(int(typed.loc[unnamed, 'amount_pence'].sum()))} "
            "name no supplier (often personal data the publisher redacts): counted, with the supplier not named")))
    return notes


def duplicates(typed: pd.DataFrame, unused: pd.DataFrame, label: Callable[[int], str] = str
               ) -> tuple[int, list[Problem]]:
    """Rows equal in every value read and every column not used: kept (two identical payments can be
    real) but pointed out. unused holds the file's other columns for the same rows."""
    read = [c.name for c in contract.SPEND_COLUMNS if c.kind != "amount"] + ["amount_pence"]
    # Rows equal in everything are equal in amount: only rows whose amount repeats can repeat, and few do.
    alike = typed["amount_pence"].duplicated(keep=False).to_numpy(dtype=bool)
    if not alike.any():
        return 0, []
    cells = pd.concat([typed.loc[alike, read], unused.loc[typed.index[alike]].add_prefix("\0")], axis=1)
    fields = list(cells.columns)
    same = cells.duplicated(fields, keep=False)
    if not same.any():
        return 0, []
    repeats = int(cells.duplicated(fields, keep="first").sum())
    groups = (cells[same].reset_index(names="_file_row").groupby(fields, dropna=False, sort=False)["_file_row"]
              .agg(list).tolist())
    groups.sort(key=lambda rows: rows[0])
    notes = [Problem(None, None, f"{repeats:,} row(s) repeat an earlier row exactly; all were kept, as two "
                     "identical payments can be real, but check none is the same payment twice")]
    for rows in groups[:50]:
        shown = ", ".join(label(r) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
        notes.append(Problem(rows[0], None, f"rows {shown} are identical"))
    if len(groups) > 50:
        notes.append(Problem(None, None, f"... and {len(groups) - 50:,} more groups of identical rows"))
    return repeats, notes


def check_file(kind: str, cells: pd.DataFrame, found: recognise.Mapping, quarter: str, *,
               year_start: str = "calendar", today: dt.date | None = None, choices: RowChoices = NO_CHOICES,
               uncached: Sequence[tuple[int, str]] = (), parts: Sequence[pd.Index] | None = None,
               label: Callable[[int], str] = str,
               origins: MappingType[int, tuple[str, int]] | None = None) -> Checked:
    """The parse-and-check stage: totals lines, row choices, every cell, currencies; typed rows out.

    parts holds the rows of each sheet of a workbook read sheet by sheet (a sheet's total line ends
    that sheet); label words a row for messages and origins gives a row's sheet and own row.
    """
    notes: list[Problem] = []
    problems: list[Problem] = []
    if kind == "spend":
        for part in parts if parts is not None else [cells.index]:
            drop, total_notes, unsure = trailing_totals(cells if part.equals(cells.index) else cells.loc[part],
                                                        found.fields)
            if drop:
                cells = cells.drop(index=drop)
            notes += total_notes
            problems += unsure
    table = recognise.apply(cells, found)
    columns = found.fields
    by_field = {v: k for k, v in columns.items()}
    stale = {(r, by_field[h]) for r, h in uncached if h in by_field}
    if kind != "spend":
        typed, cell_problems = check(kind, table, today=today, columns=columns, uncached=stale)
        return Checked(typed, problems + cell_problems, notes,
                       gave_location=given(table, "home_postcode", "lsoa_code"))
    chosen = row_choices(table, found, choices, label, origins, stale)
    if chosen.rows.empty and not table.empty and not chosen.problems:
        chosen.problems.append(Problem(None, None, "no rows are left to save once the rows you chose are left out"))
    blank = frozenset({"supplier_name", "amount_gbp", "payment_date"})
    if chosen.rows.empty and not table.empty:
        # Every row was set aside or awaits a choice, as said above: the file is not one with no data rows.
        typed, cell_problems = pd.DataFrame(), []
    else:
        typed, cell_problems = check(kind, chosen.rows, today=today, columns=columns, uncached=stale,
                                     blank_allowed=blank)
    problems += chosen.problems + cell_problems + currency(chosen.rows, found)
    if not typed.empty:
        month = parsing.month_only(chosen.rows["payment_date"]) if "payment_date" in chosen.rows else None
        typed["payment_date_precision"] = "day"
        if month is not None and month.any():
            typed.loc[month.to_numpy(dtype=bool) & typed["payment_date"].notna().to_numpy(),
                      "payment_date_precision"] = "month"
        no_date = typed["payment_date"].isna().to_numpy()
        if choices.date_to_quarter and no_date.any():
            undated = typed.index[no_date & ~given(chosen.rows, "payment_date").to_numpy()]
            if len(undated):
                dates_to_quarter(typed, quarter, undated)
        notes += spend_notes(typed, columns, quarter, year_start)
        # Stored as empty text, not null, so a payment to an unnamed supplier still joins and groups as one.
        typed["supplier_name"] = typed["supplier_name"].fillna("")
    return Checked(typed, problems, notes + chosen.notes, chosen.left_out, chosen.dated_to_quarter,
                   asked=chosen.asked)

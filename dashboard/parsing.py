"""Parsers for the values partners type: amounts in pounds, UK dates, yes/no flags, quarters.

Amounts and dates have a column form (a pandas Series in, values and a 'bad' mask out) so a
million-row file is checked without a Python loop per cell, and a one-cell form. Both use the
same patterns below, and a test holds them to the same answers. The column form reads each
distinct cell once, and amounts of the usual shape by a shorter road that a test holds to the full one.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
# A financial year's quarter: '2025/26 Q1' (April to June 2025), also '2025/26Q1', '2025-26 Q1', '2025/2026 Q1'.
_FINANCIAL_QUARTER = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
YEAR_STARTS = ("calendar", "april")  # a network's year: January to December, or April to March
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Under £1 trillion: keeps every amount exact through a float (15 significant digits) to the penny.
MAX_WHOLE_DIGITS = 12

# After spaces are removed and letters upper-cased: an optional sign or bracket, £ or GBP, the
# number (thousands separators only in threes), a closing bracket, CR/DR or a trailing minus.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_POUNDS = rf"-?(?:£|GBP)?-?(?:{_NUMBER})"
_AMOUNT = rf"-?(?:\({_POUNDS}\)|{_POUNDS})(?:CR|DR|-)?(?:GBP)?"
_NEGATIVE = r"^-|^\(|^£-|^GBP-|CR(?:GBP)?$|-(?:GBP)?$"
# The shape nearly every amount has ('1234.5', '£1,234.56', '-£250.00'), at most 12 whole digits and two
# decimals: read straight to pence, as the full rules would. Any other cell takes the full rules.
_PLAIN_AMOUNT = r"-?£?(?:[0-9]{1,3}(?:,[0-9]{3}){1,3}|[0-9]{1,12})(?:\.[0-9]{1,2})?"
_EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
_OTHER_CURRENCY = re.compile(r"[€$¥₹]|\b(EUR|USD|CHF|JPY|AUD|CAD|SEK|NOK|DKK|PLN)\b", re.IGNORECASE)

_TIME = r"[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[AaPp][Mm])?$"
_ISO = r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
_UK_LONG_YEAR = r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}"
_UK_SHORT_YEAR = r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2}"
_NAMED_MONTH = r"[0-9]{1,2}(?:st|nd|rd|th)?[-/ .]*[A-Za-z]{3,9}[-/ .,]*(?:[0-9]{4}|[0-9]{2})"
_SERIAL = r"[0-9]{5}(?:\.[0-9]+)?"
# '3rd-Mar-25' -> '3 mar 25', then read with one of the formats.
_MONTH_WORDS = ((r"([0-9])(st|nd|rd|th)", r"\1"), (r"[-/ .,'’]+", " "), (r"([0-9])([a-z])", r"\1 \2"),
                (r"([a-z])([0-9])", r"\1 \2"), (r"\bsept\b", "sep"))
_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%d %b %y", "%d %B %y")
EXCEL_SERIAL_RANGE = (20000, 80000)  # 1954 to 2119: a five-digit number outside is not a date
# A month with no day, read as its first day. Two digits after a month's name are the year ('Sep-14'
# is how Excel shows mmm-yy), never a day; digits alone need a four-digit year ('09/14' stays refused).
# Looser than a full date, so the year must be 1900-2099: '0001/01' and most six-digit codes are not months.
_CENTURY_YEAR = r"(?:19|20)[0-9]{2}"
_NAMED_MONTH_YEAR = rf"[A-Za-z]{{3,9}}[-/ .,'’]*(?:{_CENTURY_YEAR}|[0-9]{{2}})"
_MONTH_YEAR = rf"[0-9]{{1,2}}[-/]{_CENTURY_YEAR}"
_YEAR_MONTH = rf"{_CENTURY_YEAR}[-/][0-9]{{1,2}}"
# yyyymm: six digits, never an Excel serial (five).
_YEAR_MONTH_DIGITS = rf"{_CENTURY_YEAR}(?:0[1-9]|1[0-2])"
_MONTH_YEAR_FORMATS = ("%b %Y", "%B %Y", "%b %y", "%B %y")
# A time of day alone, or on day zero of Excel and Access (30/12/1899), which is how a time with no date is kept.
_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?: ?[AaPp]\.?[Mm]\.?)?"
_TIME_ONLY = rf"(?:(?:1899[-/.]12[-/.]30|30[-/.]12[-/.]1899)[ T])?{_CLOCK}"


class ValueProblem(ValueError):
    """A cell that cannot be read, with the reason in words."""


def _text(cells: pd.Series) -> pd.Series:
    return cells.astype("str").fillna("").str.strip()


def per_distinct(cells: pd.Series, read: Callable[[pd.Series], tuple[pd.Series, ...]]) -> tuple[pd.Series, ...]:
    """read's answers for a column of text, read once per distinct cell (dates and postcodes repeat down a
    column); read must answer cell by cell, and gets the distinct cells as text under the column's name."""
    # As text first: 1, 1.0 and True are one value to factorize, but not one cell.
    codes, distinct = cells.astype("str").factorize(use_na_sentinel=False)
    answers = read(pd.Series(distinct, name=cells.name))
    return tuple(pd.Series(a.array.take(codes), index=cells.index, name=a.name) for a in answers)


def amounts(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Pence (int64, 0 where bad) and a mask of the cells that are not amounts in pounds."""
    text = _text(cells)
    plain = text.str.fullmatch(_PLAIN_AMOUNT).to_numpy(dtype=bool)
    pence = np.zeros(len(text), dtype="int64")
    bad = np.zeros(len(text), dtype=bool)
    if plain.any():
        usual = text if plain.all() else text[plain]
        number = usual.str.lstrip("-£").str.replace(",", "", regex=False)
        # Under £1 trillion to two decimals, the nearest float times 100 rounds to the exact pence.
        value = pc.cast(pa.array(number), pa.float64()).to_numpy()
        pence[plain] = np.where(usual.str.startswith("-").to_numpy(dtype=bool), -1, 1) * np.rint(
            value * 100).astype("int64")
    if not plain.all():
        rest_pence, rest_bad = per_distinct(text[~plain], _amounts_in_full)
        pence[~plain], bad[~plain] = rest_pence.to_numpy(), rest_bad.to_numpy(dtype=bool)
    return pd.Series(pence, index=cells.index), pd.Series(bad, index=cells.index, name=text.name)


def _amounts_in_full(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """amounts() by the full rules for every cell: what the shorter road for the usual shape must agree with."""
    text = _text(cells).str.upper()
    for space in (" ", "\u00a0", "\t"):  # literal replaces: a regex here costs ten times as much
        text = text.str.replace(space, "", regex=False)
    good = text.str.fullmatch(_AMOUNT)
    digits = text.str.replace(r"[^0-9.]", "", regex=True)
    # Only zeros may follow the pennies; '12.345' is a fraction of a penny.
    good &= ~digits.str.contains(r"\.[0-9]{2}[0-9]*[1-9]")
    value = pd.to_numeric(digits.where(good, "0"), errors="coerce").fillna(0).to_numpy(dtype="float64")
    good &= value < 10.0**MAX_WHOLE_DIGITS
    value = np.where(good, value, 0.0)
    pence = np.rint(value * 100).astype("int64")
    pence = np.where(text.str.contains(_NEGATIVE).to_numpy(dtype=bool), -pence, pence)
    return pd.Series(pence, index=cells.index), ~good.astype(bool)


def amount_reason(raw: str) -> str:
    """Why a cell is not an amount in pounds, in words."""
    text = re.sub(r"\s+", "", str(raw)).upper()
    if text in _EXCEL_ERRORS:
        return f"'{raw}' is an error shown by the spreadsheet, not an amount: fix the formula"
    if _OTHER_CURRENCY.search(str(raw)):
        return f"'{raw}' is not in pounds: give the amount in pounds"
    number = re.sub(r"[^0-9.,]", "", text)
    if re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", number) and "," in number and not re.fullmatch(
            r"[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?", number):
        return f"'{raw}' has misplaced thousands separators"
    if re.fullmatch(r"[0-9]*\.[0-9]{2}[0-9]*[1-9][0-9]*", number.replace(",", "")):
        return f"'{raw}' has fractions of a penny"
    if re.fullmatch(r"[0-9,]+(\.[0-9]*)?", number) and len(number.replace(",", "").split(".")[0]) > MAX_WHOLE_DIGITS:
        return f"'{raw}' is too large for an amount in pounds"
    return f"'{raw}' is not an amount in pounds"


def parse_amount(raw: str) -> Decimal:
    """Pounds from '1234.56', '£1,234.56', '-1234.56', '(1,234.56)' or '1,234.56 CR' (a credit); to the penny."""
    text = str(raw).strip().upper()
    for space in (" ", "\u00a0", "\t"):
        text = text.replace(space, "")
    digits = re.sub(r"[^0-9.]", "", text)
    if not re.fullmatch(_AMOUNT, text) or re.search(r"\.[0-9]{2}[0-9]*[1-9]", digits):
        raise ValueProblem(amount_reason(raw))
    value = Decimal(digits)
    if value >= 10**MAX_WHOLE_DIGITS:
        raise ValueProblem(amount_reason(raw))
    value = value.quantize(Decimal("0.01"))
    return -value if re.search(_NEGATIVE, text) else value


def dates(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates (datetime64, NaT where bad) and a mask of the cells that are not dates.

    Day first always (03/04/2025 is 3 April); also yyyy-mm-dd, 3-Mar-2025, two-digit years
    (00-68 are 2000-2068, 69-99 are 1969-1999) and Excel serial day numbers. A time of day is ignored.
    A month with no day ('Sep 2014', 'Sept-14', '09/2014', '2014-09', '201409') is its first day:
    month_only says which cells those were.
    """
    return per_distinct(cells, _dates_each)


def _dates_each(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """dates() for every cell, however often it repeats."""
    text = _dated_text(cells)
    result = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[us]")
    _read_numeric(text, text.str.replace(r"[-.]", "/", regex=True), result, (
        (_ISO, "%Y/%m/%d"), (_UK_LONG_YEAR, "%d/%m/%Y"), (_UK_SHORT_YEAR, "%d/%m/%y")))
    _read_named(text, result, _NAMED_MONTH, _MONTH_FORMATS)
    serial = text.str.fullmatch(_SERIAL)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce").fillna(0).astype("int64")
        days = days[(days >= EXCEL_SERIAL_RANGE[0]) & (days <= EXCEL_SERIAL_RANGE[1])]
        result[days.index] = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(days, unit="D")
    result = result.fillna(_months(text))  # the month forms match nothing above
    result = result.where(result.dt.year >= 1)  # numpy knows a year 0; the calendar does not
    return result, result.isna()


def month_only(cells: pd.Series) -> pd.Series:
    """Which cells dates() read as a month with no day (and so as the month's first day)."""
    return per_distinct(cells, lambda text: (_months(_dated_text(text)).notna(),))[0]


def time_only(cells: pd.Series) -> pd.Series:
    """Which cells hold a time of day and no date ('00:00:00', '12:30 PM', Excel's 30/12/1899 14:30)."""
    return per_distinct(cells, lambda text: (_text(text).str.fullmatch(_TIME_ONLY).astype(bool),))[0]


def _dated_text(cells: pd.Series) -> pd.Series:
    return _text(cells).str.replace(_TIME, "", regex=True).str.strip()


def _months(text: pd.Series) -> pd.Series:
    """The first day of the month for cells giving only a month and year; NaT for the rest."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    _read_numeric(text, text.str.replace("-", "/", regex=False), result, (
        (_MONTH_YEAR, "%m/%Y"), (_YEAR_MONTH, "%Y/%m"), (_YEAR_MONTH_DIGITS, "%Y%m")))
    _read_named(text, result, _NAMED_MONTH_YEAR, _MONTH_YEAR_FORMATS)
    return result


def _read_numeric(text: pd.Series, slashed: pd.Series, result: pd.Series, forms) -> None:
    """Fill result where text matches one of the (pattern, format) forms, reading the slashed text."""
    for pattern, fmt in forms:
        mask = text.str.fullmatch(pattern)
        if mask.any():
            result[mask] = pd.to_datetime(slashed[mask], format=fmt, errors="coerce")


def _read_named(text: pd.Series, result: pd.Series, pattern: str, formats) -> None:
    """Fill result where text names its month in words ('3rd-Mar-25', 'Sept 2014'), still empty after each format."""
    named = text.str.fullmatch(pattern)
    if not named.any():
        return
    words = text[named].str.lower()
    for old, new in _MONTH_WORDS:
        words = words.str.replace(old, new, regex=True)
    for fmt in formats:
        todo = words.index[result[named].isna().to_numpy()]
        result[todo] = pd.to_datetime(words[todo], format=fmt, errors="coerce")


def _month(text: str) -> dt.date | None:
    """One cell's _months: the first day of the month it names with no day, or None."""
    slashed = text.replace("-", "/")
    for pattern, fmt in ((_MONTH_YEAR, "%m/%Y"), (_YEAR_MONTH, "%Y/%m"), (_YEAR_MONTH_DIGITS, "%Y%m")):
        if re.fullmatch(pattern, text):
            try:
                return dt.datetime.strptime(slashed, fmt).date()
            except ValueError:
                return None
    return _named_date(text, _NAMED_MONTH_YEAR, _MONTH_YEAR_FORMATS)


def _named_date(text: str, pattern: str, formats) -> dt.date | None:
    """One cell that names its month in words ('3rd-Mar-25', 'Sept 2014'), read with the first format that fits."""
    if not re.fullmatch(pattern, text):
        return None
    words = text.lower()
    for old, new in _MONTH_WORDS:
        words = re.sub(old, new, words)
    for fmt in formats:
        try:
            return dt.datetime.strptime(words, fmt).date()
        except ValueError:
            continue
    return None


def date_reason(raw: str) -> str:
    """Why a cell is not a date, in words."""
    if re.fullmatch(_TIME_ONLY, str(raw).strip()):
        return f"'{raw}' is a time of day with no date"
    text = re.sub(_TIME, "", str(raw).strip()).strip()
    if text in _EXCEL_ERRORS:
        return f"'{raw}' is an error shown by the spreadsheet, not a date: fix the formula"
    match = re.fullmatch(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{2}|[0-9]{4})", text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if first <= 12 < second <= 31:
            return (f"'{raw}' is not a real date: dates are read day first (dd/mm/yyyy), and this looks "
                    "like month first (US order)")
        return f"'{raw}' is not a real date"
    if any(re.fullmatch(p, text) for p in (_ISO, _NAMED_MONTH)):
        return f"'{raw}' is not a real date"
    if any(re.fullmatch(p, text) for p in (_MONTH_YEAR, _YEAR_MONTH)):
        return f"'{raw}' is not a real month"
    return f"'{raw}' is not a date (use dd/mm/yyyy)"


def parse_date(raw: str) -> dt.date:
    """A date from dd/mm/yyyy (UK order), yyyy-mm-dd, 3-Mar-2025, an Excel serial, or a month ('Sep 2014': the 1st)."""
    text = re.sub(_TIME, "", str(raw).strip()).strip()
    slashed = re.sub(r"[-.]", "/", text)
    for pattern, fmt in ((_ISO, "%Y/%m/%d"), (_UK_LONG_YEAR, "%d/%m/%Y"), (_UK_SHORT_YEAR, "%d/%m/%y")):
        if re.fullmatch(pattern, text):
            try:
                return dt.datetime.strptime(slashed, fmt).date()
            except ValueError:
                raise ValueProblem(date_reason(raw)) from None
    named = _named_date(text, _NAMED_MONTH, _MONTH_FORMATS)
    if named is not None:
        return named
    if re.fullmatch(_SERIAL, text) and EXCEL_SERIAL_RANGE[0] <= int(float(text)) <= EXCEL_SERIAL_RANGE[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    month = _month(text)
    if month is not None:
        return month
    raise ValueProblem(date_reason(raw))


def nowhere(text: pd.Series, part: str) -> bool:
    """Whether no cell of a column of text holds part, told at once from the bytes under an Arrow column with no
    missing cells (every cell's characters lie in them, so part absent there is absent from every cell); False
    when it cannot be told so."""
    if not isinstance(text.dtype, pd.StringDtype) or text.dtype.storage != "pyarrow":
        return False
    array = text.array.__arrow_array__()  # the Arrow protocol: the column itself, not a copy
    if array.null_count:
        return False
    needle = part.encode("utf-8")
    return not any(chunk.buffers()[2] is not None and needle in chunk.buffers()[2].to_pybytes()
                   for chunk in array.chunks)


def is_excel_error(cells: pd.Series) -> pd.Series:
    """Cells showing a spreadsheet error value such as #REF! or #N/A."""
    text = cells.astype("str")
    # Every error value has a '#', and most columns have none: only those cells are read closer.
    if nowhere(text, "#"):
        return pd.Series(np.zeros(len(text), dtype=bool), index=cells.index, name=cells.name)
    shown = np.array(text.str.contains("#", regex=False), dtype=bool)
    if shown.any():
        shown[shown] = _text(text[shown]).str.upper().isin(_EXCEL_ERRORS).to_numpy(dtype=bool)
    return pd.Series(shown, index=cells.index, name=cells.name)


def parse_flag(raw: str) -> bool:
    """Yes/no from Y, N, Yes, No, True, False, 1, 0."""
    text = str(raw).strip().lower()
    if text in {"y", "yes", "true", "1"}:
        return True
    if text in {"n", "no", "false", "0"}:
        return False
    raise ValueProblem(f"'{raw}' is not Yes or No")


def parse_quarter(raw: str) -> str:
    """A quarter as its calendar key: '2025Q3' (July to September 2025), or a financial year's quarter
    '2025/26 Q2' (also July to September 2025: the year starts in April)."""
    text = str(raw).strip()
    match = _QUARTER.match(text)
    if match:
        return f"{match.group(1)}Q{match.group(2)}"
    match = _FINANCIAL_QUARTER.match(text)
    if match:
        year, end, q = int(match.group(1)), match.group(2), int(match.group(3))
        if int(end) % (100 if len(end) == 2 else 10_000) != (year + 1) % (100 if len(end) == 2 else 10_000):
            raise ValueProblem(f"'{raw}' is not a financial year: the one starting in April {year} is "
                               f"{year}/{(year + 1) % 100:02d}")
        return shift_quarter(f"{year}Q2", q - 1)
    raise ValueProblem(f"'{raw}' is not a quarter like 2025Q3 or, in a financial year, 2025/26Q2")


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    quarter = parse_quarter(quarter)
    year, q = int(quarter[:4]), int(quarter[-1])
    first = dt.date(year, 3 * q - 2, 1)
    next_first = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> str:
    """The calendar quarter a date falls in."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def shift_quarter(quarter: str, by: int) -> str:
    """The quarter `by` quarters after (or before, if negative) the given one."""
    quarter = parse_quarter(quarter)
    index = int(quarter[:4]) * 4 + int(quarter[-1]) - 1 + by
    return f"{index // 4}Q{index % 4 + 1}"


def quarters_between(first: str, last: str) -> int:
    """How many quarters from first to last, inclusive."""
    a, b = parse_quarter(first), parse_quarter(last)
    return (int(b[:4]) * 4 + int(b[-1])) - (int(a[:4]) * 4 + int(a[-1])) + 1


def financial_quarter(quarter: str) -> str:
    """The financial year's name of a calendar quarter: '2025Q2' (April to June 2025) as '2025/26 Q1'."""
    quarter = parse_quarter(quarter)
    year, q = int(quarter[:4]), int(quarter[-1])
    start = year if q > 1 else year - 1
    return f"{start}/{(start + 1) % 100:02d} Q{(q - 2) % 4 + 1}"


def quarter_label(quarter: str, year_start: str = "calendar") -> str:
    """'2025Q3' as 'Jul–Sep 2025'; in a network whose year starts in April, '2025/26 Q2 (Jul–Sep 2025)'."""
    first, last = quarter_bounds(quarter)
    months = f"{first:%b}–{last:%b} {first.year}"
    return f"{financial_quarter(quarter)} ({months})" if year_start == "april" else months


def quarter_name(quarter: str, year_start: str = "calendar") -> str:
    """A quarter as the command line takes it, the network's way: '2025Q3', or '2025/26Q2' for an April year."""
    return financial_quarter(quarter).replace(" ", "") if year_start == "april" else parse_quarter(quarter)


def financial_span(first: str, last: str) -> str:
    """Financial quarters from first to last: '2025/26 Q1–Q4', or '2024/25 Q3 to 2025/26 Q2'."""
    a, b = financial_quarter(first), financial_quarter(last)
    if a == b:
        return a
    return f"{a}–{b.split(' ')[1]}" if a.split(" ")[0] == b.split(" ")[0] else f"{a} to {b}"


def quarter_span(first: str, last: str, year_start: str = "calendar") -> str:
    """'Jan–Mar 2025 to Apr–Jun 2026', or one quarter's label."""
    if first == last:
        return quarter_label(first, year_start)
    return f"{quarter_label(first, year_start)} to {quarter_label(last, year_start)}"

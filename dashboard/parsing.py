"""Parsers for the values partners type: amounts in pounds, UK dates, yes/no flags, quarters."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

_AMOUNT = re.compile(r"^(-)?\(?(-)?£?(-)?([0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\)?$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
EXCEL_EPOCH = dt.date(1899, 12, 30)


class ValueProblem(ValueError):
    """A cell that cannot be read, with the reason in words."""


def parse_amount(raw: str) -> Decimal:
    """Pounds from '1234.56', '£1,234.56', '-1234.56' or '(1,234.56)' (a credit); to the penny."""
    text = str(raw).strip().replace(" ", "").replace("GBP", "").replace("gbp", "")
    match = _AMOUNT.match(text)
    if not match or text.count("(") != text.count(")"):
        raise ValueProblem(f"'{raw}' is not an amount in pounds")
    digits = match.group(4)
    if "," in digits and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?", digits):
        raise ValueProblem(f"'{raw}' has misplaced thousands separators")
    negative = bool(match.group(1) or match.group(2) or match.group(3)) or text.startswith("(")
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueProblem(f"'{raw}' is not an amount in pounds") from exc
    if value != value.quantize(Decimal("0.01")):
        raise ValueProblem(f"'{raw}' has fractions of a penny")
    return -value if negative else value


def parse_date(raw: str) -> dt.date:
    """A date from dd/mm/yyyy (UK order), yyyy-mm-dd, or an Excel serial day number."""
    text = str(raw).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?", text):
        return _date(int(text[:4]), int(text[5:7]), int(text[8:10]), raw)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _date(year, month, day, raw)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueProblem(f"'{raw}' is not a date (use dd/mm/yyyy)")


def _date(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueProblem(f"'{raw}' is not a real date") from exc


def parse_flag(raw: str) -> bool:
    """Yes/no from Y, N, Yes, No, True, False, 1, 0."""
    text = str(raw).strip().lower()
    if text in {"y", "yes", "true", "1"}:
        return True
    if text in {"n", "no", "false", "0"}:
        return False
    raise ValueProblem(f"'{raw}' is not Yes or No")


def parse_quarter(raw: str) -> str:
    """A calendar quarter such as '2025Q3' (July to September 2025)."""
    match = _QUARTER.match(str(raw).strip())
    if not match:
        raise ValueProblem(f"'{raw}' is not a quarter like 2025Q3")
    return f"{match.group(1)}Q{match.group(2)}"


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


def quarter_label(quarter: str) -> str:
    """'2025Q3' as 'Jul–Sep 2025'."""
    first, last = quarter_bounds(quarter)
    return f"{first:%b}–{last:%b} {first.year}"

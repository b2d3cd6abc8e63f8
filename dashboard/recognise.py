"""Which column of a partner's own export holds which field: recognised by words and values, asked, remembered.

Every column is scored for every field by the words of its header and by what its cells hold: a
date column's cells read as dates, an amount column's as money, a supplier column holds varied
text. The best candidate of each field is taken when it is the only one at its level; two equally
good candidates (net and gross amounts, two payment-like dates) are asked about, never guessed, and
the answer is remembered per institution. A field is called missing only when no column could hold it.
"""

import functools
import re
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboard import contract, parsing, store
from dashboard.problems import Problem

# Not a contract column: names the column that says which currency each amount is in.
CURRENCY = "currency"
# A choice of the person's, not a field: the file's dates are unusable; date each row to the quarter.
DATE_TO_QUARTER = "date every payment to the submission's quarter"

# Header spellings of the participant template's fields seen in partners' own registers, as keys
# (see header_key). Spend exports are recognised by words and values instead (_SPEND_RULES).
PARTICIPANT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "participant_ref": (
        "ref", "reference", "participant_ref", "participant_reference", "participant_id", "participant_number",
        "client_ref", "client_reference", "client_id", "learner_ref", "learner_reference", "learner_id",
        "person_ref", "person_id", "candidate_ref", "candidate_id", "case_ref", "case_reference", "case_id",
    ),
    "initiative": (
        "initiative", "initiative_name", "initiative_code", "initiative_id", "programme", "programme_name",
        "program", "project", "project_name", "scheme",
    ),
    "home_postcode": (
        "postcode", "post_code", "home_postcode", "home_post_code", "participant_postcode", "client_postcode",
        "residential_postcode", "address_postcode",
    ),
    "lsoa_code": ("lsoa", "lsoa_code", "lsoa21", "lsoa21_code", "lsoa_2021_code", "home_lsoa"),
    "start_date": (
        "start_date", "start", "started", "date_started", "programme_start_date", "course_start_date",
        "enrolment_date", "enrollment_date", "date_of_enrolment", "date_joined", "joined_date",
    ),
    "completion_date": (
        "completion_date", "completed_date", "date_completed", "completed_on", "course_completion_date",
        "programme_completion_date", "completion",
    ),
    "job_start_date": (
        "job_start_date", "job_start", "job_started", "date_started_job", "date_started_work",
        "employment_start_date", "into_work_date", "date_into_work",
    ),
    "employer": ("employer", "employer_name", "employing_organisation", "employed_by"),
    "age_band": ("age_band", "age_group", "age_range"),
    "gender": ("gender", "sex", "gender_identity"),
    "ethnicity": ("ethnicity", "ethnic_group", "ethnic_origin", "ethnic_background"),
    "disability": ("disability", "disabled", "has_disability", "disability_status"),
}

# What each field is, for messages.
LABELS = {
    "supplier_name": "the supplier's name", "supplier_id": "the supplier's company or charity number",
    "supplier_postcode": "the supplier's postcode", "supplier_lsoa_code": "the supplier's LSOA code",
    "amount_gbp": "the amount in pounds", "payment_date": "the payment date", "category": "the category",
    "is_sme": "the SME flag", "is_vcse": "the VCSE flag", "initiative": "the initiative",
    "participant_ref": "the participant reference", "home_postcode": "the home postcode",
    "lsoa_code": "the LSOA code", "start_date": "the start date", "completion_date": "the completion date",
    "job_start_date": "the job start date", "employer": "the employer", "age_band": "the age band",
    "gender": "gender", "ethnicity": "ethnicity", "disability": "disability", CURRENCY: "the currency",
}

# Spellings finance systems use for the same word.
_WORD_ALIASES = {
    "amt": "amount", "amnt": "amount", "nett": "net", "trans": "transaction", "txn": "transaction",
    "tran": "transaction", "inv": "invoice", "cur": "currency", "ccy": "currency", "curr": "currency",
    "no": "number", "num": "number", "nbr": "number", "ref": "reference", "sterling": "gbp", "pounds": "gbp",
    "excl": "excluding", "exc": "excluding", "ex": "excluding", "suppliers": "supplier", "vendors": "vendor",
    "cat": "category", "categories": "category", "pmt": "payment", "pymt": "payment", "dte": "date",
    "expenses": "expense", "expenditure": "expense", "postal": "post", "zip": "postcode",
}
_PARTY = {"supplier", "vendor", "payee", "beneficiary", "merchant", "creditor", "recipient", "contractor",
          "provider", "trader"}
_IDENTIFIER = {"id", "number", "code", "reference", "registration", "urn", "key", "vat", "account", "book"}
_NOT_A_NAME = _IDENTIFIER | {"postcode", "post", "address", "town", "city", "county", "country", "category",
                             "type", "classification", "class", "group", "status", "flag", "sme", "vcse",
                             "voluntary", "community", "social", "enterprise", "small", "medium", "local",
                             "size", "sector", "industry", "email", "phone", "telephone", "website",
                             "amount", "date", "redact", "redacted"}
_MONEY = {"amount", "value", "net", "gross", "total", "spend", "sum", "cost", "gbp", "price", "charge", "spent",
          "invoiced", "paid"}
_NOT_MONEY = {"date", "number", "reference", "id", "code", "description", "category", "type", "name", "year",
              "period", "account", "centre", "center", "area", "count", "quantity", "qty", "rate", "percent",
              "pct", "percentage", "currency", "flag", "status", "threshold", "uri", "url", "lines", "items",
              "supplier", "vendor", "payee", "merchant", "purpose", "element", "narrative"}
_PAID_WORDS = {"paid", "payment", "posting", "posted", "transaction", "clearing", "cleared", "settlement",
               "settled", "pay", "remittance", "bacs", "cheque", "value"}
_RAISED_WORDS = {"invoice", "creation", "created", "order", "received", "raised", "document", "effective", "gl",
                 "entry", "updated", "due", "receipt", "goods", "approval", "approved", "accounting", "period",
                 "start", "end", "birth", "modified", "last"}
# How sure a match is: the template's own name, then by level; 0 is no candidate.
EXACT = 9


def words(header: object) -> tuple[str, ...]:
    """A header as words, lower case, camelCase split, common abbreviations spelt out ('Amt' as 'amount')."""
    return _words(str(header))


# The same few headers are read for every field, and every row scored as a header holds the same values: each text
# is split once. Keyed by the text, not the cell (1, 1.0 and True are equal keys, but not the same words).
@functools.lru_cache(maxsize=4096)
def _words(header: str) -> tuple[str, ...]:
    text = _LETTER_SUFFIX.sub("", header.strip().lstrip("\ufeff"))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("£", " gbp ").replace("&", " and ")
    return tuple(_WORD_ALIASES.get(w, w) for w in re.split(r"[^a-z0-9]+", text.lower()) if w)


def _supplier_name(w: set[str]) -> int:
    if w & _NOT_A_NAME:
        return 0
    if w & _PARTY:
        return 2
    return 1 if w <= {"name", "trading", "full", "of", "the", "final", "names"} and "name" in w else 0


def _supplier_id(w: set[str]) -> int:
    if not (w & (_PARTY | {"company", "charity", "companies", "house", "crn"})):
        return 0
    if "vat" in w:
        return 1 if "registration" in w or "number" in w else 0
    if w & {"company", "charity", "companies", "crn"} and w & {"number", "registration", "reference", "id", "house",
                                                               "crn"}:
        return 2
    return 2 if w & (_IDENTIFIER - {"vat", "account", "book"}) else 0


def _amount(w: set[str]) -> int:
    if not (w & _MONEY) or w & _NOT_MONEY:
        return 0
    # 'VAT' or 'Irrecoverable VAT' is the tax alone; 'Amount excl. VAT' and 'Value (net of VAT)' are amounts.
    if "vat" in w and not (w & (_MONEY - {"gbp", "paid"})):
        return 0
    return 2


def _payment_date(w: set[str]) -> int:
    if not (w & {"date", "dated", "paid", "day"}) or w & {"number", "reference", "id", "amount", "time", "code"}:
        return 0
    if w & _PAID_WORDS:
        return 3
    return 1 if w & _RAISED_WORDS else 2


def _category(w: set[str]) -> int:
    if w & {"code", "number", "id", "uri", "url", "level", "date", "amount"}:
        return 0
    if "category" in w:
        return 3
    if "expense" in w and w & {"type", "description", "head", "heading"}:
        return 2
    if w & {"purpose", "proclass", "classification", "subjective"}:
        return 1
    return 0


def _postcode(w: set[str]) -> int:
    if "postcode" in w or ("post" in w and "code" in w):
        return 2 if not w & {"home", "personal"} else 0
    return 0


def _flag(*marks: set[str]) -> Callable[[set[str]], int]:
    def tier(w: set[str]) -> int:
        return 2 if any(m <= w for m in marks) else 0
    return tier


def _currency(w: set[str]) -> int:
    return 2 if "currency" in w and not w & {"amount", "value", "date", "rate"} else 0


_SPEND_RULES: dict[str, Callable[[set[str]], int]] = {
    "supplier_name": _supplier_name, "supplier_id": _supplier_id, "supplier_postcode": _postcode,
    "supplier_lsoa_code": lambda w: 2 if "lsoa" in w else 0, "amount_gbp": _amount, "payment_date": _payment_date,
    "category": _category, "is_sme": _flag({"sme"}, {"small", "medium"}),
    "is_vcse": _flag({"vcse"}, {"voluntary"}, {"social", "enterprise"}), "initiative": _flag({"initiative"}),
    CURRENCY: _currency,
}


_LETTER_SUFFIX = re.compile(r"\s*\(column [A-Z]+\)$")  # how the reader tells repeated headers apart


def header_key(header: object) -> str:
    """A header reduced for matching: lower case, '£' as 'gbp', '&' as 'and', punctuation as '_'."""
    text = _LETTER_SUFFIX.sub("", str(header).strip().lstrip("\ufeff"))
    text = text.lower().replace("£", " gbp ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def template_key(header: object) -> str:
    """A header as snake_case: lower case, anything but letters and digits as '_'."""
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lstrip("\ufeff").lower()).strip("_")


def _exact(header: str) -> str:
    """The header as the template writes its names ('amount_gbp'); only that spelling wins outright."""
    return _LETTER_SUFFIX.sub("", str(header).strip().lstrip("\ufeff")).strip().lower()


def fields_of(kind: str) -> tuple[str, ...]:
    """Every field a column of this kind of file can be mapped to."""
    return tuple(c.name for c in contract.COLUMNS[kind]) + ((CURRENCY,) if kind == "spend" else ())


def header_tier(kind: str, name: str, header: object) -> int:
    """How well a header's words say it holds a field: EXACT for the template's name, 0 for not at all."""
    if _exact(str(header)) == name:
        return EXACT
    if kind == "spend":
        return _SPEND_RULES[name](set(words(header)))
    return 3 if header_key(header) in PARTICIPANT_SYNONYMS.get(name, ()) else 0


def header_score(kind: str, cells: Sequence[object]) -> int:
    """How many cells of a row are recognisable column names for this kind of file."""
    return sum(1 for c in cells if c is not None and _is_column_name(kind, str(c)))


@functools.lru_cache(maxsize=4096)
def _is_column_name(kind: str, text: str) -> bool:
    """Whether a cell's text is a recognisable column name for this kind of file (see header_score)."""
    # A title line ('Payments to suppliers over £500', 'Report date 02/07/2012') carries figures; names don't.
    return bool(text.strip() and not re.search(r"[0-9]{3,}", text) and (
        template_key(text) in contract.FORBIDDEN_COLUMNS or any(header_tier(kind, n, text) for n in fields_of(kind))))


# What cells hold

SAMPLE_CELLS = 2000
_SPEND_KINDS = {c.name: c.kind for c in contract.SPEND_COLUMNS}
_FITS = 0.9  # share of a column's non-empty cells that must read as the field's kind of value
_MOSTLY = 0.5  # enough to tell two columns named alike apart


def _filled(cells: pd.Series) -> pd.Series:
    text = cells.astype("str").fillna("").str.strip()
    return text[text != ""]


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _values_fit(name: str, sample: pd.Series) -> bool:
    """Whether a column's cells look like the field's values (a column with no values fits nothing)."""
    kind = _SPEND_KINDS.get(name)
    if sample.empty:
        return False
    if kind == "amount":
        return _share(~parsing.amounts(sample)[1]) >= _MOSTLY
    if kind == "date":
        return _share(~parsing.dates(sample)[1]) >= _MOSTLY
    if kind == "flag":
        return _share(sample.str.lower().isin(["y", "yes", "true", "1", "n", "no", "false", "0"])) >= _FITS
    if kind == "postcode":
        return _share(sample.str.upper().str.replace(r"\s", "", regex=True).str.fullmatch(
            r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")) >= 0.5
    if name == CURRENCY:
        return _share(sample.str.fullmatch(r"[A-Za-z]{3}|£|[A-Za-z ]*(sterling|pounds?)[A-Za-z ]*")) >= _FITS
    if name == "supplier_name":
        # Names, not numbers, dates or codes ('C00123'): most cells hold a word of four letters or more.
        return _share(parsing.amounts(sample)[1] & parsing.dates(sample)[1]
                      & sample.str.contains(r"[A-Za-z]{4,}", regex=True)) >= _MOSTLY
    return True


# ISO 4217 codes seen on UK public bodies' card and foreign-supplier payments: a column of them is a
# currency column whatever its header says.
_ISO_CURRENCIES = frozenset("GBP EUR USD CHF JPY AUD CAD NZD SEK NOK DKK PLN CZK HUF RON BGN HRK ISK TRY ZAR INR CNY "
                            "HKD SGD AED SAR ILS MXN BRL KRW THB MYR IDR PHP".split())


def _codes_only(sample: pd.Series) -> bool:
    """Cells that are all currency codes (and not all GBP: a column of 'GBP' says nothing new either way)."""
    codes = sample.str.strip().str.upper()
    return not sample.empty and _share(codes.isin(_ISO_CURRENCIES)) >= _FITS


def _by_values(name: str, sample: pd.Series) -> bool:
    """Whether a column no header names could hold a required field by its cells alone."""
    if not _values_fit(name, sample):
        return False
    # Excel serial dates read as numbers too: a column of dates is not an amount.
    return name != "amount_gbp" or _share(~parsing.dates(sample)[1]) < _MOSTLY


def _times_only(sample: pd.Series) -> bool:
    return not sample.empty and _share(parsing.time_only(sample)) >= _FITS


@dataclass
class Mapping:
    """Which source header feeds each field, and what could not be decided."""

    kind: str
    fields: dict[str, str]                       # field -> source header
    ambiguous: dict[str, list[str]] = field(default_factory=dict)   # required field -> equally good columns
    unmapped: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    user: dict[str, str] = field(default_factory=dict)   # the choices given (source header -> field)
    invalid: list[Problem] = field(default_factory=list)  # choices that cannot be honoured
    notes: list[Problem] = field(default_factory=list)   # what was decided that the person should know
    times_only: dict[str, str] = field(default_factory=dict)        # date field -> its column holding only times
    by_values: dict[str, list[str]] = field(default_factory=dict)   # field -> columns only whose cells fit it
    currency_of: dict[str, str] = field(default_factory=dict)       # amount column -> its currency column
    foreign: dict[str, list[str]] = field(default_factory=dict)     # amount column -> currencies other than GBP

    def problems(self, headers: Sequence[str], *, date_to_quarter: bool = False) -> list[Problem]:
        """What stops the file being read, worded for the person uploading it: one question per field."""
        found = ", ".join(f"'{h}'" for h in headers) or "none"
        out = list(self.invalid)
        for name, candidates in self.ambiguous.items():
            listed = " and ".join(f"'{c}'" for c in candidates)
            out.append(Problem(None, None, (
                f"more than one column could be {LABELS.get(name, name)}: {listed}. Nothing is guessed: "
                f"say which to use, e.g. --map \"{candidates[0]}={name}\" (on the upload page, choose it "
                "in the column list)")))
        for name in self.missing_required:
            if name == "payment_date" and date_to_quarter:
                continue
            out.append(self._question(name, found))
        amount = self.fields.get("amount_gbp")
        unit = amount_unit(amount) if amount else None
        if unit:
            out.append(Problem(None, amount, (
                f"says its amounts are in {unit}, not pounds: every amount is read as pounds, so the total would be "
                "wrong. Give each payment in pounds (£1,250.50 as 1250.50), or choose a column in pounds; if the "
                "values are in fact pounds, correct the column's name")))
        return out

    def _question(self, name: str, found: str) -> Problem:
        label = LABELS.get(name, name)
        times = self.times_only.get(name)
        by_values = self.by_values.get(name, [])
        if times:
            return Problem(None, times, (
                f"holds only times of day, no dates, so it cannot give {label}. Say which other column holds it, "
                f"e.g. --map \"COLUMN NAME={name}\", or {DATE_TO_QUARTER} with --date-to-quarter (on the upload "
                "page, choose it under 'Rows')"))
        if by_values:
            listed = " or ".join(f"'{c}'" for c in by_values[:6])
            return Problem(None, None, (
                f"no column is named like {label}, but {listed} could hold it. Say which, e.g. "
                f"--map \"{by_values[0]}={name}\" (on the upload page, choose it in the column list)"))
        return Problem(None, name, (
            f"this required column is missing ({label}): no column's name or cells look like it. The file's "
            f"columns are: {found}. If one of them holds it, say which, e.g. --map \"COLUMN NAME={name}\""))

    def as_saved(self) -> dict[str, str]:
        """The mapping as stored for next time: source header -> field."""
        return {source: name for name, source in self.fields.items()}


def _user_choices(kind: str, present: list[str], user: MappingType[str, str]) -> tuple[dict[str, str],
                                                                                       list[Problem]]:
    allowed = fields_of(kind)
    chosen: dict[str, str] = {}
    invalid: list[Problem] = []
    for source, name in user.items():
        name = name.strip()
        if name not in allowed:
            invalid.append(Problem(None, source, f"'{name}' is not a field of a {kind} file; use one of: "
                                   f"{', '.join(allowed)}"))
        elif source not in present:
            invalid.append(Problem(None, source, "there is no column with this name in the file; its columns "
                                   f"are: {', '.join(repr(h) for h in present)}"))
        elif name in chosen:
            invalid.append(Problem(None, source, f"both '{chosen[name]}' and '{source}' were chosen as {name}; "
                                   "choose one"))
        else:
            chosen[name] = source
    return chosen, invalid


def _pair_currencies(currencies: list[str], amounts: list[str]) -> dict[str, str]:
    """Each amount column's currency column: the one sharing a word with it ('ORIGINAL CUR' with 'ORIGINAL
    GROSS AMT'); a file's only currency column, when it shares a word with no amount, is every amount's."""
    generic = {"currency", "code", "amount", "gross", "net", "value", "total", "gbp", "type", "iso", "of", "in"}

    def own(header: str) -> set[str]:
        return set(words(header)) - generic

    paired = {}
    general = currencies[0] if len(currencies) == 1 and not any(own(currencies[0]) & own(a) for a in amounts) \
        else None
    for amount in amounts:
        sharing = [c for c in currencies if own(amount) & own(c)]
        if len(sharing) == 1:
            paired[amount] = sharing[0]
        elif general is not None and "gbp" not in words(amount):
            # 'Amount (£)' says its currency itself; a general currency column is the other amounts'.
            paired[amount] = general
    return paired


_POUNDS = {"", "GBP", "£", "GBP £", "£ GBP", "STERLING", "POUNDS", "POUND STERLING", "GB POUNDS", "UKP"}
# Units a header can give its amounts in besides pounds: NHS board reports give £000, some ledgers pence.
_SCALES = {"000": "thousands of pounds", "000s": "thousands of pounds", "thousand": "thousands of pounds",
           "thousands": "thousands of pounds", "million": "millions of pounds", "millions": "millions of pounds",
           "pence": "pence", "pennies": "pence"}
_SCALES_AFTER_GBP = {"k": "thousands of pounds", "m": "millions of pounds", "mn": "millions of pounds"}  # '£k', '£m'
_OTHER_SIGNS = {"€": "EUR", "$": "USD", "¥": "JPY", "₹": "INR"}


def amount_unit(header: str) -> str | None:
    """What an amount column's own name says its amounts are in, when not pounds ('Amount (EUR)', 'Value £000')."""
    said = words(header)
    for word in said:
        if word.upper() in _ISO_CURRENCIES - {"GBP"}:
            return word.upper()
        if word in {"euro", "euros"}:
            return "EUR"
    for sign, code in _OTHER_SIGNS.items():
        if sign in str(header):
            return code
    for i, word in enumerate(said):
        if word in _SCALES:
            return _SCALES[word] + (" (£000)" if word.startswith("000") else "")
        if i and said[i - 1] == "gbp" and word in _SCALES_AFTER_GBP:
            return _SCALES_AFTER_GBP[word]
    return None


def foreign_codes(cells: pd.Series) -> pd.Series:
    """A mask of currency cells that say something other than pounds."""
    return ~cells.astype("str").fillna("").str.strip().str.upper().isin(list(_POUNDS))


def recognise(kind: str, headers: Sequence[str], cells: pd.DataFrame | None = None,
              user: MappingType[str, str] | None = None, saved: MappingType[str, str] | None = None) -> Mapping:
    """Map a file's columns to fields: the person's choices, the saved ones, then names and cells.

    cells (the file's rows, by header) lets the values decide: without them only the names do.
    """
    allowed = fields_of(kind)
    present = list(headers)
    chosen, invalid = _user_choices(kind, present, dict(user or {}))
    # A saved mapping is last quarter's answer: used where it still fits, silently skipped where not.
    for source, name in (saved or {}).items():
        if name in allowed and source in present and name not in chosen and source not in chosen.values():
            chosen[name] = source
    samples = {h: _filled(cells[h].iloc[:SAMPLE_CELLS * 5]).iloc[:SAMPLE_CELLS] for h in present} \
        if cells is not None else {}

    def fits(name: str, header: str) -> bool:
        return cells is None or kind != "spend" or _values_fit(name, samples[header])

    notes: list[Problem] = []
    times_only: dict[str, str] = {}
    # Currency columns first: they decide which amounts are in pounds.
    currencies = [h for h in present if (header_tier(kind, CURRENCY, h) and fits(CURRENCY, h))
                  or (h in samples and _codes_only(samples[h]))] if kind == "spend" else []
    amounts = [h for h in present if kind == "spend" and header_tier(kind, "amount_gbp", h)]
    currency_of = _pair_currencies(currencies, list(dict.fromkeys(
        amounts + ([chosen["amount_gbp"]] if "amount_gbp" in chosen else []))))
    foreign: dict[str, list[str]] = {}
    if cells is not None:
        for amount, currency in currency_of.items():
            codes = cells[currency][foreign_codes(cells[currency])].astype("str").str.strip().str.upper()
            if not codes.empty:
                foreign[amount] = sorted(codes.unique())
    ambiguous: dict[str, list[str]] = {}
    by_values: dict[str, list[str]] = {}
    # Required fields first; the currency column is the chosen amount's own, paired below.
    order = sorted((n for n in allowed if n != CURRENCY),
                   key=lambda n: not any(c.name == n and c.required for c in contract.COLUMNS[kind]))
    for name in order:
        if name in chosen:
            continue
        taken = set(chosen.values())
        free = [h for h in present if h not in taken]
        tiers = {h: header_tier(kind, name, h) for h in free}
        exact = [h for h in free if tiers[h] == EXACT]
        if exact:
            candidates = exact
        else:
            named = [h for h in free if tiers[h]]
            # An amount in another currency is never taken while another amount is there to take.
            in_pounds = [h for h in named if not (name == "amount_gbp" and h in foreign)]
            named = in_pounds or named
            if name == "payment_date" and cells is not None:
                for h in named:
                    if _times_only(samples[h]):
                        times_only.setdefault(name, h)
                named = [h for h in named if h not in times_only.values()]
            # The cells tell columns named alike apart; a column the name alone points to is taken even
            # when many of its cells are wrong, so each wrong cell is reported where it is.
            fitting = [h for h in named if fits(name, h)] or named
            top = max((tiers[h] for h in fitting), default=0)
            candidates = [h for h in fitting if tiers[h] == top]
        required = any(c.name == name and c.required for c in contract.COLUMNS[kind])
        if len(candidates) == 1:
            chosen[name] = candidates[0]
            if name == "payment_date" and tiers.get(candidates[0]) == 1:
                notes.append(Problem(None, candidates[0], "is the only column of dates, so payments are counted on "
                                     "its dates; the payment date itself would be better, if your system has it"))
        elif len(candidates) > 1 and required:
            ambiguous[name] = candidates
        elif len(candidates) > 1:
            notes.append(Problem(None, None, f"{' and '.join(repr(c) for c in candidates)} could each be "
                                 f"{LABELS.get(name, name)}; neither is used. Choose one on the upload page, or "
                                 f"with --map \"{candidates[0]}={name}\", if you want it read"))
        elif required and cells is not None and kind == "spend":
            # A column of VAT alone ('Irrecoverable VAT') holds money, but the tax, never the payment.
            by_values[name] = [h for h in free if tiers[h] == 0 and _by_values(name, samples[h])
                               and not (name == "amount_gbp" and "vat" in words(h))]
    if kind == "spend" and "amount_gbp" in chosen and CURRENCY not in chosen:
        pair = currency_of.get(chosen["amount_gbp"])
        if pair is not None:
            chosen[CURRENCY] = pair
        elif len(currencies) > 1:
            notes.append(Problem(None, chosen["amount_gbp"], "no currency column shares a word with it; "
                                 f"{', '.join(repr(c) for c in currencies)} were not used"))
    # Ignored: other currency columns, once the amount's own is known.
    used = set(chosen.values())
    missing = [c.name for c in contract.COLUMNS[kind] if c.required and c.name not in chosen
               and c.name not in ambiguous]
    times_only = {name: header for name, header in times_only.items() if name not in chosen}
    return Mapping(kind, {name: chosen[name] for name in allowed if name in chosen}, ambiguous,
                   [h for h in present if h not in used], missing, dict(user or {}), invalid, notes, times_only,
                   {n: v for n, v in by_values.items() if v and n in missing}, currency_of, foreign)


def with_choices(found: Mapping, choices: MappingType[str, str], not_used: str = "") -> dict[str, str] | None:
    """The mapping to read a file with after a person's column choices (header -> field, or not_used).

    Each choice wins over whatever its header or its field was read as before; None when there is none.
    """
    headers = set(found.fields.values()) | set(found.unmapped)
    chosen = {h: f for h, f in choices.items() if h in headers}
    if not chosen:
        return None
    effective = {h: f for f, h in found.fields.items()}
    for header, name in chosen.items():
        effective = {h: f for h, f in effective.items() if h != header and f != name}
        if name != not_used:
            effective[header] = name
    return effective


def apply(table: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """The table's mapped columns renamed to their fields (the row index, the file's row numbers, kept)."""
    return pd.DataFrame({name: table[source] for name, source in mapping.fields.items()}, index=table.index)


def saved_mapping(con: duckdb.DuckDBPyConnection, network_id: str, institution_id: str, kind: str) -> dict[str, str]:
    """The mapping (source header -> field) last confirmed for this institution's files of this kind."""
    rows = store.run(con, "column_mapping_saved", network_id=network_id, institution_id=institution_id, kind=kind)
    return dict(zip(rows["source_header"], rows["field"], strict=True))


def save_mapping(con: duckdb.DuckDBPyConnection, submission_id: int, network_id: str, institution_id: str,
                 kind: str, mapping: Mapping) -> None:
    """Remember the mapping a committed submission used, so next quarter's file maps itself."""
    for source, name in mapping.as_saved().items():
        store.run(con, "column_mapping_insert", submission_id=submission_id, network_id=network_id,
                  institution_id=institution_id, kind=kind, source_header=source, field=name)
